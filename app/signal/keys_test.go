package signal

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// stdlibVerify checks a SalesIQ signature the way a receiver would with
// nothing but Go's standard library and the printed public key.
func stdlibVerify(t *testing.T, publicBase64 string, body []byte, sigHeader string) error {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(publicBase64)
	if err != nil {
		t.Fatalf("public key is not base64: %v", err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("public key is not DER SubjectPublicKeyInfo: %v", err)
	}
	sig, err := base64.StdEncoding.DecodeString(sigHeader)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	return rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, sum[:], sig)
}

func TestSalesIQKeyPairIsMadeOnceAndKeptPrivate(t *testing.T) {
	dir := t.TempDir()
	ks := NewKeyStore(dir)
	if _, err := os.Stat(filepath.Join(dir, KeysDir)); !os.IsNotExist(err) {
		t.Fatalf("the keys directory exists before any key was asked for: %v", err)
	}
	pub, err := ks.PublicKeyBase64()
	if err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(pub)
	pk, err := x509.ParsePKIXPublicKey(der)
	if rk, ok := pk.(*rsa.PublicKey); err != nil || !ok || rk.N.BitLen() != 2048 {
		t.Fatalf("public key: %T %v", pk, err)
	}
	file := filepath.Join(dir, KeysDir, salesIQKeyFile)
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Join(dir, KeysDir)); di.Mode().Perm() != 0o700 {
		t.Errorf("keys directory mode %v, want 0700", di.Mode().Perm())
	}
	raw, _ := os.ReadFile(file)
	blk, _ := pem.Decode(raw)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		t.Fatalf("private key file is not PKCS#8 PEM: %.40s", raw)
	}
	if _, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
		t.Fatalf("not PKCS#8: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, KeysDir)); len(entries) != 1 {
		t.Errorf("keys directory holds %d files, want just the key (no temp files)", len(entries))
	}
	// The PEM form is the same key.
	pemText, _ := ks.PublicKeyPEM()
	pb, _ := pem.Decode([]byte(pemText))
	if pb == nil || pb.Type != "PUBLIC KEY" || !bytes.Equal(pb.Bytes, der) {
		t.Errorf("PEM public key differs from the base64 one:\n%s", pemText)
	}
	// A new store on the same data dir (the next start) has the same key.
	again := NewKeyStore(dir)
	k1, _ := ks.SalesIQ()
	k2, err := again.SalesIQ()
	if err != nil || k2.PublicKey != pub || k2.Secret != k1.Secret {
		t.Errorf("reloaded key differs (%v)", err)
	}
	// Someone loosened the file: it is made private again.
	os.Chmod(file, 0o644)
	if _, err := NewKeyStore(dir).SalesIQ(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after reload %v, want 0600", fi.Mode().Perm())
	}
}

