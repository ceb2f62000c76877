package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

func TestPostJSONIsRecordedAndAcknowledged(t *testing.T) {
	h := start(t, nil, Config{})
	body := []byte(`{"event":"order.created","data":{"id":42,"note":"caf\u00e9"}}`)
	got := post(t, h.url+"/hooks/orders?a=1&b=%20x&a=2", "application/json", body)

	if got.status != 200 || string(got.body) != `{"ok":true,"id":"1"}` {
		t.Fatalf("got %d %s, want 200 {\"ok\":true,\"id\":\"1\"}", got.status, got.body)
	}
	if ct := got.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if o := got.header.Get("Access-Control-Allow-Origin"); o != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", o)
	}
	e := h.events(t, 1)[0]
	if e.ID != 1 || e.Method != "POST" || e.Path != "/hooks/orders" || e.Query != "a=1&b=%20x&a=2" || e.Proto != "HTTP/1.1" {
		t.Errorf("recorded %d %s %s ? %s %s", e.ID, e.Method, e.Path, e.Query, e.Proto)
	}
	if !bytes.Equal(e.Body, body) || e.Size != int64(len(body)) || e.Truncated {
		t.Errorf("recorded body %q size %d truncated %v", e.Body, e.Size, e.Truncated)
	}
	host := strings.TrimPrefix(h.url, "http://")
	if e.Host != host {
		t.Errorf("Host %q, want %q", e.Host, host)
	}
	// Go's client writes Host, User-Agent, Content-Length, then the rest sorted.
	want := app.Headers{
		{Name: "Host", Value: host},
		{Name: "User-Agent", Value: "Go-http-client/1.1"},
		{Name: "Content-Length", Value: strconv.Itoa(len(body))},
		{Name: "Content-Type", Value: "application/json"},
		{Name: "Accept-Encoding", Value: "gzip"},
	}
	if !slices.Equal(e.Headers, want) {
		t.Errorf("headers\n got %q\nwant %q", e.Headers, want)
	}
	if _, port, _ := net.SplitHostPort(e.RemoteAddr); port == "" {
		t.Errorf("remote address %q has no port", e.RemoteAddr)
	}
	if e.ReceivedAt.IsZero() || time.Since(e.ReceivedAt) < 0 {
		t.Errorf("received at %v", e.ReceivedAt)
	}
	if e.Verdict.Result != app.VerdictUnsigned {
		t.Errorf("verdict %+v, want unsigned", e.Verdict)
	}
	sameResponse(t, e.Response, got)
}

func TestHeadersKeepWireOrderRepeatsAndCase(t *testing.T) {
	h := start(t, nil, Config{})
	c := h.dial(t)
	raw := "POST /order?x=1 HTTP/1.1\r\n" +
		"X-B: 1\r\n" +
		"Host: example.test\r\n" +
		"x-a: 2\r\n" +
		"Content-Length: 5\r\n" +
		"X-B: 3\r\n" +
		"X-Empty:\r\n" +
		"x-Hub-Signature-256:   sha256=abc  \r\n" +
		"x-folded: first\r\n" +
		"   second\r\n" +
		"\r\n" +
		"hello"
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	got := readReply(t, bufio.NewReader(c), "POST")
	if got.status != 200 {
		t.Fatalf("status %d %s", got.status, got.body)
	}
	e := h.events(t, 1)[0]
	want := app.Headers{
		{Name: "X-B", Value: "1"},
		{Name: "Host", Value: "example.test"},
		{Name: "x-a", Value: "2"},
		{Name: "Content-Length", Value: "5"},
		{Name: "X-B", Value: "3"},
		{Name: "X-Empty", Value: ""},
		{Name: "x-Hub-Signature-256", Value: "sha256=abc"},
		{Name: "x-folded", Value: "first second"},
	}
	if !slices.Equal(e.Headers, want) {
		t.Errorf("headers\n got %q\nwant %q", e.Headers, want)
	}
	if e.Host != "example.test" || e.Path != "/order" || e.Query != "x=1" || string(e.Body) != "hello" {
		t.Errorf("recorded host %q path %q query %q body %q", e.Host, e.Path, e.Query, e.Body)
	}
	// The default verifier detects GitHub from the header and asks for a secret.
	if e.Verdict.Result != app.VerdictUnverified || e.Verdict.Scheme != "github" || !strings.Contains(e.Verdict.Reason, "GitHub") {
		t.Errorf("verdict %+v, want unverified github asking for a secret", e.Verdict)
	}
	sameResponse(t, e.Response, got)
}

