package capture

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// startNoLane is start with every connection served by net/http.
func startNoLane(t testing.TB, eps Endpoints, cfg Config) *harness {
	t.Helper()
	h := &harness{rec: newMemRecorder(), log: &testLog{}}
	cfg.Addr = "127.0.0.1:0"
	cfg.Logf = h.log.logf
	h.srv = New(h.rec, eps, cfg)
	h.srv.noLane = true
	if err := h.srv.Start(); err != nil {
		t.Fatal(err)
	}
	h.url = h.srv.URL()
	t.Cleanup(func() { h.srv.Shutdown(t.Context()) })
	return h
}

// exchange writes raw to a new connection and returns the bytes of the n
// responses read back, with the Date values blanked.
func exchange(t *testing.T, h *harness, raw string, methods ...string) string {
	t.Helper()
	c := h.dial(t)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	br := bufio.NewReader(io.TeeReader(c, &got))
	for _, m := range methods {
		resp, err := http.ReadResponse(br, &http.Request{Method: m})
		if err != nil {
			t.Fatalf("reading the answer to %q: %v (read so far %q)", raw, err, got.String())
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	// What was read ahead of the last response's end is not part of it.
	out := got.String()
	out = out[:len(out)-br.Buffered()]
	return dateLine.ReplaceAllString(out, "Date: -\r\n")
}

var dateLine = regexp.MustCompile(`Date: [^\r]*\r\n`)

// Everything the lane serves is answered byte for byte as net/http answers
// it, and recorded the same: status lines, header order and spelling,
// Connection handling for HTTP/1.0 and close, HEAD, 204, rules, repeats,
// pipelining, a paused listener that leaves the body unread.
func TestLaneAnswersAsNetHTTPDoes(t *testing.T) {
	eps := endpointMap{
		"made":  {Slug: "made", Response: app.ResponseRule{Status: 201, Body: `{"got":"{{id}}"}`, Headers: pairs("X-Trace", "a\r\nb", "x-lower", "1", "Set-Cookie", "a=1", "Set-Cookie", "b=2")}},
		"empty": {Slug: "empty", Response: app.ResponseRule{Status: 204}},
		"text":  {Slug: "text", Response: app.ResponseRule{Status: 299, Body: "thanks {{id}}"}},
	}
	cases := []struct {
		name    string
		raw     string
		methods []string
	}{
		{"post json", "POST /hook?x=1&y=%20 HTTP/1.1\r\nHost: a.example\r\nContent-Type: application/json\r\nContent-Length: 9\r\nx-lower: v\r\nX-Dup: 1\r\nX-Dup: 2\r\nX-Tab: a\tb\r\n\r\n{\"a\":\"b\"}", []string{"POST"}},
		{"get no body", "GET /status HTTP/1.1\r\nHost: a.example\r\n\r\n", []string{"GET"}},
		{"head", "HEAD /made/x HTTP/1.1\r\nHost: a.example\r\n\r\n", []string{"HEAD"}},
		{"rule 201", "PUT /made/x HTTP/1.1\r\nHost: a.example\r\nContent-Length: 2\r\n\r\nhi", []string{"PUT"}},
		{"rule 204", "POST /empty HTTP/1.1\r\nHost: a.example\r\nContent-Length: 0\r\n\r\n", []string{"POST"}},
		{"rule text 299", "POST /text HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1\r\n\r\nz", []string{"POST"}},
		{"http/1.0", "POST /old HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", []string{"POST"}},
		{"http/1.0 keep-alive", "POST /old HTTP/1.0\r\nHost: a.example\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\na" +
			"GET /again HTTP/1.0\r\nHost: a.example\r\n\r\n", []string{"POST", "GET"}},
		{"close", "POST /bye HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\nContent-Length: 1\r\n\r\nb", []string{"POST"}},
		{"pipelined", "POST /one HTTP/1.1\r\nHost: a.example\r\nContent-Length: 1\r\n\r\n1" +
			"POST /two HTTP/1.1\r\nHost: b.example\r\nContent-Length: 2\r\n\r\n22" +
			"GET /three HTTP/1.1\r\nhost: c.example\r\n\r\n", []string{"POST", "POST", "GET"}},
		{"binary body", "POST /bin HTTP/1.1\r\nHost: a.example\r\nContent-Length: 4\r\n\r\n\x00\xff\r\n", []string{"POST"}},
	}
	lane, plain := start(t, eps, Config{}), startNoLane(t, eps, Config{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(lane.rec.all())
			got, want := exchange(t, lane, c.raw, c.methods...), exchange(t, plain, c.raw, c.methods...)
			if got != want {
				t.Fatalf("the lane answered\n%q\nnet/http answers\n%q", got, want)
			}
			le, pe := lane.rec.all()[before:], plain.rec.all()[before:]
			if len(le) != len(c.methods) || len(pe) != len(le) {
				t.Fatalf("recorded %d events through the lane, %d through net/http, want %d", len(le), len(pe), len(c.methods))
			}
			for i := range le {
				l, p := le[i], pe[i]
				if !slices.Equal(l.Headers, p.Headers) || !bytes.Equal(l.Body, p.Body) || l.Host != p.Host ||
					l.Method != p.Method || l.Path != p.Path || l.Query != p.Query || l.Proto != p.Proto || l.Size != p.Size {
					t.Fatalf("the lane recorded\n%+v\nnet/http\n%+v", l, p)
				}
			}
		})
	}
	if n := lane.srv.lane.handoffs.Load(); n != 0 {
		t.Fatalf("%d of these connections were handed to net/http; the lane serves them all", n)
	}

	// Paused: answered 503 without reading the body; the connection is
	// kept and the next request on it is served.
	lane.srv.SetCapturing(false)
	plain.srv.SetCapturing(false)
	raw := "POST /p HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\n\r\n12345GET /q HTTP/1.1\r\nHost: a.example\r\n\r\n"
	if got, want := exchange(t, lane, raw, "POST", "GET"), exchange(t, plain, raw, "POST", "GET"); got != want {
		t.Fatalf("paused: the lane answered\n%q\nnet/http answers\n%q", got, want)
	}
	// Too much body left to drop: both say they close.
	big := "POST /p HTTP/1.1\r\nHost: a.example\r\nContent-Length: 400000\r\n\r\n" + strings.Repeat("b", 400_000)
	got, want := exchange(t, lane, big, "POST"), exchange(t, plain, big, "POST")
	if got != want || !strings.Contains(got, "Connection: close") {
		t.Fatalf("paused, large body: the lane answered\n%q\nnet/http answers\n%q", got, want)
	}
}

// What the lane does not serve goes to net/http with the bytes it read,
// on the same connection: a chunked body between two plain requests, and a
// head that arrives in two pieces.
func TestLaneHandsOffWhatItDoesNotServe(t *testing.T) {
	h := start(t, nil, Config{})
	c := h.dial(t)
	br := bufio.NewReader(c)
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(c, s); err != nil {
			t.Fatal(err)
		}
	}
	send("POST /a HTTP/1.1\r\nHost: h\r\nX-First: 1\r\nContent-Length: 1\r\n\r\na")
	readReply(t, br, "POST")
	if n := h.srv.lane.handoffs.Load(); n != 0 {
		t.Fatalf("a plain request was handed off")
	}
	send("POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nx-second: 2\r\n\r\n3\r\nbbb\r\n0\r\nX-Trail: t\r\n\r\n")
	readReply(t, br, "POST")
	if n := h.srv.lane.handoffs.Load(); n != 1 {
		t.Fatalf("%d hand-offs after a chunked request, want 1", n)
	}
	send("POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nc")
	readReply(t, br, "POST")

	// Another connection: the head in two writes, apart.
	c2 := h.dial(t)
	br2 := bufio.NewReader(c2)
	io.WriteString(c2, "POST /d HTTP/1.1\r\nHost: h\r\nX-Split: ")
	time.Sleep(50 * time.Millisecond)
	io.WriteString(c2, "yes\r\nContent-Length: 1\r\n\r\nd")
	readReply(t, br2, "POST")

	evs := h.events(t, 4)
	want := []struct {
		path, body string
		headers    app.Headers
	}{
		{"/a", "a", pairs("Host", "h", "X-First", "1", "Content-Length", "1")},
		{"/b", "bbb", pairs("Host", "h", "Transfer-Encoding", "chunked", "x-second", "2")},
		{"/c", "c", pairs("Host", "h", "Content-Length", "1")},
		{"/d", "d", pairs("Host", "h", "X-Split", "yes", "Content-Length", "1")},
	}
	for i, w := range want {
		e := evs[i]
		if e.Path != w.path || string(e.Body) != w.body || !slices.Equal(e.Headers, w.headers) {
			t.Errorf("event %d: %s %q %q, want %s %q %q", i+1, e.Path, e.Body, e.Headers, w.path, w.body, w.headers)
		}
	}
	if got := evs[1].Trailers; !slices.Equal(got, pairs("X-Trail", "t")) {
		t.Errorf("trailers of the chunked request: %q", got)
	}
	if n := h.srv.lane.handoffs.Load(); n != 2 {
		t.Fatalf("%d hand-offs, want 2", n)
	}
}

