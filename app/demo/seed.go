package demo

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/assets"
)

// Store is what Seed writes to.
type Store interface {
	app.Recorder
	app.EndpointStore
	PutTarget(t *app.Target) error
}

// Enqueuer queues deliveries (app/deliver's Queue).
type Enqueuer interface {
	Enqueue(d *app.Delivery) error
}

// Seed stores the demo's endpoints and the sample events built from the
// provider templates, each judged as the listener would judge it (with
// verify.Judge), and returns the events.
func Seed(st Store) ([]app.Event, error) {
	signing, err := NewSigning()
	if err != nil {
		return nil, err
	}
	return SeedWith(st, signing)
}

// SeedWith is Seed signing with signing's keys (SigningWith Hooklens's own
// SalesIQ key, so a live demo run fired later verifies at the same
// endpoint).
func SeedWith(st Store, signing *Signing) ([]app.Event, error) {
	tpls, err := signal.LoadTemplates(assets.Templates)
	if err != nil {
		return nil, err
	}
	eps, err := signing.Endpoints()
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		if err := st.PutEndpoint(ep); err != nil {
			return nil, fmt.Errorf("storing demo endpoints: %w", err)
		}
	}
	events := Events(tpls, time.Now())
	if err := signing.Sign(events); err != nil {
		return nil, err
	}
	RouteTo(events, eps)
	bySlug := map[string]*app.Endpoint{}
	for i := range eps {
		bySlug[eps[i].Slug] = &eps[i]
	}
	all := verify.EndpointList(eps)
	ctx := context.Background()
	for i := range events {
		e := &events[i]
		e.Verdict = verify.Judge(e, bySlug[e.Endpoint], all, "").Verdict // nil endpoint when none matched
		e.Type = app.EventType(e)
		if err := st.Record(ctx, e, FinishResponse); err != nil {
			return nil, fmt.Errorf("storing demo events: %w", err)
		}
	}
	return events, nil
}

// Deliveries runs the demo's receiving app on a free loopback port, saves
// three targets on it and resends a few demo events through the real queue:
// one is delivered, one is retried twice before it lands (watch it in the
// Deliveries window), and one meets 410 Gone, which disables its target.
func Deliveries(st Store, q Enqueuer, events []app.Event) (stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the demo's receiving app: %w", err)
	}
	srv := &http.Server{Handler: &Receiver{}, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	stop = func() { srv.Close() }
	base := "http://" + ln.Addr().String()
	key, err := verify.GenerateKey("standard-webhooks")
	if err != nil {
		stop()
		return nil, err
	}
	targets := []*app.Target{
		{Name: "Zylker CRM", URL: base + CRMPath, SandboxURL: base + CRMSandboxPath, UseSandbox: true,
			Scheme: "standard-webhooks", Secret: key.Secret, Retry: app.DefaultRetry, Enabled: true},
		{Name: "Zylker Desk", URL: base + DeskPath, Retry: app.RetryPolicy{Retries: 3, Delay: 4 * time.Second}, Enabled: true},
		{Name: "Legacy CRM", URL: base + LegacyPath, Retry: app.DefaultRetry, Enabled: true},
	}
	for _, t := range targets {
		if err := st.PutTarget(t); err != nil {
			stop()
			return nil, fmt.Errorf("storing demo targets: %w", err)
		}
	}
	// The newest event of each provider goes to one target.
	pick := map[string]*app.Target{"/salesiq/": targets[0], "/ziwo/": targets[1], "/signalzen/": targets[2]}
	for i := len(events) - 1; i >= 0 && len(pick) > 0; i-- {
		e := &events[i]
		for prefix, t := range pick {
			if !strings.HasPrefix(e.Path, prefix) {
				continue
			}
			d, err := t.Resend(e)
			if err == nil {
				err = q.Enqueue(d)
			}
			if err != nil {
				stop()
				return nil, fmt.Errorf("queueing demo deliveries: %w", err)
			}
			delete(pick, prefix)
		}
	}
	return stop, nil
}
