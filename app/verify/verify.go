// Package verify checks webhook signatures and, when one fails, says why.
//
// Each scheme parses its headers, rebuilds the exact content the sender
// signed and compares. On a mismatch it tries the mistakes senders commonly
// make (a re-serialised body, a stray newline, the secret's prefix, the wrong
// hash or encoding, another secret, the wrong URL) and names the one that
// reproduces the received signature. The same code signs, so a resend signed
// here verifies here.
package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
)

// Request is what a scheme looks at.
type Request struct {
	Method string
	// URL is the full URL as the sender used it (scheme, host, path, query).
	// Only twilio signs it.
	URL     string
	Headers app.Headers
	Body    []byte // raw bytes as sent, never decoded
	// Truncated says Body holds only the first part of what was sent, so a
	// signature over the whole body cannot be checked.
	Truncated bool
	// Time is when the request arrived: timestamps are judged against it, not
	// against now, so a stored event keeps its verdict. Sign uses it as the
	// signing time. Zero means now.
	Time time.Time
	// SkipDiagnosis leaves out the search for the mistake behind a mismatch
	// (the costly part): the listener judges with it before answering, then
	// judges again without it once the answer is written (see
	// capture.Config.Diagnose).
	SkipDiagnosis bool
}

// MaxSignatures is how many of the signatures sent in one header (Stripe
// v1= entries, Standard Webhooks v1,... entries) are considered; the
// reason says when more were sent.
const MaxSignatures = 32

// FromEvent turns a captured event into a Request. publicURL is the address
// senders use when a tunnel is in front of the listener ("" when none); the
// URL is otherwise rebuilt from X-Forwarded-Proto/-Host or the Host header.
func FromEvent(e *app.Event, publicURL string) Request {
	return Request{
		Method:    e.Method,
		URL:       e.SenderURL(publicURL),
		Headers:   e.Headers,
		Body:      e.Body,
		Truncated: e.Truncated,
		Time:      e.ReceivedAt,
	}
}

// Key is one secret or public key, with the label reports use for it.
type Key struct {
	Label string // "secret 2", "endpoint shop secret 1"; never the secret itself
	// Secret is the HMAC secret. For salesiq and discord it is the private key
	// when signing (PEM, base64 DER PKCS#8, or for discord a hex seed).
	Secret string
	// PublicKey checks salesiq (base64 DER SubjectPublicKeyInfo, as the
	// SalesIQ keys API returns it, or PEM) and discord (hex, as Discord shows it).
	PublicKey string
}

// Name is how reports refer to the key: its label and its fingerprint.
func (k Key) Name() string {
	m := k.Secret
	if k.PublicKey != "" {
		m = k.PublicKey
	}
	fp := Fingerprint(m)
	if k.Label == "" {
		return fp
	}
	return k.Label + " (" + fp + ")"
}

// Fingerprint names a secret without revealing it: the first 8 hex digits of
// the SHA-256 of its bytes, e.g. "sha256:ab12cd34".
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// Keys are an endpoint's secrets and public key, labelled "secret 1", ...
func Keys(ep app.Endpoint) []Key {
	var ks []Key
	for i, s := range ep.Secrets {
		label := "secret"
		if len(ep.Secrets) > 1 {
			label = fmt.Sprintf("secret %d", i+1)
		}
		ks = append(ks, Key{Label: label, Secret: s})
	}
	if ep.PublicKey != "" {
		ks = append(ks, Key{Label: "public key", PublicKey: ep.PublicKey})
	}
	return ks
}

// OtherKeys are the keys of every endpoint but the one named skip, labelled
// by endpoint. Passed to Check or Endpoint, they are never accepted, only
// tried when diagnosing, to catch a request signed for another endpoint.
func OtherKeys(eps []app.Endpoint, skip string) []Key {
	var ks []Key
	for _, ep := range eps {
		if ep.Slug == skip {
			continue
		}
		for _, k := range Keys(ep) {
			k.Label = "endpoint " + ep.Slug + " " + k.Label
			ks = append(ks, k)
		}
	}
	return ks
}

// Report is a verdict with everything that explains it.
type Report struct {
	app.Verdict // Details holds the fields below as text, for storage

	Detected bool   // the scheme came from the headers, not the endpoint
	Key      string // the key that matched, or that Expected was computed with
	// Expected and Received are the first characters of the signature
	// computed here and of the one sent. Never more: a whole expected
	// signature would let anyone who sees the report forge this request.
	Expected, Received string
	SignedContent      string // exactly what is signed; long bodies elided in the middle
	// The whole values, for the live Signature tab's copy buttons only:
	// never stored (Details holds the short forms above), never exported.
	ExpectedFull, ReceivedFull string        `json:"-"`
	SignedBytes                []byte        `json:"-"`
	Skew                       time.Duration // arrival time minus the sender's timestamp; 0 without one
	// Diagnosis lists the mistakes that reproduce the received signature,
	// and notes worth knowing even when the signature is valid.
	Diagnosis []string
}

