package verify

import (
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"maps"
	"mime"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
)

// Twilio signs the URL it called followed by the POST form parameters
// sorted by name, each name then its value. JSON bodies are covered instead
// by a bodySHA256 query parameter inside the signed URL.
var twilio = &scheme{
	name: "twilio", title: "Twilio",
	keyRule: "use the account's auth token string as the key",
	macKey:  rawSecret,
	parse: func(r Request, c Config) (*signed, error) {
		raw := strings.TrimSpace(r.Headers.Get("X-Twilio-Signature"))
		if raw == "" {
			return nil, unsigned("X-Twilio-Signature")
		}
		if _, _, _, ok := splitURL(r.URL); !ok {
			return nil, &parseError{reason: fmt.Sprintf("Twilio signs the full URL it called, and the URL %q is not one: set the public URL senders use", clip(r.URL))}
		}
		form := isForm(r.Headers)
		s := &signed{header: "X-Twilio-Signature", sigs: []string{raw}, enc: "base64", hash: crypto.SHA1,
			contents: func(body []byte) []content { return twilioContents(r.URL, form, body) }}
		if want, ok := bodySHA256(r.URL); ok {
			s.bodyCheck = func(body []byte) error {
				sum := sha256.Sum256(body)
				if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(strings.ToLower(want))) != 1 {
					return fmt.Errorf("the body does not match the bodySHA256 in the URL (%s): the body was changed after signing", clip(want))
				}
				return nil
			}
		}
		s.mistakes = twilioMistakes(r, form)
		return s, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		key, err := rawSecret(k.Secret)
		if err != nil {
			return nil, err
		}
		if _, _, _, ok := splitURL(r.URL); !ok {
			return nil, fmt.Errorf("cannot sign for twilio: %q is not a full URL, and Twilio signs the URL", r.URL)
		}
		c0 := twilioContents(r.URL, isForm(r.Headers), r.Body)[0]
		return app.Headers{{Name: "X-Twilio-Signature", Value: macSign(crypto.SHA1, key, "base64", c0.b)}}, nil
	},
}

func isForm(h app.Headers) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

func bodySHA256(u string) (string, bool) {
	_, _, rest, ok := splitURL(u)
	if !ok {
		return "", false
	}
	_, q, _ := strings.Cut(rest, "?")
	q, _, _ = strings.Cut(q, "#")
	vals, _ := url.ParseQuery(q)
	v := vals.Get("bodySHA256")
	return v, v != ""
}

// twilioParams is the form part of the signed content: names sorted, each
// name followed by its value; a repeated name gives each distinct value,
// sorted, as Twilio's libraries do.
func twilioParams(u string, form bool, body []byte, sorted bool) string {
	if _, ok := bodySHA256(u); ok || !form {
		return ""
	}
	if !sorted {
		return wireParams(body)
	}
	vals, _ := url.ParseQuery(string(body)) // keep what parses: Twilio's bodies are well formed
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(vals)) {
		vs := append([]string(nil), vals[n]...)
		sort.Strings(vs)
		for i, v := range vs {
			if i > 0 && v == vs[i-1] {
				continue
			}
			b.WriteString(n)
			b.WriteString(v)
		}
	}
	return b.String()
}

// wireParams is the form in the order sent, a mistake Twilio's docs warn of.
func wireParams(body []byte) string {
	var b strings.Builder
	for _, kv := range strings.Split(string(body), "&") {
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || k == "" {
			continue
		}
		b.WriteString(k + v)
	}
	return b.String()
}

// twilioContents accepts the URL as it is, without its port and with the
// scheme's default port, as Twilio's own libraries do.
func twilioContents(u string, form bool, body []byte) []content {
	params := twilioParams(u, form, body, true)
	var out []content
	seen := map[string]bool{}
	add := func(x, note string) {
		if !seen[x] {
			seen[x] = true
			out = append(out, content{b: []byte(x + params), note: note})
		}
	}
	add(u, "")
	add(withoutPort(u), "port: the signature matches the URL without its port; Twilio's libraries accept that, but a check comparing the exact URL fails")
	add(withDefaultPort(u), "port: the signature matches the URL with the default port added; Twilio's libraries accept that, but a check comparing the exact URL fails")
	return out
}