func TestKeepAliveRequestsEachGetTheirOwnHeaders(t *testing.T) {
	h := start(t, nil, Config{})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	for i := 1; i <= 3; i++ {
		body := strings.Repeat(strconv.Itoa(i), i*3000) // bodies span several reads
		req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/ka/%d", h.url, i), strings.NewReader(body))
		req.Header.Set("X-Req", strconv.Itoa(i))
		if i == 2 {
			req.Header.Set("X-Only-Second", "yes")
		}
		if got := do(t, client, req); got.status != 200 {
			t.Fatalf("request %d: %d %s", i, got.status, got.body)
		}
	}
	evs := h.events(t, 3)
	for i, e := range evs {
		n := strconv.Itoa(i + 1)
		if e.Path != "/ka/"+n || e.Headers.Get("X-Req") != n || string(e.Body) != strings.Repeat(n, (i+1)*3000) {
			t.Errorf("event %d: path %s X-Req %q body %d bytes", i+1, e.Path, e.Headers.Get("X-Req"), len(e.Body))
		}
		if got := e.Headers.Values("X-Only-Second"); (i == 1) != (len(got) == 1) {
			t.Errorf("event %d has X-Only-Second %q", i+1, got)
		}
		if e.RemoteAddr != evs[0].RemoteAddr {
			t.Errorf("event %d came from %s, event 1 from %s: keep-alive not used", i+1, e.RemoteAddr, evs[0].RemoteAddr)
		}
	}
}

func TestPipelinedRequestsOnOneConnection(t *testing.T) {
	h := start(t, nil, Config{})
	c := h.dial(t)
	// The chunked body holds a copy of the third request line with other
	// headers: the search for request 3's head must pass over it.
	fake := "POST /p3 HTTP/1.1\r\nHost: h\r\nX-Fake: yes\r\n\r\n"
	raw := "POST /p1 HTTP/1.1\r\nHost: h\r\nX-N: 1\r\nContent-Length: 3\r\n\r\none" +
		"POST /p2 HTTP/1.1\r\nHost: h\r\nX-N: 2\r\nTransfer-Encoding: chunked\r\n\r\n" +
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(fake), fake) +
		"POST /p3 HTTP/1.1\r\nHost: h\r\nX-N: 3\r\nContent-Length: 5\r\n\r\nthree" +
		"GET /p4?q HTTP/1.1\r\nHost: h\r\nX-N: 4\r\n\r\n"
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for i := 1; i <= 4; i++ {
		if got := readReply(t, br, "POST"); got.status != 200 || string(got.body) != fmt.Sprintf(`{"ok":true,"id":"%d"}`, i) {
			t.Fatalf("reply %d: %d %s", i, got.status, got.body)
		}
	}
	evs := h.events(t, 4)
	want := []app.Headers{
		pairs("Host", "h", "X-N", "1", "Content-Length", "3"),
		pairs("Host", "h", "X-N", "2", "Transfer-Encoding", "chunked"),
		pairs("Host", "h", "X-N", "3", "Content-Length", "5"),
		pairs("Host", "h", "X-N", "4"),
	}
	bodies := []string{"one", fake, "three", ""}
	for i, e := range evs {
		if !slices.Equal(e.Headers, want[i]) {
			t.Errorf("request %d headers\n got %q\nwant %q", i+1, e.Headers, want[i])
		}
		if string(e.Body) != bodies[i] {
			t.Errorf("request %d body %q, want %q", i+1, e.Body, bodies[i])
		}
	}
	if evs[3].Method != "GET" || evs[3].Path != "/p4" || evs[3].Query != "q" {
		t.Errorf("request 4 is %s %s ? %s", evs[3].Method, evs[3].Path, evs[3].Query)
	}
}

