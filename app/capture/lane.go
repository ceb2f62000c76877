package capture

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/hooklens/hooklens/app"
)

// The lane is the listener's own reader for the requests webhooks almost
// always are: HTTP/1.x, origin-form target, a Content-Length body (or none),
// no Expect, no Upgrade, the whole head in the first bytes read. For those it
// parses the head once (net/http would parse it, and recConn again, to get
// the wire order), gives the handler the headers as they came, reads the
// body straight into the event and writes the answer in one write, with no
// goroutine or timer per request.
//
// Every other request (chunked bodies and trailers, Expect: 100-continue,
// heads larger than MaxHeaderBytes or arriving in pieces, anything
// malformed, the HTTP/2 preface, an endpoint that relays or delays its
// answer) hands its connection, with the bytes read and not yet used, to
// net/http, which serves it from then on, as it serves everything when the
// lane is off. What net/http refuses is refused the same way, and what the
// lane answers is byte for byte what net/http sends (lane_test.go).

// laneBuf is what a connection reads at once: a head must fit in it (a
// larger one goes to net/http). Webhook heads are a few hundred bytes to
// 2 KiB; a body's bytes past the buffer are read straight into the event.
const laneBuf = 8 << 10

// laneDrain is how much of a body the handler left unread is read and
// dropped to keep the connection, as net/http does.
const laneDrain = 256 << 10

// laneLinger is how long a connection closed with a body still arriving
// goes on reading it, so the client reads the answer instead of a reset
// (net/http waits as long).
const laneLinger = 500 * time.Millisecond

// Connection states, for Shutdown.
const (
	laneIdle   = iota // between requests (or before the first): closed by Shutdown
	laneActive        // serving a request: Shutdown waits for it
	laneClosed        // closed by Shutdown
)

// lane serves connections until they are handed off.
type lane struct {
	s       *Server
	handoff *handoffListener

	mu      sync.Mutex
	conns   map[*laneConn]struct{}
	closing bool
	wg      sync.WaitGroup

	handoffs atomic.Int64 // connections handed to net/http
}

type laneConn struct {
	c      net.Conn
	state  atomic.Int32
	remote string
	buf    []byte // read from c: buf[r:w] is not used yet
	r, w   int
	out    []byte
	// When the current deadlines run out; they are moved only when they
	// would cut a little short, so most requests set none.
	readBy, writeBy time.Time
	writeTimeout    time.Duration
}

func newLane(s *Server, addr net.Addr) *lane {
	return &lane{s: s, handoff: newHandoffListener(addr), conns: map[*laneConn]struct{}{}}
}

// accept serves the connections ln accepts until it is closed.
func (l *lane) accept(ln net.Listener) {
	var wait time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: try again, as
			// net/http does, rather than stop listening.
			wait = min(max(2*wait, 5*time.Millisecond), time.Second)
			l.s.cfg.Logf("hooklens: accepting a connection: %v; retrying in %v", err, wait)
			time.Sleep(wait)
			continue
		}
		wait = 0
		lc := &laneConn{c: c, remote: c.RemoteAddr().String(), writeTimeout: l.s.cfg.WriteTimeout}
		l.mu.Lock()
		if l.closing {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.conns[lc] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.serve(lc)
	}
}

// shutdown closes the idle connections and waits for the others to finish
// the request they serve, or for ctx to end (then they are closed).
func (l *lane) shutdown(ctx context.Context) {
	l.mu.Lock()
	l.closing = true
	for lc := range l.conns {
		if lc.state.CompareAndSwap(laneIdle, laneClosed) {
			lc.c.Close()
		}
	}
	l.mu.Unlock()
	done := make(chan struct{})
	go func() {
		l.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		l.mu.Lock()
		for lc := range l.conns {
			lc.c.Close()
		}
		l.mu.Unlock()
		<-done
	}
}

func (l *lane) isClosing() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closing
}

func (l *lane) forget(lc *laneConn) {
	l.mu.Lock()
	delete(l.conns, lc)
	l.mu.Unlock()
	l.wg.Done()
}

