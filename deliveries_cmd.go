package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hooklens/hooklens/app"
)

func cmdDeliveries(args []string, stdout, stderr io.Writer) error {
	b, done, asJSON, limit, err := listFlags("deliveries", "print one JSON line per delivery with its attempts", args, stderr)
	if err != nil {
		return err
	}
	defer done()
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ID\tCREATED\tKIND\tSTATE\tATTEMPTS\tLAST\tURL")
	}
	err = inPages(limit, func(offset, n int) (int, error) {
		page, err := b.Deliveries(app.DeliveryPage{Offset: offset, Limit: n})
		for _, s := range page {
			if !asJSON {
				last := s.LastError
				if s.LastStatus != 0 {
					last = fmt.Sprint(s.LastStatus)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", s.ID, s.CreatedAt.Local().Format("2006-01-02 15:04:05"), s.Kind, s.State, s.Attempts, last, app.RedactURL(s.URL))
				continue
			}
			d, err := b.Delivery(s.ID)
			if errors.Is(err, app.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return 0, err
			}
			if err := enc.Encode(d.Line()); err != nil {
				return 0, err
			}
		}
		return len(page), err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}
