package main

import (
	"context"
	"io"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/ui"
)

// windowExchange is the window's Import box and support bundles over the
// assembly's store: the same import and bundle as `hooklens import` and
// `hooklens bundle`.
type windowExchange struct{ h *Hooklens }

var _ ui.Exchange = windowExchange{}

// Import judges events now against the endpoints (and the tunnel's public
// URL) and stores them all in one transaction or none.
func (x windowExchange) Import(ctx context.Context, source string, events []*app.Event, progress func(done, total int)) (exchange.Result, error) {
	return exchange.Import(ctx, x.h.Store, events, exchange.Options{Source: source, PublicURL: x.h.PublicURL(), Progress: progress})
}

// Bundle writes a support bundle (bundleOf), secrets redacted unless asked.
func (x windowExchange) Bundle(w io.Writer, events []*app.Event, secrets bool) error {
	b, err := bundleOf(x.h.Store, events, secrets)
	if err != nil {
		return err
	}
	return b.Write(w)
}

func (windowExchange) Version() string { return hooklensVersion() }
