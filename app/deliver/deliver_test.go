package deliver_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/store"
)

// fast retries: the tests are about what happens, not when.
var fast = app.RetryPolicy{Retries: 3, Delay: 5 * time.Millisecond}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// received is one request a test receiver got.
type received struct {
	Method, URI string
	Header      http.Header
	Body        []byte
}

// receiver is a real HTTP server on 127.0.0.1 answering with the statuses
// of answer in turn (the last one repeats) and remembering every request.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	hook func(n int, w http.ResponseWriter, r *http.Request) bool // handles request n itself when it returns true
}

func newReceiver(t *testing.T, answer ...int) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, received{r.Method, r.RequestURI, r.Header.Clone(), body})
		hook := rc.hook
		rc.mu.Unlock()
		if hook != nil && hook(n, w, r) {
			return
		}
		st := answer[min(n, len(answer)-1)]
		w.WriteHeader(st)
		fmt.Fprintf(w, "answer %d: %d", n+1, st)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

func statuses(d *app.Delivery) []int {
	var out []int
	for _, a := range d.Attempts {
		out = append(out, a.Status)
	}
	return out
}

func post(url, body string) *app.Delivery {
	return &app.Delivery{Request: app.Request{
		Method: "POST", URL: url,
		Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}},
		Body:    []byte(body),
	}}
}

func TestFailsTwiceThenDelivered(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 500, 503, 200)
	q := deliver.New(s, deliver.Options{})

	d := post(rc.URL+"/hook", `{"event":"order.paid"}`)
	d.Retry = fast
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if d.State != app.Delivered || !slices.Equal(statuses(d), []int{500, 503, 200}) {
		t.Fatalf("state %s after attempts %v (%s); want delivered after 500, 503, 200", d.State, statuses(d), d.Reason)
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(got))
	}
	for i, r := range got {
		if string(r.Body) != `{"event":"order.paid"}` || r.URI != "/hook" {
			t.Errorf("request %d: %s %q, want the same body to /hook each time", i+1, r.URI, r.Body)
		}
	}

	if ua := got[0].Header.Get("User-Agent"); ua != deliver.UserAgent {
		t.Errorf("a composed request went out as %q, want %q", ua, deliver.UserAgent)
	}

	// The command line prints this; the secret and bodies stay out.
	line, _ := json.Marshal(d.Line())
	var back struct {
		ID       uint64 `json:"id"`
		URL      string `json:"url"`
		State    string `json:"state"`
		Attempts []struct {
			At         time.Time `json:"at"`
			Status     int       `json:"status"`
			Error      *string   `json:"error"`
			DurationMS float64   `json:"duration_ms"`
		} `json:"attempts"`
	}
	if err := json.Unmarshal(line, &back); err != nil {
		t.Fatal(err)
	}
	if back.ID != d.ID || back.URL != rc.URL+"/hook" || back.State != "delivered" || len(back.Attempts) != 3 ||
		back.Attempts[1].Status != 503 || back.Attempts[2].DurationMS <= 0 || back.Attempts[0].At.IsZero() {
		t.Errorf("JSON line %s", line)
	}

	stored, err := s.Delivery(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != app.Delivered || len(stored.Attempts) != 3 || !stored.NextAttemptAt.IsZero() {
		t.Fatalf("stored: state %s, %d attempts, next %v", stored.State, len(stored.Attempts), stored.NextAttemptAt)
	}
	for i, a := range stored.Attempts {
		want := fmt.Sprintf("answer %d: %d", i+1, a.Status)
		if string(a.ResponseBody) != want || a.Request.URL != rc.URL+"/hook" || string(a.Request.Body) != `{"event":"order.paid"}` {
			t.Errorf("stored attempt %d: response %q, request %s %q; want response %q", i+1, a.ResponseBody, a.Request.URL, a.Request.Body, want)
		}
		if a.At.IsZero() || a.Duration <= 0 {
			t.Errorf("stored attempt %d has no time or duration: %v %v", i+1, a.At, a.Duration)
		}
	}
	if _, ok, _ := s.NextDue(nil); ok {
		t.Error("a delivered delivery is still in the queue")
	}
}

func TestRetriesUsedUpIsFailed(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 400)
	q := deliver.New(s, deliver.Options{})
	d := post(rc.URL, `{}`)
	d.Retry = app.RetryPolicy{Retries: 2, Delay: time.Millisecond}
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	// 4xx is retried like any non-2xx but 410 (Stripe and Svix do the same).
	if d.State != app.Failed || len(d.Attempts) != 3 || !strings.Contains(d.Reason, "failed after 3 attempts: answered 400 Bad Request") {
		t.Fatalf("state %s, %d attempts, reason %q; want failed after 3 attempts", d.State, len(d.Attempts), d.Reason)
	}
}

