package verify

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// scheme is one provider's way of signing.
type scheme struct {
	name, title string
	asym        bool   // checked with a public key, not a shared secret
	keyRule     string // how the secret becomes the HMAC key, for advice
	// macKey turns a secret into the HMAC key; nil means its bytes as they are.
	macKey func(secret string) ([]byte, error)
	// pubCheck turns a public key into checks: the scheme's own, then the
	// wrong ones a sender may have used (asymmetric schemes only).
	pubCheck func(pub crypto.PublicKey) (check, []alt, error)
	parse    func(r Request, c Config) (*signed, error)
	sign     func(r Request, k Key, c Config, at time.Time) (app.Headers, error)
}

// signed is what parse found in a request: the signatures sent and how to
// rebuild the content they cover.
type signed struct {
	header string   // the signature header, for messages
	sigs   []string // signatures as sent, prefixes and versions removed
	enc    string   // "hex" or "base64"
	hash   crypto.Hash
	// contents rebuilds what was signed from a body (the diagnosis swaps
	// bodies). The first is the canonical one; the rest are also accepted.
	contents func(body []byte) []content

	tsHeader  string    // header with the sender's timestamp; "" when none is checked
	ts        time.Time // the sender's timestamp
	tolerance time.Duration
	futureOK  bool // the provider's libraries accept timestamps from the future

	bodyCheck func(body []byte) error // a hash of the body sent beside the signature (twilio)
	mistakes  []mistake               // ways of building the content wrongly
}

// content is one accepted signed content; note says why it is accepted
// when it is not the canonical one.
type content struct {
	b    []byte
	note string
}

func one(b []byte) []content { return []content{{b: b}} }

// bodyOnly is the content of the schemes that sign the body and nothing else.
func bodyOnly(body []byte) []content { return one(body) }

// mistake is a wrong way to build the signed content.
type mistake struct {
	phrase, advice string
	contents       []content
}

// parseError is why a request's signature cannot be checked.
type parseError struct {
	unsigned bool // the signature header itself is absent
	reason   string
}

func (e *parseError) Error() string { return e.reason }

func unsigned(header string) error {
	return &parseError{unsigned: true, reason: "no " + header + " header"}
}

func missing(header, why string) error {
	return &parseError{reason: "missing header " + header + ": " + why}
}

func malformed(header, what string) error {
	return &parseError{reason: "malformed " + header + " header: " + what}
}

var schemes = map[string]*scheme{}

func init() {
	for _, s := range []*scheme{standardWebhooks, stripe, github, slack, shopify, twilio, salesiq, signalzen, discord, generic} {
		schemes[s.name] = s
	}
}

// Schemes names every scheme, as Config.Scheme and ParseConfig take them.
func Schemes() []string { return app.SchemeNames() }

// UsesPublicKey reports whether a scheme is checked with a public key
// (salesiq, discord) rather than a shared secret.
func UsesPublicKey(scheme string) bool { return app.UsesPublicKey(scheme) }

