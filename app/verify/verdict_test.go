package verify

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

func TestClockJudgement(t *testing.T) {
	const sec = "s"
	signedAt := time.Unix(1700000000, 0)
	slackReq := func(arrived time.Time, extra ...string) Request {
		h := hdrs(append([]string{"X-Slack-Request-Timestamp", "1700000000", "X-Slack-Signature", "v0=" + hmacHex(sha256.New, sec, "v0:1700000000:{}")}, extra...)...)
		return Request{Body: []byte("{}"), Time: arrived, Headers: h}
	}
	check := func(r Request) Report { return Check(r, cfg("slack"), secret(sec)) }
	date := func(t time.Time) string { return t.UTC().Format(time.RFC1123) }

	// Exactly two hours: a time-zone mistake.
	wantResult(t, check(slackReq(signedAt.Add(2*time.Hour+20*time.Second))), app.VerdictInvalid,
		"2h0m20s older than the arrival time, 1h55m20s beyond the 5m tolerance", "time-zone")
	// The sender's Date agrees with its timestamp: this machine is off.
	wantResult(t, check(slackReq(signedAt.Add(17*time.Minute), "Date", date(signedAt))), app.VerdictInvalid, "this machine's clock looks off")
	// The sender's Date agrees with this machine: an old signature resent.
	arrived := signedAt.Add(17 * time.Minute)
	wantResult(t, check(slackReq(arrived, "Date", date(arrived))), app.VerdictInvalid, "replayed or resent")
	// From the future, no Date header.
	rep := check(slackReq(signedAt.Add(-10 * time.Minute)))
	wantResult(t, rep, app.VerdictInvalid, "10m ahead of the arrival time", "the sender's clock is ahead")
	if rep.Skew != -10*time.Minute || !strings.Contains(rep.Details, "clock skew: timestamp 10m ahead") {
		t.Errorf("skew %v, details:\n%s", rep.Skew, rep.Details)
	}
	// Inside the tolerance.
	wantResult(t, check(slackReq(signedAt.Add(4*time.Minute))), app.VerdictValid)
	// The tolerance is an option, and can be turned off.
	c, _ := ParseConfig("slack;tolerance=1m")
	wantResult(t, Check(slackReq(signedAt.Add(2*time.Minute)), c, secret(sec)), app.VerdictInvalid, "beyond the 1m tolerance")
	c, _ = ParseConfig("slack;tolerance=off")
	wantResult(t, Check(slackReq(signedAt.Add(48*time.Hour)), c, secret(sec)), app.VerdictValid)

	// Stripe's libraries refuse only old timestamps.
	r := stripeSent(stripeSecret, "{}", "{}")
	r.Time = signedAt.Add(-time.Hour)
	rep = checkStripe(r)
	wantResult(t, rep, app.VerdictValid)
	if len(rep.Diagnosis) != 1 || !strings.Contains(rep.Diagnosis[0], "clock: the timestamp is 1h ahead") {
		t.Errorf("no clock note: %q", rep.Diagnosis)
	}
	// A mismatch outside the tolerance says both.
	r = stripeSent("whsec_other", "{}", "{}")
	r.Time = signedAt.Add(time.Hour)
	wantResult(t, checkStripe(r), app.VerdictInvalid, "does not match", "also, the timestamp is 1h older")
}