func TestGoneStopsAndDisablesTarget(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 410)
	q := deliver.New(s, deliver.Options{})
	tg := app.Target{Name: "shop", URL: rc.URL + "/hooks", Enabled: true, Retry: fast}
	if err := s.PutTarget(&tg); err != nil {
		t.Fatal(err)
	}
	d, err := tg.NewDelivery(app.Request{Method: "POST", Body: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if d.State != app.Gone || len(d.Attempts) != 1 || len(rc.requests()) != 1 {
		t.Fatalf("state %s after %d attempts (%d received); want gone after one", d.State, len(d.Attempts), len(rc.requests()))
	}
	after, err := s.Target(tg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Enabled || !strings.Contains(after.DisabledReason, "410 Gone") {
		t.Fatalf("target after 410: enabled %v, reason %q; want disabled with the reason", after.Enabled, after.DisabledReason)
	}
	if _, err := after.NewDelivery(app.Request{Method: "POST"}); err == nil || !strings.Contains(err.Error(), "disabled (") {
		t.Fatalf("sending to the disabled target: %v, want an error saying it is disabled and why", err)
	}
}

func TestHangingTargetIsCutAndRetried(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 200)
	rc.hook = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 0 {
			<-r.Context().Done() // hang until the sender gives up
			return true
		}
		return false
	}
	q := deliver.New(s, deliver.Options{})
	d := post(rc.URL, `{}`)
	d.Timeout = 100 * time.Millisecond
	d.Retry = fast
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if d.State != app.Delivered || !slices.Equal(statuses(d), []int{0, 200}) {
		t.Fatalf("state %s, statuses %v; want delivered on the retry after a timeout", d.State, statuses(d))
	}
	if e := d.Attempts[0].Error; !strings.Contains(e, "timeout") || !strings.Contains(e, "100ms") {
		t.Fatalf("first attempt error %q, want it to say it timed out after 100ms", e)
	}
}

