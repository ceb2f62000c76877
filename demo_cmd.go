package main

import (
	"fmt"
	"io"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/demo"
	"github.com/hooklens/hooklens/store"
)

// demoChunk is how many events one transaction of `demo --events` stores.
const demoChunk = 20000

// cmdDemo fills a data directory with N varied demo events (SalesIQ,
// SignalZen, Ziwo, Bigin, GitHub, Stripe; valid, invalid and unsigned)
// spread over --days, in large transactions, for trying Hooklens (and
// measuring it) with a big history.
func cmdDemo(args []string, stdout, stderr io.Writer) error {
	c := newFlags("demo", stderr)
	n := c.fs.Int("events", 0, "how many events to store (e.g. 1000000)")
	days := c.fs.Int("days", 30, "spread the events over this many days, ending now")
	if err := c.parse(args); err != nil {
		return err
	}
	if *n <= 0 {
		return fmt.Errorf("%w: give --events N, the number of events to store", errUsage)
	}
	if c.data == "" {
		return fmt.Errorf("%w: give --data DIR: demo events never go into your own data directory unasked", errUsage)
	}
	if *days <= 0 {
		return fmt.Errorf("%w: --days must be at least 1", errUsage)
	}
	signing, err := demo.NewSigning()
	if err != nil {
		return err
	}
	bulk, err := demo.NewBulk(signing, *n, time.Now(), time.Duration(*days)*24*time.Hour)
	if err != nil {
		return err
	}
	st, err := store.Open(c.data)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, ep := range bulk.Endpoints {
		if _, err := st.Endpoint(ep.Slug); err == nil {
			continue // the user's own endpoint of that name stays as it is
		}
		if err := st.PutEndpoint(ep); err != nil {
			return err
		}
	}
	ctx, cancel := signalContext()
	defer cancel()
	start := time.Now()
	chunk := make([]*app.Event, 0, demoChunk)
	for i := 0; i < *n; {
		chunk = chunk[:0]
		for ; i < *n && len(chunk) < demoChunk; i++ {
			chunk = append(chunk, bulk.Event(i))
		}
		if err := st.ImportAll(ctx, chunk); err != nil {
			return fmt.Errorf("stored %d of %d demo events, then: %w", i-len(chunk), *n, err)
		}
		if i%100000 < demoChunk && i < *n {
			fmt.Fprintf(stderr, "%d of %d…\n", i, *n)
		}
	}
	took := time.Since(start)
	size, _ := st.StoredBytes()
	fmt.Fprintf(stdout, "stored %d demo events in %s (%.0f events/s, %s) in %s\n",
		*n, took.Round(time.Millisecond), float64(*n)/took.Seconds(), app.HumanSize(size), st.Path())
	return nil
}
