package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

func TestOutboxHoldsEachCapturedEventUntilDone(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenWith(dir, Options{Outbox: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() { defer wg.Done(); mustRecord(t, s, sampleEvent(i)) }()
	}
	wg.Wait()
	imp := sampleEvent(99)
	imp.Origin = "team:other:7"
	if _, err := s.Import(context.Background(), imp); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.OutboxCount(); n != 50 {
		t.Fatalf("outbox count %d after 50 captures and one import, want 50", n)
	}
	ids, err := s.OutboxPending(1000)
	if err != nil || len(ids) != 50 || !slices.IsSorted(ids) || slices.Contains(ids, imp.ID) {
		t.Fatalf("pending %v (%v): want the 50 captured ids, oldest first, not the imported %d", ids, err, imp.ID)
	}
	if err := s.OutboxDone(append(ids[:20:20], 999999)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The outbox and its counter survive a restart, even opened without it.
	s = openTest(t, dir)
	if n, _ := s.OutboxCount(); n != 30 {
		t.Fatalf("outbox count after reopening %d, want 30", n)
	}
	rest, _ := s.OutboxPending(10)
	if !slices.Equal(rest, ids[20:30]) {
		t.Fatalf("pending after done %v, want %v", rest, ids[20:30])
	}
	// Opened without the outbox, capture adds nothing to it.
	mustRecord(t, s, sampleEvent(100))
	if n, _ := s.OutboxCount(); n != 30 {
		t.Fatalf("outbox count %d after a capture with the outbox off, want 30", n)
	}
}

func TestImportIsIdempotentByOrigin(t *testing.T) {
	s := openTest(t, t.TempDir())
	mk := func(n int) *app.Event {
		e := sampleEvent(n)
		e.Origin = fmt.Sprintf("team:staging:%d", n)
		return e
	}
	var seen []uint64
	cancel := s.Subscribe(func(e *app.Event) { seen = append(seen, e.ID) })
	first := []*app.Event{mk(1), mk(2), mk(2), mk(3)}
	got, err := s.Import(context.Background(), first...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []bool{true, true, false, true}) || first[1].ID != first[2].ID {
		t.Fatalf("imported %v, ids %d %d: the repeated origin must be skipped and name the stored copy", got, first[1].ID, first[2].ID)
	}
	again := []*app.Event{mk(3), mk(4)}
	if got, err = s.Import(context.Background(), again...); err != nil || !slices.Equal(got, []bool{false, true}) {
		t.Fatalf("second import %v, %v", got, err)
	}
	if n := count(t, s); n != 4 {
		t.Fatalf("count %d, want 4 distinct events", n)
	}
	id, err := s.ByOrigin("team:staging:3")
	if err != nil || id != first[3].ID {
		t.Fatalf("ByOrigin = %d, %v; want %d", id, err, first[3].ID)
	}
	if _, err := s.ByOrigin("team:staging:9"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("ByOrigin of an unknown origin: %v", err)
	}
	e, err := s.Event(first[0].ID)
	if err != nil || e.Origin != "team:staging:1" {
		t.Fatalf("stored origin %q, %v", e.Origin, err)
	}
	if _, err := s.Import(context.Background(), sampleEvent(5)); err == nil {
		t.Fatal("an import without an origin must be refused")
	}
	s.Close() // tells subscribers everything committed before it stops
	cancel()
	if len(seen) != 4 {
		t.Fatalf("subscribers saw %v, want each stored event once", seen)
	}
}

func TestOriginVerdictRoundTripsAndOldRecordsDecode(t *testing.T) {
	s := openTest(t, t.TempDir())
	e := sampleEvent(1)
	e.Origin = "team:a:1"
	e.OriginVerdict = &app.Verdict{Scheme: "github", Result: app.VerdictValid, Reason: "matches"}
	if _, err := s.Import(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Event(e.ID)
	if err != nil || got.OriginVerdict == nil || *got.OriginVerdict != *e.OriginVerdict {
		t.Fatalf("origin verdict %+v, %v", got.OriginVerdict, err)
	}
	// A record written before the field existed.
	old := []byte(`{"received_at":"2026-01-02T03:04:05Z","method":"POST","path":"/x","size":0,"verdict":{"scheme":"","result":"unsigned","reason":""}}`)
	if err := s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketEvents).Put(key(e.ID), old) }); err != nil {
		t.Fatal(err)
	}
	got, err = s.Event(e.ID)
	if err != nil || got.Origin != "" || got.OriginVerdict != nil || got.Path != "/x" {
		t.Fatalf("old record decoded as %+v, %v", got, err)
	}
}