func TestSalesIQSignedEventVerifiesWithTheStandardLibrary(t *testing.T) {
	ks := NewKeyStore(t.TempDir())
	tp := mustFind(t, library(t), "salesiq.conversation.created")
	body, hs, err := tp.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := ks.Sign("salesiq", verify.Key{}, verify.Request{Method: "POST", Headers: hs, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if signed.Get("Content-Type") != hs.Get("Content-Type") || len(signed) != len(hs)+1 {
		t.Errorf("signed headers %v", signed)
	}
	pub, _ := ks.PublicKeyBase64()
	if err := stdlibVerify(t, pub, body, signed.Get("x-siqsignature")); err != nil {
		t.Fatalf("the signature does not verify with crypto/rsa: %v", err)
	}
	tampered := bytes.Replace(body, []byte(`"attempt":1`), []byte(`"attempt":2`), 1)
	if err := stdlibVerify(t, pub, tampered, signed.Get("x-siqsignature")); err == nil {
		t.Error("a changed body still verifies")
	}
	// Signing again replaces the old signature rather than adding one.
	twice, _ := ks.Sign("salesiq", verify.Key{}, verify.Request{Headers: signed, Body: tampered})
	if n := len(twice.Values("x-siqsignature")); n != 1 {
		t.Errorf("%d x-siqsignature headers after re-signing", n)
	}
}

// A receiving server on 127.0.0.1 that checks signatures with the public
// key sees attempts 1, 2 and 3 when the first two are answered 500, each
// body re-signed after its attempt is stamped: what the delivery queue does.
func TestSalesIQAttemptsSeenByARealReceiver(t *testing.T) {
	ks := NewKeyStore(t.TempDir())
	pub, err := ks.PublicKeyBase64()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := stdlibVerify(t, pub, body, r.Header.Get("x-siqsignature")); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var env struct{ Attempt int }
		json.Unmarshal(body, &env)
		mu.Lock()
		seen = append(seen, env.Attempt)
		n := len(seen)
		mu.Unlock()
		if n < 3 {
			http.Error(w, "try again", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()

	body, hs, err := mustFind(t, library(t), "salesiq.conversation.visitor.replied").Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt <= 3; attempt++ {
		b := StampAttempt(body, attempt)
		signed, err := ks.Sign("salesiq", verify.Key{}, verify.Request{Method: "POST", URL: srv.URL, Headers: hs, Body: b})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", srv.URL+"/salesiq/webhook", bytes.NewReader(b))
		for _, h := range signed {
			req.Header.Add(h.Name, h.Value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{true: 200, false: 500}[attempt == 3]; resp.StatusCode != want {
			t.Fatalf("attempt %d answered %d, want %d", attempt, resp.StatusCode, want)
		}
	}
	if len(seen) != 3 || seen[0] != 1 || seen[1] != 2 || seen[2] != 3 {
		t.Errorf("the receiver saw attempts %v, want [1 2 3]", seen)
	}
}

func TestSignalZenSecret(t *testing.T) {
	dir := t.TempDir()
	ks := NewKeyStore(dir)
	k, err := ks.SignalZen()
	if err != nil {
		t.Fatal(err)
	}
	if b, err := hex.DecodeString(k.Secret); err != nil || len(b) != 32 {
		t.Errorf("secret %d bytes of hex, %v; want 32 random bytes", len(k.Secret)/2, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, KeysDir, signalZenKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v", fi.Mode().Perm())
	}
	if k2, _ := NewKeyStore(dir).SignalZen(); k2.Secret != k.Secret {
		t.Error("the secret changed on reload")
	}
	body := []byte(`{"event":"user.created","user":{"id":1}}`)
	hs, err := ks.Sign("signalzen", verify.Key{}, verify.Request{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, []byte(k.Secret))
	m.Write(body)
	if hs.Get("X-Signalzen-Signature") != hex.EncodeToString(m.Sum(nil)) {
		t.Errorf("X-Signalzen-Signature %q is not the hex HMAC-SHA256 of the body", hs.Get("X-Signalzen-Signature"))
	}
	if other, _ := NewKeyStore(t.TempDir()).SignalZen(); other.Secret == k.Secret {
		t.Error("two data dirs got the same secret")
	}
}

func TestSigningWithTheReceiversSecret(t *testing.T) {
	ks := NewKeyStore(t.TempDir())
	body := []byte(`{"type":"payment_intent.succeeded"}`)
	if _, err := ks.Sign("stripe", verify.Key{}, verify.Request{Body: body}); err == nil || !strings.Contains(err.Error(), "receiver's secret") {
		t.Errorf("stripe without a secret: %v", err)
	}
	hs, err := ks.Sign("stripe", verify.Key{Secret: "whsec_test"}, verify.Request{Body: body, Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}})
	if err != nil || !strings.HasPrefix(hs.Get("Stripe-Signature"), "t=") || hs.Get("Content-Type") == "" {
		t.Errorf("stripe signed: %v %v", hs, err)
	}
	if _, err := ks.Sign("rot13", verify.Key{}, verify.Request{}); err == nil || !strings.Contains(err.Error(), "unknown signature scheme") {
		t.Errorf("unknown scheme: %v", err)
	}
}

func TestKeyStoreFirstUseFromManyGoroutines(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	keys := make([]string, 4)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := NewKeyStore(dir).SignalZen() // separate stores, as two processes would be
			if err != nil {
				t.Error(err)
			}
			keys[i] = k.Secret
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if k != keys[0] {
			t.Fatalf("stores made different secrets: %v", keys)
		}
	}
}

func TestKeyStoreReportsADamagedKey(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, KeysDir), 0o700)
	file := filepath.Join(dir, KeysDir, salesIQKeyFile)
	os.WriteFile(file, []byte("not a key"), 0o600)
	_, err := NewKeyStore(dir).SalesIQ()
	if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "move the file away") {
		t.Errorf("damaged key: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "not a key" {
		t.Error("the damaged file was overwritten")
	}
}