func TestBinaryAndGzipBodiesAreStoredAsSent(t *testing.T) {
	h := start(t, nil, Config{})
	bin := make([]byte, 0, 4096)
	for i := range 4096 {
		bin = append(bin, byte(i*7+i/256)) // every byte value, invalid UTF-8 included
	}
	bin = append(bin, 0xff, 0xfe, 0x00, '\r', '\n', '\r', '\n')
	post(t, h.url+"/bin", "application/octet-stream", bin)

	plain := []byte(strings.Repeat(`{"compressed":true}`, 100))
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(plain)
	zw.Close()
	req, _ := http.NewRequest("POST", h.url+"/gz", bytes.NewReader(zb.Bytes()))
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Content-Type", "application/json")
	do(t, http.DefaultClient, req)

	evs := h.events(t, 2)
	if !bytes.Equal(evs[0].Body, bin) || app.IsText(evs[0].Body) {
		t.Errorf("binary body changed: %d bytes stored, %d sent", len(evs[0].Body), len(bin))
	}
	if !bytes.Equal(evs[1].Body, zb.Bytes()) {
		t.Errorf("gzip body not stored as sent")
	}
	dec, enc, err := app.DecodedBody(evs[1].Headers, evs[1].Body, app.MaxDecodedBody)
	if err != nil || enc != "gzip" || !bytes.Equal(dec, plain) {
		t.Errorf("decoded gzip body: enc %q err %v equal %v", enc, err, bytes.Equal(dec, plain))
	}
}

func TestOversizedBodyIsAnswered413AndKeptTruncated(t *testing.T) {
	h := start(t, nil, Config{})
	big := make([]byte, 11<<20)
	for i := range big {
		big[i] = byte(i % 251)
	}
	cases := []struct {
		name     string
		body     io.Reader
		wantSize func(int64) bool
	}{
		{"content-length", bytes.NewReader(big), func(n int64) bool { return n == int64(len(big)) }},
		// No length: Go's client sends it chunked. The size is what was read
		// before giving up.
		{"chunked", struct{ io.Reader }{bytes.NewReader(big)}, func(n int64) bool { return n > DefaultMaxBody && n <= int64(len(big)) }},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.url+"/big", tc.body)
			client := &http.Client{Transport: &http.Transport{}}
			got := do(t, client, req)
			want := fmt.Sprintf(`{"ok":false,"error":"body larger than 10 MiB","id":"%d"}`, i+1)
			if got.status != 413 || string(got.body) != want {
				t.Fatalf("got %d %s, want 413 %s", got.status, got.body, want)
			}
			if got.header.Get("Connection") != "close" {
				t.Errorf("Connection %q, want close", got.header.Get("Connection"))
			}
			e := h.events(t, i+1)[i]
			if !e.Truncated || !bytes.Equal(e.Body, big[:64<<10]) || !tc.wantSize(e.Size) {
				t.Errorf("truncated %v, body %d bytes (first 64 KiB: %v), size %d", e.Truncated, len(e.Body), bytes.Equal(e.Body, big[:64<<10]), e.Size)
			}
			if te := e.Headers.Get("Transfer-Encoding"); (tc.name == "chunked") != (te == "chunked") {
				t.Errorf("Transfer-Encoding %q", te)
			}
			sameResponse(t, e.Response, got)
		})
	}
}

