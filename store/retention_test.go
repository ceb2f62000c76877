package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

func allIDs(t *testing.T, s *Store) []uint64 {
	t.Helper()
	sums, err := s.Events(app.Page{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, x := range sums {
		ids = append(ids, x.ID)
	}
	slices.Reverse(ids)
	return ids
}

func TestPruneByAge(t *testing.T) {
	s := openTest(t, t.TempDir())
	var old, recent []uint64
	for i := range 10 {
		old = append(old, mustRecord(t, s, sampleEvent(i)))
	}
	cut := time.Now()
	for i := range 5 {
		e := sampleEvent(100 + i)
		// An imported request received long ago but stored now is kept:
		// age counts from storage.
		e.ReceivedAt = time.Now().AddDate(-1, 0, 0)
		recent = append(recent, mustRecord(t, s, e))
	}
	removed, err := s.Prune(cut, 0)
	if err != nil {
		t.Fatal(err)
	}
	if removed != len(old) {
		t.Fatalf("Prune removed %d, want %d", removed, len(old))
	}
	if got := allIDs(t, s); !slices.Equal(got, recent) {
		t.Fatalf("left %v, want %v", got, recent)
	}
	if n := count(t, s); n != len(recent) {
		t.Fatalf("Count = %d", n)
	}
	for _, id := range old {
		if _, err := s.Event(id); !errors.Is(err, app.ErrNotFound) {
			t.Fatalf("pruned event %d still readable: %v", id, err)
		}
	}
	if removed, _ := s.Prune(cut, 0); removed != 0 {
		t.Fatalf("second Prune removed %d", removed)
	}
}

func TestPruneBySizeInChunks(t *testing.T) {
	s := openTest(t, t.TempDir())
	// More events than one prune chunk, so several transactions are needed.
	n := pruneChunk*2 + 500
	var ids []uint64
	batch := make([]*app.Event, 0, 100)
	for i := range n {
		e := sampleEvent(i)
		e.Body = []byte(fmt.Sprintf("%0500d", i))
		batch = append(batch, e)
		if len(batch) == cap(batch) {
			ids = append(ids, recordAll(t, s, batch)...)
			batch = batch[:0]
		}
	}
	total, _ := s.StoredBytes()
	limit := total / 10
	sizes := map[uint64]int64{}
	s.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		return b.events.ForEach(func(k, v []byte) error {
			sizes[idOf(k)] = int64(recordSize(k, v, b.bodies.Get(k)))
			return nil
		})
	})
	removed, err := s.Prune(time.Time{}, limit)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := s.StoredBytes()
	if left > limit {
		t.Fatalf("after Prune %d bytes stored, over the cap %d", left, limit)
	}
	kept := allIDs(t, s)
	if len(kept)+removed != n || !slices.Equal(kept, ids[removed:]) {
		t.Fatalf("Prune removed %d and kept %d (%v...): want the oldest removed", removed, len(kept), kept[:min(3, len(kept))])
	}
	if count(t, s) != len(kept) {
		t.Fatalf("Count %d, kept %d", count(t, s), len(kept))
	}
	// Removing one event fewer would have left it over the cap: no more than needed.
	if last := ids[removed-1]; left+sizes[last] <= limit {
		t.Fatalf("Prune removed more than needed: %d bytes left under a %d cap, event %d (%d bytes) fitted", left, limit, last, sizes[last])
	}
}

// recordAll records events concurrently, as the listener would, and returns
// their ids in commit order.
func recordAll(t *testing.T, s *Store, events []*app.Event) []uint64 {
	t.Helper()
	errs := make(chan error, len(events))
	for _, e := range events {
		go func() { errs <- s.Record(context.Background(), e, nil) }()
	}
	for range events {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]uint64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	slices.Sort(ids)
	return ids
}

func TestStartRetentionStopsOnClose(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, sampleEvent(1))
	s.StartRetention(context.Background(), time.Hour, time.Nanosecond, DefaultMaxBytes, 0)
	// The first prune runs at once; wait for it, without assuming how long.
	deadline := time.Now().Add(30 * time.Second)
	for count(t, s) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("retention never pruned an expired event")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil { // must not wait an hour for the ticker
		t.Fatal(err)
	}
}

// A count cap keeps the newest events, removes the oldest in several small
// transactions, says why, and leaves the indexes right.
func TestPruneToCountKeepsTheNewest(t *testing.T) {
	s := openTest(t, t.TempDir())
	var evs []*app.Event
	for i := range 3500 {
		evs = append(evs, variedEvent(i))
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	removed, err := s.PruneTo(time.Time{}, 0, 1200)
	if err != nil {
		t.Fatal(err)
	}
	if removed != 2300 || count(t, s) != 1200 {
		t.Fatalf("removed %d, %d left; want 2300 removed and 1200 left", removed, count(t, s))
	}
	kept := allIDs(t, s)
	if kept[0] != 2301 || kept[len(kept)-1] != 3500 {
		t.Fatalf("kept ids %d…%d, want the newest 2301…3500", kept[0], kept[len(kept)-1])
	}
	checkFilters(t, s, "after a count prune")
	rep := PruneReport{Events: removed, MaxAge: DefaultMaxAge, MaxEvents: 1200, CountBefore: 3500}
	if got := rep.String(); !strings.Contains(got, "removed 2,300 event(s)") || !strings.Contains(got, "beyond the newest 1,200 events (stored 3,500)") {
		t.Fatalf("report %q", got)
	}
}

// A prune pass removes what was over the cap when it began, and ends, while
// captures keep arriving: they are the next pass's. (A pass that re-read
// the count after every chunk chased new captures and, under a load faster
// than it, never ended nor reported.)
func TestPrunePassEndsWhileCapturesArrive(t *testing.T) {
	s := openTest(t, t.TempDir())
	var evs []*app.Event
	for i := range 3000 {
		evs = append(evs, variedEvent(i))
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var captured atomic.Int64
	for range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.Record(context.Background(), variedEvent(i), nil); err != nil {
					t.Error(err)
					return
				}
				captured.Add(1)
			}
		})
	}
	for captured.Load() < 50 { // the captures are under way before the pass
		time.Sleep(time.Millisecond)
	}
	before := count(t, s)
	type result struct {
		removed int
		err     error
	}
	done := make(chan result, 1)
	go func() {
		n, err := s.PruneTo(time.Time{}, 0, 100)
		done <- result{n, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		close(stop)
		t.Fatal("the prune pass had not ended after a minute of captures")
	}
	close(stop)
	wg.Wait()
	removed, err := r.removed, r.err
	if err != nil {
		t.Fatal(err)
	}
	// The pass began with at least the events counted before it and at
	// most those plus every capture since.
	if removed < before-100 || removed > before-100+int(captured.Load()) {
		t.Fatalf("removed %d; at least %d were stored when the pass began (cap 100)", removed, before)
	}
	// The oldest go first: what is left is every id after the last removed.
	kept := allIDs(t, s)
	if len(kept) != 3000+int(captured.Load())-removed || kept[0] != uint64(removed)+1 {
		t.Fatalf("%d kept from id %d after removing %d", len(kept), kept[0], removed)
	}
	t.Logf("%d stored at the start, %d captured meanwhile, %d removed", before, captured.Load(), removed)
}