func TestConnectionRefusedIsExplained(t *testing.T) {
	s := openStore(t, t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	q := deliver.New(s, deliver.Options{})
	d := post("http://"+addr+"/x", `{}`)
	d.Retry = app.RetryPolicy{Retries: 1, Delay: time.Millisecond}
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if d.State != app.Failed || len(d.Attempts) != 2 || !strings.Contains(d.Attempts[0].Error, "connection refused by "+addr) {
		t.Fatalf("state %s, %d attempts, first error %q; want 2 attempts refused", d.State, len(d.Attempts), d.Attempts[0].Error)
	}
}

// waitFor subscribes to q and returns a function that waits until a
// delivery satisfies ok.
func waitFor(t *testing.T, q *deliver.Queue, ok func(*app.Delivery) bool) func() *app.Delivery {
	t.Helper()
	ch := make(chan *app.Delivery, 1)
	cancel := q.Subscribe(func(d *app.Delivery) {
		if ok(d) {
			select {
			case ch <- d:
			default:
			}
		}
	})
	t.Cleanup(cancel)
	return func() *app.Delivery {
		t.Helper()
		select {
		case d := <-ch:
			return d
		case <-time.After(10 * time.Second):
			t.Fatal("the delivery never reached the expected state")
			return nil
		}
	}
}

func TestPendingRetrySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	rc := newReceiver(t, 500, 200)

	s1, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	q1 := deliver.New(s1, deliver.Options{})
	firstDone := waitFor(t, q1, func(d *app.Delivery) bool { return len(d.Attempts) == 1 })
	ctx, stop := context.WithCancel(context.Background())
	d := post(rc.URL, `{"n":1}`)
	d.Retry = app.RetryPolicy{Retries: 3, Delay: 300 * time.Millisecond}
	errc := make(chan error, 1)
	go func() { errc <- q1.Send(ctx, d) }()
	firstDone()
	stop() // the app quits while the retry waits
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Send after quitting: %v, want context.Canceled", err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openStore(t, dir)
	left, err := s2.Delivery(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if left.State != app.Pending || len(left.Attempts) != 1 || left.NextAttemptAt.IsZero() {
		t.Fatalf("after reopening: state %s with %d attempts, next %v; want pending after one", left.State, len(left.Attempts), left.NextAttemptAt)
	}
	q2 := deliver.New(s2, deliver.Options{})
	done := waitFor(t, q2, func(d *app.Delivery) bool { return d.State != app.Pending })
	q2.Start(context.Background())
	defer q2.Stop()
	end := done()
	if end.State != app.Delivered || !slices.Equal(statuses(end), []int{500, 200}) {
		t.Fatalf("after restart: state %s, statuses %v; want delivered on the second attempt", end.State, statuses(end))
	}
	if got := rc.requests(); len(got) != 2 || string(got[1].Body) != `{"n":1}` {
		t.Fatalf("receiver got %d requests; want 2 with the same body", len(got))
	}
}

func TestEnqueuedBeforeRestartIsSent(t *testing.T) {
	dir := t.TempDir()
	rc := newReceiver(t, 200)
	s1, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := post(rc.URL, `{}`)
	if err := deliver.New(s1, deliver.Options{}).Enqueue(d); err != nil { // no worker running
		t.Fatal(err)
	}
	s1.Close()
	if len(rc.requests()) != 0 {
		t.Fatal("sent without a worker")
	}
	s2 := openStore(t, dir)
	q := deliver.New(s2, deliver.Options{})
	done := waitFor(t, q, func(x *app.Delivery) bool { return x.ID == d.ID && x.State == app.Delivered })
	q.Start(context.Background())
	defer q.Stop()
	done()
}

// stripeCheck is the receiving side's own check, written from Stripe's
// documentation and nothing of this repository: split the header on ',',
// take t and v1, HMAC-SHA256 "{t}.{body}" with the whole endpoint secret as
// the key, compare hex in constant time, and refuse timestamps older than
// five minutes.
func stripeCheck(header string, body []byte, secret string, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("no timestamp in %q", header)
	}
	if age := now.Sub(time.Unix(n, 0)); age > 5*time.Minute || age < -5*time.Minute {
		return fmt.Errorf("timestamp %s is %s old", ts, age)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no v1 signature matches")
}

// capturedStripe is an event as the listener stored it: signed an hour ago
// by Stripe for another endpoint.
func capturedStripe(t *testing.T, body string) *app.Event {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	h, err := verify.Sign(verify.Config{Scheme: "stripe"}, verify.Key{Secret: "whsec_theoriginalendpointsecret"},
		verify.Request{Method: "POST", Body: []byte(body), Time: old})
	if err != nil {
		t.Fatal(err)
	}
	return &app.Event{
		ID: 42, ReceivedAt: old, Method: "POST", Path: "/stripe", Proto: "HTTP/1.1", Host: "127.0.0.1:8790",
		Headers: append(app.Headers{
			{Name: "Host", Value: "127.0.0.1:8790"},
			{Name: "User-Agent", Value: "Stripe/1.0 (+https://stripe.com/docs/webhooks)"},
			{Name: "Content-Type", Value: "application/json; charset=utf-8"},
			{Name: "Content-Length", Value: strconv.Itoa(len(body))},
		}, h...),
		Body: []byte(body), Size: int64(len(body)),
	}
}

func TestResendIsResignedForTheTarget(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 200)
	q := deliver.New(s, deliver.Options{})
	const secret = "whsec_targetSecretForTheAppUnderDevelopment"
	body := `{"id":"evt_1","type":"invoice.paid","data":{"object":{"amount":1200}}}`
	e := capturedStripe(t, body)
	tg := app.Target{Name: "dev app", URL: rc.URL + "/webhooks/stripe", Scheme: "stripe", Secret: secret, Enabled: true, Retry: fast}
	if err := s.PutTarget(&tg); err != nil {
		t.Fatal(err)
	}
	d, err := tg.Resend(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if d.State != app.Delivered {
		t.Fatalf("state %s: %s", d.State, d.Reason)
	}
	r := rc.requests()[0]
	sig := r.Header.Get("Stripe-Signature")
	if sig == e.Headers.Get("Stripe-Signature") || len(r.Header.Values("Stripe-Signature")) != 1 {
		t.Fatalf("Stripe-Signature %q was not replaced by one fresh signature", r.Header.Values("Stripe-Signature"))
	}
	if err := stripeCheck(sig, r.Body, secret, time.Now()); err != nil {
		t.Fatalf("the receiver's own Stripe check refuses the resend: %v", err)
	}
	headers := app.Headers{}
	for k, vs := range r.Header {
		for _, v := range vs {
			headers = append(headers, app.Header{Name: k, Value: v})
		}
	}
	rep := verify.Check(verify.Request{Method: r.Method, URL: rc.URL + r.URI, Headers: headers, Body: r.Body, Time: time.Now()},
		verify.Config{Scheme: "stripe"}, []verify.Key{{Label: "target", Secret: secret}})
	if rep.Result != app.VerdictValid {
		t.Fatalf("verify.Check says %s: %s %v", rep.Result, rep.Reason, rep.Diagnosis)
	}
	if string(r.Body) != body || r.Header.Get("User-Agent") != "Stripe/1.0 (+https://stripe.com/docs/webhooks)" {
		t.Fatalf("body %q, user agent %q: want both as captured", r.Body, r.Header.Get("User-Agent"))
	}
	byEvent, err := s.Deliveries(app.DeliveryPage{EventID: e.ID})
	if err != nil || len(byEvent) != 1 || byEvent[0].ID != d.ID || byEvent[0].Kind != app.KindResend {
		t.Fatalf("deliveries of event %d: %+v %v", e.ID, byEvent, err)
	}
}

func TestRetriesKeepMessageIDButNotTimestamp(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 500, 200)
	q := deliver.New(s, deliver.Options{})
	key, err := verify.GenerateKey("standard-webhooks")
	if err != nil {
		t.Fatal(err)
	}
	d := post(rc.URL, `{"type":"contact.created"}`)
	d.Request.Headers = append(d.Request.Headers, app.Header{Name: "webhook-id", Value: "msg_original"})
	d.Sign = app.Signing{Scheme: "standard-webhooks", Secret: key.Secret}
	d.Retry = app.RetryPolicy{Retries: 1, Delay: 1100 * time.Millisecond} // the timestamp is in seconds
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	got := rc.requests()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	id1, id2 := got[0].Header.Get("webhook-id"), got[1].Header.Get("webhook-id")
	if id1 == "msg_original" || id1 == "" || id1 != id2 {
		t.Fatalf("webhook-id %q then %q: want one fresh id for both attempts of the resend", id1, id2)
	}
	if got[0].Header.Get("webhook-timestamp") == got[1].Header.Get("webhook-timestamp") {
		t.Fatal("the retry kept the first attempt's timestamp; each attempt is signed afresh")
	}
	for i, r := range got {
		// The Standard Webhooks check, from its specification: base64 HMAC-SHA256
		// of "{id}.{timestamp}.{body}" keyed with the base64 part of whsec_.
		k, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(key.Secret, "whsec_"))
		mac := hmac.New(sha256.New, k)
		fmt.Fprintf(mac, "%s.%s.%s", r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Body)
		want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if r.Header.Get("webhook-signature") != want {
			t.Errorf("attempt %d: webhook-signature %q, want %q", i+1, r.Header.Get("webhook-signature"), want)
		}
	}

	keep := post(rc.URL, `{}`)
	keep.Request.Headers = append(keep.Request.Headers, app.Header{Name: "webhook-id", Value: "msg_original"})
	keep.Sign = app.Signing{Scheme: "standard-webhooks", Secret: key.Secret, KeepID: true}
	if err := q.Send(context.Background(), keep); err != nil {
		t.Fatal(err)
	}
	if id := rc.requests()[2].Header.Get("webhook-id"); id != "msg_original" {
		t.Fatalf("with KeepID the id sent is %q, want msg_original", id)
	}
}

