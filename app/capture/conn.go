package capture

import (
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/hooklens/hooklens/app"
)

// net/http hands handlers a Header map, which loses the order, the repeats'
// interleaving and the spelling of header names. To capture them as sent, the
// listener wraps every connection in a recConn that keeps the bytes the server
// reads; the handler then finds its own request's header block in them.

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
	return &recConn{Conn: c, keep: l.keep}, nil
}

// recConn records the bytes read from a connection. Only bytes that a later
// header search may still need are kept: everything before consumed is
// dropped (the heads and bodies of requests already handled), and at most
// keep bytes are held, so a long chunked body streams through without
// piling up.
type recConn struct {
	net.Conn
	keep int

	// mu guards the fields below: net/http reads from a background goroutine
	// while a handler runs.
	mu       sync.Mutex
	data     []byte // data[start:] is the kept bytes
	start    int
	base     int64 // absolute stream offset of data[start]
	end      int64 // absolute stream offset just past the last byte read
	consumed int64 // bytes before this offset are no longer needed
}

func (c *recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.record(p[:n])
	}
	return n, err
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

func (c *recConn) record(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	from := c.end
	c.end += int64(len(b))
	if c.end <= c.consumed {
		return // all body bytes of a request already located
	}
	if from < c.consumed {
		b = b[c.consumed-from:]
		from = c.consumed
	}
	if len(b) >= c.keep {
		// One read larger than everything we keep: only its tail matters.
		from += int64(len(b) - c.keep)
		b = b[len(b)-c.keep:]
		c.data, c.start = c.data[:0], 0
	}
	if c.start == len(c.data) {
		c.data, c.start = c.data[:0], 0
		c.base = from
	}
	if len(c.data)+len(b) > cap(c.data) && c.start > 0 {
		// Reuse the space of dropped bytes before growing the array.
		n := copy(c.data, c.data[c.start:])
		c.data, c.start = c.data[:n], 0
	}
	c.data = append(c.data, b...)
	if over := len(c.data) - c.start - c.keep; over > 0 {
		c.start += over
		c.base += int64(over)
	}
}

// consumeLocked drops kept bytes before off and skips bytes up to off still
// to come. c.mu must be held.
func (c *recConn) consumeLocked(off int64) {
	if off <= c.consumed {
		return
	}
	c.consumed = off
	if drop := off - c.base; drop > 0 {
		kept := int64(len(c.data) - c.start)
		if drop > kept {
			drop = kept
		}
		c.start += int(drop)
		c.base += drop
	}
}

// head finds r's header block among the bytes read since the previous
// request and marks it, and the body when its length is declared, consumed.
// A chunked body stays in the stream; the next search passes over it.
func (c *recConn) head(r *http.Request) (app.Headers, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	buf := c.data[c.start:]
	h, end, ok := findHead(buf, r)
	if !ok {
		return nil, false
	}
	off := c.base + int64(end)
	if r.ContentLength > 0 {
		off += r.ContentLength
	}
	c.consumeLocked(off)
	return h, true
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
