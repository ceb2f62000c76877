// Package capture is Hooklens's embedded HTTP listener: it accepts any request
// on any path, records it exactly as it arrived (headers in wire order, body
// bytes as sent) through an app.Recorder, and answers only after the event is
// committed, following the response rule of the endpoint the path names.
package capture

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hooklens/hooklens/app"
)

// Endpoints finds the endpoint a request path names, and lists them all
// for diagnosing a signature made with another endpoint's key.
type Endpoints interface {
	Endpoint(slug string) (app.Endpoint, error) // app.ErrNotFound when none
	Endpoints() ([]app.Endpoint, error)
}

// Forwarder relays events to their endpoint's forward_to; app/deliver's
// Forwarder is the one Hooklens uses.
type Forwarder interface {
	// Plan is the forward of e to store with it (nil when ep has none, or
	// forwards with the reply).
	Plan(e *app.Event, ep *app.Endpoint) (*app.Delivery, error)
	// Queued says planned forwards were stored and can be sent.
	Queued()
	// Relay forwards e while the sender waits, for endpoints with
	// ForwardReply, and returns the app's answer; link ties the forward's
	// record to e once e is stored.
	Relay(ctx context.Context, e *app.Event, ep *app.Endpoint) (resp app.Response, link func(id uint64), err error)
}

// Config tunes the listener. Zero fields take the defaults below.
type Config struct {
	Addr           string // default "127.0.0.1:8790"
	MaxBody        int64  // default 10 MiB; larger bodies get 413 and are kept truncated
	TruncatedKeep  int64  // default 64 KiB: how much of a too-large body is kept
	MaxHeaderBytes int    // default 64 KiB

	// Memory for request bodies held at once (see flight.go; each body
	// counts twice): default 128 MiB; a request over it waits up to
	// InFlightWait (default 2s), then gets 503.
	MaxInFlight  int64
	InFlightWait time.Duration

	ReadHeaderTimeout time.Duration // default 10s
	ReadTimeout       time.Duration // default 60s, the whole request including its body
	WriteTimeout      time.Duration // default 60s, from the end of the headers to the end of the reply (plus any rule delay)
	IdleTimeout       time.Duration // default 120s between keep-alive requests

	// Forward relays events to their endpoint's forward_to. When nil,
	// endpoints are answered by their response rule and nothing is forwarded.
	Forward Forwarder

	// Intercept sees each request first and answers it itself when it
	// returns true (a tunnel probe); such requests are never recorded.
	Intercept func(w http.ResponseWriter, r *http.Request) bool

	// PublicURL is the address senders were given (a tunnel's), for
	// signature schemes that sign the URL; nil or "" rebuilds it from the
	// request.
	PublicURL func() string

	// Diagnose runs after the answer is written for an event whose verdict
	// (verify.JudgeQuick) is neither valid nor unsigned: it judges again
	// with the costly search for the sender's mistake; nil means
	// verify.Judge. A different verdict is saved when the Recorder is also
	// a VerdictSetter.
	Diagnose func(e *app.Event, ep *app.Endpoint) app.Verdict

	// Logf reports what the listener could not tell a client; default log.Printf.
	Logf func(format string, args ...any)
}

// Defaults.
const (
	DefaultAddr           = "127.0.0.1:8790"
	DefaultMaxBody        = 10 << 20
	DefaultTruncatedKeep  = 64 << 10
	DefaultMaxHeaderBytes = 64 << 10
)

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.TruncatedKeep <= 0 {
		c.TruncatedKeep = DefaultTruncatedKeep
	}
	if c.TruncatedKeep > c.MaxBody {
		c.TruncatedKeep = c.MaxBody
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.InFlightWait <= 0 {
		c.InFlightWait = DefaultInFlightWait
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = 10 * time.Second
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 60 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 60 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 120 * time.Second
	}
	if c.Logf == nil {
		c.Logf = log.Printf
	}
	return c
}

// ErrAddrInUse is wrapped by Start's error when another process holds the port.
var ErrAddrInUse = errors.New("address already in use")

type addrInUseError struct {
	addr string
	err  error
}

func (e *addrInUseError) Error() string {
	host, port, err := net.SplitHostPort(e.addr)
	if err != nil || host == "" {
		return fmt.Sprintf("address %s is in use: pass --addr 127.0.0.1:0 or stop the other process", e.addr)
	}
	return fmt.Sprintf("port %s on %s is in use: pass --addr 127.0.0.1:0 or stop the other process", port, host)
}

func (e *addrInUseError) Unwrap() []error { return []error{ErrAddrInUse, e.err} }