// parseUnix reads a Unix time in seconds. Milliseconds are a mistake for
// the named schemes, so they are refused unless millis is set.
func parseUnix(s string, millis bool) (time.Time, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("%q is not a Unix time in seconds", s)
	}
	if n > 1e11 { // after the year 5000 in seconds: this is milliseconds
		if !millis {
			return time.Time{}, fmt.Errorf("%q looks like milliseconds; the timestamp must be seconds since 1970", s)
		}
		return time.UnixMilli(n), nil
	}
	return time.Unix(n, 0), nil
}

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// join concatenates without aliasing the body.
func join(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func macSign(h crypto.Hash, key []byte, enc string, content []byte) string {
	return encodingByName(enc).encode(hmacSum(h, key, content))
}

// rawSecret is the key rule of most schemes: the secret's bytes as they are.
func rawSecret(secret string) ([]byte, error) {
	if secret == "" {
		return nil, errors.New("the secret is empty")
	}
	return []byte(secret), nil
}

// ---- standard-webhooks (and Svix) ----

var standardWebhooks = &scheme{
	name: "standard-webhooks", title: "Standard Webhooks",
	keyRule: "strip whsec_ and base64-decode the rest",
	macKey:  standardKey,
	parse: func(r Request, c Config) (*signed, error) {
		p := standardPrefix(r.Headers)
		sh := p + "signature"
		raw := r.Headers.Get(sh)
		if raw == "" {
			return nil, unsigned(sh)
		}
		id := r.Headers.Get(p + "id")
		if id == "" {
			return nil, missing(p+"id", "Standard Webhooks signs {id}.{timestamp}.{body}")
		}
		tsRaw := r.Headers.Get(p + "timestamp")
		if tsRaw == "" {
			return nil, missing(p+"timestamp", "Standard Webhooks signs {id}.{timestamp}.{body}")
		}
		ts, err := parseUnix(tsRaw, false)
		if err != nil {
			return nil, malformed(p+"timestamp", err.Error())
		}
		sigs, err := parseStandardHeader(raw)
		if err != nil {
			return nil, malformed(sh, err.Error())
		}
		return &signed{
			header: sh, sigs: sigs, enc: "base64", hash: crypto.SHA256,
			contents: func(body []byte) []content {
				return one(join([]byte(id+"."+tsRaw+"."), body))
			},
			tsHeader: p + "timestamp", ts: ts, tolerance: c.EffectiveTolerance(5 * time.Minute),
			mistakes: []mistake{
				{"the id left out of the signed content ({timestamp}.{body})", "sign {id}.{timestamp}.{body}", one(join([]byte(tsRaw+"."), r.Body))},
				{"only the body signed", "sign {id}.{timestamp}.{body}", one(r.Body)},
			},
		}, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		key, err := standardKey(k.Secret)
		if err != nil {
			return nil, err
		}
		p := "webhook-"
		if r.Headers.Get("svix-id") != "" || r.Headers.Get("svix-signature") != "" {
			p = "svix-"
		}
		// A resend keeps the message id: receivers use it to drop duplicates.
		id := r.Headers.Get(p + "id")
		if id == "" {
			id = "msg_" + randomToken(16)
		}
		ts := unixString(at)
		sig := macSign(crypto.SHA256, key, "base64", join([]byte(id+"."+ts+"."), r.Body))
		return app.Headers{{Name: p + "id", Value: id}, {Name: p + "timestamp", Value: ts}, {Name: p + "signature", Value: "v1," + sig}}, nil
	},
}

func standardPrefix(h app.Headers) string {
	if h.Get("webhook-signature") == "" && h.Get("svix-signature") != "" {
		return "svix-"
	}
	return "webhook-"
}

func standardKey(secret string) ([]byte, error) {
	rest := strings.TrimPrefix(secret, "whsec_")
	b, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(b) == 0 {
		return nil, errors.New("the secret is not base64 after its whsec_ prefix; Standard Webhooks secrets look like whsec_<base64>")
	}
	return b, nil
}

// parseStandardHeader reads "v1,<base64> v1,<base64> ..." and returns the v1
// signatures; other versions (v1a is asymmetric) are skipped.
func parseStandardHeader(v string) ([]string, error) {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return nil, errors.New("it is empty; want v1,<base64>")
	}
	var sigs, other []string
	for i, f := range fields {
		ver, sig, ok := strings.Cut(f, ",")
		if !ok || ver == "" || sig == "" {
			return nil, fmt.Errorf("entry %d %q is not <version>,<signature>; want v1,<base64>", i+1, clip(f))
		}
		if ver == "v1" {
			sigs = append(sigs, sig)
		} else {
			other = append(other, ver)
		}
	}
	if len(sigs) == 0 {
		return nil, fmt.Errorf("no v1 signature (found %s)", clip(strings.Join(other, ", ")))
	}
	return sigs, nil
}

