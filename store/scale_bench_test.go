package store

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// scaleEvents is how many events BenchmarkScale stores
// (HOOKLENS_BENCH_EVENTS overrides; bench/million measures a million).
func scaleEvents() int {
	if n, err := strconv.Atoi(os.Getenv("HOOKLENS_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// BenchmarkScale measures the kept indexes on a big store, each against a
// baseline measured in the same run: a list page at the newest, middle and
// oldest offset (ratios to the newest page, and to walking every key
// before the offset as the list did before the block counts), the first
// page of structured filters (ratio to scanning the summaries), and a
// free-text search over every body.
func BenchmarkScale(b *testing.B) {
	total := scaleEvents()
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for start := 0; start < total; start += 10_000 {
		evs := make([]*app.Event, 0, 10_000)
		for i := start; i < min(start+10_000, total); i++ {
			evs = append(evs, variedEvent(i))
		}
		if err := s.ImportAll(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
	}
	timeIt := func(rounds int, fn func()) time.Duration {
		start := time.Now()
		for range rounds {
			fn()
		}
		return time.Since(start) / time.Duration(rounds)
	}
	var newest time.Duration
	for _, at := range []struct {
		name string
		off  int
	}{{"newest", 0}, {"middle", total / 2}, {"oldest", total - 100}} {
		b.Run("page/"+at.name, func(b *testing.B) {
			page := app.Page{Offset: at.off, Limit: 100}
			for b.Loop() {
				if sums, err := s.Events(page); err != nil || len(sums) != 100 {
					b.Fatalf("Events = %d, %v", len(sums), err)
				}
			}
			fast := b.Elapsed() / time.Duration(b.N)
			if at.off == 0 {
				newest = fast
			}
			b.ReportMetric(float64(fast)/float64(max(newest, 1)), "x_newest")
			walk := timeIt(20, func() { pageByWalking(b, s, page) })
			b.ReportMetric(float64(walk)/float64(fast), "ratio_vs_walk")
		})
	}
	for _, expr := range []string{"method:PATCH", "verdict:invalid endpoint:github", "type:push status:5xx"} {
		f, err := app.ParseFilter(expr, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		b.Run("filter/"+expr, func(b *testing.B) {
			page := app.Page{Limit: 100, Filter: f}
			for b.Loop() {
				if _, err := s.Events(page); err != nil {
					b.Fatal(err)
				}
			}
			fast := b.Elapsed() / time.Duration(b.N)
			scan := timeIt(3, func() { pageByScanning(b, s, page) })
			b.ReportMetric(float64(scan)/float64(fast), "ratio_vs_scan")
		})
	}
	b.Run("search/text", func(b *testing.B) {
		f, _ := app.ParseFilter("needle", time.Now())
		for b.Loop() {
			n := 0
			if err := s.Search(context.Background(), f, func(p app.SearchProgress) bool { n += len(p.Matches); return true }); err != nil || n == 0 {
				b.Fatalf("Search found %d: %v", n, err)
			}
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// pageByWalking is the list before the block counts: step over every key
// newer than the offset, then decode the page.
func pageByWalking(b *testing.B, s *Store, p app.Page) {
	var got int
	s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		k, v := c.Last()
		for off := p.Offset; k != nil && off > 0; off-- {
			k, v = c.Prev()
		}
		for ; k != nil && got < p.Limit; k, v = c.Prev() {
			if _, err := decodeRow(k, v); err == nil {
				got++
			}
		}
		return nil
	})
	if got == 0 {
		b.Fatal("walked past the end")
	}
}

// pageByScanning is a filter without the indexes: every summary matched,
// newest first, until the page is full.
func pageByScanning(b *testing.B, s *Store, p app.Page) {
	m := newMatcher(p.Filter)
	s.view(func(tx *bolt.Tx) error {
		bk := eventBuckets(tx)
		c := bk.events.Cursor()
		n := 0
		for k, v := c.Last(); k != nil && n < p.Limit; k, v = c.Prev() {
			sum, err := decodeRow(k, v)
			if err == nil && m.match(bk, k, &sum) {
				n++
			}
		}
		return nil
	})
}
