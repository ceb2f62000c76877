package app

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SchemeOptions tune a signature scheme. The zero value is each provider's documented setup.
type SchemeOptions struct {
	Header string // signature header name (signalzen, hmac)
	// Tolerance is how far a timestamp may be from the arrival time.
	// 0 takes the scheme's default; negative turns the check off.
	Tolerance time.Duration

	// The generic hmac scheme only:
	Algorithm       string // sha1, sha256 (default), sha512
	Encoding        string // hex (default) or base64
	Prefix          string // text before the signature in the header, e.g. "sha256="
	Content         string // what is signed: "{body}" (default), "{timestamp}.{body}", "{id}.{timestamp}.{body}"; also {method}, {url}
	TimestampHeader string // header holding the Unix time that {timestamp} stands for
	IDHeader        string // header holding the message id that {id} stands for
}

// SchemeConfig is a signature scheme with its options: the one grammar of
// the scheme setting that endpoints and targets store as one string, their
// Scheme field: the name, then ";key=value" options, e.g.
//
//	stripe
//	stripe;tolerance=10m
//	signalzen;header=X-Custom-Signature
//	hmac;header=X-Signature;algorithm=sha512;encoding=base64;prefix=sha512=;content={timestamp}.{body};timestamp-header=X-Timestamp
type SchemeConfig struct {
	Scheme string
	SchemeOptions
}

// option keys in the order String writes them, with the schemes that take them.
var optionKeys = []struct {
	key     string
	schemes string // space-separated; "" means every scheme that has a timestamp
}{
	{"header", "signalzen hmac"},
	{"algorithm", "hmac"},
	{"encoding", "hmac"},
	{"prefix", "hmac"},
	{"content", "hmac"},
	{"timestamp-header", "hmac"},
	{"id-header", "hmac"},
	{"tolerance", "standard-webhooks stripe slack discord hmac"},
}

// ParseScheme reads a scheme setting as SchemeConfig.String writes it. It is
// the one check of a scheme setting: endpoints, targets and every door call it.
func ParseScheme(s string) (SchemeConfig, error) {
	parts := strings.Split(s, ";")
	c := SchemeConfig{Scheme: strings.ToLower(strings.TrimSpace(parts[0]))}
	if !KnownScheme(c.Scheme) {
		return SchemeConfig{}, fmt.Errorf("unknown signature scheme %q: use one of %s", c.Scheme, strings.Join(SchemeNames(), ", "))
	}
	for _, p := range parts[1:] {
		if strings.TrimSpace(p) == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if !ok {
			return SchemeConfig{}, fmt.Errorf("option %q in scheme setting %q is not key=value", p, s)
		}
		if err := c.set(k, v); err != nil {
			return SchemeConfig{}, err
		}
	}
	if err := c.Validate(); err != nil {
		return SchemeConfig{}, err
	}
	return c, nil
}

func (c *SchemeConfig) set(k, v string) error {
	taken := false
	for _, o := range optionKeys {
		if o.key == k {
			taken = true
			if !strings.Contains(" "+o.schemes+" ", " "+c.Scheme+" ") {
				return fmt.Errorf("scheme %s has no option %q (only %s take it)", c.Scheme, k, strings.ReplaceAll(o.schemes, " ", ", "))
			}
		}
	}
	if !taken {
		return fmt.Errorf("unknown option %q: use header, algorithm, encoding, prefix, content, timestamp-header, id-header or tolerance", k)
	}
	switch k {
	case "header":
		c.Header = v
	case "algorithm":
		c.Algorithm = strings.ToLower(v)
	case "encoding":
		c.Encoding = strings.ToLower(v)
	case "prefix":
		c.Prefix = v
	case "content":
		c.Content = v
	case "timestamp-header":
		c.TimestampHeader = v
	case "id-header":
		c.IDHeader = v
	case "tolerance":
		if v == "off" {
			c.Tolerance = -1
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("tolerance %q is not a positive duration such as 5m or 300s, or off", v)
		}
		c.Tolerance = d
	}
	return nil
}

