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

// FuzzLaneAgreesWithNetHTTP sends the same bytes on one connection to a
// listener with the lane and to one without: the answers (Date and event
// ids aside) and the events recorded must be the same, whatever the bytes,
// so the lane never reads a request differently from net/http (a request
// smuggled past one of them, a head taken from a body).
func FuzzLaneAgreesWithNetHTTP(f *testing.F) {
	for _, s := range []string{
		"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"POST /d HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc",
		"GET /f HTTP/1.1\nHost: h\nX: a\n  b\n\n",
		"GET /g HTTP/1.1\r\nHost: h\r\nX: a\r\n  b\r\n\r\n",
		"GET /h HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\nGET /i HTTP/1.0\r\n\r\n",
		"GET /j HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n",
		"GET /k HTTP/1.1\r\n\r\n",
		"GET http://h/l HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /m HTTP/1.1\r\nHost: h h\r\n\r\n",
		"GET /n HTTP/1.1\r\nHo st: h\r\n\r\n",
		"GET /o\x00 HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /p HTTP/1.1\r\nHost: h\r\nX: \x01\r\n\r\n",
		"get /q HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /r HTTP/1.2\r\nHost: h\r\n\r\n",
		"GET /s HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab",
		"\r\nGET /t HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nu",
		"GET /v%zz HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /w HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /z HTTP/1.1\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	lane, plain := start(f, nil, Config{}), startNoLane(f, nil, Config{})
	talk := func(t *testing.T, h *harness, in []byte) string {
		c := h.dial(t)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write(in)
		c.(interface{ CloseWrite() error }).CloseWrite()
		out, _ := io.ReadAll(c)
		// net/http itself answers bytes that end before a request line does
		// with this 400 or with nothing, depending on how they were read (a
		// kept-alive connection's background read takes the end of input
		// as the end of the connection): the answers before it are compared.
		out = bytes.TrimSuffix(out, []byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"))
		return dateLine.ReplaceAllString(string(out), "Date: -\r\n")
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4096 {
			return
		}
		for _, h := range []*harness{lane, plain} {
			h.rec.mu.Lock()
			h.rec.next = 0 // the same ids on both
			h.rec.mu.Unlock()
		}
		l0, p0 := len(lane.rec.all()), len(plain.rec.all())
		got, want := talk(t, lane, in), talk(t, plain, in)
		if got != want {
			t.Fatalf("for %q\nthe lane answered\n%q\nnet/http answers\n%q", in, got, want)
		}
		le, pe := lane.rec.all()[l0:], plain.rec.all()[p0:]
		if len(le) != len(pe) {
			t.Fatalf("for %q the lane recorded %d events, net/http %d", in, len(le), len(pe))
		}
		for i := range le {
			l, p := le[i], pe[i]
			if !slices.Equal(l.Headers, p.Headers) || !bytes.Equal(l.Body, p.Body) || l.Host != p.Host ||
				l.Method != p.Method || l.Path != p.Path || l.Query != p.Query || l.Proto != p.Proto || l.Size != p.Size {
				t.Fatalf("for %q the lane recorded\n%+v\nnet/http\n%+v", in, l, p)
			}
		}
	})
}

// A connection that sends nothing has ReadHeaderTimeout to start its first
// request, as under net/http; between requests it may wait IdleTimeout.
func TestLaneTimesOutSilentConnections(t *testing.T) {
	h := start(t, nil, Config{ReadHeaderTimeout: 300 * time.Millisecond, IdleTimeout: 5 * time.Second})
	silent := h.dial(t)
	t0 := time.Now()
	if n, err := silent.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes from a connection that sent nothing", n)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Fatalf("a connection that sent nothing was closed after %v, want about 300ms", d)
	}
	kept := h.dial(t)
	br := bufio.NewReader(kept)
	io.WriteString(kept, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
	readReply(t, br, "GET")
	time.Sleep(time.Second) // past ReadHeaderTimeout, within IdleTimeout
	io.WriteString(kept, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
	if got := readReply(t, br, "GET"); got.status != 200 {
		t.Fatalf("second request on a kept-alive connection: %d", got.status)
	}
}