// clip keeps header parts quoted in messages short, and valid text
// whatever bytes the sender put there.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > 40 {
		i := 40
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return s[:i] + "…"
	}
	return s
}

// ---- Stripe ----

var stripe = &scheme{
	name: "stripe", title: "Stripe",
	keyRule: "use the whole secret string, whsec_ included, as the key",
	macKey:  rawSecret,
	parse: func(r Request, c Config) (*signed, error) {
		raw := r.Headers.Get("Stripe-Signature")
		if raw == "" {
			return nil, unsigned("Stripe-Signature")
		}
		tRaw, sigs, err := parseStripeHeader(raw)
		if err != nil {
			return nil, malformed("Stripe-Signature", err.Error())
		}
		ts, err := parseUnix(tRaw, false)
		if err != nil {
			return nil, malformed("Stripe-Signature", "t="+err.Error())
		}
		return &signed{
			header: "Stripe-Signature", sigs: sigs, enc: "hex", hash: crypto.SHA256,
			contents: func(body []byte) []content { return one(join([]byte(tRaw+"."), body)) },
			// Stripe's libraries refuse only timestamps older than the tolerance.
			tsHeader: "Stripe-Signature t=", ts: ts, tolerance: c.EffectiveTolerance(300 * time.Second), futureOK: true,
			mistakes: []mistake{
				{"only the body signed (t= left out)", "sign {t}.{body}", one(r.Body)},
			},
		}, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		key, err := rawSecret(k.Secret)
		if err != nil {
			return nil, err
		}
		t := unixString(at)
		sig := macSign(crypto.SHA256, key, "hex", join([]byte(t+"."), r.Body))
		return app.Headers{{Name: "Stripe-Signature", Value: "t=" + t + ",v1=" + sig}}, nil
	},
}

// parseStripeHeader reads "t=<unix>,v1=<hex>[,v1=<hex>][,v0=<hex>]" and
// returns t as sent and every v1.
func parseStripeHeader(v string) (t string, sigs []string, err error) {
	sawV0 := false
	for i, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, fmt.Errorf("part %d %q is not key=value", i+1, clip(part))
		}
		switch k {
		case "t":
			if t != "" {
				return "", nil, errors.New("more than one t= timestamp")
			}
			if val == "" {
				return "", nil, errors.New("t= is empty")
			}
			t = val
		case "v1":
			if val != "" {
				sigs = append(sigs, val)
			}
		case "v0":
			sawV0 = true
		}
	}
	if t == "" {
		return "", nil, errors.New("no t= timestamp")
	}
	if len(sigs) == 0 {
		if sawV0 {
			return "", nil, errors.New("no v1= signature, only v0= (Stripe signs with v1)")
		}
		return "", nil, errors.New("no v1= signature")
	}
	return t, sigs, nil
}

// ---- GitHub ----

var github = &scheme{
	name: "github", title: "GitHub",
	keyRule: "use the webhook secret string as the key",
	macKey:  rawSecret,
	parse: func(r Request, c Config) (*signed, error) {
		header, prefix, h := "X-Hub-Signature-256", "sha256=", crypto.SHA256
		raw := r.Headers.Get(header)
		if raw == "" {
			// GitHub's legacy header, still sent beside the new one.
			header, prefix, h = "X-Hub-Signature", "sha1=", crypto.SHA1
			raw = r.Headers.Get(header)
		}
		if raw == "" {
			return nil, unsigned("X-Hub-Signature-256")
		}
		sig, err := parsePrefixed(raw, prefix)
		if err != nil {
			return nil, malformed(header, err.Error())
		}
		return &signed{header: header, sigs: []string{sig}, enc: "hex", hash: h, contents: bodyOnly}, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		key, err := rawSecret(k.Secret)
		if err != nil {
			return nil, err
		}
		return app.Headers{
			{Name: "X-Hub-Signature-256", Value: "sha256=" + macSign(crypto.SHA256, key, "hex", r.Body)},
			{Name: "X-Hub-Signature", Value: "sha1=" + macSign(crypto.SHA1, key, "hex", r.Body)},
		}, nil
	},
}