func TestEndpointResponseRule(t *testing.T) {
	eps := endpointMap{"orders": {
		Slug: "orders",
		Response: app.ResponseRule{
			Status:  202,
			Headers: app.Headers{{Name: "X-Custom", Value: "one"}, {Name: "x-custom", Value: "two"}, {Name: "Content-Type", Value: "application/vnd.test+json"}},
			Body:    `{"accepted":"{{id}}","again":"{{id}}"}`,
			Delay:   80 * time.Millisecond,
		},
	}}
	h := start(t, eps, Config{})

	post(t, h.url+"/other/x", "text/plain", []byte("not an endpoint"))
	began := time.Now()
	got := post(t, h.url+"/orders/new?src=test", "application/json", []byte(`{}`))
	waited := time.Since(began)
	exact := post(t, h.url+"/orders", "application/json", []byte(`{}`))

	if got.status != 202 || string(got.body) != `{"accepted":"2","again":"2"}` {
		t.Fatalf("got %d %s", got.status, got.body)
	}
	if v := got.header.Values("X-Custom"); !slices.Equal(v, []string{"one", "two"}) {
		t.Errorf("X-Custom %q", v)
	}
	if ct := got.header.Get("Content-Type"); ct != "application/vnd.test+json" {
		t.Errorf("Content-Type %q: the rule's header should replace the default", ct)
	}
	if waited < 80*time.Millisecond { // a timer never fires early
		t.Errorf("answered after %v, before the rule's 80ms delay", waited)
	}
	if exact.status != 202 {
		t.Errorf("/orders answered %d, want the rule's 202", exact.status)
	}
	evs := h.events(t, 3)
	if evs[0].Endpoint != "" || evs[0].Response.Status != 200 {
		t.Errorf("/other: endpoint %q status %d", evs[0].Endpoint, evs[0].Response.Status)
	}
	if evs[1].Endpoint != "orders" || evs[2].Endpoint != "orders" {
		t.Errorf("endpoints %q %q, want orders", evs[1].Endpoint, evs[2].Endpoint)
	}
	sameResponse(t, evs[1].Response, got)
	sameResponse(t, evs[2].Response, exact)
}

func TestDelayedAnswerStopsWhenClientLeaves(t *testing.T) {
	eps := endpointMap{"slow": {Slug: "slow", Response: app.ResponseRule{Delay: time.Hour}}}
	h := start(t, eps, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", h.url+"/slow", strings.NewReader("x"))
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); len(h.rec.all()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("request never recorded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("client error %v, want canceled", err)
	}
	// Shutdown waits for handlers: it returns only if the delay was abandoned.
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := h.srv.Shutdown(sctx); err != nil {
		t.Fatalf("handler still waiting out its delay: %v", err)
	}
}

func TestPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	s := New(newMemRecorder(), nil, Config{Addr: addr})
	err = s.Start()
	if err == nil {
		s.Shutdown(context.Background())
		t.Fatal("Start succeeded on a port in use")
	}
	want := "port " + port + " on 127.0.0.1 is in use: pass --addr 127.0.0.1:0 or stop the other process"
	if err.Error() != want {
		t.Errorf("error %q\nwant  %q", err, want)
	}
	if !errors.Is(err, ErrAddrInUse) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("error %v does not wrap ErrAddrInUse and EADDRINUSE", err)
	}
	if s.URL() != "" {
		t.Errorf("URL %q after a failed start", s.URL())
	}
}

func TestURLNamesTheRealPort(t *testing.T) {
	h := start(t, nil, Config{})
	u := h.srv.URL()
	host, port, err := net.SplitHostPort(strings.TrimPrefix(u, "http://"))
	if err != nil || host != "127.0.0.1" || port == "0" || !strings.HasPrefix(u, "http://") {
		t.Fatalf("URL %q", u)
	}
	if got := post(t, u+"/", "text/plain", []byte("x")); got.status != 200 {
		t.Fatalf("POST to %s: %d", u, got.status)
	}
}

