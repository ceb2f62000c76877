package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/store"
)

// commonFlags are the flags every subcommand takes.
type commonFlags struct {
	fs   *flag.FlagSet
	data string
}

func newFlags(name string, stderr io.Writer) *commonFlags {
	c := &commonFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.fs.SetOutput(stderr)
	c.fs.StringVar(&c.data, "data", "", "data directory (default: the hooklens folder in your user config directory)")
	return c
}

// parse reads args; leftover positional arguments are a usage error.
func (c *commonFlags) parse(args []string) error {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if c.fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, c.fs.Arg(0))
	}
	return nil
}

// backend reaches the Hooklens that runs on the data directory through its
// local API, or, when none runs, opens the store itself. close must be
// called when done.
func (c *commonFlags) backend() (b api.Backend, close func(), err error) {
	dir, err := dataDir(c.data)
	if err != nil {
		return nil, nil, err
	}
	if cl, err := api.Dial(dir); err == nil {
		return cl, func() {}, nil
	}
	logf := func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
	st, err := store.OpenWith(dir, store.Options{Progress: upgradeReporter(logf)})
	if err != nil {
		return nil, nil, err
	}
	lb := &localBackend{st: st, q: newQueue(st, logf)}
	return lb, func() { st.Close() }, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseHeaders reads repeated 'Name: value' flags.
func parseHeaders(flagName string, vals []string) (app.Headers, error) {
	var out app.Headers
	for _, h := range vals {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || !app.IsHeaderName(name) {
			return nil, fmt.Errorf("%w: %s %q must look like 'Name: value'", errUsage, flagName, h)
		}
		out = append(out, app.Header{Name: name, Value: strings.TrimSpace(value)})
	}
	return out, nil
}

// signalContext is cancelled by SIGINT or SIGTERM so commands stop cleanly.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// inPages calls fetch for successive pages, newest first, until limit items
// were fetched or a page comes back short. fetch returns how many it got.
// eventPages is inPages for events: each page starts below the last id of
// the one before (app.Page.Before), so a filter that scans the store reads
// every event once. fetch returns how many it got and the last one's id.
func eventPages(limit int, fetch func(before uint64, n int) (got int, last uint64, err error)) error {
	const pageSize = 500
	var before uint64
	for done := 0; done < limit; {
		n := min(limit-done, pageSize)
		got, last, err := fetch(before, n)
		if err != nil {
			return err
		}
		if got < n || last == 0 {
			return nil
		}
		done += got
		before = last
	}
	return nil
}

func inPages(limit int, fetch func(offset, n int) (int, error)) error {
	const pageSize = 500
	for offset := 0; offset < limit; {
		n := min(limit-offset, pageSize)
		got, err := fetch(offset, n)
		if err != nil {
			return err
		}
		if got < n {
			return nil
		}
		offset += got
	}
	return nil
}

// usageOf turns an error the running instance refused as the caller's
// mistake into a usage error (exit status 2).
func usageOf(err error) error {
	var ue *api.UsageError
	if errors.As(err, &ue) || errors.Is(err, api.ErrInvalid) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}

const defaultAddr = "127.0.0.1:8790"