func TestKeepOriginalReplaysSignatureUntouched(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 200)
	q := deliver.New(s, deliver.Options{})
	e := capturedStripe(t, `{"id":"evt_2"}`)
	d := app.Resend(e, rc.URL)
	d.Sign = app.Signing{Scheme: "stripe", Secret: "whsec_other", KeepOriginal: true}
	if err := q.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if got, want := rc.requests()[0].Header.Get("Stripe-Signature"), e.Headers.Get("Stripe-Signature"); got != want {
		t.Fatalf("Stripe-Signature %q, want the captured %q byte for byte", got, want)
	}
}

// rawServer is a one-request-at-a-time HTTP/1.1 server that records header
// lines exactly as they arrive, which net/http would canonicalise.
type rawServer struct {
	ln    net.Listener
	lines chan []string
	body  chan []byte
}

func newRawServer(t *testing.T, response string) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs := &rawServer{ln: ln, lines: make(chan []string, 8), body: make(chan []byte, 8)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				var lines []string
				n := 0
				for {
					l, err := br.ReadString('\n')
					if err != nil {
						return
					}
					l = strings.TrimRight(l, "\r\n")
					if l == "" {
						break
					}
					lines = append(lines, l)
					if v, ok := strings.CutPrefix(l, "Content-Length: "); ok {
						n, _ = strconv.Atoi(v)
					}
				}
				b := make([]byte, n)
				io.ReadFull(br, b)
				rs.lines <- lines
				rs.body <- b
				io.WriteString(c, response)
			}()
		}
	}()
	return rs
}

