package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/exchange"
)

// listFlags parses the flags of a command that lists stored things newest
// first (--json, --limit, --data) and reaches the backend.
func listFlags(name, jsonHelp string, args []string, stderr io.Writer, more ...func(*commonFlags)) (b api.Backend, done func(), asJSON bool, limit int, err error) {
	c := newFlags(name, stderr)
	for _, m := range more {
		m(c)
	}
	c.fs.BoolVar(&asJSON, "json", false, jsonHelp)
	c.fs.IntVar(&limit, "limit", 50, "at most this many, newest first")
	if err := c.parse(args); err != nil {
		return nil, nil, false, 0, err
	}
	if limit < 1 {
		return nil, nil, false, 0, fmt.Errorf("%w: --limit must be at least 1", errUsage)
	}
	b, done, err = c.backend()
	return b, done, asJSON, limit, err
}

func cmdEvents(args []string, stdout, stderr io.Writer) error {
	var expr string
	b, done, asJSON, limit, err := listFlags("events", "print one JSON line per event, with headers and body_base64", args, stderr,
		func(c *commonFlags) {
			c.fs.StringVar(&expr, "filter", "", "only events the filter matches, e.g. 'verdict:invalid endpoint:github' (the window's filter language)")
		})
	if err != nil {
		return err
	}
	defer done()
	f, err := app.ParseFilter(expr, time.Now())
	if err != nil {
		return fmt.Errorf("%w: --filter: %v", errUsage, err)
	}

	lines := exchange.NewLineWriter(stdout, true)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ID\tRECEIVED\tMETHOD\tPATH\tSTATUS\tSIZE\tVERDICT")
	}
	// The running instance sends whole events with each page: use them
	// as they come instead of asking for each one again.
	full, whole := b.(interface {
		EventsFull(app.Page) ([]*app.Event, error)
	})
	err = eventPages(limit, func(before uint64, n int) (int, uint64, error) {
		if asJSON && whole {
			evs, err := full.EventsFull(app.Page{Before: before, Limit: n, Filter: f})
			for _, e := range evs {
				if err := lines.Write(e); err != nil {
					return 0, 0, err
				}
			}
			if len(evs) == 0 {
				return 0, 0, err
			}
			return len(evs), evs[len(evs)-1].ID, err
		}
		page, err := b.Events(app.Page{Before: before, Limit: n, Filter: f})
		var last uint64
		if len(page) > 0 {
			last = page[len(page)-1].ID
		}
		for _, s := range page {
			if !asJSON {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", app.FormatID(s.ID), s.ReceivedAt.Local().Format("2006-01-02 15:04:05"), s.Method, s.RequestURI(), s.Status, app.HumanSize(s.Size), s.Verdict.Result)
				continue
			}
			e, err := b.Event(s.ID)
			if errors.Is(err, app.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return 0, 0, err
			}
			if err := lines.Write(e); err != nil {
				return 0, 0, err
			}
		}
		return len(page), last, err
	})
	if err != nil {
		return err
	}
	if sk, ok := b.(interface{ Skipped() int64 }); ok && sk.Skipped() > 0 {
		fmt.Fprintf(stderr, "hooklens: %d unreadable record(s) were skipped: the file is damaged; run 'hooklens repair'\n", sk.Skipped())
	}
	return tw.Flush()
}