// parsePrefixed reads "<prefix><signature>", as GitHub's "sha256=..." and
// Slack's "v0=...".
func parsePrefixed(v, prefix string) (string, error) {
	v = strings.TrimSpace(v)
	sig, ok := strings.CutPrefix(v, prefix)
	if !ok {
		return "", fmt.Errorf("value %q does not start with %s", clip(v), clip(prefix))
	}
	if sig == "" {
		return "", fmt.Errorf("nothing after %s", prefix)
	}
	return sig, nil
}

// ---- Slack ----

var slack = &scheme{
	name: "slack", title: "Slack",
	keyRule: "use the signing secret string as the key",
	macKey:  rawSecret,
	parse: func(r Request, c Config) (*signed, error) {
		raw := r.Headers.Get("X-Slack-Signature")
		if raw == "" {
			return nil, unsigned("X-Slack-Signature")
		}
		tsRaw := r.Headers.Get("X-Slack-Request-Timestamp")
		if tsRaw == "" {
			return nil, missing("X-Slack-Request-Timestamp", "Slack signs v0:{timestamp}:{body}")
		}
		ts, err := parseUnix(tsRaw, false)
		if err != nil {
			return nil, malformed("X-Slack-Request-Timestamp", err.Error())
		}
		sig, err := parsePrefixed(raw, "v0=")
		if err != nil {
			return nil, malformed("X-Slack-Signature", err.Error())
		}
		return &signed{header: "X-Slack-Signature", sigs: []string{sig}, enc: "hex", hash: crypto.SHA256,
			contents: func(body []byte) []content { return one(join([]byte("v0:"+tsRaw+":"), body)) },
			tsHeader: "X-Slack-Request-Timestamp", ts: ts, tolerance: c.EffectiveTolerance(5 * time.Minute),
			mistakes: []mistake{
				{"the content without its v0: prefix ({timestamp}:{body})", "sign v0:{timestamp}:{body}", one(join([]byte(tsRaw+":"), r.Body))},
				{"only the body signed", "sign v0:{timestamp}:{body}", one(r.Body)},
			},
		}, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		key, err := rawSecret(k.Secret)
		if err != nil {
			return nil, err
		}
		ts := unixString(at)
		sig := macSign(crypto.SHA256, key, "hex", join([]byte("v0:"+ts+":"), r.Body))
		return app.Headers{{Name: "X-Slack-Request-Timestamp", Value: ts}, {Name: "X-Slack-Signature", Value: "v0=" + sig}}, nil
	},
}

// ---- Shopify and SignalZen ----

var shopify = bodyHMAC("shopify", "Shopify", "use the app's client secret string as the key", "base64",
	func(Config) string { return "X-Shopify-Hmac-Sha256" })

var signalzen = bodyHMAC("signalzen", "SignalZen", "use the API secret string as the key", "hex", Config.SigHeader)

// bodyHMAC is a scheme that sends the HMAC-SHA256 of the body alone, encoded
// as enc, in the header named by header.
func bodyHMAC(name, title, keyRule, enc string, header func(Config) string) *scheme {
	return &scheme{
		name: name, title: title,
		keyRule: keyRule,
		macKey:  rawSecret,
		parse: func(r Request, c Config) (*signed, error) {
			h := header(c)
			raw := strings.TrimSpace(r.Headers.Get(h))
			if raw == "" {
				return nil, unsigned(h)
			}
			return &signed{header: h, sigs: []string{raw}, enc: enc, hash: crypto.SHA256, contents: bodyOnly}, nil
		},
		sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
			key, err := rawSecret(k.Secret)
			if err != nil {
				return nil, err
			}
			return app.Headers{{Name: header(c), Value: macSign(crypto.SHA256, key, enc, r.Body)}}, nil
		},
	}
}

// ---- Zoho SalesIQ ----