// Validate reports options that cannot work, whoever built c.
func (c SchemeConfig) Validate() error {
	if !KnownScheme(c.Scheme) {
		return fmt.Errorf("unknown signature scheme %q: use one of %s", c.Scheme, strings.Join(SchemeNames(), ", "))
	}
	for _, v := range []string{c.Header, c.Prefix, c.Content, c.TimestampHeader, c.IDHeader} {
		if strings.Contains(v, ";") {
			return fmt.Errorf("option value %q may not contain ';'", v)
		}
	}
	for _, h := range []string{c.Header, c.TimestampHeader, c.IDHeader} {
		if !isHeaderToken(h) {
			return fmt.Errorf("%q is not a header name: use letters, digits and - (like X-Signature)", h)
		}
	}
	if c.Scheme != "hmac" {
		return nil
	}
	if !slices.Contains(hashNames, c.Algo()) {
		return fmt.Errorf("algorithm %q is not one of sha1, sha256, sha512", c.Algorithm)
	}
	if e := c.Enc(); e != "hex" && e != "base64" {
		return fmt.Errorf("encoding %q is not hex or base64", c.Encoding)
	}
	rest := c.SignedContent()
	for _, ph := range []string{"{body}", "{timestamp}", "{id}", "{method}", "{url}"} {
		rest = strings.ReplaceAll(rest, ph, "")
	}
	if strings.ContainsAny(rest, "{}") {
		return fmt.Errorf("content %q has an unknown placeholder: use {body}, {timestamp}, {id}, {method}, {url}", c.Content)
	}
	if strings.Contains(c.SignedContent(), "{timestamp}") && c.TimestampHeader == "" {
		return fmt.Errorf("content %q uses {timestamp}: set timestamp-header to the header that carries it", c.Content)
	}
	if strings.Contains(c.SignedContent(), "{id}") && c.IDHeader == "" {
		return fmt.Errorf("content %q uses {id}: set id-header to the header that carries it", c.Content)
	}
	return nil
}

// String writes c the way ParseConfig reads it.
func (c SchemeConfig) String() string {
	var b strings.Builder
	b.WriteString(c.Scheme)
	add := func(k, v string) {
		if v != "" {
			b.WriteString(";" + k + "=" + v)
		}
	}
	add("header", c.Header)
	add("algorithm", c.Algorithm)
	add("encoding", c.Encoding)
	add("prefix", c.Prefix)
	add("content", c.Content)
	add("timestamp-header", c.TimestampHeader)
	add("id-header", c.IDHeader)
	switch {
	case c.Tolerance < 0:
		add("tolerance", "off")
	case c.Tolerance > 0:
		add("tolerance", c.Tolerance.String())
	}
	return b.String()
}

// SigHeader is the header the signature is read from or written to.
func (c SchemeConfig) SigHeader() string {
	if c.Header != "" {
		return c.Header
	}
	if c.Scheme == "signalzen" {
		return "X-Signalzen-Signature"
	}
	return "X-Signature"
}

// Algo is the HMAC hash name of the generic scheme, sha256 by default.
func (c SchemeConfig) Algo() string {
	if c.Algorithm == "" {
		return "sha256"
	}
	return c.Algorithm
}

// Enc is the generic scheme's signature encoding, hex by default.
func (c SchemeConfig) Enc() string {
	if c.Encoding == "" {
		return "hex"
	}
	return c.Encoding
}

// SignedContent is the generic scheme's content template, {body} by default.
func (c SchemeConfig) SignedContent() string {
	if c.Content == "" {
		return "{body}"
	}
	return c.Content
}

// EffectiveTolerance is the tolerance given the scheme's default; 0 means
// timestamps are not checked.
func (c SchemeConfig) EffectiveTolerance(def time.Duration) time.Duration {
	switch {
	case c.Tolerance < 0:
		return 0
	case c.Tolerance > 0:
		return c.Tolerance
	}
	return def
}

// IsHeaderName reports whether h can be an HTTP header name (an RFC 9110
// token).
func IsHeaderName(h string) bool { return h != "" && isHeaderToken(h) }

// isHeaderToken is IsHeaderName that also allows "", which options take
// to mean the default.
func isHeaderToken(h string) bool {
	for _, c := range []byte(h) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// schemeTable lists every signature scheme app/verify implements, in the
// order forms and messages list them, and whether it is checked with a
// public key (salesiq, discord) rather than a shared secret. app/verify's
// tests hold its implementations to this list.
var schemeTable = []struct {
	name string
	asym bool
}{
	{"standard-webhooks", false}, {"stripe", false}, {"github", false}, {"slack", false},
	{"shopify", false}, {"twilio", false}, {"salesiq", true}, {"signalzen", false},
	{"discord", true}, {"hmac", false},
}

// hashNames are the generic scheme's algorithms.
var hashNames = []string{"sha1", "sha256", "sha512"}

// SchemeNames names every scheme, as SchemeConfig.Scheme and ParseScheme take them.
func SchemeNames() []string {
	out := make([]string, len(schemeTable))
	for i, s := range schemeTable {
		out[i] = s.name
	}
	return out
}

// KnownScheme reports whether name is one of SchemeNames.
func KnownScheme(name string) bool {
	for _, s := range schemeTable {
		if s.name == name {
			return true
		}
	}
	return false
}

// UsesPublicKey reports whether a scheme is checked with a public key
// (salesiq, discord) rather than a shared secret.
func UsesPublicKey(scheme string) bool {
	for _, s := range schemeTable {
		if s.name == scheme {
			return s.asym
		}
	}
	return false
}
