package verify

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// wantDiagnosis asserts a mismatch whose reason and diagnosis name the mistake.
func wantDiagnosis(t *testing.T, rep Report, mistake string) {
	t.Helper()
	if rep.Result != app.VerdictInvalid {
		t.Fatalf("result = %s (%s), want invalid", rep.Result, rep.Reason)
	}
	for _, d := range rep.Diagnosis {
		if strings.Contains(d, mistake) {
			if !strings.Contains(rep.Reason, "it matches with") {
				t.Errorf("reason %q does not give the finding", rep.Reason)
			}
			if !strings.Contains(rep.Details, mistake) {
				t.Errorf("details do not carry the finding:\n%s", rep.Details)
			}
			return
		}
	}
	t.Fatalf("no diagnosis %q\nreason: %s\ndiagnosis: %q", mistake, rep.Reason, rep.Diagnosis)
}

const stripeSecret = "whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IQ=="

// stripeSent is a request whose Stripe signature was made over signedBody
// with macKey, while sentBody went on the wire.
func stripeSent(macKey string, signedBody, sentBody string) Request {
	const ts = "1700000000"
	sig := hmacHex(sha256.New, macKey, ts+"."+signedBody)
	return Request{Body: []byte(sentBody), Time: time.Unix(1700000001, 0), Headers: hdrs("Stripe-Signature", "t="+ts+",v1="+sig)}
}

func checkStripe(r Request) Report { return Check(r, cfg("stripe"), secret(stripeSecret)) }

func TestDiagnoseBodyReserialised(t *testing.T) {
	pretty := "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2\n  ],\n  \"s\": \"Zoë <3\"\n}"
	compact := `{"b":1,"a":[1,2],"s":"Zoë <3"}`
	cases := []struct{ signed, sent, mistake string }{
		{compact, pretty, "the body minified (JSON whitespace removed)"},
		{pretty, compact, "the body pretty-printed (2-space indent)"},
		{`{"a":[1,2],"b":1,"s":"Zoë <3"}`, compact, "the body re-serialised with its keys sorted"},
		{`{"b": 1, "a": [1, 2], "s": "Zoë <3"}`, compact, "Python json.dumps spacing"},
		{`{"b":1,"a":[1,2],"s":"Zo\u00eb <3"}`, compact, "non-ASCII characters escaped"},
		{`{"b":1,"a":[1,2],"s":"Zoë \u003c3"}`, compact, "escaped as Go's json.Marshal does"},
		{compact + "\n", compact, "a trailing newline added to the body"},
		{compact, compact + "\n", "the trailing newline removed from the body"},
		{compact, compact + "\r\n", "the trailing newline removed from the body"},
		{"", compact, "an empty body"},
	}
	for _, c := range cases {
		t.Run(c.mistake, func(t *testing.T) {
			wantDiagnosis(t, checkStripe(stripeSent(stripeSecret, c.signed, c.sent)), c.mistake)
		})
	}
}

func TestDiagnoseCompressedBody(t *testing.T) {
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(`{"hello":"world"}`))
	zw.Close()
	r := stripeSent(stripeSecret, `{"hello":"world"}`, zb.String())
	r.Headers = append(r.Headers, app.Header{Name: "Content-Encoding", Value: "gzip"})
	wantDiagnosis(t, checkStripe(r), "the body before gzip compression")
}

