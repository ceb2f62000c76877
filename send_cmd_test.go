package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

func TestSendRetriesUntilDelivered(t *testing.T) {
	var calls atomic.Int32
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		if calls.Add(1) <= 2 {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	dir := t.TempDir()
	body := filepath.Join(dir, "body.json")
	os.WriteFile(body, []byte(`{"event":"conversation.created"}`), 0o600)

	out, errs, code := runHooklens(t, "send", "--to", srv.URL+"/hook", "--body-file", body, "--retries", "3", "--retry-delay", "10ms", "--json", "--data", dir)
	var line app.DeliveryLine
	if err := json.Unmarshal([]byte(out), &line); err != nil || code != 0 {
		t.Fatalf("send: exit %d, %q %s (%v)", code, out, errs, err)
	}
	if line.State != app.Delivered || len(line.Attempts) != 3 || line.Attempts[0].Status != 503 || line.Attempts[2].Status != 200 {
		t.Fatalf("delivery %+v; want 3 attempts ending 200", line)
	}
	for _, b := range got {
		if b != `{"event":"conversation.created"}` {
			t.Errorf("server received %q", b)
		}
	}
	// The delivery is stored with its attempts.
	out, _, _ = runHooklens(t, "deliveries", "--json", "--data", dir)
	if !strings.Contains(out, fmt.Sprintf(`"id":%d`, line.ID)) || !strings.Contains(out, `"state":"delivered"`) {
		t.Errorf("deliveries --json: %s", out)
	}
}

func TestSendStopsAtGone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(410) }))
	defer srv.Close()
	dir := t.TempDir()
	body := filepath.Join(dir, "b")
	os.WriteFile(body, []byte("x"), 0o600)
	out, _, code := runHooklens(t, "send", "--to", srv.URL, "--body-file", body, "--retry-delay", "10ms", "--json", "--data", dir)
	var line app.DeliveryLine
	json.Unmarshal([]byte(out), &line)
	if code != 1 || line.State != app.Gone || len(line.Attempts) != 1 {
		t.Fatalf("410: exit %d, %+v", code, line)
	}
}

// A stored event resent with --scheme stripe passes Stripe's documented check
// on the receiving side, with a fresh timestamp.
func TestSendResignsAStoredEvent(t *testing.T) {
	const secret = "whsec_resend_secret"
	verdict := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ts, sig string
		for _, part := range strings.Split(r.Header.Get("Stripe-Signature"), ",") {
			k, v, _ := strings.Cut(part, "=")
			switch k {
			case "t":
				ts = v
			case "v1":
				sig = v
			}
		}
		var at int64
		fmt.Sscan(ts, &at)
		switch {
		case sig != hmacHex(secret, ts+"."+string(b)):
			verdict <- "bad signature"
		case time.Since(time.Unix(at, 0)).Abs() > time.Minute:
			verdict <- "stale timestamp"
		default:
			verdict <- "ok " + string(b)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	l := startListen(t, dir)
	http.Post(l.url+"/captured", "application/json", strings.NewReader(`{"amount":42}`))
	var ev struct{ ID string }
	json.Unmarshal(l.next(t), &ev)
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()

	_, errs, code := runHooklens(t, "send", "--to", srv.URL, "--event", ev.ID, "--scheme", "stripe", "--secret", secret, "--data", dir)
	if code != 0 {
		t.Fatalf("send --event: exit %d: %s", code, errs)
	}
	if v := <-verdict; v != `ok {"amount":42}` {
		t.Fatalf("receiver's Stripe check: %s", v)
	}
}

func TestForwardToRelaysCapturedEvents(t *testing.T) {
	received := make(chan *http.Request, 1)
	bodies := make(chan string, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- r
		bodies <- string(b)
		w.WriteHeader(201)
	}))
	defer app.Close()
	dir := t.TempDir()
	if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "dev", "--forward-to", app.URL+"/webhooks", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	l := startListen(t, dir)
	req, _ := http.NewRequest("POST", l.url+"/dev/stripe?x=1", strings.NewReader(`{"id":"evt_1"}`))
	req.Header.Set("Stripe-Signature", "t=1,v1=abc")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sender got %d; it is answered without waiting for the forward", resp.StatusCode)
	}
	select {
	case r := <-received:
		if b := <-bodies; b != `{"id":"evt_1"}` || r.Header.Get("Stripe-Signature") != "t=1,v1=abc" || r.Method != "POST" {
			t.Errorf("forwarded %s with body %q and Stripe-Signature %q", r.Method, b, r.Header.Get("Stripe-Signature"))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event was not forwarded")
	}
	l.next(t)
	// The forward is recorded as a delivery of the event (read through the
	// running listener's local API, before it stops: an attempt cut by
	// shutdown is not recorded and would be sent again on the next start).
	deadline := time.Now().Add(10 * time.Second)
	defer func() {
		l.cmd.Process.Signal(os.Interrupt)
		l.cmd.Wait()
	}()
	for {
		out, _, _ := runHooklens(t, "deliveries", "--json", "--data", dir)
		if strings.Contains(out, `"kind":"forward"`) && strings.Contains(out, `"status":201`) && strings.Contains(out, `"event_id":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no forward delivery recorded: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestSendUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"send", "--body-file", "x"},
		{"send", "--to", "http://127.0.0.1:1"},
		{"send", "--to", "ftp://x", "--body-file", "x"},
		{"send", "--to", "http://127.0.0.1:1", "--body-file", "x", "--event", "1"},
		{"send", "--to", "http://127.0.0.1:1", "--body-file", "x", "--scheme", "stripe"},
		{"send", "--to", "http://127.0.0.1:1", "--body-file", "x", "--secret", "s"},
		{"deliveries", "--limit", "0"},
	} {
		if _, errs, code := runHooklens(t, append(args, "--data", t.TempDir())...); code != 2 || errs == "" {
			t.Errorf("hooklens %v: exit %d, stderr %q; want 2", args, code, errs)
		}
	}
}

// With --forward-reply the sender gets the app's own answer, and the forward
// is recorded as a delivery of the stored event.
func TestForwardReplyPassesTheAppsAnswerBack(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"rejected":%q}`, b)
	}))
	defer app.Close()
	dir := t.TempDir()
	if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "dev", "--forward-to", app.URL, "--forward-reply", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	l := startListen(t, dir)
	resp, err := http.Post(l.url+"/dev/hook", "text/plain", strings.NewReader("ping"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || string(b) != `{"rejected":"ping"}` {
		t.Fatalf("sender got %d %s; want the app's 400", resp.StatusCode, b)
	}
	var ev struct {
		ID     string
		Status int
	}
	json.Unmarshal(l.next(t), &ev)
	if ev.Status != 400 {
		t.Errorf("stored status %d, want the relayed 400", ev.Status)
	}
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()
	out, _, _ := runHooklens(t, "deliveries", "--json", "--data", dir)
	if !strings.Contains(out, `"kind":"forward"`) || !strings.Contains(out, `"event_id":`+ev.ID) || !strings.Contains(out, `"status":400`) {
		t.Errorf("forward not recorded against event %s: %s", ev.ID, out)
	}
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Errorf("the event was forwarded more than once: %s", out)
	}
}
