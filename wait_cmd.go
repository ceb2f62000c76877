package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/exchange"
)

// cmdWait blocks until an event that matches is captured, for scripts and
// CI: through the running Hooklens when one runs on the data dir, otherwise
// by listening itself on --addr.
func cmdWait(args []string, stdout, stderr io.Writer) error {
	c := newFlags("wait", stderr)
	var m api.Match
	c.fs.StringVar(&m.Path, "path", "", "only an event whose path starts with this")
	c.fs.StringVar(&m.Endpoint, "endpoint", "", "only an event of this endpoint (slug)")
	c.fs.StringVar(&m.Verdict, "verdict", "", "only an event with this verdict: valid, invalid, unsigned, unverified")
	timeout := c.fs.String("timeout", "30s", "give up after this long (exit 1)")
	addr := c.fs.String("addr", defaultAddr, "when no Hooklens runs on the data dir, listen here while waiting")
	asJSON := c.fs.Bool("json", false, "print the event as a JSON line (with headers and body_base64)")
	if err := c.parse(args); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%w: --verdict: %v", errUsage, err)
	}
	d, err := app.ParseDuration("--timeout", *timeout)
	if err != nil || d <= 0 {
		return fmt.Errorf("%w: --timeout %q must be a positive duration such as 30s or 2m", errUsage, *timeout)
	}
	m.Timeout = d
	ctx, stop := signalContext()
	defer stop()

	dir, err := dataDir(c.data)
	if err != nil {
		return err
	}
	var b api.Backend
	if cl, err := api.Dial(dir); err == nil {
		b = cl
	} else {
		h, err := OpenHooklens(Config{Data: c.data, Addr: *addr, Logf: func(f string, a ...any) { fmt.Fprintf(stderr, f+"\n", a...) }})
		if err != nil {
			return err
		}
		defer h.Close()
		fmt.Fprintf(stderr, "hooklens: no Hooklens runs on %s, so this command listens on %s while it waits\n", dir, h.Listener.URL())
		b = &localBackend{st: h.Store, q: h.Queue}
	}
	e, err := b.Wait(ctx, m)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no matching event arrived within %s", app.FormatDuration(d))
	}
	if err != nil {
		return usageOf(err)
	}
	if *asJSON {
		return exchange.NewLineWriter(stdout, true).Write(e)
	}
	printEvent(stdout, e)
	return nil
}
