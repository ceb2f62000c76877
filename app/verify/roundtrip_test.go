package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// fixtures give every scheme a config and a request to sign.
func fixtures(t *testing.T) []struct {
	c     Config
	r     Request
	hasTS bool
} {
	t.Helper()
	must := func(s string) Config {
		c, err := ParseConfig(s)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	json := Request{Method: "POST", URL: "https://hooks.example.com/in/orders", Body: []byte(`{"event":"order.created","id":42,"name":"Zoë"}`),
		Headers: hdrs("Content-Type", "application/json")}
	form := Request{Method: "POST", URL: "https://hooks.example.com/in/sms?site=1", Body: []byte("From=%2B15551234567&Body=hello+there&To=%2B15557654321"),
		Headers: hdrs("Content-Type", "application/x-www-form-urlencoded")}
	return []struct {
		c     Config
		r     Request
		hasTS bool
	}{
		{must("standard-webhooks"), json, true},
		{must("stripe"), json, true},
		{must("github"), json, false},
		{must("slack"), form, true},
		{must("shopify"), json, false},
		{must("twilio"), form, false},
		{must("salesiq"), json, false},
		{must("signalzen"), json, false},
		{must("signalzen;header=X-Custom-Sig"), json, false},
		{must("discord;tolerance=5m"), json, true},
		{must("hmac;header=X-Sig;algorithm=sha512;encoding=base64;prefix=v1=;content={id}.{timestamp}.{body};timestamp-header=X-Ts;id-header=X-Id"), json, true},
		{must("hmac;header=X-Sig"), json, false},
	}
}

// apply sets the signed headers on r, replacing any of the same name.
func apply(r Request, h app.Headers) Request {
	out := app.Headers{}
	for _, x := range r.Headers {
		if h.Get(x.Name) == "" {
			out = append(out, x)
		}
	}
	r.Headers = append(out, h...)
	return r
}

func verifyKey(k Key) Key {
	if k.PublicKey != "" {
		return Key{Label: k.Label, PublicKey: k.PublicKey}
	}
	return k
}

// Every scheme: what it signs checks out; a changed body, another key or a
// changed or stale timestamp is invalid, with the reason that says so.
func TestSignVerifyTamper(t *testing.T) {
	signedAt := time.Unix(1700000000, 0)
	for _, f := range fixtures(t) {
		t.Run(f.c.String(), func(t *testing.T) {
			key, err := GenerateKey(f.c.Scheme)
			if err != nil {
				t.Fatal(err)
			}
			other, err := GenerateKey(f.c.Scheme)
			if err != nil {
				t.Fatal(err)
			}
			key.Label, other.Label = "current", "stranger"
			if key.Secret == other.Secret {
				t.Fatal("GenerateKey repeated itself")
			}
			r := f.r
			r.Time = signedAt
			h, err := Sign(f.c, key, r)
			if err != nil {
				t.Fatal(err)
			}
			sent := apply(r, h)
			sent.Time = signedAt.Add(2 * time.Second)

			rep := Check(sent, f.c, []Key{verifyKey(key)})
			wantResult(t, rep, app.VerdictValid, "signature matches current")
			if rep.Scheme != f.c.Scheme {
				t.Errorf("scheme %q", rep.Scheme)
			}
			if !UsesPublicKey(f.c.Scheme) && rep.Expected != rep.Received {
				t.Errorf("expected %q, received %q", rep.Expected, rep.Received)
			}
			if f.hasTS && rep.Skew != 2*time.Second {
				t.Errorf("skew %v, want 2s", rep.Skew)
			}
			// The detected scheme agrees (where a header names it).
			if d, ok := Detect(sent.Headers); !ok || (d.Scheme != f.c.Scheme && f.c.Header == "") {
				t.Errorf("Detect = %v, %v", d, ok)
			}

			// Body changed by one byte.
			tb := sent
			tb.Body = append([]byte(nil), sent.Body...)
			tb.Body[len(tb.Body)-2] ^= 1
			wantResult(t, Check(tb, f.c, []Key{verifyKey(key)}), app.VerdictInvalid, "does not match")

			// Checked with another key.
			wantResult(t, Check(sent, f.c, []Key{verifyKey(other)}), app.VerdictInvalid, "does not match stranger")
			// With both, the right one is named.
			wantResult(t, Check(sent, f.c, []Key{verifyKey(other), verifyKey(key)}), app.VerdictValid, "current")

			if !f.hasTS {
				return
			}
			// Timestamp changed on the way: the signed content differs.
			tt := sent
			tt.Headers = nil
			for _, x := range sent.Headers {
				x.Value = strings.ReplaceAll(x.Value, "1700000000", "1700000001")
				tt.Headers = append(tt.Headers, x)
			}
			wantResult(t, Check(tt, f.c, []Key{verifyKey(key)}), app.VerdictInvalid, "does not match")

			// Arrived an hour late: stale, though the signature matches.
			late := sent
			late.Time = signedAt.Add(time.Hour + 7*time.Second)
			rep = Check(late, f.c, []Key{verifyKey(key)})
			wantResult(t, rep, app.VerdictInvalid, "timestamp outside tolerance", "1h0m7s older", "signature itself matches current")
		})
	}
}

// A stored event is judged against the time it arrived, not against now.
func TestJudgedAgainstArrivalTime(t *testing.T) {
	key, _ := GenerateKey("stripe")
	r := Request{Body: []byte(`{}`), Time: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}
	h, err := Sign(cfg("stripe"), key, r)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, Check(apply(r, h), cfg("stripe"), []Key{key}), app.VerdictValid)
}

func TestGenerateKeyShapes(t *testing.T) {
	for _, s := range Schemes() {
		k, err := GenerateKey(s)
		if err != nil {
			t.Fatal(err)
		}
		switch s {
		case "standard-webhooks":
			if _, err := standardKey(k.Secret); err != nil || !strings.HasPrefix(k.Secret, "whsec_") {
				t.Errorf("%s: %q %v", s, k.Secret, err)
			}
		case "stripe":
			if !strings.HasPrefix(k.Secret, "whsec_") || len(k.Secret) != 38 {
				t.Errorf("%s: %q", s, k.Secret)
			}
		case "salesiq", "discord":
			if !strings.Contains(k.Secret, "PRIVATE KEY") || k.PublicKey == "" {
				t.Errorf("%s: %+v", s, k)
			}
			if _, err := parsePublicKey(k.PublicKey); err != nil {
				t.Errorf("%s: public key does not parse: %v", s, err)
			}
		default:
			if len(k.Secret) != 64 {
				t.Errorf("%s: %q", s, k.Secret)
			}
		}
	}
	if _, err := GenerateKey("nope"); err == nil || !strings.Contains(err.Error(), "use one of") {
		t.Errorf("unknown scheme: %v", err)
	}
}