var salesiq = &scheme{
	name: "salesiq", title: "Zoho SalesIQ", asym: true,
	pubCheck: func(pub crypto.PublicKey) (check, []alt, error) {
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, nil, fmt.Errorf("the public key is %s; SalesIQ signs with RSA", keyKind(pub))
		}
		return rsaCheck(rk, false), []alt{{"RSA-PSS padding instead of PKCS#1 v1.5", rsaCheck(rk, true)}}, nil
	},
	parse: func(r Request, c Config) (*signed, error) {
		raw := strings.TrimSpace(r.Headers.Get("x-siqsignature"))
		if raw == "" {
			return nil, unsigned("x-siqsignature")
		}
		return &signed{header: "x-siqsignature", sigs: []string{raw}, enc: "base64", hash: crypto.SHA256, contents: bodyOnly}, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		sg, err := parsePrivateKey(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("cannot sign for salesiq: %w", err)
		}
		rk, ok := sg.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("cannot sign for salesiq with %s: SalesIQ uses RSA", keyKind(sg.Public()))
		}
		sig, err := rsa.SignPKCS1v15(nil, rk, crypto.SHA256, digest(crypto.SHA256, r.Body))
		if err != nil {
			return nil, fmt.Errorf("signing for salesiq: %w", err)
		}
		return app.Headers{{Name: "x-siqsignature", Value: base64.StdEncoding.EncodeToString(sig)}}, nil
	},
}

func keyKind(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "an RSA key"
	case ed25519.PublicKey:
		return "an Ed25519 key"
	}
	return fmt.Sprintf("a %T", pub)
}

// ---- Discord ----

var discord = &scheme{
	name: "discord", title: "Discord", asym: true,
	pubCheck: func(pub crypto.PublicKey) (check, []alt, error) {
		ek, ok := pub.(ed25519.PublicKey)
		if !ok {
			return nil, nil, fmt.Errorf("the public key is %s; Discord signs with Ed25519", keyKind(pub))
		}
		return ed25519Check(ek), nil, nil
	},
	parse: func(r Request, c Config) (*signed, error) {
		raw := strings.TrimSpace(r.Headers.Get("X-Signature-Ed25519"))
		if raw == "" {
			return nil, unsigned("X-Signature-Ed25519")
		}
		tsRaw := r.Headers.Get("X-Signature-Timestamp")
		if tsRaw == "" {
			return nil, missing("X-Signature-Timestamp", "Discord signs {timestamp}{body}")
		}
		s := &signed{header: "X-Signature-Ed25519", sigs: []string{raw}, enc: "hex",
			contents: func(body []byte) []content { return one(join([]byte(tsRaw), body)) },
			mistakes: []mistake{{"only the body signed (timestamp left out)", "sign {timestamp}{body}", one(r.Body)}},
		}
		// Discord documents no tolerance; one is checked only when configured.
		if tol := c.EffectiveTolerance(0); tol > 0 {
			ts, err := parseUnix(tsRaw, false)
			if err != nil {
				return nil, malformed("X-Signature-Timestamp", err.Error())
			}
			s.tsHeader, s.ts, s.tolerance = "X-Signature-Timestamp", ts, tol
		}
		return s, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		sg, err := parsePrivateKey(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("cannot sign for discord: %w", err)
		}
		ek, ok := sg.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("cannot sign for discord with %s: Discord uses Ed25519", keyKind(sg.Public()))
		}
		ts := unixString(at)
		sig := ed25519.Sign(ek, join([]byte(ts), r.Body))
		return app.Headers{{Name: "X-Signature-Ed25519", Value: encodingByName("hex").encode(sig)}, {Name: "X-Signature-Timestamp", Value: ts}}, nil
	},
}

// ---- generic HMAC ----

