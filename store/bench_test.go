package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// recorders is how many requests are in flight at once in BenchmarkRecord,
// like a provider retrying a burst of deliveries.
const recorders = 50

// runConcurrent records n events from recorders goroutines with rec and
// returns the wall time it took.
func runConcurrent(b *testing.B, n int, rec func(e *app.Event) error) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range recorders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				if err := rec(sampleEvent(int(i))); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return d
}

// putOne is the same work the group writer does for one event, in a
// transaction of its own.
func putOne(e *app.Event) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		bk := eventBuckets(tx)
		n, err := bk.put(e, nil, time.Now())
		if err != nil {
			return err
		}
		if err := addUint(bk.meta, keyCount, 1); err != nil {
			return err
		}
		return addUint(bk.meta, keyBytes, int64(n))
	}
}

// BenchmarkRecord measures durable captures per second with the group
// commit, and in the same run the two obvious alternatives: one db.Update
// per event and db.Batch (10 ms default delay). ns/op is the group commit's.
func BenchmarkRecord(b *testing.B) {
	open := func() *Store {
		s, err := Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	n := b.N
	// The baselines are several times slower; a few thousand events give a
	// steady rate without making `make bench` take minutes.
	baseN := min(n, 3000)

	b.StopTimer()
	base := open()
	update := runConcurrent(b, baseN, func(e *app.Event) error { return base.db.Update(putOne(e)) })
	base.Close()

	batchStore := open()
	batch := runConcurrent(b, baseN, func(e *app.Event) error { return batchStore.db.Batch(putOne(e)) })
	batchStore.Close()

	ctx := context.Background()
	// The group commit straight to bbolt, without the capture log: what
	// Record did before the log, with the same number of events.
	direct, err := OpenWith(b.TempDir(), Options{NoLog: true})
	if err != nil {
		b.Fatal(err)
	}
	directTime := runConcurrent(b, n, func(e *app.Event) error { return direct.Record(ctx, e, nil) })
	direct.Close()

	s := open()
	defer s.Close()
	b.StartTimer()
	group := runConcurrent(b, n, func(e *app.Event) error { return s.Record(ctx, e, nil) })
	b.StopTimer()
	if c, _ := s.Count(); c != n {
		b.Fatalf("group commit stored %d of %d events", c, n)
	}

	perSec := func(events int, d time.Duration) float64 { return float64(events) / d.Seconds() }
	groupRate, updateRate, batchRate, directRate := perSec(n, group), perSec(baseN, update), perSec(baseN, batch), perSec(n, directTime)
	b.ReportMetric(groupRate, "events/s")
	b.ReportMetric(directRate, "direct_events/s")
	b.ReportMetric(updateRate, "update_events/s")
	b.ReportMetric(batchRate, "batch_events/s")
	b.ReportMetric(groupRate/directRate, "ratio_vs_direct")
	b.ReportMetric(groupRate/updateRate, "ratio_vs_update")
	b.ReportMetric(groupRate/batchRate, "ratio_vs_batch")
}

// BenchmarkRecordCodec encodes a typical captured event's record (ten
// headers, a verdict, the response) in the binary layout, against the JSON
// layout it replaced, in the same run; it reports both sizes.
func BenchmarkRecordCodec(b *testing.B) {
	e := sampleEvent(1)
	e.ID = 1
	e.Headers = append(e.Headers,
		app.Header{Name: "User-Agent", Value: "Zoho-Webhook/1.0"},
		app.Header{Name: "X-Zoho-Signature", Value: "3f1c0a9e7b2d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506"},
		app.Header{Name: "Accept", Value: "*/*"}, app.Header{Name: "Accept-Encoding", Value: "gzip"},
		app.Header{Name: "X-Request-Id", Value: "7183000004021-1"}, app.Header{Name: "Content-Length", Value: "1024"},
		app.Header{Name: "Connection", Value: "keep-alive"}, app.Header{Name: "Host", Value: "127.0.0.1:8790"})
	e.Response = app.Response{Status: 200, Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(`{"ok":true,"id":"1"}`)}
	e.Verdict = app.Verdict{Scheme: "zoho", Result: app.VerdictValid, Reason: "signature matches the endpoint's secret"}
	bin, _ := encodeRecord(e, time.Now())
	v1, _ := encodeRecordV1(e)
	js, _ := encodeJSONRecord(e)
	rounds := 20000
	start := time.Now()
	for range rounds {
		if _, err := encodeJSONRecord(e); err != nil {
			b.Fatal(err)
		}
	}
	jsonTime := time.Since(start) / time.Duration(rounds)
	b.ResetTimer()
	for range b.N {
		if _, err := encodeRecord(e, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	binTime := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(len(bin)), "binary_bytes")
	b.ReportMetric(float64(len(v1)), "schema7_bytes")
	b.ReportMetric(float64(len(js)), "json_bytes")
	b.ReportMetric(float64(jsonTime.Nanoseconds()), "json_ns/op")
	b.ReportMetric(float64(jsonTime)/float64(binTime), "speedup_vs_json")
}

// BenchmarkEventsPage reads one list page of 100 from 50,000 events, at the
// top and deep down, against a baseline that lists by decoding each event's
// JSON (what the list would cost without the summaries bucket).
func BenchmarkEventsPage(b *testing.B) {
	const total = 50_000
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for start := 0; start < total; start += 5000 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			bk := eventBuckets(tx)
			bk.batch = newIndexBatch()
			for i := start; i < start+5000; i++ {
				e := sampleEvent(i)
				e.Headers = append(e.Headers, app.Header{Name: "User-Agent", Value: "Zoho-Webhook/1.0"},
					app.Header{Name: "X-Zoho-Signature", Value: "3f1c0a9e7b2d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506"})
				if _, err := bk.put(e, nil, time.Now()); err != nil {
					return err
				}
			}
			if err := bk.flushIndex(); err != nil {
				return err
			}
			return addUint(bk.meta, keyCount, 5000)
		})
		if err != nil {
			b.Fatal(err)
		}
	}

	for _, offset := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("offset=%d", offset), func(b *testing.B) {
			page := app.Page{Offset: offset, Limit: 100}
			b.ResetTimer()
			for range b.N {
				sums, err := s.Events(page)
				if err != nil || len(sums) != 100 {
					b.Fatalf("Events = %d, %v", len(sums), err)
				}
			}
			b.StopTimer()
			fast := b.Elapsed() / time.Duration(b.N)

			// The baseline is an order of magnitude slower: a few hundred
			// pages give its rate without multiplying the run time.
			rounds := min(b.N, 300)
			start := time.Now()
			for range rounds {
				if sums := pageByJSON(b, s, page); len(sums) != 100 {
					b.Fatalf("baseline page has %d", len(sums))
				}
			}
			slow := time.Since(start) / time.Duration(rounds)
			b.ReportMetric(float64(slow)/float64(fast), "ratio_vs_json")
		})
	}
}

// pageByJSON is the baseline: walk the events bucket and decode each full
// record, headers and all, to build the same summaries.
func pageByJSON(b *testing.B, s *Store, p app.Page) []app.EventSummary {
	var out []app.EventSummary
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		skip := p.Offset
		for k, v := c.Last(); k != nil && len(out) < p.Limit; k, v = c.Prev() {
			if skip > 0 {
				skip--
				continue
			}
			e, err := decodeRecord(idOf(k), v)
			if err != nil {
				return err
			}
			out = append(out, e.Summary())
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}