func twilioMistakes(r Request, form bool) []mistake {
	const proxy = "the sender signed the URL it called; behind a tunnel or proxy, set the public URL so Hooklens rebuilds that URL"
	var ms []mistake
	add := func(phrase, advice, u string, sorted bool) {
		if u == "" || u == r.URL && sorted {
			return
		}
		params := twilioParams(u, form, r.Body, sorted)
		cs := twilioContents(u, form, r.Body)
		if !sorted {
			cs = []content{{b: []byte(u + params)}}
		}
		ms = append(ms, mistake{phrase, advice, cs})
	}
	scheme, host, rest, _ := splitURL(r.URL)
	switch scheme {
	case "http":
		add("https instead of http in the URL", proxy, "https://"+host+rest, true)
	case "https":
		add("http instead of https in the URL", proxy, "http://"+host+rest, true)
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if strings.HasSuffix(path, "/") && path != "/" {
		add("the trailing slash removed from the path", "configure the webhook URL exactly as requests arrive", scheme+"://"+host+strings.TrimSuffix(path, "/")+qs(query, hasQuery), true)
	} else if path != "" && path != "/" {
		add("a trailing slash added to the path", "configure the webhook URL exactly as requests arrive", scheme+"://"+host+path+"/"+qs(query, hasQuery), true)
	}
	if hasQuery {
		add("the query string left out of the URL", "sign the full URL, query included", scheme+"://"+host+path, true)
	}
	if form && twilioParams(r.URL, form, r.Body, true) != "" {
		ms = append(ms, mistake{"the form parameters left out", "append each POST parameter, name then value, sorted by name", one([]byte(r.URL))})
		add("the form parameters in the order sent, not sorted by name", "sort the POST parameters by name", r.URL, false)
	}
	return ms
}

func qs(q string, has bool) string {
	if !has {
		return ""
	}
	return "?" + q
}

// splitURL cuts "scheme://authority/rest" without re-encoding anything:
// the URL must stay byte for byte as the sender wrote it.
func splitURL(u string) (scheme, authority, rest string, ok bool) {
	scheme, after, ok := strings.Cut(u, "://")
	if !ok || scheme == "" || strings.ContainsAny(scheme, "/?#") {
		return "", "", "", false
	}
	i := strings.IndexAny(after, "/?#")
	if i < 0 {
		i = len(after)
	}
	if i == 0 {
		return "", "", "", false
	}
	return strings.ToLower(scheme), after[:i], after[i:], true
}

// hostPort splits an authority's host from its port, keeping any userinfo
// with the host.
func hostPort(authority string) (host, port string) {
	at := strings.LastIndexByte(authority, '@')
	hp := authority[at+1:]
	i := strings.LastIndexByte(hp, ':')
	if i < 0 || strings.Contains(hp[i:], "]") { // no port, or an IPv6 literal without one
		return authority, ""
	}
	return authority[:at+1] + hp[:i], hp[i+1:]
}

func withoutPort(u string) string {
	_, auth, rest, ok := splitURL(u)
	if !ok {
		return u
	}
	host, port := hostPort(auth)
	if port == "" || strings.HasSuffix(host, "@") || host == "" {
		return u // no port, or nothing left of the host without it
	}
	return u[:len(u)-len(auth)-len(rest)] + host + rest
}

func withDefaultPort(u string) string {
	scheme, auth, rest, ok := splitURL(u)
	if !ok {
		return u
	}
	if _, port := hostPort(auth); port != "" {
		return u
	}
	def := map[string]string{"http": "80", "https": "443"}[scheme]
	if def == "" {
		return u
	}
	return u[:len(u)-len(auth)-len(rest)] + auth + ":" + def + rest
}
