package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app/exchange"
)

// A SalesIQ template fired at This Hooklens lands in the list with a valid
// verdict against Hooklens's own public key, which `keys show salesiq`
// prints for receivers to verify with.
func TestFiredSalesIQEventLandsValidInThisHooklens(t *testing.T) {
	dir := shortDir(t)
	pub, errs, code := runHooklens(t, "keys", "show", "salesiq", "--data", dir)
	if code != 0 {
		t.Fatal(errs)
	}
	pub = strings.TrimSpace(pub)
	if _, errs, code := runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "salesiq", "--scheme", "salesiq", "--public-key", pub); code != 0 {
		t.Fatal("endpoint add failed: " + errs)
	}
	l := startListen(t, dir)
	out, errs, code := runHooklens(t, "send", "--data", dir, "--template", "salesiq.conversation.created", "--to", "self", "--json")
	if code != 0 {
		t.Fatalf("send --template --to self: exit %d, %s %s", code, out, errs)
	}
	var ev exchange.EventLine
	if err := json.Unmarshal(l.next(t), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Endpoint != "salesiq" || ev.Verdict.Result != "valid" || ev.Verdict.Scheme != "salesiq" {
		t.Fatalf("fired event: endpoint %q, verdict %+v", ev.Endpoint, ev.Verdict)
	}
}

// What a receiver does with the printed key, using only the standard
// library: the signature of a fired event verifies.
func TestSalesIQSignatureVerifiesWithThePrintedKey(t *testing.T) {
	dir := shortDir(t)
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	})}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Close()
	if out, errs, code := runHooklens(t, "send", "--data", dir, "--template", "salesiq.conversation.rated", "--scheme", "salesiq", "--to", "http://"+ln.Addr().String()+"/hook"); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	r, body := <-got, <-bodies
	pub, _, _ := runHooklens(t, "keys", "show", "salesiq", "--data", dir)
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pub))
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get("x-siqsignature"))
	if err != nil {
		t.Fatalf("x-siqsignature %q: %v", r.Header.Get("x-siqsignature"), err)
	}
	sum := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(k.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify with the printed key: %v", err)
	}
	if !strings.Contains(string(body), `"attempt":1`) {
		t.Errorf("first attempt's body: %s", body)
	}
}

func TestSignalCommandValidatesAndDryRuns(t *testing.T) {
	dir := shortDir(t)
	_, errs, code := runHooklens(t, "signal", "--data", dir, "--namespace", "Bad Name", "--email", "nope", "--subject", strings.Repeat("s", 101), "--message", "m", "--action", "Open|www.bigin.com|tab", "--dry-run")
	if code != 2 {
		t.Fatalf("invalid signal: exit %d", code)
	}
	for _, want := range []string{"namespace", "email", "subject", "https://www.bigin.com"} {
		if !strings.Contains(errs, want) {
			t.Errorf("refusal does not mention %q: %s", want, errs)
		}
	}
	out, errs, code := runHooklens(t, "signal", "--data", dir, "--namespace", "zylkersurveys_link_clicked", "--email", "lena@example.net", "--subject", "Survey opened", "--message", "Lena opened the survey", "--action", "Open|https://www.bigin.com|tab", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d %s", code, errs)
	}
	var p struct {
		Signals []struct {
			Namespace string `json:"signal_namespace"`
			Email     string `json:"email"`
		} `json:"signals"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || len(p.Signals) != 1 || p.Signals[0].Namespace != "zylkersurveys_link_clicked" || p.Signals[0].Email != "lena@example.net" {
		t.Fatalf("dry-run payload %s (%v)", out, err)
	}
}

func TestTemplatesListsEverySeedEvent(t *testing.T) {
	out, _, code := runHooklens(t, "templates", "--json")
	if code != 0 {
		t.Fatal(out)
	}
	for _, name := range []string{"salesiq.visitor.updated", "signalzen.user.blocked", "ziwo.call.ringing", "bigin.signal", "stripe.payment_intent.succeeded"} {
		if !strings.Contains(out, `"name":"`+name+`"`) {
			t.Errorf("templates --json lacks %s", name)
		}
	}
	if n := strings.Count(out, "\n"); n < 35 {
		t.Errorf("%d templates", n)
	}
}