// finish writes the explanation into Details.
// unsignedReport is the report on a request that carries no signature
// header and goes to an endpoint with no scheme set.
func unsignedReport() Report {
	rep := Report{Verdict: app.Verdict{Result: app.VerdictUnsigned,
		Reason: "no signature header of any known scheme"}}
	return rep.finish()
}

func (r *Report) finish() Report {
	// Reasons quote what the sender and the settings hold; whatever bytes
	// those are, a report is valid text.
	r.Reason = strings.ToValidUTF8(r.Reason, "\uFFFD")
	for i, d := range r.Diagnosis {
		r.Diagnosis[i] = strings.ToValidUTF8(d, "\uFFFD")
	}
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	line("key", r.Key)
	line("expected", r.Expected)
	line("received", r.Received)
	line("signed content", r.SignedContent)
	if r.Skew != 0 {
		line("clock skew", DescribeSkew(r.Skew))
	}
	for _, d := range r.Diagnosis {
		line("diagnosis", d)
	}
	r.Details = strings.ToValidUTF8(strings.TrimSuffix(b.String(), "\n"), "\uFFFD")
	return *r
}

// DescribeSkew says in words how far a sender's timestamp was from the
// arrival time (Report.Skew).
func DescribeSkew(d time.Duration) string {
	if d >= 0 {
		return fmt.Sprintf("signed %s before it arrived", roundDur(d))
	}
	return fmt.Sprintf("timestamp %s ahead of the arrival time", roundDur(-d))
}

// roundDur writes a duration for people: "2h", "1h55m", "7m12s", "300ms".
func roundDur(d time.Duration) string {
	d = absDur(d)
	if d >= 100*365*24*time.Hour {
		return "over 100 years"
	}
	return app.FormatDuration(d)
}

// Endpoint judges a request against an endpoint's configuration: its scheme
// (with options, see ParseConfig) and keys. With no scheme configured, or ep
// nil (no endpoint matched), the scheme is detected from the headers. others
// are keys that are not accepted but tried when diagnosing a mismatch (see
// OtherKeys).
func Endpoint(r Request, ep *app.Endpoint, others ...Key) Report {
	var keys []Key
	spec := ""
	if ep != nil {
		keys = Keys(*ep)
		spec = ep.Scheme
	}
	if strings.TrimSpace(spec) != "" {
		c, err := ParseConfig(spec)
		if err != nil {
			rep := Report{Verdict: app.Verdict{Scheme: spec, Result: app.VerdictUnverified,
				Reason: fmt.Sprintf("the endpoint's scheme setting cannot be used: %v", err)}}
			return rep.finish()
		}
		return Check(r, c, keys, others...)
	}
	c, ok := Detect(r.Headers)
	if !ok {
		return unsignedReport()
	}
	if len(keys) == 0 {
		rep := Report{Detected: true, Verdict: app.Verdict{Scheme: c.Scheme, Result: app.VerdictUnverified,
			Reason: needKeyReason(c, ep == nil)}}
		return rep.finish()
	}
	rep := Check(r, c, keys, others...)
	rep.Detected = true
	rep.Reason += " (scheme detected from the headers)"
	return rep.finish()
}

// needKeyReason says what to add to check a detected signature.
func needKeyReason(c Config, noEndpoint bool) string {
	sc := schemes[c.Scheme]
	what := "secret"
	if sc.asym {
		what = "public key"
	}
	looks := "looks like " + sc.title
	if c.Scheme == "hmac" {
		looks = "has a " + c.SigHeader() + " signature header; set the scheme to " + c.String()
	}
	if noEndpoint {
		return fmt.Sprintf("%s; add an endpoint for this path with the %s to check it", looks, what)
	}
	return fmt.Sprintf("%s; add the endpoint %s to check it", looks, what)
}

// absDur is |d|; the most negative duration (time.Sub saturates there for a
// timestamp centuries ahead) has no positive twin and becomes the largest.
func absDur(d time.Duration) time.Duration {
	if d >= 0 {
		return d
	}
	if d == math.MinInt64 {
		return math.MaxInt64
	}
	return -d
}
