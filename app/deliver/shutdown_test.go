package deliver_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/deliver"
)

// An answer cut by shutdown (status line and headers in, body still coming)
// is not recorded as "answered 200": the attempt is dropped and the delivery
// resumes where it was, its retry budget untouched.
func TestAttemptCutByShutdownIsNotRecorded(t *testing.T) {
	s := openStore(t, t.TempDir())
	started := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(200)
		w.Write([]byte(strings.Repeat("a", 10)))
		w.(http.Flusher).Flush()
		started <- struct{}{}
		<-r.Context().Done() // the rest never comes
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	q := deliver.New(s, deliver.Options{})
	q.Start(context.Background())
	d := post("http://"+ln.Addr().String()+"/hook", `{"a":1}`)
	d.Retry = app.RetryPolicy{Retries: 1, Delay: time.Hour}
	if err := q.Enqueue(d); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the attempt never started")
	}
	time.Sleep(100 * time.Millisecond)
	q.Stop()
	got, err := s.Delivery(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != app.Pending || len(got.Attempts) != 0 {
		t.Fatalf("after a shutdown mid-answer: state %s, %d attempt(s) recorded (%s); want pending with none", got.State, len(got.Attempts), got.Reason)
	}
}

// A --forward-reply app answering more than Hooklens passes back gets the
// sender a 502 with the reason, never a silently cut body.
func TestRelayOfAnOversizedAnswerIsRefused(t *testing.T) {
	s := openStore(t, t.TempDir())
	big := strings.Repeat("b", deliver.MaxForwardResponse+10)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(big)) })}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	q := deliver.New(s, deliver.Options{})
	f := deliver.NewForwarder(q)
	e := &app.Event{ID: 7, Method: "POST", Body: []byte("x")}
	ep := &app.Endpoint{Slug: "dev", ForwardTo: "http://" + ln.Addr().String() + "/", ForwardReply: true}
	_, _, err = f.Relay(context.Background(), e, ep)
	if err == nil || !strings.Contains(err.Error(), "more than Hooklens passes back") {
		t.Fatalf("relay of a %d-byte answer: %v", len(big), err)
	}
}

// Deliveries to a slow receiver run a few at a time from the durable queue,
// not one goroutine and connection each.
func TestQueueBoundsConcurrentSends(t *testing.T) {
	s := openStore(t, t.TempDir())
	var mu sync.Mutex
	inflight, peak, done := 0, 0, 0
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		inflight--
		done++
		mu.Unlock()
	})}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Close()
	q := deliver.New(s, deliver.Options{})
	q.Start(context.Background())
	defer q.Stop()
	const n = 24
	for i := 0; i < n; i++ {
		if err := q.Enqueue(post("http://"+ln.Addr().String()+"/slow", `{}`)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		d := done
		mu.Unlock()
		if d == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d delivered", d, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if peak > 4 {
		t.Fatalf("%d sends ran at once; the queue allows 4", peak)
	}
}
