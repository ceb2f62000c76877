package verify

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// detectable maps each scheme's signature header to the scheme, in the
// order Detect looks.
var detectable = []struct{ header, scheme string }{
	{"webhook-signature", "standard-webhooks"},
	{"svix-signature", "standard-webhooks"},
	{"Stripe-Signature", "stripe"},
	{"X-Hub-Signature-256", "github"},
	{"X-Hub-Signature", "github"},
	{"X-Slack-Signature", "slack"},
	{"X-Shopify-Hmac-Sha256", "shopify"},
	{"X-Twilio-Signature", "twilio"},
	{"x-siqsignature", "salesiq"},
	{"X-Signalzen-Signature", "signalzen"},
	{"X-Signature-Ed25519", "discord"},
}

// Detect names the scheme a request's headers are signed with. A signature
// header no named scheme uses (any name with "signature" or "hmac" in it,
// or ending in "-sig")
// gives the generic hmac scheme with that header, and the algorithm,
// encoding and prefix its value suggests.
func Detect(h app.Headers) (Config, bool) {
	// Most requests carry no signature: one pass over the names, without
	// lower-casing them, says so (every detectable name is signature-like).
	if !slices.ContainsFunc(h, func(x app.Header) bool { return maybeSigLike(x.Name) }) {
		return Config{}, false
	}
	return detectByName(h)
}

// detectByName is Detect without its quick first pass: the known headers
// by name, then the signature-like ones.
func detectByName(h app.Headers) (Config, bool) {
	for _, d := range detectable {
		if strings.TrimSpace(h.Get(d.header)) != "" {
			return Config{Scheme: d.scheme}, true
		}
	}
	if name := detectedHeader(h); name != "" {
		return guessGeneric(name, strings.TrimSpace(h.Get(name))), true
	}
	return Config{}, false
}

// maybeSigLike reports whether a header of this name could be a signature
// (see detectedHeader), or could match a detectable name case-insensitively:
// names with non-ASCII letters are left to the full check, as Unicode case
// folding can make them match.
func maybeSigLike(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return true
		}
	}
	return containsFoldASCII(name, "signature") || containsFoldASCII(name, "hmac") ||
		strings.EqualFold(name, "sig") || len(name) >= 4 && strings.EqualFold(name[len(name)-4:], "-sig")
}

// containsFoldASCII reports whether s holds sub (lower-case ASCII), in any
// case.
func containsFoldASCII(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// detectedHeader is the first header that looks like a signature of no
// named scheme, or "".
func detectedHeader(h app.Headers) string {
	for _, x := range h {
		n := strings.ToLower(x.Name)
		sigLike := strings.Contains(n, "signature") || strings.Contains(n, "hmac") || n == "sig" || strings.HasSuffix(n, "-sig")
		if strings.TrimSpace(x.Value) == "" || !sigLike || !app.IsHeaderName(x.Name) {
			continue
		}
		if strings.HasSuffix(n, "-timestamp") || strings.HasSuffix(n, "-input") || strings.HasSuffix(n, "-id") || strings.HasSuffix(n, "-version") {
			continue
		}
		return x.Name
	}
	return ""
}

// guessGeneric reads what it can from a signature's shape: "sha256=" and
// the like as prefix, hex or base64, and the algorithm from the length.
func guessGeneric(name, v string) Config {
	c := Config{Scheme: "hmac", SchemeOptions: Options{Header: name}}
	if p, sig, ok := strings.Cut(v, "="); ok && !strings.Contains(p, ",") {
		if _, known := hashByName[strings.ToLower(p)]; known && sig != "" {
			c.Prefix, c.Algorithm = p+"=", strings.ToLower(p)
			v = sig
		}
	}
	n := 0
	if b, ok := encodingByName("hex").decode(v); ok {
		n = len(b)
	} else if b, ok := encodingByName("base64").decode(v); ok {
		n = len(b)
		c.Encoding = "base64"
	}
	if c.Algorithm == "" {
		switch n {
		case 20:
			c.Algorithm = "sha1"
		case 64:
			c.Algorithm = "sha512"
		}
	}
	return c
}

// Sign signs r as scheme c would, with key k, and returns the headers to
// set on the request (replacing any of the same name). The timestamp is
// r.Time, or now when zero: to re-sign a stored event for a resend, set
// r.Time to the send time (FromEvent sets it to when the event arrived). A
// message id already in r.Headers is kept, so a resend stays recognisable
// as the same message. Verifying the result with Check gives valid: both
// use the same code.
func Sign(c Config, k Key, r Request) (app.Headers, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("cannot sign: %w", err)
	}
	at := r.Time
	if at.IsZero() {
		at = time.Now()
	}
	h, err := schemes[c.Scheme].sign(r, k, c, at)
	if err != nil {
		who := k.Label
		if who == "" {
			who = "this key"
		}
		return nil, fmt.Errorf("cannot sign as %s with %s: %w", c.Scheme, who, err)
	}
	return h, nil
}

// GenerateKey makes a new key for a scheme from crypto/rand, shaped the
// way the provider issues them: whsec_<base64> for standard-webhooks,
// whsec_ and letters for stripe, an RSA key pair for salesiq (public key in
// base64 DER, as SalesIQ's keys API returns it), an Ed25519 pair for
// discord (public key in hex), 32 random bytes in hex otherwise.
func GenerateKey(scheme string) (Key, error) {
	k := Key{Label: "generated"}
	switch scheme {
	case "standard-webhooks":
		k.Secret = "whsec_" + base64.StdEncoding.EncodeToString(randomBytes(24))
	case "stripe":
		k.Secret = "whsec_" + randomToken(32)
	case "salesiq":
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return Key{}, fmt.Errorf("generating an RSA key: %w", err)
		}
		return pairKey(k, priv, &priv.PublicKey, func(der []byte) string { return base64.StdEncoding.EncodeToString(der) })
	case "discord":
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return Key{}, fmt.Errorf("generating an Ed25519 key: %w", err)
		}
		k, err = pairKey(k, priv, pub, nil)
		k.PublicKey = hex.EncodeToString(pub)
		return k, err
	default:
		if _, ok := schemes[scheme]; !ok {
			return Key{}, fmt.Errorf("unknown signature scheme %q: use one of %s", scheme, strings.Join(Schemes(), ", "))
		}
		k.Secret = hex.EncodeToString(randomBytes(32))
	}
	return k, nil
}

func pairKey(k Key, priv, pub any, pubText func([]byte) string) (Key, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Key{}, fmt.Errorf("encoding the private key: %w", err)
	}
	k.Secret = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if pubText != nil {
		pder, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return Key{}, fmt.Errorf("encoding the public key: %w", err)
		}
		k.PublicKey = pubText(pder)
	}
	return k, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return b
}

// randomToken is n letters and digits from crypto/rand, without the bias
// of a plain modulo.
func randomToken(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]byte, 0, n)
	for len(out) < n {
		for _, c := range randomBytes(n) {
			if int(c) < 256-256%len(alphabet) && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}