func TestForwardRelaysUnchangedButHopByHop(t *testing.T) {
	s := openStore(t, t.TempDir())
	const resp = "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\nX-App: dev\r\nContent-Length: 8\r\nConnection: close\r\n\r\nreceived"
	rs := newRawServer(t, resp)
	q := deliver.New(s, deliver.Options{})
	body := "order=1042&status=paid"
	e := &app.Event{
		ID: 7, Method: "PUT", Path: "/shop/orders", Query: "x=1", Proto: "HTTP/1.1",
		Headers: app.Headers{
			{Name: "Host", Value: "abc.tunnel.example"},
			{Name: "content-type", Value: "application/x-www-form-urlencoded"},
			{Name: "X-Shopify-Topic", Value: "orders/paid"},
			{Name: "webhook-id", Value: "msg_2b"},
			{Name: "X-Repeated", Value: "one"},
			{Name: "X-Repeated", Value: "two"},
			{Name: "Connection", Value: "keep-alive, X-Hop-Only"},
			{Name: "X-Hop-Only", Value: "named by Connection"},
			{Name: "Keep-Alive", Value: "timeout=5"},
			{Name: "Proxy-Authorization", Value: "Basic cHJveHk6cHJveHk="},
			{Name: "TE", Value: "trailers"},
			{Name: "Upgrade", Value: "h2c"},
			{Name: "Content-Length", Value: "999"},
		},
		Body: []byte(body), Size: int64(len(body)),
	}
	url := "http://" + rs.ln.Addr().String() + "/webhooks/local"
	d, res, err := q.Forward(context.Background(), e, url)
	if err != nil {
		t.Fatal(err)
	}
	lines := <-rs.lines
	if lines[0] != "PUT /webhooks/local HTTP/1.1" {
		t.Fatalf("request line %q, want PUT to exactly the forward URL", lines[0])
	}
	var got []string
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "Host: ") && !strings.HasPrefix(l, "Content-Length: ") {
			got = append(got, l)
		}
	}
	want := []string{
		"content-type: application/x-www-form-urlencoded",
		"X-Shopify-Topic: orders/paid",
		"webhook-id: msg_2b",
		"X-Repeated: one",
		"X-Repeated: two",
	}
	slices.Sort(got) // Go writes headers sorted by name; spelling and values are the point
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("forwarded header lines:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Contains(lines, "Content-Length: "+strconv.Itoa(len(body))) {
		t.Fatalf("no correct Content-Length in %q", lines)
	}
	if b := <-rs.body; string(b) != body {
		t.Fatalf("body %q, want %q", b, body)
	}
	if res.Status != 202 || string(res.Body) != "received" || res.Headers.Get("X-App") != "dev" {
		t.Fatalf("forward response %d %v %q, want the app's 202 with its header and body", res.Status, res.Headers, res.Body)
	}
	stored, err := s.Delivery(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.EventID != 7 || stored.Kind != app.KindForward || stored.State != app.Delivered || len(stored.Attempts) != 1 {
		t.Fatalf("stored forward: event %d kind %s state %s, %d attempts", stored.EventID, stored.Kind, stored.State, len(stored.Attempts))
	}
}

func TestForwardToNothingSaysWhy(t *testing.T) {
	s := openStore(t, t.TempDir())
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	q := deliver.New(s, deliver.Options{})
	d, _, err := q.Forward(context.Background(), &app.Event{ID: 1, Method: "POST", Body: []byte("{}")}, "http://"+addr+"/hook")
	if err == nil || !strings.Contains(err.Error(), "is the app running?") {
		t.Fatalf("forward to a closed port: %v", err)
	}
	if d == nil || d.State != app.Failed || len(d.Attempts) != 1 {
		t.Fatalf("forward to a closed port is not recorded as one failed attempt: %+v", d)
	}
}

