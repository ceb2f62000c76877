package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app/exchange"
)

// Signers written from each provider's documentation, independent of app/verify.
func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func hmacB64(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type signedCase struct {
	scheme string
	secret string
	sign   func(secret, body string, now time.Time) [][2]string
}

var signedCases = []signedCase{
	{"stripe", "whsec_test_stripe_secret", func(s, body string, now time.Time) [][2]string {
		ts := fmt.Sprint(now.Unix())
		return [][2]string{{"Stripe-Signature", "t=" + ts + ",v1=" + hmacHex(s, ts+"."+body)}}
	}},
	{"github", "It's a Secret to Everybody", func(s, body string, _ time.Time) [][2]string {
		return [][2]string{{"X-Hub-Signature-256", "sha256=" + hmacHex(s, body)}}
	}},
	{"slack", "8f742231b10e8888abcd99yyyzzz85a5", func(s, body string, now time.Time) [][2]string {
		ts := fmt.Sprint(now.Unix())
		return [][2]string{{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", "v0=" + hmacHex(s, "v0:"+ts+":"+body)}}
	}},
	{"shopify", "shpss_test_secret", func(s, body string, _ time.Time) [][2]string {
		return [][2]string{{"X-Shopify-Hmac-Sha256", hmacB64([]byte(s), body)}}
	}},
	{"standard-webhooks", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", func(s, body string, now time.Time) [][2]string {
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		id, ts := "msg_p5jXN8AQM9LWM0D4loKWxJek", fmt.Sprint(now.Unix())
		return [][2]string{{"webhook-id", id}, {"webhook-timestamp", ts}, {"webhook-signature", "v1," + hmacB64(key, id+"."+ts+"."+body)}}
	}},
}

func sendSigned(t *testing.T, url string, headers [][2]string, body string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, h := range headers {
		req.Header[h[0]] = []string{h[1]} // as the provider spells it
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestListenJudgesSignaturesPerEndpointAndByDetection(t *testing.T) {
	dir := t.TempDir()
	for _, c := range signedCases {
		if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "good-"+c.scheme, "--scheme", c.scheme, "--secret", c.secret, "--data", dir); code != 0 {
			t.Fatal(errs)
		}
		// An endpoint with secrets but no scheme detects it from the headers.
		if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "detect-"+c.scheme, "--secret", "wrong-secret", "--secret", c.secret, "--data", dir); code != 0 {
			t.Fatal(errs)
		}
		// A well-formed secret that is not the sender's.
		wrong := c.secret + "x"
		if c.scheme == "standard-webhooks" {
			wrong = "whsec_" + base64.StdEncoding.EncodeToString([]byte("another endpoint's secret"))
		}
		if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "bad-"+c.scheme, "--scheme", c.scheme, "--secret", wrong, "--data", dir); code != 0 {
			t.Fatal(errs)
		}
	}
	l := startListen(t, dir)
	body := `{"id":"evt_1","type":"invoice.paid"}`
	next := func() exchange.EventLine {
		var ev exchange.EventLine
		if err := json.Unmarshal(l.next(t), &ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	for _, c := range signedCases {
		for _, tc := range []struct{ slug, result string }{
			{"good-" + c.scheme, "valid"},
			{"detect-" + c.scheme, "valid"},
			{"bad-" + c.scheme, "invalid"},
			{"nobody-" + c.scheme, "unverified"}, // no endpoint: detected, nothing to check with
		} {
			sendSigned(t, l.url+"/"+tc.slug+"/hook", c.sign(c.secret, body, time.Now()), body)
			ev := next()
			if ev.Verdict.Result != tc.result || ev.Verdict.Scheme != c.scheme || ev.Verdict.Reason == "" {
				t.Errorf("%s: verdict %+v, want %s for scheme %s", tc.slug, ev.Verdict, tc.result, c.scheme)
			}
		}
	}
	sendSigned(t, l.url+"/good-stripe/hook", nil, body)
	if ev := next(); ev.Verdict.Result != "unsigned" {
		t.Errorf("unsigned request to a stripe endpoint: %+v", ev.Verdict)
	}
	// A Stripe signature made a day ago is outside the tolerance and says so.
	sendSigned(t, l.url+"/good-stripe/hook", signedCases[0].sign(signedCases[0].secret, body, time.Now().Add(-24*time.Hour)), body)
	if ev := next(); ev.Verdict.Result != "invalid" || !strings.Contains(ev.Verdict.Reason, "tolerance") && !strings.Contains(ev.Verdict.Reason, "old") {
		t.Errorf("day-old stripe signature: %+v", ev.Verdict)
	}
}

func TestVerifyCommandChecksARawRequestFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "req.http")
	raw := "POST /webhook HTTP/1.1\r\nHost: example.test\r\nX-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\r\nContent-Length: 13\r\n\r\nHello, World!"
	os.WriteFile(file, []byte(raw), 0o600)

	out, errs, code := runHooklens(t, "verify", "--scheme", "github", "--secret", "It's a Secret to Everybody", "--request", file)
	var v verifyLine
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 || v.Result != "valid" || v.Scheme != "github" {
		t.Fatalf("GitHub's published vector: exit %d, %+v (%v) %s", code, v, err, errs)
	}

	// The classic mistake: the body gained a trailing newline on the way.
	os.WriteFile(file, []byte(strings.Replace(raw, "Content-Length: 13", "Content-Length: 14", 1)+"\n"), 0o600)
	out, _, code = runHooklens(t, "verify", "--scheme", "github", "--secret", "It's a Secret to Everybody", "--request", file)
	json.Unmarshal([]byte(out), &v)
	if code != 1 || v.Result != "invalid" || !strings.Contains(strings.ToLower(strings.Join(v.Diagnosis, " ")+v.Reason), "newline") {
		t.Fatalf("trailing newline: exit %d, %+v", code, v)
	}

	for _, args := range [][]string{
		{"verify", "--secret", "x"},                                    // no request
		{"verify", "--request", file},                                  // nothing to check with
		{"verify", "--secret", "x", "--request", file, "--at", "soon"}, // bad time
	} {
		if _, errs, code := runHooklens(t, args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2", args, code, errs)
		}
	}
	if _, errs, code := runHooklens(t, "verify", "--secret", "x", "--request", filepath.Join(dir, "missing")); code != 1 || !strings.Contains(errs, "missing") {
		t.Errorf("missing file: exit %d, %q", code, errs)
	}
}

// A request signed with another endpoint's secret is diagnosed as such.
func TestListenNamesTheEndpointWhoseSecretSignedIt(t *testing.T) {
	dir := t.TempDir()
	for slug, secret := range map[string]string{"shop": "secret-of-shop", "billing": "secret-of-billing"} {
		if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", slug, "--scheme", "github", "--secret", secret, "--data", dir); code != 0 {
			t.Fatal(errs)
		}
	}
	l := startListen(t, dir)
	body := `{"action":"opened"}`
	sendSigned(t, l.url+"/shop/hook", [][2]string{{"X-Hub-Signature-256", "sha256=" + hmacHex("secret-of-billing", body)}}, body)
	var ev exchange.EventLine
	if err := json.Unmarshal(l.next(t), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Verdict.Result != "invalid" {
		t.Errorf("verdict %+v; want invalid", ev.Verdict)
	}
	// The diagnosis follows, once the sender has its answer.
	var dl diagnosisLine
	if err := json.Unmarshal(l.nextDiagnosis(t), &dl); err != nil || !dl.Diagnosed || dl.ID != ev.ID {
		t.Fatalf("no diagnosis line after the event: %+v %v", dl, err)
	}
	if dl.Verdict.Result != "invalid" || !strings.Contains(dl.Verdict.Reason, "billing") {
		t.Errorf("diagnosis %+v; want invalid, naming endpoint billing", dl.Verdict)
	}
	if out, _, _ := runHooklens(t, "verify", "--data", dir, "--event", ev.ID); !strings.Contains(out, "billing") {
		t.Errorf("verify --event after the diagnosis: %s", out)
	}
}

// A secret that cannot be used says so instead of calling the signature invalid.
func TestListenExplainsAMalformedEndpointSecret(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "sw", "--scheme", "standard-webhooks", "--secret", "whsec_not*base64", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	l := startListen(t, dir)
	c := signedCases[4]
	body := `{"type":"user.created"}`
	sendSigned(t, l.url+"/sw/hook", c.sign(c.secret, body, time.Now()), body)
	var ev exchange.EventLine
	json.Unmarshal(l.next(t), &ev)
	if ev.Verdict.Result != "unverified" || !strings.Contains(ev.Verdict.Reason, "base64") {
		t.Errorf("verdict %+v; want unverified saying the secret is not base64", ev.Verdict)
	}
}

// Adding the secret afterwards re-judges the events already stored.
func TestEndpointAddReverifiesStoredEvents(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "gh", "--scheme", "github", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	l := startListen(t, dir)
	body := `{"zen":"Keep it logically awesome."}`
	sendSigned(t, l.url+"/gh/hook", signedCases[1].sign(signedCases[1].secret, body, time.Now()), body)
	var ev exchange.EventLine
	json.Unmarshal(l.next(t), &ev)
	if ev.Verdict.Result != "unverified" {
		t.Fatalf("before the secret: %+v", ev.Verdict)
	}
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()

	out, errs, code := runHooklens(t, "endpoint", "add", "--slug", "gh", "--scheme", "github", "--secret", signedCases[1].secret, "--data", dir)
	if code != 0 || !strings.Contains(out, "1 now have a different verdict") {
		t.Fatalf("endpoint add: exit %d, %q %s", code, out, errs)
	}
	if got := storedEvents(t, dir)[ev.ID]; got == nil || got.Verdict.Result != "valid" {
		t.Errorf("stored verdict after adding the secret: %+v", got)
	}
}