func TestMalformedAndMissing(t *testing.T) {
	cases := []struct {
		c      string
		h      app.Headers
		reason string
	}{
		{"stripe", hdrs("Stripe-Signature", "v1=abc"), "malformed Stripe-Signature header: no t= timestamp"},
		{"stripe", hdrs("Stripe-Signature", "t=1700000000"), "malformed Stripe-Signature header: no v1= signature"},
		{"stripe", hdrs("Stripe-Signature", "t=1700000000,v0=abc"), "only v0="},
		{"stripe", hdrs("Stripe-Signature", "t=1700000000,garbage,v1=ab"), `part 2 "garbage" is not key=value`},
		{"stripe", hdrs("Stripe-Signature", "t=1700000000000,v1=ab"), "looks like milliseconds"},
		{"stripe", hdrs("Stripe-Signature", "t=soon,v1=ab"), `t="soon" is not a Unix time`},
		{"standard-webhooks", hdrs("webhook-signature", "v1,abc", "webhook-timestamp", "1700000000"), "missing header webhook-id"},
		{"standard-webhooks", hdrs("webhook-signature", "v1,abc", "webhook-id", "m"), "missing header webhook-timestamp"},
		{"standard-webhooks", hdrs("webhook-signature", "abc", "webhook-id", "m", "webhook-timestamp", "1700000000"), `entry 1 "abc" is not <version>,<signature>`},
		{"standard-webhooks", hdrs("svix-signature", "v1a,abc", "svix-id", "m", "svix-timestamp", "1700000000"), "malformed svix-signature header: no v1 signature (found v1a)"},
		{"github", hdrs("X-Hub-Signature-256", "757107ea0e"), "malformed X-Hub-Signature-256 header: value \"757107ea0e\" does not start with sha256="},
		{"slack", hdrs("X-Slack-Signature", "v0=ab"), "missing header X-Slack-Request-Timestamp"},
		{"slack", hdrs("X-Slack-Signature", "ab", "X-Slack-Request-Timestamp", "1700000000"), "does not start with v0="},
		{"discord", hdrs("X-Signature-Ed25519", "ab"), "missing header X-Signature-Timestamp"},
		{"twilio", hdrs("X-Twilio-Signature", "ab"), "Twilio signs the full URL"},
	}
	for _, c := range cases {
		conf, err := ParseConfig(c.c)
		if err != nil {
			t.Fatal(err)
		}
		wantResult(t, Check(Request{Body: []byte("{}"), Headers: c.h}, conf, secret("s")), app.VerdictInvalid, c.reason)
	}
}

func TestEndpointVerdicts(t *testing.T) {
	body := []byte(`{"x":1}`)
	gh := Request{Body: body, Headers: hdrs("X-Hub-Signature-256", "sha256="+hmacHex(sha256.New, "gh", string(body)))}
	stripeReq := Request{Body: body, Headers: hdrs("Stripe-Signature", "t=1700000000,v1=00")}

	// No endpoint, no signature: unsigned.
	wantResult(t, Endpoint(Request{Body: body, Headers: hdrs("Content-Type", "application/json")}, nil), app.VerdictUnsigned)
	// No endpoint, a Stripe signature: unverified, with what to do.
	rep := Endpoint(stripeReq, nil)
	wantResult(t, rep, app.VerdictUnverified, "looks like Stripe; add an endpoint for this path with the secret to check it")
	if rep.Scheme != "stripe" || !rep.Detected {
		t.Errorf("scheme %q detected %v", rep.Scheme, rep.Detected)
	}
	// An endpoint without secrets.
	wantResult(t, Endpoint(stripeReq, &app.Endpoint{Slug: "s"}), app.VerdictUnverified, "looks like Stripe; add the endpoint secret to check it")
	wantResult(t, Endpoint(stripeReq, &app.Endpoint{Slug: "s", Scheme: "stripe"}), app.VerdictUnverified, "looks like Stripe; add the endpoint secret to check it")
	siq := Request{Body: body, Headers: hdrs("x-siqsignature", "AAAA")}
	wantResult(t, Endpoint(siq, &app.Endpoint{Slug: "s"}), app.VerdictUnverified, "looks like Zoho SalesIQ; add the endpoint public key")
	// Secrets but no scheme: detected and checked.
	rep = Endpoint(gh, &app.Endpoint{Slug: "g", Secrets: []string{"gh"}})
	wantResult(t, rep, app.VerdictValid, "(scheme detected from the headers)")
	if rep.Scheme != "github" || !rep.Detected {
		t.Errorf("scheme %q detected %v", rep.Scheme, rep.Detected)
	}
	// The endpoint expects Stripe; the request is signed like GitHub.
	rep = Endpoint(gh, &app.Endpoint{Slug: "g", Scheme: "stripe", Secrets: []string{"gh"}})
	wantResult(t, rep, app.VerdictInvalid, "no Stripe-Signature header, but the request is signed like GitHub: set the endpoint's scheme to github")
	if len(rep.Diagnosis) != 1 || !strings.Contains(rep.Diagnosis[0], "checked as github: valid") {
		t.Errorf("diagnosis %q", rep.Diagnosis)
	}
	// The endpoint expects Stripe; nothing is signed.
	wantResult(t, Endpoint(Request{Body: body}, &app.Endpoint{Slug: "g", Scheme: "stripe", Secrets: []string{"x"}}), app.VerdictUnsigned,
		"no Stripe-Signature header; this endpoint expects Stripe signatures")
	// A scheme setting that cannot work.
	wantResult(t, Endpoint(gh, &app.Endpoint{Slug: "g", Scheme: "gitlab", Secrets: []string{"x"}}), app.VerdictUnverified, `unknown signature scheme "gitlab"`)
	// An unknown signature header: the generic scheme, with the setting to use.
	odd := Request{Body: body, Headers: hdrs("X-Acme-Signature", "sha1="+strings.Repeat("ab", 20))}
	wantResult(t, Endpoint(odd, nil), app.VerdictUnverified, "has a X-Acme-Signature signature header; set the scheme to hmac;header=X-Acme-Signature;algorithm=sha1;prefix=sha1=")
	// A truncated body cannot be checked.
	tr := gh
	tr.Truncated = true
	wantResult(t, Endpoint(tr, &app.Endpoint{Slug: "g", Scheme: "github", Secrets: []string{"gh"}}), app.VerdictUnverified, "raise the body cap")
	// A key that cannot be used says why.
	swReq := Request{Body: body, Headers: hdrs("webhook-id", "m", "webhook-timestamp", "1700000000", "webhook-signature", "v1,AAAA")}
	wantResult(t, Check(swReq, cfg("standard-webhooks"), secret("whsec_not base64!")), app.VerdictUnverified, "not base64 after its whsec_ prefix")
}