func TestDiagnoseSecretForms(t *testing.T) {
	rest := strings.TrimPrefix(stripeSecret, "whsec_")
	decoded, _ := base64.StdEncoding.DecodeString(rest)

	// Stripe keys with the whole string; senders drop the prefix or decode.
	wantDiagnosis(t, checkStripe(stripeSent(rest, "{}", "{}")), "the secret without its whsec_ prefix")
	wantDiagnosis(t, checkStripe(stripeSent(string(decoded), "{}", "{}")), "the secret base64-decoded after its whsec_ prefix")

	// Standard Webhooks decodes; senders use the text instead.
	const swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sw := func(key []byte) Request {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("msg_1.1700000000.{}"))
		return Request{Body: []byte("{}"), Time: time.Unix(1700000000, 0), Headers: hdrs("webhook-id", "msg_1", "webhook-timestamp", "1700000000",
			"webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))}
	}
	check := func(r Request) Report { return Check(r, cfg("standard-webhooks"), secret(swSecret)) }
	wantDiagnosis(t, check(sw([]byte(swSecret))), "the secret used as text, whsec_ prefix included")
	wantDiagnosis(t, check(sw([]byte(strings.TrimPrefix(swSecret, "whsec_")))), "the secret without its whsec_ prefix")

	// A hex secret used decoded, and a secret read from a file with its newline.
	const hexSecret = "00112233445566778899aabbccddeeff"
	raw, _ := hex.DecodeString(hexSecret)
	gh := func(key string) Request {
		return Request{Body: []byte("{}"), Headers: hdrs("X-Hub-Signature-256", "sha256="+hmacHex(sha256.New, key, "{}"))}
	}
	wantDiagnosis(t, Check(gh(string(raw)), cfg("github"), secret(hexSecret)), "the secret hex-decoded")
	wantDiagnosis(t, Check(gh(hexSecret+"\n"), cfg("github"), secret(hexSecret)), "the secret with a trailing newline")
	// A secret pasted here with a stray space.
	wantDiagnosis(t, Check(gh(hexSecret), cfg("github"), secret(hexSecret+" ")), "the secret without the whitespace around it")
}

func TestDiagnoseEncodingAndHash(t *testing.T) {
	const sec = "shpss_secret"
	body := `{"id":1}`
	// Shopify sends base64; this sender sent hex.
	r := Request{Body: []byte(body), Headers: hdrs("X-Shopify-Hmac-Sha256", hmacHex(sha256.New, sec, body))}
	wantDiagnosis(t, Check(r, cfg("shopify"), secret(sec)), "hex instead of base64")
	// GitHub sends hex; this sender sent base64.
	r = Request{Body: []byte(body), Headers: hdrs("X-Hub-Signature-256", "sha256="+hmacB64(sha256.New, sec, body))}
	wantDiagnosis(t, Check(r, cfg("github"), secret(sec)), "base64 instead of hex")
	// SHA-1 under the SHA-256 header.
	r = Request{Body: []byte(body), Headers: hdrs("X-Hub-Signature-256", "sha256="+hmacHex(sha1.New, sec, body))}
	wantDiagnosis(t, Check(r, cfg("github"), secret(sec)), "SHA-1 instead of SHA-256")
	// SHA-256 where a generic endpoint expects SHA-1.
	r = Request{Body: []byte(body), Headers: hdrs("X-Sig", hmacHex(sha256.New, sec, body))}
	wantDiagnosis(t, Check(r, Config{Scheme: "hmac", SchemeOptions: Options{Header: "X-Sig", Algorithm: "sha1"}}, secret(sec)), "SHA-256 instead of SHA-1")
	// Two mistakes at once are both named.
	r = Request{Body: []byte(body + "\n"), Headers: hdrs("X-Shopify-Hmac-Sha256", hmacHex(sha256.New, sec, body))}
	wantDiagnosis(t, Check(r, cfg("shopify"), secret(sec)), "the trailing newline removed from the body, and hex instead of base64")
}

func TestDiagnoseOtherSecrets(t *testing.T) {
	eps := []app.Endpoint{
		{Slug: "live", Scheme: "stripe", Secrets: []string{stripeSecret, "whsec_rotated_new_one"}},
		{Slug: "test-mode", Scheme: "stripe", Secrets: []string{"whsec_testmode_secret"}},
	}
	// Signed with the test-mode endpoint's secret, posted to the live one.
	r := stripeSent("whsec_testmode_secret", "{}", "{}")
	rep := Endpoint(r, &eps[0], OtherKeys(eps, "live")...)
	wantDiagnosis(t, rep, "another endpoint's key (endpoint test-mode secret)")
	if !strings.Contains(rep.Reason, "another endpoint's key") {
		t.Errorf("reason %q", rep.Reason)
	}
	// Never accepted, however well it matches.
	if rep.Result == app.VerdictValid {
		t.Fatal("another endpoint's key was accepted")
	}

	// Rotation: the second secret of this endpoint matches and is named.
	rep = Endpoint(stripeSent("whsec_rotated_new_one", "{}", "{}"), &eps[0])
	wantResult(t, rep, app.VerdictValid, "signature matches secret 2 ("+Fingerprint("whsec_rotated_new_one")+")")

	// A mistake made with the second secret names that secret.
	rep = Endpoint(stripeSent("whsec_rotated_new_one", `{"a":1}`, `{"a": 1}`), &eps[0])
	wantDiagnosis(t, rep, "the body minified")
	if !strings.Contains(rep.Diagnosis[0], "secret 2") {
		t.Errorf("diagnosis does not name secret 2: %q", rep.Diagnosis)
	}
}

func TestDiagnoseTwilioURL(t *testing.T) {
	const token = "12345"
	form := "From=%2B15551234567&Body=hi"
	sent := func(signedURL, receivedURL string, signedParams string) Request {
		sig := hmacB64(sha1.New, token, signedURL+signedParams)
		return Request{Method: "POST", URL: receivedURL, Body: []byte(form),
			Headers: hdrs("Content-Type", "application/x-www-form-urlencoded", "X-Twilio-Signature", sig)}
	}
	check := func(r Request) Report { return Check(r, cfg("twilio"), secret(token)) }
	sorted := "Bodyhi" + "From+15551234567"

	// Behind a tunnel the listener saw http; Twilio called https.
	wantDiagnosis(t, check(sent("https://abc.tunnel.example/sms", "http://abc.tunnel.example/sms", sorted)), "https instead of http in the URL")
	// ... and with the local port still in the rebuilt URL.
	wantDiagnosis(t, check(sent("https://abc.tunnel.example/sms", "http://abc.tunnel.example:8790/sms", sorted)), "https instead of http in the URL")
	wantDiagnosis(t, check(sent("http://h.example/sms", "https://h.example/sms", sorted)), "http instead of https in the URL")
	wantDiagnosis(t, check(sent("https://h.example/sms/", "https://h.example/sms", sorted)), "a trailing slash added to the path")
	wantDiagnosis(t, check(sent("https://h.example/sms", "https://h.example/sms/", sorted)), "the trailing slash removed from the path")
	wantDiagnosis(t, check(sent("https://h.example/sms", "https://h.example/sms?x=1", sorted)), "the query string left out of the URL")
	wantDiagnosis(t, check(sent("https://h.example/sms", "https://h.example/sms", "")), "the form parameters left out")
	wantDiagnosis(t, check(sent("https://h.example/sms", "https://h.example/sms", "From+15551234567Bodyhi")), "the form parameters in the order sent, not sorted by name")

	// Port: Twilio's libraries accept it, so valid, but the note explains it.
	rep := check(sent("https://h.example:443/sms", "https://h.example/sms", sorted))
	wantResult(t, rep, app.VerdictValid)
	if len(rep.Diagnosis) != 1 || !strings.HasPrefix(rep.Diagnosis[0], "port:") {
		t.Errorf("no port note: %q", rep.Diagnosis)
	}
	// The bodySHA256 of a body with a newline added on the way.
	body := `{"a":1}`
	sum := sha256.Sum256([]byte(body))
	u := "https://h.example/j?bodySHA256=" + hex.EncodeToString(sum[:])
	r := Request{Method: "POST", URL: u, Body: []byte(body + "\n"), Headers: hdrs("Content-Type", "application/json", "X-Twilio-Signature", hmacB64(sha1.New, token, u))}
	rep = check(r)
	wantResult(t, rep, app.VerdictInvalid, "bodySHA256")
	if len(rep.Diagnosis) != 1 || !strings.Contains(rep.Diagnosis[0], "the trailing newline removed") {
		t.Errorf("diagnosis %q", rep.Diagnosis)
	}
}

func TestDiagnoseContentTemplates(t *testing.T) {
	const sec = "s3cret"
	// Standard Webhooks without the id.
	m := hmac.New(sha256.New, []byte("0123456789abcdef"))
	m.Write([]byte("1700000000.{}"))
	swSecret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	r := Request{Body: []byte("{}"), Time: time.Unix(1700000000, 0), Headers: hdrs("webhook-id", "msg_1", "webhook-timestamp", "1700000000",
		"webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))}
	wantDiagnosis(t, Check(r, cfg("standard-webhooks"), secret(swSecret)), "the id left out of the signed content")

	// Stripe without the t= part.
	r = Request{Body: []byte("{}"), Time: time.Unix(1700000000, 0), Headers: hdrs("Stripe-Signature", "t=1700000000,v1="+hmacHex(sha256.New, sec, "{}"))}
	wantDiagnosis(t, Check(r, cfg("stripe"), secret(sec)), "only the body signed (t= left out)")

	// A generic endpoint set to {body}; the sender signs {timestamp}.{body}.
	c := Config{Scheme: "hmac", SchemeOptions: Options{Header: "X-Sig", TimestampHeader: "X-Ts"}}
	r = Request{Body: []byte("{}"), Time: time.Unix(1700000000, 0), Headers: hdrs("X-Ts", "1700000000", "X-Sig", hmacHex(sha256.New, sec, "1700000000.{}"))}
	wantDiagnosis(t, Check(r, c, secret(sec)), "the content {timestamp}.{body} signed instead of {body}")
}

func TestDiagnosePublicKeySchemes(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub := Key{Label: "siq", PublicKey: pemPublic(t, &priv.PublicKey)}
	sign := func(body string, pss bool, h crypto.Hash) string {
		d := digest(h, []byte(body))
		var sig []byte
		if pss {
			sig, err = rsa.SignPSS(rand.Reader, priv, h, d, nil)
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, priv, h, d)
		}
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(sig)
	}
	siq := func(sent, sig string) Report {
		return Check(Request{Body: []byte(sent), Headers: hdrs("x-siqsignature", sig)}, cfg("salesiq"), []Key{pub})
	}
	wantDiagnosis(t, siq(`{"a": 1}`, sign(`{"a":1}`, false, crypto.SHA256)), "the body minified")
	wantDiagnosis(t, siq(`{"a":1}`, sign(`{"a":1}`, true, crypto.SHA256)), "RSA-PSS padding instead of PKCS#1 v1.5")
	wantDiagnosis(t, siq(`{"a":1}`, sign(`{"a":1}`, false, crypto.SHA1)), "SHA-1 instead of SHA-256")
	wantResult(t, siq(`{"a":1}`, sign(`{"a":2}`, false, crypto.SHA256)), app.VerdictInvalid, "does not match siq")

	epub, epriv, _ := ed25519.GenerateKey(rand.Reader)
	sig := ed25519.Sign(epriv, []byte(`{"type":1}`))
	r := Request{Body: []byte(`{"type":1}`), Headers: hdrs("X-Signature-Ed25519", hex.EncodeToString(sig), "X-Signature-Timestamp", "1700000000")}
	wantDiagnosis(t, Check(r, cfg("discord"), []Key{{PublicKey: hex.EncodeToString(epub)}}), "only the body signed (timestamp left out)")
}

func TestNoMistakeFound(t *testing.T) {
	rep := checkStripe(stripeSent("whsec_someone_else", "{}", "{}"))
	wantResult(t, rep, app.VerdictInvalid, "does not match secret ("+Fingerprint(stripeSecret)+")", "none of the common mistakes")
	if len(rep.Diagnosis) != 0 {
		t.Errorf("diagnosis %q", rep.Diagnosis)
	}
	if rep.Expected == "" || rep.Received == "" || rep.Expected == rep.Received {
		t.Errorf("expected %q received %q", rep.Expected, rep.Received)
	}
	for _, s := range []string{rep.Expected, rep.Received} {
		if len([]rune(s)) != 13 || !strings.HasSuffix(s, "…") {
			t.Errorf("%q is not 12 characters and an ellipsis", s)
		}
	}
	// The secret and the whole expected signature appear nowhere.
	full := hmacHex(sha256.New, stripeSecret, "1700000000.{}")
	for _, s := range []string{rep.Reason, rep.Details} {
		if strings.Contains(s, stripeSecret) || strings.Contains(s, strings.TrimPrefix(stripeSecret, "whsec_")) || strings.Contains(s, full) {
			t.Fatalf("report reveals a secret or the full signature: %s", s)
		}
	}
}

func pemPublic(t *testing.T, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
