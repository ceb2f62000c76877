package verify

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// Signature headers come from anyone who can reach the listener: no input
// may panic, and what the parsers return must hold together.

func FuzzParseStripeHeader(f *testing.F) {
	for _, s := range []string{"t=1700000000,v1=abc", "t=1,v1=a,v1=b,v0=c", "v1=abc", "t=,v1=", ",,,", "t=1,t=2,v1=a", "=", "t=1,v1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ts, sigs, err := parseStripeHeader(v)
		if err != nil {
			return
		}
		if ts == "" || len(sigs) == 0 {
			t.Fatalf("%q: accepted without t or v1", v)
		}
		for _, s := range sigs {
			if s == "" || strings.Contains(s, ",") {
				t.Fatalf("%q: bad signature %q", v, s)
			}
		}
	})
}

func FuzzParseStandardWebhooksHeader(f *testing.F) {
	for _, s := range []string{"v1,abc", "v1,a v1,b", "v1a,x v1,y", "abc", "", " ", "v1, ", ",x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		sigs, err := parseStandardHeader(v)
		if err != nil {
			return
		}
		if len(sigs) == 0 {
			t.Fatalf("%q: accepted without a v1 signature", v)
		}
		for _, s := range sigs {
			if s == "" || !strings.Contains(v, "v1,"+s) {
				t.Fatalf("%q: signature %q not from the header", v, s)
			}
		}
	})
}

// Covers GitHub's sha256=/sha1=, Slack's v0= and the generic prefix.
func FuzzParsePrefixedHeader(f *testing.F) {
	f.Add("sha256=abc", "sha256=")
	f.Add("v0=", "v0=")
	f.Add("  sha1=x ", "sha1=")
	f.Fuzz(func(t *testing.T, v, prefix string) {
		sig, err := parsePrefixed(v, prefix)
		if err == nil && (sig == "" || prefix+sig != strings.TrimSpace(v)) {
			t.Fatalf("parsePrefixed(%q, %q) = %q", v, prefix, sig)
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"1700000000", "1700000000000", "-1", "", "9223372036854775807", "1e9", " 17 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, ms := range []bool{false, true} {
			ts, err := parseUnix(v, ms)
			if err == nil && ts.Before(time.Unix(0, 0)) {
				t.Fatalf("%q: before 1970: %v", v, ts)
			}
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"stripe", "hmac;header=X;content={id}.{body};id-header=I", "slack;tolerance=off", ";;", "hmac;prefix==", "signalzen;header="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConfig(s)
		if err != nil {
			return
		}
		again, err := ParseConfig(c.String())
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", s, c.String(), err)
		}
		if again != c {
			t.Fatalf("%q -> %q -> %+v, want %+v", s, c.String(), again, c)
		}
	})
}

// Public keys are pasted by people; a bad one must be an error, not a panic.
func FuzzParsePublicKey(f *testing.F) {
	k, _ := GenerateKey("salesiq")
	d, _ := GenerateKey("discord")
	// No whole private key among the seeds: each takes milliseconds to
	// check, and minimising one stalls the fuzzer for minutes.
	for _, s := range []string{k.PublicKey, d.PublicKey, d.Secret, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", "", "zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := parsePublicKey(s)
		if err == nil && pub == nil {
			t.Fatalf("%q: nil key without an error", s)
		}
		parsePrivateKey(s)
	})
}

func FuzzSplitURL(f *testing.F) {
	for _, s := range []string{"https://h.example:443/a?b=1", "http://[::1]:8790/x", "http://u:p@h/", "https://h", "h/x", "://x", "http://h:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		scheme, auth, rest, ok := splitURL(u)
		if !ok {
			return
		}
		if auth == "" || scheme == "" {
			t.Fatalf("%q: empty part", u)
		}
		if !strings.HasSuffix(u, auth+rest) {
			t.Fatalf("%q: %q + %q is not its tail", u, auth, rest)
		}
		for _, v := range []string{withoutPort(u), withDefaultPort(u)} {
			if _, _, r2, ok := splitURL(v); !ok || r2 != rest {
				t.Fatalf("%q -> %q lost its path", u, v)
			}
		}
	})
}

// FuzzCheck throws arbitrary signature headers and bodies at every scheme,
// through detection, parsing, checking and the diagnosis.
func FuzzCheck(f *testing.F) {
	f.Add("stripe", "t=1700000000,v1=00", "1700000000", `{"a":1}`)
	f.Add("standard-webhooks", "v1,AAAA", "1700000000", "{}")
	f.Add("twilio", "AAAA", "", "a=1&b=%zz")
	f.Add("hmac;header=X-Sig;prefix=v=;content={id}.{timestamp}.{body};timestamp-header=X-Ts;id-header=X-Id", "v=00", "17", "\x00\xff")
	f.Add("discord;tolerance=5m", "00", "x", "")
	f.Add("salesiq", "AAAA", "", "\n")
	f.Fuzz(func(t *testing.T, spec, sig, ts, body string) {
		c, err := ParseConfig(spec)
		if err != nil {
			return
		}
		h := app.Headers{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}, {Name: "Content-Encoding", Value: "gzip"}}
		for _, n := range []string{"Stripe-Signature", "webhook-signature", "webhook-id", "X-Hub-Signature-256", "X-Slack-Signature",
			"X-Shopify-Hmac-Sha256", "X-Twilio-Signature", "x-siqsignature", "X-Signalzen-Signature", "X-Signature-Ed25519", "X-Sig", "X-Id"} {
			h = append(h, app.Header{Name: n, Value: sig})
		}
		for _, n := range []string{"webhook-timestamp", "X-Slack-Request-Timestamp", "X-Signature-Timestamp", "X-Ts", "Date"} {
			h = append(h, app.Header{Name: n, Value: ts})
		}
		r := Request{Method: "POST", URL: "https://h.example:8790/p/?" + ts, Headers: h, Body: []byte(body), Time: time.Unix(1700000000, 0)}
		keys := []Key{{Label: "k", Secret: "whsec_" + sig, PublicKey: sig}, {Secret: ts}}
		rep := Check(r, c, keys, Key{Label: "other", Secret: body})
		switch rep.Result {
		case app.VerdictValid, app.VerdictInvalid, app.VerdictUnsigned, app.VerdictUnverified:
		default:
			t.Fatalf("result %q", rep.Result)
		}
		if rep.Reason == "" {
			t.Fatal("no reason")
		}
		if !utf8.ValidString(rep.Details) || !utf8.ValidString(rep.Reason) {
			t.Fatalf("reports must be valid text: %q", rep.Reason)
		}
		Endpoint(r, nil)
		Detect(h)
	})
}
