package widgets

import (
	"net/url"
	"strings"

	"github.com/hooklens/hooklens/app"
)

// What the window shows of a request it sent: credentials in headers and
// URLs masked with app.Mask, the one masking rule.

// secretWords mark header and query parameter names whose values are
// credentials.
var secretWords = []string{"auth", "token", "secret", "password", "passwd", "apikey", "api-key", "api_key", "key", "cookie", "session"}

func isSecretName(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "signature") {
		return false // a MAC proves, it does not grant
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// maskHeader hides a credential's value, keeping Authorization's scheme
// word (Bearer, Basic, Zoho-oauthtoken) so the user sees what was sent.
func maskHeader(name, value string) string {
	if !isSecretName(name) {
		return value
	}
	if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
		if scheme, cred, ok := strings.Cut(value, " "); ok {
			return scheme + " " + app.Mask(strings.TrimSpace(cred))
		}
	}
	return app.Mask(value)
}

// MaskHeaders is h with every credential masked by maskHeader.
func MaskHeaders(h app.Headers) app.Headers {
	out := make(app.Headers, len(h))
	for i, x := range h {
		out[i] = app.Header{Name: x.Name, Value: maskHeader(x.Name, x.Value)}
	}
	return out
}

// MaskURL hides a password in the user info and credential query
// parameters (Bigin's zapikey), keeping the query's order and spelling.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "••••••••")
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			name, _ := url.QueryUnescape(k)
			if ok && isSecretName(name) {
				uv, _ := url.QueryUnescape(v)
				parts[i] = k + "=" + app.Mask(uv)
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	s := u.String()
	// url.String escapes the mask's dots; show them as dots.
	return strings.ReplaceAll(strings.ReplaceAll(s, "%E2%80%A2", "•"), "%e2%80%a2", "•")
}
