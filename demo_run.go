package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/demo"
	"github.com/hooklens/hooklens/app/signal"
)

// demoRun is the run `hooklens --demo` fires at This Hooklens after the
// stored demo history: a whole SalesIQ chat, signed with Hooklens's own
// key, one event every demoPace, so a customer watches them arrive live.
const (
	demoRun   = "salesiq.conversation"
	demoPace  = 2 * time.Second
	demoStart = 3 * time.Second // the window is up by then
)

// startDemoRun fires demoRun at the listener through the delivery queue,
// signed with key (Hooklens's SalesIQ key). stop ends it early.
func startDemoRun(h *Hooklens, key string, start, pace time.Duration, logf func(string, ...any)) (stop func(), err error) {
	if h.Listener == nil {
		return nil, errors.New("the demo run needs the listener")
	}
	tpls, err := signal.Builtin()
	if err != nil {
		return nil, err
	}
	seq, ok := signal.FindSequence(signal.Sequences(tpls), demoRun)
	if !ok {
		return nil, fmt.Errorf("demo run %s is missing from the template library", demoRun)
	}
	base := strings.TrimSuffix(h.Listener.URL(), "/")
	fire := func(ctx context.Context, name string, body []byte, headers app.Headers) error {
		t, _ := signal.Find(tpls, name) // a step of seq, so present
		d := &app.Delivery{Kind: app.KindSignal,
			Request: app.Request{Method: t.Method, URL: base + t.Path, Headers: headers, Body: body}}
		if t.Scheme != "" {
			d.Sign = app.Signing{Scheme: t.Scheme, Secret: key}
		}
		return h.Queue.Enqueue(d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(start):
		}
		if err := signal.Run(ctx, seq, pace, fire, nil); err != nil && !errors.Is(err, context.Canceled) {
			logf("hooklens: %v", err)
		}
	}()
	return cancel, nil
}

// seedDemo stores the demo history, its salesiq endpoint holding
// Hooklens's own public key from keys (so the history and the live run
// both verify), and starts the demo's deliveries. It returns the SalesIQ
// private key for the run and how to stop the receiving app.
func seedDemo(h *Hooklens, keys *signal.KeyStore) (key string, stop func(), err error) {
	k, err := keys.SalesIQ()
	if err != nil {
		return "", nil, err
	}
	signing, err := demo.SigningWith(k.Secret)
	if err != nil {
		return "", nil, err
	}
	events, err := demo.SeedWith(h.Store, signing)
	if err != nil {
		return "", nil, err
	}
	stop, err = demo.Deliveries(h.Store, h.Queue, events)
	return k.Secret, stop, err
}
