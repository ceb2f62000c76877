package capture

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// memRecorder is an in-memory app.Recorder: it assigns increasing ids, calls
// finish, and keeps a copy of every event, as the real store does.
type memRecorder struct {
	mu     sync.Mutex
	next   uint64
	events []app.Event
	fail   error
	keep   bool // false in benchmarks: count, don't hold bodies
	// onRecord, when set, sees each recorded body (before it is dropped).
	onRecord func(id uint64, body []byte)
}

func newMemRecorder() *memRecorder { return &memRecorder{keep: true} }

func (m *memRecorder) Record(ctx context.Context, e *app.Event, finish func(*app.Event), forwards ...*app.Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.fail != nil {
		return m.fail
	}
	m.next++
	e.ID = m.next
	if finish != nil {
		finish(e)
	}
	if m.onRecord != nil {
		m.onRecord(e.ID, e.Body)
	}
	if m.keep {
		c := *e
		c.Headers = slices.Clone(e.Headers)
		c.Body = bytes.Clone(e.Body)
		c.Response.Headers = slices.Clone(e.Response.Headers)
		c.Response.Body = bytes.Clone(e.Response.Body)
		m.events = append(m.events, c)
	}
	return nil
}

func (m *memRecorder) all() []app.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

func (m *memRecorder) setFail(err error) {
	m.mu.Lock()
	m.fail = err
	m.mu.Unlock()
}

// endpointMap is a fixed set of endpoints by slug.
type endpointMap map[string]app.Endpoint

// Endpoints lists them, sorted by slug.
func (m endpointMap) Endpoints() ([]app.Endpoint, error) {
	out := make([]app.Endpoint, 0, len(m))
	for _, ep := range m {
		out = append(out, ep)
	}
	slices.SortFunc(out, func(a, b app.Endpoint) int { return strings.Compare(a.Slug, b.Slug) })
	return out, nil
}

// relayOnly is a Forwarder that relays with fn and plans no plain forwards.
type relayOnly func(ctx context.Context, e *app.Event, url string) (app.Response, func(uint64), error)

func (f relayOnly) Plan(*app.Event, *app.Endpoint) (*app.Delivery, error) { return nil, nil }
func (f relayOnly) Queued()                                               {}
func (f relayOnly) Relay(ctx context.Context, e *app.Event, ep *app.Endpoint) (app.Response, func(uint64), error) {
	return f(ctx, e, ep.ForwardTo)
}

func (m endpointMap) Endpoint(slug string) (app.Endpoint, error) {
	ep, ok := m[slug]
	if !ok {
		return app.Endpoint{}, fmt.Errorf("endpoint %q: %w", slug, app.ErrNotFound)
	}
	return ep, nil
}

// testLog collects the listener's log lines; it outlives the test safely,
// since net/http may log from connection goroutines after the test ends.
type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type harness struct {
	srv *Server
	rec *memRecorder
	log *testLog
	url string
}

// start runs a listener on a free loopback port for the length of the test.
// It fails the test if the listener ever had to fall back to unordered
// headers.
func start(t testing.TB, eps Endpoints, cfg Config) *harness {
	t.Helper()
	h := &harness{rec: newMemRecorder(), log: &testLog{}}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	cfg.Logf = h.log.logf
	h.srv = New(h.rec, eps, cfg)
	if err := h.srv.Start(); err != nil {
		t.Fatal(err)
	}
	h.url = h.srv.URL()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if strings.Contains(h.log.String(), "could not find the header block") {
			t.Errorf("listener fell back to unordered headers:\n%s", h.log)
		}
	})
	return h
}

func (h *harness) events(t testing.TB, want int) []app.Event {
	t.Helper()
	evs := h.rec.all()
	if len(evs) != want {
		t.Fatalf("recorded %d events, want %d: %+v", len(evs), want, evs)
	}
	return evs
}

// dial opens a raw TCP connection to the listener.
func (h *harness) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// replyOf reads resp. Go's client drops "Connection: close" from the headers
// it hands over, keeping only resp.Close; put the header back so replies
// compare with what was on the wire.
func replyOf(t testing.TB, resp *http.Response) reply {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading response body: %v", err)
	}
	if resp.Close && resp.Header.Get("Connection") == "" && resp.ProtoAtLeast(1, 1) {
		resp.Header.Set("Connection", "close")
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func readReply(t testing.TB, br *bufio.Reader, method string) reply {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return replyOf(t, resp)
}

func do(t testing.TB, c *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return replyOf(t, resp)
}

func post(t testing.TB, url, contentType string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return do(t, http.DefaultClient, req)
}

// sameResponse fails unless the stored response is what the client got:
// same status, same body, and every header the client saw, with its values.
func sameResponse(t testing.TB, stored app.Response, got reply) {
	t.Helper()
	if stored.Status != got.status {
		t.Errorf("stored status %d, client got %d", stored.Status, got.status)
	}
	if !bytes.Equal(stored.Body, got.body) {
		t.Errorf("stored body %q, client got %q", stored.Body, got.body)
	}
	storedH := http.Header{}
	for _, x := range stored.Headers {
		storedH.Add(x.Name, x.Value)
	}
	for k, vs := range got.header {
		if !slices.Equal(storedH[k], vs) {
			t.Errorf("header %s: stored %q, client got %q", k, storedH[k], vs)
		}
	}
	for k, vs := range storedH {
		if !slices.Equal(got.header[k], vs) {
			t.Errorf("header %s: stored %q, client got %q", k, vs, got.header[k])
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// pairs builds headers from name, value, name, value, ...
func pairs(kv ...string) app.Headers {
	var h app.Headers
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, app.Header{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

// SetVerdict implements VerdictSetter.
func (m *memRecorder) SetVerdict(id uint64, v app.Verdict) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.events {
		if m.events[i].ID == id {
			m.events[i].Verdict = v
			return nil
		}
	}
	return fmt.Errorf("event %d: %w", id, app.ErrNotFound)
}