func TestCancelStopsRetries(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 500)
	q := deliver.New(s, deliver.Options{})
	second := waitFor(t, q, func(d *app.Delivery) bool { return len(d.Attempts) == 2 })
	q.Start(context.Background())
	defer q.Stop()
	d := post(rc.URL, `{}`)
	d.Retry = app.RetryPolicy{Retries: 1000, Delay: 10 * time.Millisecond}
	if err := q.Enqueue(d); err != nil {
		t.Fatal(err)
	}
	second()
	if err := q.Cancel(d.ID); err != nil {
		t.Fatal(err)
	}
	stored, err := s.Delivery(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != app.Cancelled || !stored.NextAttemptAt.IsZero() {
		t.Fatalf("after Cancel: %s, next attempt %v", stored.State, stored.NextAttemptAt)
	}
	// Nothing is left for the worker, now or ever.
	if ids, _ := s.Due(time.Now().Add(24*time.Hour), 10, nil); len(ids) != 0 {
		t.Fatalf("still queued after cancel: %v", ids)
	}
	if err := q.Cancel(d.ID); err == nil || !strings.Contains(err.Error(), "already cancelled") {
		t.Fatalf("second cancel: %v", err)
	}
}

func TestCancelCutsAnAttemptInProgress(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 200)
	arrived := make(chan struct{})
	rc.hook = func(n int, w http.ResponseWriter, r *http.Request) bool {
		close(arrived)
		<-r.Context().Done()
		return true
	}
	q := deliver.New(s, deliver.Options{})
	d := post(rc.URL, `{}`)
	d.Timeout = time.Minute
	d.Retry = fast
	errc := make(chan error, 1)
	go func() { errc <- q.Send(context.Background(), d) }()
	<-arrived
	if err := q.Cancel(d.ID); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if d.State != app.Cancelled || len(d.Attempts) != 1 || !strings.Contains(d.Attempts[0].Error, "cancelled") {
		t.Fatalf("state %s, attempts %+v; want cancelled with the cut attempt logged", d.State, d.Attempts)
	}
}

func TestRetryAllFailed(t *testing.T) {
	s := openStore(t, t.TempDir())
	var up sync.Mutex
	ok := false
	rc := newReceiver(t, 503)
	rc.hook = func(n int, w http.ResponseWriter, r *http.Request) bool {
		up.Lock()
		defer up.Unlock()
		if ok {
			w.WriteHeader(204)
		}
		return ok
	}
	q := deliver.New(s, deliver.Options{})
	tg := app.Target{Name: "crm", URL: rc.URL, Enabled: true}
	other := app.Target{Name: "other", URL: rc.URL, Enabled: true}
	for _, x := range []*app.Target{&tg, &other} {
		if err := s.PutTarget(x); err != nil {
			t.Fatal(err)
		}
	}
	var ids []uint64
	for i, x := range []app.Target{tg, tg, other} {
		d, err := x.NewDelivery(app.Request{Method: "POST", Body: []byte(strconv.Itoa(i))})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Send(context.Background(), d); err != nil || d.State != app.Failed {
			t.Fatalf("send %d: %v %s", i, err, d.State)
		}
		ids = append(ids, d.ID)
	}
	up.Lock()
	ok = true
	up.Unlock()
	var mu sync.Mutex
	delivered := map[uint64]bool{}
	all := make(chan struct{})
	cancel := q.Subscribe(func(d *app.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		if d.State == app.Delivered && !delivered[d.ID] {
			delivered[d.ID] = true
			if len(delivered) == 2 {
				close(all)
			}
		}
	})
	defer cancel()
	n, err := q.RetryAllFailed(tg.ID)
	if err != nil || n != 2 {
		t.Fatalf("RetryAllFailed: %d, %v; want the 2 of target crm", n, err)
	}
	q.Start(context.Background())
	<-all
	q.Stop()
	for i, id := range ids {
		d, _ := s.Delivery(id)
		want := app.Delivered
		if i == 2 {
			want = app.Failed
		}
		if d.State != want {
			t.Errorf("delivery %d (%d): %s, want %s", i, id, d.State, want)
		}
		if i < 2 && (!slices.Equal(statuses(d), []int{503, 204}) || d.RoundStart != 1) {
			t.Errorf("delivery %d: statuses %v, round start %d; want the old attempt kept and the retry added", i, statuses(d), d.RoundStart)
		}
	}
	if left, _ := s.Failed(tg.ID); len(left) != 0 {
		t.Fatalf("still failed for crm: %v", left)
	}
}

