// Package api is Hooklens's local API: while the window or `hooklens listen`
// holds the database, the running instance serves its own command line over
// a Unix socket in the data dir (mode 0600, owner only). It is never served
// on the TCP listener, so nothing reaches it through a tunnel. The socket
// speaks plain HTTP and JSON, so `curl --unix-socket` works too:
//
//	GET  /v1/events?limit=N&offset=N    JSON lines, newest first (the `events --json` form)
//	GET  /v1/events/ID                  one event as a JSON line
//	GET  /v1/endpoints                  JSON array of endpoints (secrets masked)
//	POST /v1/endpoints                  save an endpoint (JSON body); answers {"checked":N,"changed":N}
//	GET  /v1/deliveries?limit=N&offset=N JSON lines of delivery summaries
//	GET  /v1/deliveries/ID              one delivery with its attempts
//	POST /v1/send                       run a delivery (JSON body) to its end; answers it
//	GET  /v1/wait?path=P&endpoint=S&verdict=V&timeout=30s
//	                                    the first event captured from now on that matches
//	GET  /v1/events/ID/verdict          the event judged again now, as a verify report
//	POST /v1/tunnel/check               {"url":U}: probe U once; answers {"Reachable":...}
//	POST /v1/import?source=NAME         JSON lines of events to import (all or none); answers the counts
//	GET  /v1/status                     {"listening":URL,"data":DIR,"pid":N}
package api

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/app/verify"
)

// SocketName is the local API's socket file in the data dir.
const SocketName = "hooklens.sock"

// Backend is what the command line needs of Hooklens. The running instance
// implements it over its store and queue and serves it; Client implements
// it over the socket, so a command gives the same output either way.
type Backend interface {
	Events(p app.Page) ([]app.EventSummary, error)
	Event(id uint64) (*app.Event, error)
	Endpoints() ([]app.Endpoint, error)
	// SaveEndpoint validates (app.Endpoint.Validate), stores and re-judges
	// (verify.Rejudge) an endpoint.
	SaveEndpoint(ep app.Endpoint) (verify.Rejudged, error)
	Deliveries(p app.DeliveryPage) ([]app.DeliverySummary, error)
	Delivery(id uint64) (*app.Delivery, error)
	// Send runs d to its end (delivered, failed, gone), updating it.
	Send(ctx context.Context, d *app.Delivery) error
	// Wait returns the first event captured from now on that m matches.
	Wait(ctx context.Context, m Match) (*app.Event, error)
	// Judge judges stored event id again now, against its endpoint, with
	// verify.Judge (for `hooklens verify --event`).
	Judge(id uint64) (verify.Report, error)
	// CheckTunnel probes a public URL once and says whether the probe
	// arrived at this instance's listener.
	CheckTunnel(ctx context.Context, publicURL string) (tunnel.Result, error)
	// Status says where the instance listens and keeps its data.
	Status() (Status, error)
	// Import stores parsed events as imported from source, judged now with
	// verify.Judge, all in one transaction or none (exchange.Import).
	Import(ctx context.Context, source string, events []*app.Event) (exchange.Result, error)
}

// Status describes a running instance.
type Status struct {
	Listening string `json:"listening"`
	Data      string `json:"data"`
	PID       int    `json:"pid"`
}

// Match selects events for Wait. The zero Match matches every event.
type Match struct {
	Path     string `json:"path,omitempty"`     // path prefix
	Endpoint string `json:"endpoint,omitempty"` // endpoint slug
	Verdict  string `json:"verdict,omitempty"`  // valid, invalid, unsigned, unverified
	// Timeout ends the wait with context.DeadlineExceeded; 0 waits until
	// the caller's context ends.
	Timeout time.Duration `json:"timeout,omitempty"`
}

// Validate refuses a verdict that is not one of the four.
func (m Match) Validate() error {
	switch m.Verdict {
	case "", app.VerdictValid, app.VerdictInvalid, app.VerdictUnsigned, app.VerdictUnverified:
		return nil
	}
	return errors.New("verdict " + m.Verdict + " is not one of valid, invalid, unsigned, unverified")
}

// Matches reports whether e is one m selects.
func (m Match) Matches(e *app.Event) bool {
	return strings.HasPrefix(e.Path, m.Path) &&
		(m.Endpoint == "" || e.Endpoint == m.Endpoint) &&
		(m.Verdict == "" || e.Verdict.Result == m.Verdict)
}

// Subscriber tells about newly committed events (app.EventStore's Subscribe).
type Subscriber interface {
	Subscribe(fn func(*app.Event)) (cancel func())
}

// WaitFor is Wait over a Subscriber: it blocks until an event committed
// after the call matches m, or ctx ends.
func WaitFor(ctx context.Context, s Subscriber, m Match) (*app.Event, error) {
	if m.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.Timeout)
		defer cancel()
	}
	got := make(chan *app.Event, 1)
	cancel := s.Subscribe(func(e *app.Event) {
		if m.Matches(e) {
			select {
			case got <- e:
			default:
			}
		}
	})
	defer cancel()
	select {
	case e := <-got:
		return e, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ErrNoInstance is returned by Dial when no Hooklens runs on the data dir.
var ErrNoInstance = errors.New("no running Hooklens on this data directory")

// maxWait bounds a wait's timeout.
const maxWait = 24 * time.Hour