// Shutdown waits for a request the lane is serving (its answer waits on the
// store) and closes the connections that wait for their next request.
func TestLaneShutdownFinishesTheRequestInFlight(t *testing.T) {
	h := start(t, nil, Config{})
	idle := h.dial(t)
	io.WriteString(idle, "GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
	readReply(t, bufio.NewReader(idle), "GET")

	h.rec.mu.Lock() // the next Record waits
	busy := h.dial(t)
	io.WriteString(busy, "POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\ns")
	time.Sleep(100 * time.Millisecond) // the request reaches Record
	done := make(chan error, 1)
	go func() { done <- h.srv.Shutdown(t.Context()) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while a request was being served", err)
	default:
	}
	// The idle connection is closed already.
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err == nil {
		t.Fatalf("the idle connection is still open (read %d bytes)", n)
	}
	h.rec.mu.Unlock()
	got := readReply(t, bufio.NewReader(busy), "POST")
	if got.status != 200 {
		t.Fatalf("the request in flight got %d", got.status)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.events(t, 2)
}

func BenchmarkLaneAgainstNetHTTP(b *testing.B) {
	for _, lane := range []bool{true, false} {
		b.Run(fmt.Sprintf("lane=%v", lane), func(b *testing.B) {
			var h *harness
			if lane {
				h = start(b, nil, Config{})
			} else {
				h = startNoLane(b, nil, Config{})
			}
			h.rec.keep = false
			c := h.dial(b)
			br := bufio.NewReader(c)
			req := "POST /hook HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nUser-Agent: bench\r\nContent-Length: 1024\r\n\r\n" + strings.Repeat("x", 1024)
			b.ResetTimer()
			for range b.N {
				io.WriteString(c, req)
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
