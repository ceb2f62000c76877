package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/store"
)

func cmdBundle(args []string, stdout, stderr io.Writer) error {
	c := newFlags("bundle", stderr)
	var sel selection
	sel.flags(c)
	out := c.fs.String("o", "", "write the zip to this file")
	secrets := c.fs.Bool("secrets", false, "include every secret as stored (off: masked, with fingerprints)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: pass -o FILE.zip", errUsage)
	}
	return writeBundle(c, &sel, *out, *secrets, stdout)
}

// writeBundle makes a support bundle from the store. It reads settings with
// their secrets (to fingerprint them), which the local API never sends, so
// it needs the data directory to itself.
func writeBundle(c *commonFlags, sel *selection, out string, secrets bool, stdout io.Writer) error {
	dir, err := dataDir(c.data)
	if err != nil {
		return err
	}
	if _, err := api.Dial(dir); err == nil {
		return errors.New("a Hooklens window or 'hooklens listen' holds this data directory: make the bundle from the window (Export → Support bundle), or stop it and run this again")
	}
	st, err := store.Open(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	lb := &localBackend{st: st}
	events, err := sel.events(lb)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return errors.New("no event matches: no bundle was written")
	}
	bun, err := bundleOf(st, events, secrets)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := bun.Write(&buf); err != nil {
		return err
	}
	if err := writeOut(out, buf.Bytes(), stdout, false); err != nil {
		return err
	}
	if out != "-" {
		note := "secrets redacted"
		if secrets {
			note = "SECRETS INCLUDED"
		}
		fmt.Fprintf(stdout, "wrote a support bundle of %d event(s) to %s (%s)\n", len(events), out, note)
	}
	return nil
}

// bundleOf gathers what a bundle holds from the store: each event judged
// now with verify.Judge, its deliveries, the settings.
func bundleOf(st *store.Store, events []*app.Event, secrets bool) (*exchange.Bundle, error) {
	b := &exchange.Bundle{Version: hooklensVersion(), Events: events, Secrets: secrets, Now: time.Now(),
		Reports: map[uint64]verify.Report{}, Deliveries: map[uint64][]*app.Delivery{}}
	var err error
	if b.Endpoints, err = st.Endpoints(); err != nil {
		return nil, err
	}
	if b.Targets, err = st.Targets(); err != nil {
		return nil, err
	}
	if b.Connections, err = st.Connections(); err != nil {
		return nil, err
	}
	all := verify.EndpointList(b.Endpoints)
	for _, e := range events {
		var ep *app.Endpoint
		for i := range b.Endpoints {
			if b.Endpoints[i].Slug == e.Endpoint {
				ep = &b.Endpoints[i]
			}
		}
		b.Reports[e.ID] = verify.Judge(e, ep, all, "")
		sums, err := st.Deliveries(app.DeliveryPage{EventID: e.ID, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, s := range sums {
			d, err := st.Delivery(s.ID)
			if err != nil {
				continue
			}
			b.Deliveries[e.ID] = append(b.Deliveries[e.ID], d)
		}
	}
	return b, nil
}

// hooklensVersion is the module version this binary was built from, or the
// app version with "(dev)" for a build from a work tree.
func hooklensVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "0.1.0 (dev)"
}