// serve reads requests from lc until the connection closes or is handed
// off.
func (l *lane) serve(lc *laneConn) {
	defer l.forget(lc)
	s := l.s
	defer func() {
		// A panic ends this connection only, as it would under net/http.
		if p := recover(); p != nil {
			s.cfg.Logf("hooklens: serving %s: %v\n%s", lc.remote, p, debug.Stack())
			lc.c.Close()
		}
	}()
	lc.buf = make([]byte, laneBuf)
	fresh := true
	for {
		if lc.r == lc.w {
			lc.r, lc.w = 0, 0
			if l.isClosingNow(lc) {
				return
			}
			// The first request has ReadHeaderTimeout to come, as under
			// net/http; later ones IdleTimeout.
			wait := s.cfg.IdleTimeout
			if fresh {
				wait, fresh = s.cfg.ReadHeaderTimeout, false
			}
			within(&lc.readBy, wait, lc.c.SetReadDeadline)
			n, _ := lc.c.Read(lc.buf)
			if n == 0 { // closed, timed out or shut down
				lc.c.Close()
				return
			}
			lc.w = n
		}
		readAt := time.Now()
		pending := lc.buf[lc.r:lc.w]
		end := bytes.Index(pending, crlf2)
		if end < 0 {
			// Not all of it here (or not HTTP/1 as the lane reads it).
			l.giveUp(lc)
			return
		}
		end += len(crlf2)
		req, headers, ep, ok := s.laneRequest(lc, pending[:end])
		if !ok {
			l.giveUp(lc)
			return
		}
		if !lc.state.CompareAndSwap(laneIdle, laneActive) {
			return // closed by Shutdown meanwhile
		}
		lc.r += end
		body := &laneBody{lc: lc, left: req.ContentLength, by: readAt.Add(s.cfg.ReadTimeout)}
		req.Body = body
		w := &laneWriter{lc: lc, r: req, rb: body}
		if s.cfg.Intercept == nil || !s.cfg.Intercept(w, req) {
			s.capture(w, req, arrival{received: readAt, headers: headers, ep: ep, epRead: true})
		}
		w.finish()
		closeAfter := w.close || req.Close
		if !closeAfter && body.left > 0 {
			if body.left > laneDrain || !body.drop() {
				closeAfter = true
			}
		}
		if closeAfter {
			lc.linger(body.left > 0)
			lc.state.Store(laneClosed)
			return
		}
		if !lc.state.CompareAndSwap(laneActive, laneIdle) {
			return
		}
	}
}

// isClosingNow closes lc when Shutdown has begun (it is idle).
func (l *lane) isClosingNow(lc *laneConn) bool {
	if !l.isClosing() {
		return false
	}
	if lc.state.CompareAndSwap(laneIdle, laneClosed) {
		lc.c.Close()
	}
	return true
}

// giveUp hands lc to net/http with the bytes not used yet.
func (l *lane) giveUp(lc *laneConn) {
	l.handoffs.Add(1)
	lc.c.SetReadDeadline(time.Time{})
	lc.c.SetWriteDeadline(time.Time{})
	rc := &replayConn{Conn: lc.c, pre: bytes.Clone(lc.buf[lc.r:lc.w])}
	if !lc.state.CompareAndSwap(laneIdle, laneClosed) || !l.handoff.give(rc) {
		lc.c.Close()
	}
}

var crlf2 = []byte("\r\n\r\n")