func TestDetect(t *testing.T) {
	for header, scheme := range map[string]string{
		"webhook-signature": "standard-webhooks", "Svix-Signature": "standard-webhooks", "stripe-signature": "stripe",
		"X-Hub-Signature-256": "github", "X-Hub-Signature": "github", "X-Slack-Signature": "slack",
		"X-Shopify-Hmac-SHA256": "shopify", "X-Twilio-Signature": "twilio", "X-SIQSignature": "salesiq",
		"X-Signalzen-Signature": "signalzen", "X-Signature-Ed25519": "discord",
	} {
		c, ok := Detect(hdrs("Content-Type", "application/json", header, "x"))
		if !ok || c.Scheme != scheme {
			t.Errorf("%s: detected %v %v, want %s", header, c, ok, scheme)
		}
	}
	for _, h := range []app.Headers{nil, hdrs("X-Request-Id", "1", "X-Signature-Timestamp", "1"), hdrs("X-Signature", "")} {
		if c, ok := Detect(h); ok {
			t.Errorf("%v: detected %v", h, c)
		}
	}
	b64sha256 := "K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols="
	c, _ := Detect(hdrs("X-Webhook-Signature", b64sha256))
	if c.String() != "hmac;header=X-Webhook-Signature;encoding=base64" {
		t.Errorf("guess %q", c)
	}
}