func TestPausedCaptureAnswers503AndRecordsNothing(t *testing.T) {
	h := start(t, nil, Config{})
	h.srv.SetCapturing(false)
	if h.srv.Capturing() {
		t.Fatal("still capturing after SetCapturing(false)")
	}
	got := post(t, h.url+"/hook", "application/json", []byte(`{"a":1}`))
	if got.status != 503 || string(got.body) != `{"ok":false,"error":"capture paused in Hooklens"}` {
		t.Fatalf("paused: got %d %s", got.status, got.body)
	}
	h.events(t, 0)
	h.srv.SetCapturing(true)
	got = post(t, h.url+"/hook", "application/json", []byte(`{"a":2}`))
	if got.status != 200 || string(got.body) != `{"ok":true,"id":"1"}` {
		t.Fatalf("resumed: got %d %s", got.status, got.body)
	}
	if e := h.events(t, 1)[0]; string(e.Body) != `{"a":2}` {
		t.Errorf("recorded %q", e.Body)
	}
}

func TestStoreFailureIsNotAcknowledged(t *testing.T) {
	h := start(t, nil, Config{})
	h.rec.setFail(errors.New("disk full"))
	got := post(t, h.url+"/hook", "application/json", []byte(`{}`))
	if got.status != 500 || string(got.body) != `{"ok":false,"error":"could not store the request: disk full"}` {
		t.Fatalf("got %d %s", got.status, got.body)
	}
	h.events(t, 0)
}

// slowWrite sends s one byte at a time until the connection breaks.
func slowWrite(c net.Conn, s string, every time.Duration) {
	for i := range len(s) {
		if _, err := c.Write([]byte{s[i]}); err != nil {
			return
		}
		time.Sleep(every)
	}
}

// cutOff waits for the server to close c and returns what it sent first.
func cutOff(t *testing.T, c net.Conn) string {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(15 * time.Second)); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if isTimeout(err) {
		t.Fatal("the server never cut the slow client off")
	}
	return string(b)
}

