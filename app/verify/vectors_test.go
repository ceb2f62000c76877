package verify

import (
	"crypto"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// hdrs builds headers from name, value pairs.
func hdrs(kv ...string) app.Headers {
	var h app.Headers
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, app.Header{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

func secret(s string) []Key { return []Key{{Label: "secret", Secret: s}} }

func wantResult(t *testing.T, rep Report, result string, reasonHas ...string) {
	t.Helper()
	if rep.Result != result {
		t.Fatalf("result = %s, want %s\nreason: %s\ndetails:\n%s", rep.Result, result, rep.Reason, rep.Details)
	}
	for _, s := range reasonHas {
		if !strings.Contains(rep.Reason, s) {
			t.Fatalf("reason %q does not say %q\ndetails:\n%s", rep.Reason, s, rep.Details)
		}
	}
}

func cfg(scheme string) Config { return Config{Scheme: scheme} }

// Independent implementations of each provider's documented algorithm,
// written apart from the package's code so a shared bug cannot hide.
func hmacHex(h func() hash.Hash, key, msg string) string {
	m := hmac.New(h, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func hmacB64(h func() hash.Hash, key, msg string) string {
	m := hmac.New(h, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestStandardWebhooksVector(t *testing.T) {
	// The vector from the Standard Webhooks specification.
	const sec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	body := []byte(`{"test": 2432232314}`)
	at := time.Unix(1614265330, 0).Add(3 * time.Second)
	for _, p := range []string{"webhook-", "svix-"} {
		r := Request{Body: body, Time: at, Headers: hdrs(p+"id", "msg_p5jXN8AQM9LWM0D4loKWxJek", p+"timestamp", "1614265330", p+"signature", want)}
		rep := Check(r, cfg("standard-webhooks"), secret(sec))
		wantResult(t, rep, app.VerdictValid, "signature matches secret")
		if rep.SignedContent != "`msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}`" {
			t.Errorf("signed content = %s", rep.SignedContent)
		}
		if rep.Skew != 3*time.Second {
			t.Errorf("skew = %v, want 3s", rep.Skew)
		}

		// Signing the same message gives the same header.
		sr := Request{Body: body, Time: time.Unix(1614265330, 0), Headers: hdrs(p+"id", "msg_p5jXN8AQM9LWM0D4loKWxJek")}
		h, err := Sign(cfg("standard-webhooks"), Key{Label: "k", Secret: sec}, sr)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Get(p + "signature"); got != want {
			t.Errorf("%s: signed %q, want %q", p, got, want)
		}
		if h.Get(p+"id") != "msg_p5jXN8AQM9LWM0D4loKWxJek" || h.Get(p+"timestamp") != "1614265330" {
			t.Errorf("%s: signed headers %v", p, h)
		}
	}
	// A second, unrelated v1 and a v1a entry do not get in the way.
	r := Request{Body: body, Time: at, Headers: hdrs("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", "1614265330",
		"webhook-signature", "v1a,AAAA v1,bm90IHRoaXMgb25l "+want)}
	wantResult(t, Check(r, cfg("standard-webhooks"), secret(sec)), app.VerdictValid)
}

func TestGitHubVector(t *testing.T) {
	// From GitHub's "Validating webhook deliveries".
	const sec = "It's a Secret to Everybody"
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	r := Request{Body: []byte("Hello, World!"), Headers: hdrs("X-Hub-Signature-256", want)}
	wantResult(t, Check(r, cfg("github"), secret(sec)), app.VerdictValid)

	h, err := Sign(cfg("github"), Key{Secret: sec}, r)
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("X-Hub-Signature-256") != want {
		t.Errorf("signed %q, want %q", h.Get("X-Hub-Signature-256"), want)
	}
	legacy := "sha1=" + hmacHex(sha1.New, sec, "Hello, World!")
	if h.Get("X-Hub-Signature") != legacy {
		t.Errorf("legacy header %q, want %q", h.Get("X-Hub-Signature"), legacy)
	}
	// Only the legacy SHA-1 header: still checked.
	r.Headers = hdrs("X-Hub-Signature", legacy)
	wantResult(t, Check(r, cfg("github"), secret(sec)), app.VerdictValid)
}

func TestSlackVector(t *testing.T) {
	// From Slack's "Verifying requests from Slack".
	const sec = "8f742231b10e8888abcd99yyyzzz85a5"
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	const want = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	r := Request{Body: []byte(body), Time: time.Unix(1531420618, 0).Add(time.Minute),
		Headers: hdrs("X-Slack-Request-Timestamp", "1531420618", "X-Slack-Signature", want)}
	wantResult(t, Check(r, cfg("slack"), secret(sec)), app.VerdictValid)

	r.Time = time.Unix(1531420618, 0)
	h, err := Sign(cfg("slack"), Key{Secret: sec}, r)
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("X-Slack-Signature") != want || h.Get("X-Slack-Request-Timestamp") != "1531420618" {
		t.Errorf("signed %v", h)
	}
}

func TestStripeDocumentedAlgorithm(t *testing.T) {
	// Stripe: hex HMAC-SHA256 of "{t}.{body}" keyed with the whole secret.
	const sec = "whsec_test_0123456789abcdefghijklmn"
	body := `{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}`
	const ts = "1700000000"
	sig := hmacHex(sha256.New, sec, ts+"."+body)
	at := time.Unix(1700000000, 0).Add(30 * time.Second)
	hdr := "t=" + ts + ",v1=" + strings.Repeat("0", 64) + ",v1=" + sig + ",v0=deadbeef"
	r := Request{Body: []byte(body), Time: at, Headers: hdrs("Stripe-Signature", hdr)}
	wantResult(t, Check(r, cfg("stripe"), secret(sec)), app.VerdictValid)

	r.Time = time.Unix(1700000000, 0)
	h, err := Sign(cfg("stripe"), Key{Secret: sec}, r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Get("Stripe-Signature"), "t="+ts+",v1="+sig; got != want {
		t.Errorf("signed %q, want %q", got, want)
	}
}

func TestShopifyDocumentedAlgorithm(t *testing.T) {
	const sec = "hush"
	body := `{"id":820982911946154508,"email":"jon@example.com"}`
	r := Request{Body: []byte(body), Headers: hdrs("X-Shopify-Hmac-Sha256", hmacB64(sha256.New, sec, body))}
	wantResult(t, Check(r, cfg("shopify"), secret(sec)), app.VerdictValid)
}

func TestSignalZenDocumentedAlgorithm(t *testing.T) {
	const sec = "sz-api-secret"
	body := `{"event":"message.created","message":{"text":"hi"}}`
	r := Request{Body: []byte(body), Headers: hdrs("X-Signalzen-Signature", hmacHex(sha256.New, sec, body))}
	wantResult(t, Check(r, cfg("signalzen"), secret(sec)), app.VerdictValid)

	// The header name is editable per endpoint.
	c, err := ParseConfig("signalzen;header=X-My-Signature")
	if err != nil {
		t.Fatal(err)
	}
	r.Headers = hdrs("X-My-Signature", hmacHex(sha256.New, sec, body))
	wantResult(t, Check(r, c, secret(sec)), app.VerdictValid)
	// Sent under another name to an endpoint left at the default: the
	// verdict says which setting fixes it, and that it would then be valid.
	rep := Check(r, cfg("signalzen"), secret(sec))
	wantResult(t, rep, app.VerdictInvalid, "no X-Signalzen-Signature header", "signalzen;header=X-My-Signature")
	if len(rep.Diagnosis) != 1 || !strings.Contains(rep.Diagnosis[0], "valid") {
		t.Errorf("diagnosis %q", rep.Diagnosis)
	}
}

// Twilio's published vectors, from its helper libraries' test suites.
func TestTwilioVectors(t *testing.T) {
	const token = "12345"
	const u = "https://mycompany.com/myapp.php?foo=1&bar=2"
	form := hdrs("Content-Type", "application/x-www-form-urlencoded")
	params := "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212"
	check := func(url, body, sig string, h app.Headers) Report {
		r := Request{Method: "POST", URL: url, Body: []byte(body), Headers: append(append(app.Headers{}, h...), app.Header{Name: "X-Twilio-Signature", Value: sig})}
		return Check(r, cfg("twilio"), secret(token))
	}
	wantResult(t, check(u, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", form), app.VerdictValid)
	// Parameter order on the wire does not matter: Twilio sorts by name.
	wantResult(t, check(u, "To=%2B18005551212&From=%2B14158675309&Digits=1234&Caller=%2B14158675309&CallSid=CA1234567890ABCDE", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", form), app.VerdictValid)
	// Signed with the default port added: accepted, as Twilio's libraries do, with a note.
	rep := check(u, params, "kvajT1Ptam85bY51eRf/AJRuM3w=", form)
	wantResult(t, rep, app.VerdictValid)
	if len(rep.Diagnosis) == 0 || !strings.Contains(rep.Diagnosis[0], "port") {
		t.Errorf("no port note: %q", rep.Diagnosis)
	}
	wantResult(t, check(strings.Replace(u, "https", "http", 1), params, "0ZXoZLH/DfblKGATFgpif+LLRf4=", form), app.VerdictValid)
	// A port in the URL the signature was made without.
	wantResult(t, check(strings.Replace(u, ".com", ".com:1234", 1), params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", form), app.VerdictValid)
	// Names sorted as names: Reason before ReasonConferenceEnded.
	wantResult(t, check(u, params+"&ReasonConferenceEnded=test&Reason=Participant", "vOEb5UThFn24KEfnOFLQY2AE5FY=", form), app.VerdictValid)
	// Repeated names: every value, sorted.
	wantResult(t, check(u, "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234", "IK+Dwps556ElfBT0I3Rgjkr1wJU=", form), app.VerdictValid)

	// JSON body: the URL carries bodySHA256 and is signed without params.
	body := `{"property": "value", "boolean": true}`
	const hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
	js := hdrs("Content-Type", "application/json")
	wantResult(t, check(u+"&bodySHA256="+hash, body, "a9nBmqA0ju/hNViExpshrM61xv4=", js), app.VerdictValid)
	wantResult(t, check("https://mycompany.com/myapp.php?bodySHA256="+hash, body, "y77kIzt2vzLz71DgmJGsen2scGs=", js), app.VerdictValid)
	wantResult(t, check(u+"&bodySHA256="+hash, `{"property": "evil", "boolean": true}`, "a9nBmqA0ju/hNViExpshrM61xv4=", js), app.VerdictInvalid, "bodySHA256")

	// Signing reproduces the vector.
	h, err := Sign(cfg("twilio"), Key{Secret: token}, Request{Method: "POST", URL: u, Body: []byte(params), Headers: form})
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("X-Twilio-Signature") != "RSOYDt4T1cUTdK1PDd93/VVr8B8=" {
		t.Errorf("signed %v", h)
	}
}

func TestSalesIQRSA(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	b64DER := base64.StdEncoding.EncodeToString(der)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	body := []byte(`{"entity_type":"conversation","org_id":"14327896","event":"conversation.operator.replied","entity_id":"8000000004009"}`)

	// Signed independently, per the seed: SHA256withRSA, base64, raw UTF-8 body.
	d := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	r := Request{Body: body, Headers: hdrs("x-siqsignature", base64.StdEncoding.EncodeToString(sig))}
	for name, pk := range map[string]string{"base64 DER": b64DER, "PEM": pemKey} {
		rep := Check(r, cfg("salesiq"), []Key{{Label: "siq", PublicKey: pk}})
		wantResult(t, rep, app.VerdictValid, "siq")
		if rep.Expected != "" {
			t.Errorf("%s: expected %q from a public key", name, rep.Expected)
		}
	}

	// Our signature checks out with the standard library alone.
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	signer := Key{Secret: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))}
	h, err := Sign(cfg("salesiq"), signer, Request{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	got, err := base64.StdEncoding.DecodeString(h.Get("x-siqsignature"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&priv.PublicKey, crypto.SHA256, d[:], got); err != nil {
		t.Fatalf("stdlib rejects our signature: %v", err)
	}

	// An Ed25519 key for SalesIQ says what is wrong with it.
	epub, _, _ := ed25519.GenerateKey(rand.Reader)
	wantResult(t, Check(r, cfg("salesiq"), []Key{{PublicKey: hex.EncodeToString(epub)}}), app.VerdictUnverified, "Ed25519", "RSA")
}

func TestDiscordEd25519(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":1}`)
	const ts = "1700000000"
	sig := ed25519.Sign(priv, append([]byte(ts), body...))
	r := Request{Body: body, Time: time.Unix(1700000000, 0), Headers: hdrs("X-Signature-Ed25519", hex.EncodeToString(sig), "X-Signature-Timestamp", ts)}
	wantResult(t, Check(r, cfg("discord"), []Key{{PublicKey: hex.EncodeToString(pub)}}), app.VerdictValid)

	h, err := Sign(cfg("discord"), Key{Secret: hex.EncodeToString(priv.Seed())}, r)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if !ed25519.Verify(pub, append([]byte(h.Get("X-Signature-Timestamp")), body...), got) {
		t.Fatal("stdlib rejects our signature")
	}
}

func TestGenericHMAC(t *testing.T) {
	c, err := ParseConfig("hmac;header=X-Acme-Signature;algorithm=sha512;encoding=base64;prefix=sha512=;content={timestamp}.{body};timestamp-header=X-Acme-Timestamp")
	if err != nil {
		t.Fatal(err)
	}
	const sec = "acme-secret"
	body := `{"ok":true}`
	sig := "sha512=" + hmacB64(sha512.New, sec, "1700000000."+body)
	r := Request{Body: []byte(body), Time: time.Unix(1700000100, 0), Headers: hdrs("X-Acme-Timestamp", "1700000000", "X-Acme-Signature", sig)}
	wantResult(t, Check(r, c, secret(sec)), app.VerdictValid)

	r.Headers = hdrs("X-Acme-Timestamp", "1700000000", "X-Acme-Signature", "sha256="+hmacB64(sha512.New, sec, "1700000000."+body))
	wantResult(t, Check(r, c, secret(sec)), app.VerdictInvalid, "malformed X-Acme-Signature", "sha512=")

	// {id}.{timestamp}.{body}, hex SHA-1, timestamps in milliseconds.
	c2 := Config{Scheme: "hmac", SchemeOptions: Options{Header: "X-Sig", Algorithm: "sha1", Content: "{id}.{timestamp}.{body}", TimestampHeader: "X-Ts", IDHeader: "X-Id"}}
	r2 := Request{Body: []byte(body), Time: time.UnixMilli(1700000000123), Headers: hdrs("X-Id", "m1", "X-Ts", "1700000000123", "X-Sig", hmacHex(sha1.New, sec, "m1.1700000000123."+body))}
	wantResult(t, Check(r2, c2, secret(sec)), app.VerdictValid)
}