// laneRequest parses head (request line, headers, the empty line) into a
// request, or says the lane leaves it to net/http.
func (s *Server) laneRequest(lc *laneConn, head []byte) (*http.Request, app.Headers, *app.Endpoint, bool) {
	if len(head) > s.cfg.MaxHeaderBytes {
		return nil, nil, nil, false
	}
	text := string(head) // the head's strings are substrings of this one
	nl := strings.IndexByte(text, '\n')
	line := text[:nl]
	if !strings.HasSuffix(line, "\r") {
		return nil, nil, nil, false
	}
	line = line[:len(line)-1]
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || !app.IsHeaderName(method) || method == "PRI" || method == http.MethodConnect {
		return nil, nil, nil, false
	}
	var minor int
	switch proto {
	case "HTTP/1.1":
		minor = 1
	case "HTTP/1.0":
	default:
		return nil, nil, nil, false
	}
	if len(target) == 0 || target[0] != '/' || !plainTarget(target) {
		return nil, nil, nil, false
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, nil, nil, false
	}
	headers, n, err := parseHeaderText(text[nl+1:])
	if err != nil || nl+1+n != len(text) {
		// An empty line ended in a bare LF before the CRLF CRLF found:
		// net/http ends the head there.
		return nil, nil, nil, false
	}
	var host string
	hosts, lengths := 0, 0
	cl := int64(0)
	hasClose, keepAlive := false, false
	for _, h := range headers {
		if !httpguts.ValidHeaderFieldName(h.Name) || !httpguts.ValidHeaderFieldValue(h.Value) {
			return nil, nil, nil, false
		}
		switch {
		case strings.EqualFold(h.Name, "Host"):
			host, hosts = h.Value, hosts+1
		case strings.EqualFold(h.Name, "Content-Length"):
			// Digits only, as net/http reads it.
			n, err := strconv.ParseUint(h.Value, 10, 63)
			if err != nil || int64(n) > s.cfg.MaxBody {
				return nil, nil, nil, false
			}
			cl, lengths = int64(n), lengths+1
		case strings.EqualFold(h.Name, "Connection"):
			for _, t := range strings.Split(h.Value, ",") {
				switch t = strings.TrimSpace(t); {
				case strings.EqualFold(t, "close"):
					hasClose = true
				case strings.EqualFold(t, "keep-alive"):
					keepAlive = true
				case t != "":
					return nil, nil, nil, false // upgrade and the like
				}
			}
		case strings.EqualFold(h.Name, "Transfer-Encoding"), strings.EqualFold(h.Name, "Expect"),
			strings.EqualFold(h.Name, "Upgrade"), strings.EqualFold(h.Name, "Trailer"):
			return nil, nil, nil, false
		}
	}
	if hosts > 1 || lengths > 1 || hosts == 0 && minor == 1 || !httpguts.ValidHostHeader(host) || minor == 0 && hasClose && keepAlive {
		return nil, nil, nil, false
	}
	path, _ := splitURI(target)
	ep := s.endpoint(path)
	if ep != nil && (ep.Response.Delay > 0 || ep.ForwardReply && ep.ForwardTo != "") {
		// A relay or a delayed answer waits on the client's connection
		// in ways net/http follows (its context ends when the client
		// leaves).
		return nil, nil, nil, false
	}
	r := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         proto,
		ProtoMajor:    1,
		ProtoMinor:    minor,
		Host:          host,
		RemoteAddr:    lc.remote,
		RequestURI:    target,
		ContentLength: cl,
		// When net/http closes after the answer (its shouldClose).
		Close: hasClose || minor == 0 && !keepAlive,
		// Header stays nil: the handler reads the headers as sent.
	}
	return r, headers, ep, true
}

// plainTarget says whether a request target has no control bytes or
// spaces.
func plainTarget(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// within moves a deadline, which runs out at *by, to d from now, unless it
// is there already or a little (d/64) short of it: most requests set none.
func within(by *time.Time, d time.Duration, set func(time.Time) error) {
	want := time.Now().Add(d)
	if by.Before(want.Add(-d/64)) || by.After(want) {
		*by = want
		set(want)
	}
}

// linger closes lc; with a body still arriving it stops writing first and
// reads what comes for a moment, so the client gets the answer, not a reset.
func (lc *laneConn) linger(unread bool) {
	if unread {
		if cw, ok := lc.c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
			lc.c.SetReadDeadline(time.Now().Add(laneLinger))
			io.Copy(io.Discard, lc.c)
		}
	}
	lc.c.Close()
}

// laneBody is a request's body: the bytes read with the head first, then
// the connection, never past the body's end.
type laneBody struct {
	lc   *laneConn
	left int64
	by   time.Time // the request's read deadline
	set  bool
}

func (b *laneBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	lc := b.lc
	if lc.r < lc.w {
		n := copy(p, lc.buf[lc.r:lc.w])
		lc.r += n
		b.left -= int64(n)
		return n, nil
	}
	if !b.set {
		b.set = true
		lc.readBy = b.by
		lc.c.SetReadDeadline(b.by)
	}
	n, err := lc.c.Read(p)
	b.left -= int64(n)
	if err == io.EOF && b.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *laneBody) Close() error { return nil }

// drop reads the rest of the body and throws it away.
func (b *laneBody) drop() bool {
	_, err := io.Copy(io.Discard, b)
	return err == nil && b.left == 0
}