func TestConnectionsAddCredentials(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 200)
	q := deliver.New(s, deliver.Options{})
	conns := []app.Connection{
		{Name: "basic", Kind: app.AuthBasic, Username: "ana", Password: "s3cret:x"},
		{Name: "zoho", Kind: app.AuthBearer, Prefix: "Zoho-oauthtoken", Token: "1000.abcdef.123456"},
		{Name: "plain bearer", Kind: app.AuthBearer, Token: "tok_1"},
		{Name: "key header", Kind: app.AuthAPIKeyHeader, KeyName: "X-Api-Key", KeyValue: "k-123"},
		{Name: "bigin", Kind: app.AuthAPIKeyQuery, KeyName: "zapikey", KeyValue: "1001.z&y"},
	}
	for _, c := range conns {
		if err := s.PutConnection(c); err != nil {
			t.Fatal(err)
		}
		tg := app.Target{Name: c.Name, URL: rc.URL + "/in?existing=1", Connection: c.Name, Enabled: true}
		if err := s.PutTarget(&tg); err != nil {
			t.Fatal(err)
		}
		d, err := tg.NewDelivery(app.Request{Method: "POST", Body: []byte("{}")})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Send(context.Background(), d); err != nil || d.State != app.Delivered {
			t.Fatalf("%s: %v %s", c.Name, err, d.Reason)
		}
	}
	got := rc.requests()
	if a := got[0].Header.Get("Authorization"); a != "Basic "+base64.StdEncoding.EncodeToString([]byte("ana:s3cret:x")) {
		t.Errorf("basic: Authorization %q", a)
	}
	if a := got[1].Header.Get("Authorization"); a != "Zoho-oauthtoken 1000.abcdef.123456" {
		t.Errorf("zoho: Authorization %q", a)
	}
	if a := got[2].Header.Get("Authorization"); a != "Bearer tok_1" {
		t.Errorf("plain bearer: Authorization %q", a)
	}
	if a := got[3].Header.Get("X-Api-Key"); a != "k-123" || got[3].Header.Get("Authorization") != "" {
		t.Errorf("key header: X-Api-Key %q", a)
	}
	if u := got[4].URI; u != "/in?existing=1&zapikey=1001.z%26y" {
		t.Errorf("bigin: request URI %q, want the key added as query parameter zapikey", u)
	}
	if s.DeleteConnection("zoho") == nil {
		t.Error("a connection used by a target was deleted")
	}
}

func TestRenewedTokenReachesPendingRetry(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 401, 200)
	conn := app.Connection{Name: "zoho", Kind: app.AuthBearer, Prefix: "Zoho-oauthtoken", Token: "expired"}
	if err := s.PutConnection(conn); err != nil {
		t.Fatal(err)
	}
	rc.hook = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 0 { // the user renews the token while the first attempt is answered
			conn.Token = "renewed"
			if err := s.PutConnection(conn); err != nil {
				t.Error(err)
			}
		}
		return false
	}
	q := deliver.New(s, deliver.Options{})
	d := post(rc.URL, `{}`)
	d.Connection, d.Retry = "zoho", fast
	if err := q.Send(context.Background(), d); err != nil || d.State != app.Delivered {
		t.Fatalf("%v %s", err, d.Reason)
	}
	got := rc.requests()
	if got[0].Header.Get("Authorization") != "Zoho-oauthtoken expired" || got[1].Header.Get("Authorization") != "Zoho-oauthtoken renewed" {
		t.Fatalf("Authorization %q then %q", got[0].Header.Get("Authorization"), got[1].Header.Get("Authorization"))
	}
}

func TestSandboxAndProductionURLs(t *testing.T) {
	s := openStore(t, t.TempDir())
	prod, sandbox := newReceiver(t, 200), newReceiver(t, 200)
	q := deliver.New(s, deliver.Options{})
	tg := app.Target{Name: "bigin", URL: prod.URL + "/live", SandboxURL: sandbox.URL + "/test", UseSandbox: true, Enabled: true}
	send := func() {
		t.Helper()
		d, err := tg.NewDelivery(app.Request{Method: "POST", Body: []byte("{}")})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Send(context.Background(), d); err != nil || d.State != app.Delivered {
			t.Fatalf("%v %s", err, d.Reason)
		}
	}
	if tg.Environment() != "sandbox" {
		t.Fatalf("environment %q", tg.Environment())
	}
	send()
	if len(sandbox.requests()) != 1 || len(prod.requests()) != 0 {
		t.Fatalf("with the sandbox switch on: sandbox %d, production %d requests", len(sandbox.requests()), len(prod.requests()))
	}
	tg.UseSandbox = false
	send()
	if len(sandbox.requests()) != 1 || len(prod.requests()) != 1 || prod.requests()[0].URI != "/live" {
		t.Fatalf("switched to production: sandbox %d, production %d requests", len(sandbox.requests()), len(prod.requests()))
	}
	tg.UseSandbox, tg.SandboxURL = true, ""
	if _, err := tg.NewDelivery(app.Request{}); err == nil || !strings.Contains(err.Error(), "no sandbox URL") {
		t.Fatalf("sandbox without a URL: %v", err)
	}
}

