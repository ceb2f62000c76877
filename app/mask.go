package app

import (
	"net/url"
	"strings"
)

// What Hooklens shows of credentials it sends or was given — in the
// window, logs, errors, answers to senders and support bundles: values
// masked with Mask, the one masking rule. Only the stored settings keep
// the secrets.

// secretWords mark header and query parameter names whose values are
// credentials.
var secretWords = []string{"auth", "token", "secret", "password", "passwd", "apikey", "api-key", "api_key", "key", "cookie", "session"}

// IsSecretName reports whether a header or query parameter named name
// carries a credential (Authorization, X-Api-Key, Bigin's zapikey ...). A
// signature is not one: it proves, it does not grant; nor is a name for
// the kind of credential (auth_type).
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "signature") || strings.HasSuffix(n, "type") {
		return false // a MAC, or the kind of credential (auth_type=apikey)
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// MaskHeader hides a credential's value, keeping Authorization's scheme
// word (Bearer, Basic, Zoho-oauthtoken) so the user sees what was sent.
func MaskHeader(name, value string) string {
	if !IsSecretName(name) {
		return value
	}
	if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
		if scheme, cred, ok := strings.Cut(value, " "); ok {
			return scheme + " " + Mask(strings.TrimSpace(cred))
		}
	}
	return Mask(value)
}

// MaskHeaders is h with every credential masked by MaskHeader.
func MaskHeaders(h Headers) Headers {
	out := make(Headers, len(h))
	for i, x := range h {
		out[i] = Header{Name: x.Name, Value: MaskHeader(x.Name, x.Value)}
	}
	return out
}

// RedactURL is raw with any password in its user info shown as xxxxx (as
// url.URL.Redacted does) and credential query parameters (Bigin's zapikey,
// api_key, token ...) masked with Mask, the query's order and spelling
// kept. Text that does not parse as a URL is returned as is.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			changed = true
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			name, _ := url.QueryUnescape(k)
			if ok && v != "" && IsSecretName(name) {
				uv, _ := url.QueryUnescape(v)
				parts[i] = k + "=" + Mask(uv)
				changed = true
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if !changed {
		return raw
	}
	// url.String escapes the mask's dots; show them as dots.
	s := u.String()
	return strings.ReplaceAll(strings.ReplaceAll(s, "%E2%80%A2", "•"), "%e2%80%a2", "•")
}
