package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/store"
)

// localBackend is api.Backend over the store this process holds: what the
// running instance serves on its socket, and what a command uses when no
// instance runs.
type localBackend struct {
	st *store.Store
	q  *deliver.Queue
	fw *deliver.Forwarder // nil when no listener runs in this process
	// listening is the listener's URL, "" when none runs here.
	listening func() string
	// publicURL is the tunnel's public URL, "" when none.
	publicURL func() string
	// prober sends tunnel probes; nil when no listener runs here.
	prober *tunnel.Prober
}

var _ api.Backend = (*localBackend)(nil)

func (b *localBackend) Events(p app.Page) ([]app.EventSummary, error) { return b.st.Events(p) }
func (b *localBackend) Event(id uint64) (*app.Event, error)           { return b.st.Event(id) }
func (b *localBackend) Endpoints() ([]app.Endpoint, error)            { return b.st.Endpoints() }
func (b *localBackend) Deliveries(p app.DeliveryPage) ([]app.DeliverySummary, error) {
	return b.st.Deliveries(p)
}
func (b *localBackend) Delivery(id uint64) (*app.Delivery, error) { return b.st.Delivery(id) }

func (b *localBackend) public() string {
	if b.publicURL == nil {
		return ""
	}
	return b.publicURL()
}

// SaveEndpoint validates with app.Endpoint.Validate, refuses a forward to
// the listener itself, stores, and re-judges with verify.Rejudge.
func (b *localBackend) SaveEndpoint(ep app.Endpoint) (verify.Rejudged, error) {
	if err := ep.Validate(); err != nil {
		return verify.Rejudged{}, fmt.Errorf("%w: %v", api.ErrInvalid, err)
	}
	if b.fw != nil && ep.ForwardTo != "" {
		if err := b.fw.CheckTarget(ep.ForwardTo); err != nil {
			return verify.Rejudged{}, fmt.Errorf("%w: %v", api.ErrInvalid, err)
		}
	}
	if err := b.st.PutEndpoint(ep); err != nil {
		return verify.Rejudged{}, err
	}
	rj, err := verify.Rejudge(b.st, ep.Slug, &ep, b.public())
	if err != nil {
		return rj, fmt.Errorf("endpoint %s is saved, but re-judging its events failed: %w", ep.Slug, err)
	}
	return rj, nil
}

func (b *localBackend) Send(ctx context.Context, d *app.Delivery) error {
	err := b.q.Send(ctx, d)
	var inv *deliver.InvalidError
	if errors.As(err, &inv) {
		return fmt.Errorf("%w: %v", api.ErrInvalid, err) // the caller's to fix: exit 2
	}
	return err
}

func (b *localBackend) Wait(ctx context.Context, m api.Match) (*app.Event, error) {
	return api.WaitFor(ctx, b.st, m)
}

func (b *localBackend) Judge(id uint64) (verify.Report, error) {
	e, err := b.st.Event(id)
	if err != nil {
		return verify.Report{}, err
	}
	var ep *app.Endpoint
	if e.Endpoint != "" {
		if x, err := b.st.Endpoint(e.Endpoint); err == nil {
			ep = &x
		}
	}
	return verify.Judge(e, ep, b.st, b.public()), nil
}

func (b *localBackend) Status() (api.Status, error) {
	st := api.Status{Data: b.st.Path(), PID: os.Getpid()}
	if b.listening != nil {
		st.Listening = b.listening()
	}
	return st, nil
}

// apiServer is the local API the assembly serves.
type apiServer = api.Server

// startAPI serves the assembly's store and queue on the data dir's socket.
// A data dir whose socket path is too long (or a file system without Unix
// sockets) only loses the API: it is logged, not fatal.
func startAPI(h *Hooklens) (*apiServer, error) {
	lb := &localBackend{st: h.Store, q: h.Queue, fw: h.Forwarder, publicURL: h.PublicURL, prober: h.Prober, listening: func() string {
		if h.Listener == nil {
			return ""
		}
		return h.Listener.URL()
	}}
	srv, err := api.Listen(filepath.Dir(h.Store.Path()), lb, h.cfg.Logf)
	if err != nil {
		h.cfg.Logf("hooklens: %v", err)
		return nil, nil
	}
	return srv, nil
}

// CheckTunnel probes publicURL once: reachable only when the nonce arrived
// at this listener.
func (b *localBackend) CheckTunnel(ctx context.Context, publicURL string) (tunnel.Result, error) {
	if b.prober == nil {
		return tunnel.Result{}, fmt.Errorf("%w: no listener runs here to receive the probe", api.ErrInvalid)
	}
	if _, err := tunnel.ParsePublicURL(publicURL); err != nil {
		return tunnel.Result{}, fmt.Errorf("%w: %v", api.ErrInvalid, err)
	}
	return b.prober.Check(ctx, publicURL), nil
}

// Import judges events with verify.Judge and stores them in one
// transaction (exchange.Import).
func (b *localBackend) Import(ctx context.Context, source string, events []*app.Event) (exchange.Result, error) {
	return exchange.Import(ctx, b.st, events, exchange.Options{Source: source, PublicURL: b.public()})
}

// Skipped is how many unreadable records listings have left out.
func (b *localBackend) Skipped() int64 { return b.st.Skipped() }