// Server is the listener. Create it with New.
type Server struct {
	rec       app.Recorder
	eps       Endpoints
	cfg       Config
	flight    *flight
	capturing atomic.Bool

	mu   sync.Mutex
	srv  *http.Server
	url  string
	addr string        // the bound address, host:port
	done chan struct{} // closed when Serve returns

	// The lane (lane.go) serves the connections ln accepts, until it hands
	// them to srv; accepted is closed when it stops accepting. noLane
	// leaves every connection to srv (tests compare the two).
	lane     *lane
	ln       net.Listener
	accepted chan struct{}
	noLane   bool

	// fresh holds the connections accepted that have not sent a byte yet:
	// net/http's Shutdown waits five seconds for them, so Shutdown closes
	// them first (they carry no request to lose).
	fresh sync.Map // net.Conn -> struct{}
}

// New returns a listener that records into rec and looks endpoints up in eps
// (which may be nil: then no path names an endpoint). It captures from the
// start; it does not listen until Start.
func New(rec app.Recorder, eps Endpoints, cfg Config) *Server {
	s := &Server{rec: rec, eps: eps, cfg: cfg.withDefaults()}
	s.flight = newFlight(s.cfg.MaxInFlight, s.cfg.InFlightWait)
	s.capturing.Store(true)
	return s
}

// Handler serves requests the way the listener does. Served by anything but
// Start (httptest, say), it cannot see the bytes on the wire, so headers come
// from net/http's map: Host first, the rest sorted, names canonicalised.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// SetCapturing pauses (false) or resumes (true) capture. While paused every
// request is answered 503 and nothing is recorded.
func (s *Server) SetCapturing(on bool) { s.capturing.Store(on) }

// Capturing reports whether requests are being recorded.
func (s *Server) Capturing() bool { return s.capturing.Load() }

// Start listens on the configured address and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return fmt.Errorf("listener already started on %s: shut it down first", s.url)
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		if addrInUse(err) {
			return &addrInUseError{addr: s.cfg.Addr, err: err}
		}
		return fmt.Errorf("cannot listen on %s: %w", s.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ConnContext:       connContext,
		ConnState:         s.trackConn,
		// OPTIONS * is captured like any request, not answered by net/http.
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     log.New(logWriter(s.cfg.Logf), "", 0),
	}
	s.srv = srv
	s.url = "http://" + dialable(ln.Addr())
	s.addr = ln.Addr().String()
	s.done = make(chan struct{})
	// A header block is at most MaxHeaderBytes plus the 4 KiB net/http allows
	// over it, and sits within one bufio read of the handler's start; 64 KiB
	// more leaves ample room.
	rl := recListener{Listener: ln, keep: s.cfg.MaxHeaderBytes + 64<<10}
	s.lane, s.ln, s.accepted = nil, ln, nil
	if !s.noLane {
		s.lane = newLane(s, ln.Addr())
		rl.Listener = s.lane.handoff
		s.accepted = make(chan struct{})
		go func(l *lane, accepted chan struct{}) {
			defer close(accepted)
			l.accept(ln)
		}(s.lane, s.accepted)
	}
	go func(done chan struct{}, url string) {
		defer close(done)
		if err := srv.Serve(rl); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logf("hooklens listener on %s stopped: %v", url, err)
		}
	}(s.done, s.url)
	return nil
}

// Addr is the address the listener is bound to (host:port), "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL is the listener's base URL, such as http://127.0.0.1:8790, with the
// real port when Addr asked for port 0. It is "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Shutdown stops listening and waits for requests in flight to be answered,
// or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done, l, ln, accepted := s.srv, s.done, s.lane, s.ln, s.accepted
	s.srv, s.url, s.lane, s.ln = nil, "", nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if l != nil {
		ln.Close()
		<-accepted
		l.shutdown(ctx)
	}
	s.fresh.Range(func(c, _ any) bool {
		c.(net.Conn).Close()
		return true
	})
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stopping the listener: %w", err)
	}
	<-done
	return nil
}

// trackConn keeps fresh up to date from net/http's connection states. It
// runs on every request of a kept-alive connection (active, then idle), so
// the common transitions touch no lock: idle means the connection left new
// long ago, and deleting an absent key from a sync.Map is a read.
func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		s.fresh.Store(c, struct{}{})
	case http.StateIdle:
	default: // active, closed, hijacked
		s.fresh.Delete(c)
	}
}

func addrInUse(err error) bool {
	var se syscall.Errno
	if !errors.As(err, &se) {
		return false
	}
	// 10048 is WSAEADDRINUSE, what Windows reports.
	return se == syscall.EADDRINUSE || se == 10048
}

// dialable turns a listening address into one a client can reach: a
// wildcard host becomes loopback.
func dialable(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := ta.IP
	if ip == nil || ip.IsUnspecified() {
		// Listening on every interface (":8790" gives "[::]") includes IPv4
		// loopback on a dual-stack host, the address most tools reach.
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ta.Port))
}

type logWriter func(format string, args ...any)

func (f logWriter) Write(p []byte) (int, error) {
	f("%s", trimNewline(p))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
