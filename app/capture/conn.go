package capture

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hooklens/hooklens/app"
)

// net/http hands handlers a Header map, which loses the order, the repeats'
// interleaving and the spelling of header names. To capture them as sent, the
// listener wraps every connection in a recConn that follows the HTTP/1.x
// framing of the bytes the server reads: each request's head is cut out of
// the stream exactly where that request begins, its body (declared length
// or chunks) is skipped by count, and the trailers after a chunked body are
// kept. Nothing inside a body is ever taken for a head, every byte is looked
// at once, and at most one head (or chunk-size line, or trailer block) is
// held.

// recListener wraps accepted connections in recConns.
type recListener struct {
	net.Listener
	keep int
}

func (l recListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recConn{Conn: c, t: tracker{keep: l.keep}}, nil
}

// recConn records the heads of the requests read from a connection.
type recConn struct {
	net.Conn

	// mu guards t: net/http reads from a background goroutine while a
	// handler runs.
	mu sync.Mutex
	t  tracker
	// readAt is when the last bytes read were fed to t, with timings on
	// (app.StageParse runs from there to the handler).
	readAt time.Time
}

func (c *recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		t := app.StageStart()
		c.mu.Lock()
		c.t.feed(p[:n])
		c.readAt = app.StageEnd(app.StageHead, t, 0)
		c.mu.Unlock()
	}
	return n, err
}

// parsedSince is when net/http started parsing the request now at the
// handler: the end of the last read (zero with timings off).
func (c *recConn) parsedSince() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readAt
}

// CloseWrite lets net/http half-close the connection before closing it after
// an early reply (such as a 413), so the client reads the reply instead of a
// connection reset. net/http only does this when the conn has CloseWrite.
func (c *recConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// head returns r's head as it arrived: the oldest head read whose request
// line is r's and whose headers agree with what net/http parsed. Heads
// before it (requests net/http refused without calling a handler) are
// dropped.
func (c *recConn) head(r *http.Request) (*wireHead, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.t.heads) > 0 {
		h := c.t.heads[0]
		c.t.heads[0] = nil
		c.t.heads = c.t.heads[1:]
		if h.method == r.Method && h.target == r.RequestURI && h.proto == r.Proto {
			return h, agrees(h.headers, r.Header)
		}
	}
	return nil, false
}

// trailers returns the trailer fields that followed h's chunked body, once
// the body has been read to its end.
func (c *recConn) trailers(h *wireHead) app.Headers {
	c.mu.Lock()
	defer c.mu.Unlock()
	return h.trailers
}

// wireHead is one request's head as it arrived.
type wireHead struct {
	method, target, proto string
	headers               app.Headers
	trailers              app.Headers // after a chunked body
}

// Framing states.
const (
	stHead      = iota // gathering a request line and header block
	stFixed            // skipping a body of declared length
	stChunkSize        // gathering a chunk-size line
	stChunkData        // skipping chunk data
	stChunkEnd         // the line end after chunk data
	stTrailer          // gathering the trailer block
	stOpaque           // the rest of the connection is not HTTP/1 (HTTP/2 preface)
)

// maxQueued bounds the heads read ahead of their handlers (pipelining).
const maxQueued = 64

// tracker follows the HTTP/1.x framing of one connection's bytes.
type tracker struct {
	keep  int // at most this many bytes of one head, line or trailer block
	state int
	buf   []byte // the head, line or trailer block being gathered
	line  int    // where buf's current line starts
	left  int64  // bytes of the body or chunk still to skip
	cur   *wireHead
	heads []*wireHead
	lost  bool  // the framing could not be followed: no more heads are found
	work  int64 // bytes looked at, for the linearity test
}

func (t *tracker) feed(b []byte) {
	for len(b) > 0 && !t.lost {
		switch t.state {
		case stFixed, stChunkData:
			n := int(min(t.left, int64(len(b))))
			t.left -= int64(n)
			b = b[n:]
			if t.left == 0 {
				if t.state == stFixed {
					t.state = stHead
				} else {
					t.state = stChunkEnd
				}
			}
		case stOpaque:
			return
		default:
			if t.state == stHead && len(t.buf) == 0 {
				// Line ends before a request line are ignored, as net/http does.
				for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
					b = b[1:]
					t.work++
				}
				if len(b) == 0 {
					return
				}
			}
			i := bytes.IndexByte(b, '\n')
			n := len(b)
			if i >= 0 {
				n = i + 1
			}
			t.work += int64(n)
			if len(t.buf)+n > t.keep {
				t.lost = true // net/http refuses it too (431 or 400)
				t.buf = nil
				return
			}
			t.buf = append(t.buf, b[:n]...)
			b = b[n:]
			if i < 0 {
				return
			}
			t.endLine()
		}
	}
}

// endLine acts on the line just completed at the end of buf.
func (t *tracker) endLine() {
	ln := t.buf[t.line:]
	empty := len(ln) == 1 || len(ln) == 2 && ln[0] == '\r'
	switch t.state {
	case stHead, stTrailer:
		if !empty {
			t.line = len(t.buf)
			return
		}
		if t.state == stHead {
			t.endHead()
		} else {
			if h, _, err := parseHeaderBlock(t.buf); err == nil && t.cur != nil {
				t.cur.trailers = h
			}
			t.cur = nil
			t.state = stHead
		}
	case stChunkSize:
		s, _, _ := bytes.Cut(bytes.TrimRight(ln, "\r\n"), []byte{';'})
		size, err := strconv.ParseInt(strings.TrimSpace(string(s)), 16, 64)
		switch {
		case err != nil || size < 0:
			t.lost = true
		case size == 0:
			t.state = stTrailer
		default:
			t.left, t.state = size, stChunkData
		}
	case stChunkEnd:
		if !empty {
			t.lost = true
		}
		t.state = stChunkSize
	}
	t.buf, t.line = t.buf[:0], 0
}

// endHead parses the head in buf, queues it and sets up its body's framing
// the way net/http reads it.
func (t *tracker) endHead() {
	head := string(t.buf) // the request line and headers are substrings of it
	nl := strings.IndexByte(head, '\n')
	reqLine := strings.TrimSuffix(head[:nl], "\r")
	method, rest, ok1 := strings.Cut(reqLine, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	h, _, err := parseHeaderText(head[nl+1:])
	if !ok1 || !ok2 || err != nil {
		t.lost = true
		return
	}
	wh := &wireHead{method: method, target: target, proto: proto, headers: h}
	if len(t.heads) == maxQueued {
		t.heads = t.heads[1:]
	}
	t.heads = append(t.heads, wh)
	t.state = stHead
	if method == "PRI" && target == "*" && proto == "HTTP/2.0" {
		t.state = stOpaque
		return
	}
	major, minor, _ := http.ParseHTTPVersion(proto)
	te := h.Values("Transfer-Encoding")
	if len(te) > 0 && (major > 1 || major == 1 && minor >= 1) {
		if !strings.EqualFold(strings.TrimSpace(te[len(te)-1]), "chunked") {
			t.lost = true // net/http answers 501 and closes
			return
		}
		t.cur, t.state = wh, stChunkSize
		return
	}
	if cl := h.Get("Content-Length"); cl != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64)
		if err != nil || n < 0 {
			t.lost = true
			return
		}
		if n > 0 {
			t.left, t.state = n, stFixed
		}
	}
}

type connKey struct{}

// connContext puts the recording conn into each request's context.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*recConn); ok {
		return context.WithValue(ctx, connKey{}, rc)
	}
	return ctx
}

func connFrom(ctx context.Context) *recConn {
	rc, _ := ctx.Value(connKey{}).(*recConn)
	return rc
}
