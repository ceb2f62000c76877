// Package tunnel gives Hooklens's listener a public URL: through the user's
// own reverse proxy (manual), ngrok, a cloudflared quick tunnel, an SSH
// remote forward or a chisel reverse tunnel. Whatever the provider, a
// Supervisor starts it, proves the URL reaches this listener with a Prober
// (a random nonce must arrive here), and reconnects with backoff when it
// drops.
//
// Providers that receive connections on the far side (SSH, ngrok, chisel)
// copy the raw bytes of each connection to the local listener, both ways and
// half-close aware, so capture sees exactly what the sender sent.
// Tunnelled requests therefore arrive from 127.0.0.1: nothing may trust a
// request for coming from there.
package tunnel

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Provider starts tunnels of one kind.
type Provider interface {
	// Start returns once the public URL is known (or ctx ends). The tunnel
	// runs until Close or until it drops, which Done reports.
	Start(ctx context.Context, local Local) (Tunnel, error)
	// Name is the provider's short name: manual, ngrok, cloudflared, ssh, chisel.
	Name() string
}

// Tunnel is one running tunnel.
type Tunnel interface {
	// PublicURL is the base URL the internet reaches the listener at, without
	// a trailing slash.
	PublicURL() string
	// Done is closed when the tunnel has ended, by Close or by itself.
	Done() <-chan struct{}
	// Err says why the tunnel ended by itself; nil while it runs and after Close.
	Err() error
	// Close stops the tunnel and everything it started (connections,
	// processes). It is safe to call more than once.
	Close() error
}

// Local describes the listener a tunnel leads to.
type Local struct {
	// Addr is the listener's host:port, such as 127.0.0.1:8790. Providers
	// that hand over connections dial it and copy bytes unchanged; those that
	// run a program (cloudflared) point it at http://Addr.
	Addr string
	// Serve, when set, is given the far-side listener of providers that have
	// one (SSH, ngrok) instead of piping each connection to Addr, so the
	// listener can serve it directly. Optional: piping is byte-exact too.
	Serve func(net.Listener)
	// Logf receives the providers' log lines (never secrets); default: dropped.
	Logf func(format string, args ...any)
}

func (l Local) logf(format string, args ...any) {
	if l.Logf != nil {
		l.Logf(format, args...)
	}
}

// ErrPermanent is wrapped by start errors that retrying cannot fix (a wrong
// setting, a missing program, a host key that does not match): the
// Supervisor reports them as failed instead of reconnecting.
var ErrPermanent = errors.New("retrying will not help")

type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() []error { return []error{e.err, ErrPermanent} }

// permanent marks err as one retrying cannot fix.
func permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err is one retrying cannot fix.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// base implements the bookkeeping every Tunnel shares.
type base struct {
	url  string
	done chan struct{}

	mu      sync.Mutex
	err     error
	closing bool

	endOnce   sync.Once
	closeOnce sync.Once
	stop      func() error // releases what the tunnel holds; called once
	closeErr  error
}

func newBase(url string, stop func() error) *base {
	return &base{url: url, done: make(chan struct{}), stop: stop}
}

func (b *base) PublicURL() string     { return b.url }
func (b *base) Done() <-chan struct{} { return b.done }

func (b *base) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// end marks the tunnel ended by itself with err, releases what it holds
// and closes Done. Only the first call counts; after Close it does nothing.
func (b *base) end(err error) {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return
	}
	if b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
	b.release()
}

func (b *base) release() {
	b.closeOnce.Do(func() {
		if b.stop != nil {
			b.closeErr = b.stop()
		}
	})
	b.endOnce.Do(func() { close(b.done) })
}

func (b *base) Close() error {
	b.mu.Lock()
	if !b.closing {
		b.closing = true
		select {
		case <-b.done: // ended by itself: keep its reason
		default:
			b.err = nil
		}
	}
	b.mu.Unlock()
	b.release()
	return b.closeErr
}

// forward accepts connections on ln until it fails and copies each one's
// bytes to a fresh connection to addr, unchanged. It returns the error that
// stopped Accept.
func forward(ln net.Listener, addr string, logf func(string, ...any)) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{Timeout: 10 * time.Second}
			l, err := d.Dial("tcp", addr)
			if err != nil {
				logf("tunnel: cannot reach the listener at %s: %v", addr, err)
				c.Close()
				return
			}
			pipe(c, l)
		}()
	}
}

type closeWriter interface{ CloseWrite() error }

// pipe copies a to b and b to a until both directions end; when one side
// stops sending, the other is half-closed so an answer can still come back.
func pipe(a, b net.Conn) {
	var wg sync.WaitGroup
	half := func(dst, src net.Conn) {
		defer wg.Done()
		_, err := io.Copy(dst, src)
		if cw, ok := dst.(closeWriter); ok && err == nil {
			if cw.CloseWrite() == nil {
				return
			}
		}
		// No half-close, or the copy failed: end both directions.
		dst.Close()
		src.Close()
	}
	wg.Add(2)
	go half(b, a)
	go half(a, b)
	wg.Wait()
	a.Close()
	b.Close()
}

// serveOrForward hands ln to local.Serve when set, else pipes each
// connection to local.Addr. It returns when ln fails or is closed.
func serveOrForward(ln net.Listener, local Local) error {
	if local.Serve != nil {
		local.Serve(ln)
		return net.ErrClosed
	}
	return forward(ln, local.Addr, local.logf)
}
