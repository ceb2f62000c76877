package tunnel

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary play helper programs in child processes.
func TestMain(m *testing.M) {
	switch os.Getenv("HOOKLENS_TUNNEL_HELPER") {
	case "chisel-server":
		runChiselServer()
		return
	case "cloudflared-provider":
		runCloudflaredProvider()
		return
	}
	os.Exit(m.Run())
}

// local is a real HTTP listener on 127.0.0.1 that records the raw bytes of
// every connection, answers probes through its Prober and every other
// request with 200 "stored <n>".
type local struct {
	addr   string
	prober *Prober
	srv    *http.Server
	hooks  chan []byte // raw bytes of each connection that carried a stored request
	logs   *lockedLog
}

type rawConn struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *rawConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.buf.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

func (c *rawConn) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

type rawListener struct{ net.Listener }

func (l rawListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rawConn{Conn: c}, nil
}

type connKey struct{}

func newLocal(t *testing.T) *local {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &local{addr: ln.Addr().String(), prober: NewProber(), hooks: make(chan []byte, 16), logs: &lockedLog{}}
	n := 0
	var mu sync.Mutex
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		c := r.Context().Value(connKey{}).(*rawConn)
		mu.Lock()
		n++
		id := n
		mu.Unlock()
		l.hooks <- c.bytes()
		fmt.Fprintf(w, "stored %d", id)
	})
	l.srv = &http.Server{
		Handler:     l.prober.Wrap(hook),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) },
	}
	go l.srv.Serve(rawListener{ln})
	t.Cleanup(func() { l.srv.Close() })
	return l
}

func (l *local) Local() Local { return Local{Addr: l.addr, Logf: l.logs.logf} }

type lockedLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLog) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// binaryBody has every byte value, CR LF pairs and a NUL run.
func binaryBody() []byte {
	var b []byte
	for i := 0; i < 256; i++ {
		b = append(b, byte(i))
	}
	b = append(b, "\r\n\r\n\x00\x00\x00\xff\xfe"...)
	return append(b, bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 300)...)
}

// rawRequest is a webhook as a sender writes it: header case as sent,
// repeated headers, a binary body.
func rawRequest(host string) []byte {
	body := binaryBody()
	head := "POST /github/push?delivery=7f3a&x=%20y HTTP/1.1\r\n" +
		"Host: " + host + "\r\n" +
		"User-Agent: GitHub-Hookshot/044aadd\r\n" +
		"X-GitHub-Event: push\r\n" +
		"x-hub-signature-256: sha256=0b1fc3b1e1d2a3f4\r\n" +
		"X-Repeat: one\r\n" +
		"x-repeat: two\r\n" +
		"X-REPEAT: three\r\n" +
		"X-MiXeD-CaSe:   spaced value  \r\n" +
		"Content-Type: application/octet-stream\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(body)) +
		"Connection: close\r\n\r\n"
	return append([]byte(head), body...)
}

// sendRaw writes req to addr and returns the whole answer.
func sendRaw(t *testing.T, addr string, req []byte) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial the public side %s: %v", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Write(req); err != nil {
		t.Fatalf("write the request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// checkByteExact sends the raw webhook to the public side at addr and
// checks the listener received exactly those bytes.
func checkByteExact(t *testing.T, l *local, addr string) {
	t.Helper()
	req := rawRequest(addr)
	answer := sendRaw(t, addr, req)
	if !strings.HasPrefix(answer, "200 stored") {
		t.Fatalf("answer through the tunnel = %q, want 200 stored", answer)
	}
	select {
	case got := <-l.hooks:
		if !bytes.Equal(got, req) {
			t.Fatalf("the listener received %d bytes that differ from the %d sent:\n got %q\nwant %q", len(got), len(req), trim(got), trim(req))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the listener")
	}
}

func trim(b []byte) []byte {
	if len(b) > 600 {
		return b[:600]
	}
	return b
}

// statuses collects a Supervisor's reports.
type statuses struct {
	ch  chan Status
	mu  sync.Mutex
	all []Status
}

func newStatuses() *statuses { return &statuses{ch: make(chan Status, 1000)} }

func (s *statuses) on(st Status) {
	s.mu.Lock()
	s.all = append(s.all, st)
	s.mu.Unlock()
	select {
	case s.ch <- st:
	default:
	}
}

// waitFor returns the first status in state, failing after limit.
func (s *statuses) waitFor(t *testing.T, state State, limit time.Duration) Status {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case st := <-s.ch:
			if st.State == state {
				return st
			}
			if st.State == Failed && state != Failed {
				t.Fatalf("supervisor failed while waiting for %s: %s", state, st)
			}
		case <-deadline:
			s.mu.Lock()
			defer s.mu.Unlock()
			var lines []string
			for _, st := range s.all {
				lines = append(lines, st.String())
			}
			t.Fatalf("no %s status within %s; statuses:\n%s", state, limit, strings.Join(lines, "\n"))
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	a, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func hostPort(t *testing.T, publicURL string) string {
	t.Helper()
	u, err := ParsePublicURL(publicURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func sprintf(f string, a ...any) string { return fmt.Sprintf(f, a...) }

// log writes every status line reported so far to the test log.
func (s *statuses) log(t *testing.T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.all {
		t.Log(st.String())
	}
}