func TestOnlyHTTPURLs(t *testing.T) {
	s := openStore(t, t.TempDir())
	q := deliver.New(s, deliver.Options{})
	for _, u := range []string{"ftp://example.com/x", "localhost:3000/hook", "file:///etc/passwd", "http:///nohost", ""} {
		err := q.Send(context.Background(), post(u, "{}"))
		if err == nil || !strings.Contains(err.Error(), "URL") {
			t.Errorf("%q: %v, want a clear URL error", u, err)
		}
	}
	if n, _ := s.CountDeliveries(); n != 0 {
		t.Fatalf("%d deliveries stored for refused URLs", n)
	}
	if err := (app.Target{Name: "x", URL: "gopher://x"}).Validate(); err == nil {
		t.Fatal("a gopher target validated")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3f9a": "whsec_••••••••3f9a",
		"1000.8cb99dxxxxxxxxxxxxxxxxxxxxxxxx.a1b2":   "1000.••••••••a1b2",
		"abcdef0123456789":                           "••••••••6789",
		"short":                                      "••••••••",
		"":                                           "",
		"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n": "•••••••• (PRIVATE KEY)",
	} {
		if got := app.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	tg := app.Target{Secret: "whsec_abcdefghijklmnop"}.Masked()
	if strings.Contains(tg.Secret, "abcdefghijkl") {
		t.Errorf("masked target shows its secret: %q", tg.Secret)
	}
}

func TestRetrySchedule(t *testing.T) {
	if got := app.DefaultRetry.Schedule(); !slices.Equal(got, []time.Duration{time.Minute, time.Minute, time.Minute}) {
		t.Errorf("SalesIQ's default: %v", got)
	}
	p := app.RetryPolicy{Retries: 5, Delay: time.Minute, Backoff: true, MaxDelay: 5 * time.Minute}
	if got := p.Schedule(); !slices.Equal(got, []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}) {
		t.Errorf("backoff capped at 5m: %v", got)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	s := openStore(t, t.TempDir())
	rc := newReceiver(t, 200)
	rc.hook = func(n int, w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(429)
		return true
	}
	q := deliver.New(s, deliver.Options{})
	d := post(rc.URL, `{}`)
	d.Retry = fast
	if err := q.Enqueue(d); err != nil {
		t.Fatal(err)
	}
	done := waitFor(t, q, func(x *app.Delivery) bool { return len(x.Attempts) == 1 })
	q.Start(context.Background())
	got := done()
	q.Stop()
	if wait := got.NextAttemptAt.Sub(got.Attempts[0].At); wait < 2*time.Minute {
		t.Fatalf("next attempt %s after a 429 asking for 120 s; want at least that", wait)
	}
	if !strings.Contains(got.Reason, "answered 429 Too Many Requests; retry 1 of 3 in 2m0s") {
		t.Fatalf("reason %q", got.Reason)
	}
}

// A delivery held by a long Send must not keep the worker from retrying
// others when they fall due.
func TestWorkerIsNotHeldUpByASlowSend(t *testing.T) {
	s := openStore(t, t.TempDir())
	slow := newReceiver(t, 200)
	arrived, release := make(chan struct{}), make(chan struct{})
	slow.hook = func(n int, w http.ResponseWriter, r *http.Request) bool {
		close(arrived)
		<-release
		return false
	}
	quick := newReceiver(t, 500, 200)
	q := deliver.New(s, deliver.Options{})
	q.Start(context.Background())
	defer q.Stop()

	held := post(slow.URL, `{}`)
	held.Timeout = time.Minute
	errc := make(chan error, 1)
	go func() { errc <- q.Send(context.Background(), held) }()
	<-arrived

	d := post(quick.URL, `{}`)
	d.Retry = fast
	done := waitFor(t, q, func(x *app.Delivery) bool { return x.ID == d.ID && x.State == app.Delivered })
	if err := q.Enqueue(d); err != nil {
		t.Fatal(err)
	}
	got := done() // its retry came due while the slow one was still waiting
	if !slices.Equal(statuses(got), []int{500, 200}) {
		t.Fatalf("statuses %v", statuses(got))
	}
	release <- struct{}{}
	if err := <-errc; err != nil || held.State != app.Delivered {
		t.Fatalf("slow send: %v %s", err, held.State)
	}
}