var generic = &scheme{
	name: "hmac", title: "a generic HMAC",
	keyRule: "use the secret string as the key",
	macKey:  rawSecret,
	parse: func(r Request, c Config) (*signed, error) {
		h := c.SigHeader()
		raw := strings.TrimSpace(r.Headers.Get(h))
		if raw == "" {
			return nil, unsigned(h)
		}
		sig := raw
		if c.Prefix != "" {
			var err error
			if sig, err = parsePrefixed(raw, c.Prefix); err != nil {
				return nil, malformed(h, err.Error())
			}
		}
		v := tplValues{method: r.Method, url: r.URL}
		s := &signed{header: h, sigs: []string{sig}, enc: c.Enc(), hash: hashByName[c.Algo()]}
		if c.TimestampHeader != "" {
			v.ts = r.Headers.Get(c.TimestampHeader)
			if v.ts == "" {
				return nil, missing(c.TimestampHeader, "this endpoint signs "+c.SignedContent())
			}
			ts, err := parseUnix(v.ts, true)
			if err != nil {
				return nil, malformed(c.TimestampHeader, err.Error())
			}
			if tol := c.EffectiveTolerance(5 * time.Minute); tol > 0 {
				s.tsHeader, s.ts, s.tolerance = c.TimestampHeader, ts, tol
			}
		}
		if c.IDHeader != "" {
			v.id = r.Headers.Get(c.IDHeader)
			if v.id == "" {
				return nil, missing(c.IDHeader, "this endpoint signs "+c.SignedContent())
			}
		}
		tpl := c.SignedContent()
		s.contents = func(body []byte) []content { return one(render(tpl, v, body)) }
		for _, alt := range []string{"{body}", "{timestamp}.{body}", "{timestamp}{body}", "{timestamp}:{body}", "{id}.{timestamp}.{body}", "{id}.{body}"} {
			if alt == tpl || (strings.Contains(alt, "{timestamp}") && v.ts == "") || (strings.Contains(alt, "{id}") && v.id == "") {
				continue
			}
			s.mistakes = append(s.mistakes, mistake{"the content " + alt + " signed instead of " + tpl,
				"sign " + tpl + ", or change this endpoint's content setting to " + alt, one(render(alt, v, r.Body))})
		}
		return s, nil
	},
	sign: func(r Request, k Key, c Config, at time.Time) (app.Headers, error) {
		key, err := rawSecret(k.Secret)
		if err != nil {
			return nil, err
		}
		v := tplValues{method: r.Method, url: r.URL}
		var out app.Headers
		if c.TimestampHeader != "" {
			v.ts = unixString(at)
			out = append(out, app.Header{Name: c.TimestampHeader, Value: v.ts})
		}
		if c.IDHeader != "" {
			if v.id = r.Headers.Get(c.IDHeader); v.id == "" {
				v.id = "msg_" + randomToken(16)
			}
			out = append(out, app.Header{Name: c.IDHeader, Value: v.id})
		}
		sig := macSign(hashByName[c.Algo()], key, c.Enc(), render(c.SignedContent(), v, r.Body))
		return append(out, app.Header{Name: c.SigHeader(), Value: c.Prefix + sig}), nil
	},
}

type tplValues struct{ ts, id, method, url string }

// render fills a content template in one pass, so a body that happens to
// contain "{timestamp}" is left alone.
func render(tpl string, v tplValues, body []byte) []byte {
	var b []byte
	for len(tpl) > 0 {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b = append(b, tpl...)
			break
		}
		b = append(b, tpl[:i]...)
		tpl = tpl[i:]
		j := strings.IndexByte(tpl, '}')
		if j < 0 {
			b = append(b, tpl...)
			break
		}
		switch tpl[:j+1] {
		case "{body}":
			b = append(b, body...)
		case "{timestamp}":
			b = append(b, v.ts...)
		case "{id}":
			b = append(b, v.id...)
		case "{method}":
			b = append(b, v.method...)
		case "{url}":
			b = append(b, v.url...)
		default:
			b = append(b, tpl[:j+1]...)
		}
		tpl = tpl[j+1:]
	}
	return b
}