func TestConfig(t *testing.T) {
	for _, s := range []string{
		"stripe", "stripe;tolerance=10m0s", "slack;tolerance=off", "signalzen;header=X-Other",
		"hmac;header=X-Sig;algorithm=sha512;encoding=base64;prefix=sha512=;content={timestamp}.{body};timestamp-header=X-Ts;tolerance=1m0s",
	} {
		c, err := ParseConfig(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if c.String() != s {
			t.Errorf("round trip %q -> %q", s, c.String())
		}
	}
	if c, err := ParseConfig(" Stripe ; tolerance = 5m "); err != nil || c.Tolerance != 5*time.Minute || c.Scheme != "stripe" {
		t.Errorf("spaces: %v %v", c, err)
	}
	for s, msg := range map[string]string{
		"gitlab":                                     "use one of standard-webhooks, stripe",
		"stripe;header=X":                            "scheme stripe has no option \"header\"",
		"github;tolerance=5m":                        "has no option \"tolerance\"",
		"hmac;colour=red":                            "unknown option",
		"hmac;algorithm=md5":                         "not one of sha1, sha256, sha512",
		"hmac;encoding=base32":                       "not hex or base64",
		"hmac;content={ts}.{body}":                   "unknown placeholder",
		"hmac;content={timestamp}.{body}":            "set timestamp-header",
		"hmac;content={id}.{body}":                   "set id-header",
		"stripe;tolerance=-5m":                       "not a positive duration",
		"hmac;header":                                "not key=value",
		"hmac;header=X Sig":                          "not a header name",
		"hmac;content={id}.{body};id-header=X-Id;bo": "not key=value",
	} {
		if _, err := ParseConfig(s); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want %q", s, err, msg)
		}
	}
	if strings.Join(Schemes(), " ") != "standard-webhooks stripe github slack shopify twilio salesiq signalzen discord hmac" {
		t.Errorf("schemes %v", Schemes())
	}
	if !UsesPublicKey("salesiq") || !UsesPublicKey("discord") || UsesPublicKey("stripe") || UsesPublicKey("nope") {
		t.Error("UsesPublicKey")
	}
	if _, err := Sign(Config{Scheme: "nope"}, Key{}, Request{}); err == nil {
		t.Error("Sign accepted an unknown scheme")
	}
	if _, err := Sign(cfg("stripe"), Key{}, Request{}); err == nil || err.Error() != "cannot sign as stripe with this key: the secret is empty" {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := Sign(cfg("salesiq"), Key{Label: "k", Secret: "abc"}, Request{}); err == nil || !strings.Contains(err.Error(), "private key") {
		t.Errorf("bad private key: %v", err)
	}
}

func TestFromEvent(t *testing.T) {
	e := &app.Event{Method: "POST", Path: "/twilio/sms", Query: "a=1", Host: "127.0.0.1:8790", Body: []byte("x"),
		ReceivedAt: time.Unix(5, 0), Truncated: true, Headers: hdrs("Host", "127.0.0.1:8790")}
	r := FromEvent(e, "")
	if r.URL != "http://127.0.0.1:8790/twilio/sms?a=1" || r.Method != "POST" || !r.Truncated || !r.Time.Equal(time.Unix(5, 0)) || string(r.Body) != "x" {
		t.Errorf("%+v", r)
	}
	if u := FromEvent(e, "https://abc.tunnel.example/").URL; u != "https://abc.tunnel.example/twilio/sms?a=1" {
		t.Errorf("public URL: %s", u)
	}
	e.Headers = hdrs("X-Forwarded-Proto", "https", "X-Forwarded-Host", "abc.tunnel.example, proxy.internal")
	if u := FromEvent(e, "").URL; u != "https://abc.tunnel.example/twilio/sms?a=1" {
		t.Errorf("forwarded: %s", u)
	}
}

func TestKeyNames(t *testing.T) {
	if f := Fingerprint("whsec_abc"); !strings.HasPrefix(f, "sha256:") || len(f) != 15 || strings.Contains(f, "abc") {
		t.Errorf("fingerprint %q", f)
	}
	ep := app.Endpoint{Slug: "a", Secrets: []string{"one", "two"}, PublicKey: "pk"}
	ks := Keys(ep)
	if len(ks) != 3 || ks[0].Label != "secret 1" || ks[1].Label != "secret 2" || ks[2].Label != "public key" {
		t.Errorf("keys %+v", ks)
	}
	if n := ks[1].Name(); n != "secret 2 ("+Fingerprint("two")+")" {
		t.Errorf("name %q", n)
	}
	others := OtherKeys([]app.Endpoint{ep, {Slug: "b", Secrets: []string{"x"}}}, "a")
	if len(others) != 1 || others[0].Label != "endpoint b secret" {
		t.Errorf("others %+v", others)
	}
}

func TestShowContent(t *testing.T) {
	if s := showContent([]byte(`{"a":1}`)); s != "`{\"a\":1}`" {
		t.Errorf("short: %s", s)
	}
	if s := showContent([]byte("{}\n")); s != `"{}\n"` {
		t.Errorf("newline not visible: %s", s)
	}
	big := []byte(strings.Repeat("é", 5000))
	s := showContent(big)
	if !strings.Contains(s, "bytes elided") || len(s) > 1200 || strings.Contains(s, `\x`) {
		t.Errorf("elided: %d bytes: %.80s", len(s), s)
	}
}
