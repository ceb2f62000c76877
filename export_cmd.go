package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/exchange"
)

// selection reads --filter and --id flags: the events to export or bundle.
type selection struct {
	expr string
	ids  stringList
}

func (s *selection) flags(c *commonFlags) {
	c.fs.StringVar(&s.expr, "filter", "", "only events the filter matches, e.g. 'verdict:invalid endpoint:github' (the window's filter language)")
	c.fs.Var(&s.ids, "id", "this event (repeatable); without --id and --filter, all events")
}

// events fetches the selected events whole, oldest first (the order they arrived).
func (s *selection) events(b api.Backend) ([]*app.Event, error) {
	if len(s.ids) > 0 {
		if s.expr != "" {
			return nil, fmt.Errorf("%w: pass --id or --filter, not both", errUsage)
		}
		ids := make([]uint64, 0, len(s.ids))
		for _, x := range s.ids {
			id, err := app.ParseID(x)
			if err != nil {
				return nil, fmt.Errorf("%w: --id %q: %v", errUsage, x, err)
			}
			ids = append(ids, id)
		}
		return exchange.SelectIDs(b, ids)
	}
	f, err := app.ParseFilter(s.expr, time.Now())
	if err != nil {
		return nil, fmt.Errorf("%w: --filter: %v", errUsage, err)
	}
	return exchange.Select(context.Background(), b, f, nil)
}

func cmdExport(args []string, stdout, stderr io.Writer) error {
	c := newFlags("export", stderr)
	var sel selection
	sel.flags(c)
	format := c.fs.String("format", "", "har, jsonl, curl, raw or bundle")
	out := c.fs.String("o", "", "write to this file ('-' for standard output)")
	base := c.fs.String("base-url", "", "curl: send to this URL (e.g. http://127.0.0.1:8790) instead of each event's Host")
	secrets := c.fs.Bool("secrets", false, "bundle: include every secret (off: redacted)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: pass -o FILE", errUsage)
	}
	if *format == "bundle" {
		return writeBundle(c, &sel, *out, *secrets, stdout)
	}
	if !contains(exchange.Formats, *format) {
		return fmt.Errorf("%w: --format must be one of %s, bundle", errUsage, strings.Join(exchange.Formats, ", "))
	}
	b, done, err := c.backend()
	if err != nil {
		return err
	}
	defer done()
	events, err := sel.events(b)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return errors.New("no event matches: nothing was exported")
	}
	var buf bytes.Buffer
	switch *format {
	case exchange.FormatCurl:
		dir := filepath.Dir(*out)
		var bodies func(string, []byte) error
		if *out != "-" {
			bodies = func(name string, body []byte) error { return os.WriteFile(filepath.Join(dir, name), body, 0o600) }
		}
		err = exchange.WriteCurl(&buf, events, *base, bodies)
	default:
		err = exchange.Export(&buf, *format, events, hooklensVersion())
	}
	if err != nil {
		return err
	}
	if err := writeOut(*out, buf.Bytes(), stdout, *format == exchange.FormatCurl); err != nil {
		return err
	}
	if *out != "-" {
		fmt.Fprintf(stdout, "exported %d event(s) as %s to %s\n", len(events), *format, *out)
	}
	return nil
}

// writeOut writes data to path (0600: events may hold secrets), or to
// stdout for "-".
func writeOut(path string, data []byte, stdout io.Writer, script bool) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	mode := os.FileMode(0o600)
	if script {
		mode = 0o700
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		return fmt.Errorf("cannot write %s: check the folder exists and is writable: %w", path, err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