func TestSlowHeadersAreCutOff(t *testing.T) {
	h := start(t, nil, Config{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	c := h.dial(t)
	go slowWrite(c, "POST /slow HTTP/1.1\r\nHost: h\r\nX-Padding: "+strings.Repeat("a", 200)+"\r\n\r\n", 100*time.Millisecond)
	if got := cutOff(t, c); strings.Contains(got, " 200 ") {
		t.Errorf("slow client got an answer: %q", got)
	}
	h.events(t, 0)
}

func TestSlowBodyIsCutOff(t *testing.T) {
	h := start(t, nil, Config{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	c := h.dial(t)
	if _, err := io.WriteString(c, "POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	go slowWrite(c, strings.Repeat("b", 100), 100*time.Millisecond)
	if got := cutOff(t, c); strings.Contains(got, " 200 ") {
		t.Errorf("slow client got an answer: %q", got)
	}
	h.events(t, 0)
}

func TestHandlerOutsideStartFallsBackToSortedHeaders(t *testing.T) {
	rec := newMemRecorder()
	ts := httptest.NewServer(New(rec, nil, Config{}).Handler())
	defer ts.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/x", strings.NewReader("body"))
	req.Header.Set("X-Z", "z")
	req.Header.Set("X-A", "a")
	got := do(t, http.DefaultClient, req)
	if got.status != 200 {
		t.Fatalf("status %d", got.status)
	}
	e := rec.all()[0]
	names := make([]string, len(e.Headers))
	for i, x := range e.Headers {
		names[i] = x.Name
	}
	want := []string{"Host", "Accept-Encoding", "Content-Length", "User-Agent", "X-A", "X-Z"}
	if !slices.Equal(names, want) || string(e.Body) != "body" {
		t.Errorf("headers %q body %q", names, e.Body)
	}
}

func TestHeadAndNoContentAnswers(t *testing.T) {
	eps := endpointMap{"empty": {Slug: "empty", Response: app.ResponseRule{Status: 204}}}
	h := start(t, eps, Config{})
	req, _ := http.NewRequest("HEAD", h.url+"/anything", nil)
	head := do(t, http.DefaultClient, req)
	nc := post(t, h.url+"/empty", "application/json", []byte(`{}`))
	evs := h.events(t, 2)
	if head.status != 200 || len(head.body) != 0 {
		t.Errorf("HEAD: %d %q", head.status, head.body)
	}
	if nc.status != 204 || len(nc.body) != 0 {
		t.Errorf("204 rule: %d %q", nc.status, nc.body)
	}
	sameResponse(t, evs[0].Response, head)
	sameResponse(t, evs[1].Response, nc)
}

func TestSplitURI(t *testing.T) {
	for _, tc := range []struct{ uri, path, query string }{
		{"/a/b?x=1&y", "/a/b", "x=1&y"},
		{"/a%2Fb?q=%41?more", "/a%2Fb", "q=%41?more"},
		{"/", "/", ""},
		{"*", "*", ""},
		{"http://example.com/p/q?z", "/p/q", "z"},
		{"http://example.com?z", "/", "z"},
		{"https://example.com", "/", ""},
		{"example.com:443", "example.com:443", ""},
	} {
		if p, q := splitURI(tc.uri); p != tc.path || q != tc.query {
			t.Errorf("splitURI(%q) = %q, %q; want %q, %q", tc.uri, p, q, tc.path, tc.query)
		}
	}
}

func TestHTTP10AndAbsoluteFormRequests(t *testing.T) {
	h := start(t, endpointMap{"ep": {Slug: "ep"}}, Config{})
	c := h.dial(t)
	br := bufio.NewReader(c)
	// HTTP/1.0 with keep-alive, then an absolute-form target on the same
	// connection, then a plain HTTP/1.0 request the server closes after.
	io.WriteString(c, "POST /one HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n1")
	r1 := readReply(t, br, "POST")
	io.WriteString(c, "GET http://example.test/ep/two?z=1 HTTP/1.1\r\nHost: example.test\r\n\r\n")
	r2 := readReply(t, br, "GET")
	io.WriteString(c, "GET /three HTTP/1.0\r\n\r\n")
	r3 := readReply(t, br, "GET")
	evs := h.events(t, 3)
	for i, r := range []reply{r1, r2, r3} {
		if r.status != 200 {
			t.Errorf("request %d: %d %s", i+1, r.status, r.body)
		}
		sameResponse(t, evs[i].Response, r)
	}
	if evs[0].Proto != "HTTP/1.0" || !slices.Equal(evs[0].Headers, pairs("Connection", "keep-alive", "Content-Length", "1")) {
		t.Errorf("request 1: %s %q", evs[0].Proto, evs[0].Headers)
	}
	if evs[1].Path != "/ep/two" || evs[1].Query != "z=1" || evs[1].Endpoint != "ep" || evs[1].Host != "example.test" {
		t.Errorf("request 2: path %q query %q endpoint %q host %q", evs[1].Path, evs[1].Query, evs[1].Endpoint, evs[1].Host)
	}
	if len(evs[2].Headers) != 0 || evs[2].Path != "/three" {
		t.Errorf("request 3: %s headers %q", evs[2].Path, evs[2].Headers)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("connection still open after a plain HTTP/1.0 request: %v", err)
	}
}

// A client that opened a connection and sent nothing does not hold up a
// stop: Shutdown closes it at once instead of net/http's five-second wait,
// while a request in progress still gets its answer.
func TestShutdownDoesNotWaitForConnectionsThatSentNothing(t *testing.T) {
	h := start(t, nil, Config{})
	idle := h.dial(t)
	resp, err := http.Post(h.url+"/before", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a silent connection open: %v", err)
	}
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the silent connection is still open after Shutdown (%v)", err)
	}
	h.events(t, 1)
}
