package deliver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/hooklens/hooklens/app"
)

// Forwarder relays captured events to their endpoint's forward_to through
// the queue: both modes live here. Plain forwards are built by Plan and
// stored by the recorder in the same transaction as their event, so an
// acknowledged event's forward survives a crash and resumes, at least once;
// the worker sends them with the queue's bounded parallelism. Reply forwards
// (ForwardReply) run while the sender waits (Relay).
type Forwarder struct {
	q *Queue

	mu   sync.Mutex
	self []string // host:port forms of the listener's own address
}

// NewForwarder forwards through q.
func NewForwarder(q *Queue) *Forwarder { return &Forwarder{q: q} }

// SetListenerAddr tells the forwarder where the listener is, so that a
// forward_to pointing back at it is refused instead of looping.
func (f *Forwarder) SetListenerAddr(addr string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return
	}
	hosts := []string{host}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		hosts = []string{"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"}
		if ip.IsUnspecified() {
			if addrs, err := net.InterfaceAddrs(); err == nil {
				for _, a := range addrs {
					if n, ok := a.(*net.IPNet); ok {
						hosts = append(hosts, n.IP.String())
					}
				}
			}
		}
	}
	self := make([]string, 0, len(hosts))
	for _, h := range hosts {
		self = append(self, net.JoinHostPort(h, port))
	}
	f.mu.Lock()
	f.self = self
	f.mu.Unlock()
}

// ErrForwardLoop is wrapped by CheckTarget's error when forward_to is the
// listener itself.
var ErrForwardLoop = errors.New("forward loop")

// CheckTarget refuses a forward_to that points at the listener itself.
func (f *Forwarder) CheckTarget(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return nil // app.CheckURL reports it
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	hp := net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.self {
		if s == hp {
			return fmt.Errorf("%w: forward-to %s is this Hooklens's own listener; every event would be forwarded to itself: point it at your app instead", ErrForwardLoop, app.RedactURL(raw))
		}
	}
	return nil
}

// Plan is the forward delivery of e to ep's forward_to, for the recorder to
// store with e (nil when ep does not forward, or forwards with the reply).
// It is left unsent until the worker picks it up after the commit.
func (f *Forwarder) Plan(e *app.Event, ep *app.Endpoint) (*app.Delivery, error) {
	if ep == nil || ep.ForwardTo == "" || ep.ForwardReply {
		return nil, nil
	}
	if err := f.CheckTarget(ep.ForwardTo); err != nil {
		return nil, err
	}
	d := f.delivery(e, ep.ForwardTo)
	if err := f.q.ready(d); err != nil {
		return nil, fmt.Errorf("cannot forward: %w", err)
	}
	return d, nil
}

// Queued wakes the worker after the recorder has stored planned forwards.
func (f *Forwarder) Queued() { f.q.poke() }

// Relay forwards e to ep's forward_to while the sender waits and returns the
// app's answer; the forward is recorded as a delivery, linked to e by link
// once e has its id.
func (f *Forwarder) Relay(ctx context.Context, e *app.Event, ep *app.Endpoint) (resp app.Response, link func(id uint64), err error) {
	if err := f.CheckTarget(ep.ForwardTo); err != nil {
		return app.Response{}, nil, err
	}
	d, resp, err := f.q.forward(ctx, f.delivery(e, ep.ForwardTo))
	link = func(id uint64) {
		if d != nil && d.ID != 0 {
			f.q.link(d, id)
		}
	}
	return resp, link, err
}

func (f *Forwarder) delivery(e *app.Event, to string) *app.Delivery {
	req := app.RequestFrom(e)
	req.URL = to
	req.Headers = req.Headers.With(app.Headers{{Name: app.HopHeader, Value: strconv.Itoa(app.Hops(e.Headers) + 1)}})
	return &app.Delivery{EventID: e.ID, Kind: app.KindForward, Request: req, Timeout: ForwardTimeout}
}