// laneWriter is the http.ResponseWriter of a lane request. The capture
// handler hands it whole answers (writeResponse), written in one write;
// anything else (a tunnel probe's answer) is gathered and written by finish
// with the headers net/http would add.
type laneWriter struct {
	lc     *laneConn
	r      *http.Request
	rb     *laneBody // the request's body
	h      http.Header
	status int
	body   []byte
	sent   bool
	close  bool
}

func (w *laneWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}

func (w *laneWriter) WriteHeader(status int) {
	if w.status == 0 && !w.sent {
		w.status = status
	}
}

func (w *laneWriter) Write(p []byte) (int, error) {
	if w.sent {
		return 0, http.ErrBodyNotAllowed
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// Flush and SetWriteDeadline are what http.ResponseController asks for.
func (w *laneWriter) Flush() {}

func (w *laneWriter) SetWriteDeadline(t time.Time) error {
	w.lc.writeBy = t
	return w.lc.c.SetWriteDeadline(t)
}

// send writes resp, whose headers are exactly those to send, in net/http's
// order (see plan.prepare).
func (w *laneWriter) send(resp app.Response) {
	if w.sent {
		return
	}
	w.sent = true
	headers := resp.Headers
	if w.rb.left > laneDrain && headers.Get("Connection") != "close" {
		// Too much body left to read it and keep the connection: net/http
		// says it closes.
		headers = closing(headers)
	}
	out := statusLine(w.lc.out[:0], w.r, resp.Status)
	for _, h := range headers {
		out = append(append(append(append(out, h.Name...), ": "...), h.Value...), "\r\n"...)
		if h.Name == "Connection" && strings.EqualFold(h.Value, "close") {
			w.close = true
		}
	}
	out = append(out, "\r\n"...)
	if w.r.Method != http.MethodHead {
		out = append(out, resp.Body...)
	}
	w.lc.out = out
	within(&w.lc.writeBy, w.lc.writeTimeout, w.lc.c.SetWriteDeadline)
	if _, err := w.lc.c.Write(out); err != nil {
		w.close = true // the client left: there is no one to tell
	}
	if cap(out) > 64<<10 {
		w.lc.out = nil
	}
}

// closing is headers with Connection: close, last, in place of any
// Connection header, where net/http writes it when it decides to close.
func closing(headers app.Headers) app.Headers {
	out := slices.DeleteFunc(slices.Clone(headers), func(h app.Header) bool { return h.Name == "Connection" })
	return append(out, app.Header{Name: "Connection", Value: "close"})
}

// finish sends what was written through the ResponseWriter methods, with
// the headers net/http adds: Content-Type sniffed from the body,
// Content-Length, Date and Connection.
func (w *laneWriter) finish() {
	if w.sent {
		return
	}
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	noBody := status == http.StatusNoContent || status == http.StatusNotModified || status < 200
	if !noBody {
		if _, ok := h["Content-Type"]; !ok && len(w.body) > 0 {
			h.Set("Content-Type", http.DetectContentType(w.body))
		}
		if h.Get("Content-Length") == "" {
			h.Set("Content-Length", strconv.Itoa(len(w.body)))
		}
	}
	if _, ok := h["Date"]; !ok {
		h.Set("Date", httpDate())
	}
	if v := connectionFor(w.r, h.Get("Connection")); v != "" {
		h.Set("Connection", v)
	}
	resp := app.Response{Status: status}
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			resp.Headers = append(resp.Headers, app.Header{Name: k, Value: lineBreaks.Replace(v)})
		}
	}
	if !noBody {
		resp.Body = w.body
	}
	w.send(resp)
}

// statusLine appends the status line net/http writes for r.
func statusLine(b []byte, r *http.Request, status int) []byte {
	if r.ProtoMinor == 0 {
		b = append(b, "HTTP/1.0 "...)
	} else {
		b = append(b, "HTTP/1.1 "...)
	}
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	if text := http.StatusText(status); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(status), 10)
	}
	return append(b, "\r\n"...)
}

// replayConn is a handed-off connection: it reads the bytes the lane read
// and did not use before the connection's.
type replayConn struct {
	net.Conn
	pre []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

func (c *replayConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// handoffListener is the listener net/http serves: it accepts the
// connections the lane hands it.
type handoffListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *handoffListener) give(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }
