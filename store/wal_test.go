package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// copyFile copies src to dst byte for byte, as a crash would leave it.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// An event answered from the capture log but not yet applied to bbolt when
// the process dies is in the store after the next Open, once: a second
// crash and replay stores nothing twice.
func TestLoggedEventsSurviveCrashBeforeApply(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for i := range 5 {
		if err := s.Record(context.Background(), sampleEvent(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s); n != 5 {
		t.Fatalf("Count = %d, want 5", n)
	}

	// Hold bbolt's write lock: the applier cannot copy anything in, yet
	// Record still returns once the log is synced.
	locked, unlock := make(chan struct{}), make(chan struct{})
	go s.db.Update(func(*bolt.Tx) error {
		close(locked)
		<-unlock
		return nil
	})
	<-locked
	var want []*app.Event
	for i := 5; i < 12; i++ {
		e := sampleEvent(i)
		if err := s.Record(context.Background(), e, nil); err != nil {
			t.Fatal(err)
		}
		want = append(want, cloneEvent(e))
	}
	// The crash: the files as they are on disk right now.
	crash := t.TempDir()
	copyFile(t, filepath.Join(dir, FileName), filepath.Join(crash, FileName))
	copyFile(t, filepath.Join(dir, WALFileName), filepath.Join(crash, WALFileName))
	close(unlock)

	for round := range 2 {
		// Crash again right after the replay: the log still holds the
		// entries, bbolt has them too.
		walCopy, _ := os.ReadFile(filepath.Join(crash, WALFileName))
		c, err := Open(crash)
		if err != nil {
			t.Fatalf("round %d: Open after the crash: %v", round, err)
		}
		if n := count(t, c); n != 12 {
			t.Fatalf("round %d: Count after the crash = %d, want 12 (5 applied + 7 logged)", round, n)
		}
		for _, w := range want {
			got, err := c.Event(w.ID)
			if err != nil {
				t.Fatalf("round %d: event %d answered before the crash: %v", round, w.ID, err)
			}
			if string(got.Body) != string(w.Body) || got.Path != w.Path || !reflect.DeepEqual(got.Headers, w.Headers) {
				t.Fatalf("round %d: event %d came back as %+v, want %+v", round, w.ID, got, w)
			}
		}
		page, err := c.Events(app.Page{Limit: 100})
		if err != nil || len(page) != 12 || page[0].ID != 12 {
			t.Fatalf("round %d: Events = %d summaries (newest %v), %v; want 12, newest 12", round, len(page), page, err)
		}
		st, err := c.EndpointStats()
		// (received counts every capture, the one deleted below too)
		if err != nil || len(st) != 1 || st[0].Received != int64(12+round) {
			t.Fatalf("round %d: counters = %+v, %v; want %d received", round, st, err, 12+round)
		}
		// A new capture gets the next id, never one already used.
		e := sampleEvent(100)
		if err := c.Record(context.Background(), e, nil); err != nil || e.ID != uint64(13+round) {
			t.Fatalf("round %d: next Record gave id %d, %v; want %d", round, e.ID, err, 13+round)
		}
		if err := c.Delete(e.ID); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if err := os.WriteFile(filepath.Join(crash, WALFileName), walCopy, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// A cut-off last write (the crash came during the log's write, before its
// sync: never answered) ends the log; what came before it is kept.
func TestTornLogTailIsIgnored(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for i := range 3 {
		if err := s.Record(context.Background(), sampleEvent(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	// Two entries after the applied ones, the second cut in half.
	w, err := openWAL(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint64{4, 5} {
		e := sampleEvent(int(id))
		e.ID = id
		rec, _ := encodeRecord(e, time.Now())
		w.add(id, time.Now(), rec, e.Body)
	}
	w.off = 0
	whole := len(w.buf)
	w.buf = w.buf[:whole-10]
	if err := w.commit(time.Time{}); err != nil {
		t.Fatal(err)
	}
	w.close()

	c := openTest(t, dir)
	if n := count(t, c); n != 4 {
		t.Fatalf("Count = %d, want 4 (3 applied, 1 whole entry in the log, 1 cut off)", n)
	}
	if _, err := c.Event(5); err == nil {
		t.Fatal("the cut-off entry was stored")
	}
}

// The binary record keeps every field byte for byte, including bytes that
// are not UTF-8, and JSON records of earlier files still read.
func TestRecordCodecRoundTrip(t *testing.T) {
	ov := app.Verdict{Scheme: "hmac", Result: app.VerdictValid, Reason: "ok at origin"}
	e := &app.Event{
		ID: 7, ReceivedAt: time.Unix(1700000000, 123456789),
		Method: "POST", Path: "/a/\xff\xfe", Query: "x=1&y=\x80", Proto: "HTTP/1.1", Host: "h",
		Headers: app.Headers{{Name: "X-Bin", Value: "\xc3\x28"}, {Name: "X-Bin", Value: "again"}},
		Size:    12345, Truncated: true,
		Trailers:   app.Headers{{Name: "T", Value: "v"}},
		RemoteAddr: "127.0.0.1:5555", Endpoint: "bigin", Type: "contact.created",
		Response: app.Response{Status: 413, Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(`{"id":"7"}`)},
		Verdict:  app.Verdict{Scheme: "salesiq", Result: app.VerdictInvalid, Reason: "mismatch", Details: "expected a got b"},
		Origin:   "team:a:9", OriginVerdict: &ov,
	}
	v2 := func(e *app.Event) ([]byte, error) { return encodeRecord(e, time.Now()) }
	for _, enc := range []func(*app.Event) ([]byte, error){v2, encodeRecordV1, encodeJSONRecord} {
		b, err := enc(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRecord(7, b)
		if err != nil {
			t.Fatal(err)
		}
		if !got.ReceivedAt.Equal(e.ReceivedAt) {
			t.Fatalf("received at %v, want %v", got.ReceivedAt, e.ReceivedAt)
		}
		got.ReceivedAt = e.ReceivedAt
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("decoded\n%+v\nwant\n%+v", got, e)
		}
		if !looksLikeRecord(b) {
			t.Fatalf("rawscan does not recognise %q as a record", b[:12])
		}
	}
	for _, enc := range []func(*app.Event) ([]byte, error){v2, encodeRecordV1} {
		b, _ := enc(e)
		for cut := range len(b) {
			if _, err := decodeRecord(7, b[:cut]); err == nil {
				t.Fatalf("a record cut at %d of %d bytes decoded", cut, len(b))
			}
		}
	}
}

// A schema 4 file (JSON records, no capture log) opens as the current schema with a
// copy kept: its events read as before, new ones are binary, ids go on.
func TestMigrateV4JSONRecordsToV5(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	// Write the old way: JSON records, schema 4.
	var olds []*app.Event
	if err := s.update(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		for i := 1; i <= 3; i++ {
			e := sampleEvent(i)
			id, _ := b.events.NextSequence()
			e.ID = id
			rec, err := encodeJSONRecord(e)
			if err != nil {
				return err
			}
			k := key(id)
			sum := encodeSummary(e, time.Now())
			if err := b.events.Put(k, rec); err != nil {
				return err
			}
			if err := b.bodies.Put(k, e.Body); err != nil {
				return err
			}
			sums, err := tx.CreateBucketIfNotExists(bucketSummaries)
			if err != nil {
				return err
			}
			if err := sums.Put(k, sum); err != nil {
				return err
			}
			olds = append(olds, e)
		}
		if err := putUint(b.meta, keyCount, 3); err != nil {
			return err
		}
		return b.meta.Put(keySchema, []byte("4"))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Remove(filepath.Join(dir, WALFileName))

	c := openTest(t, dir)
	if v := c.schema(t); v != currentSchema() {
		t.Fatalf("schema = %d, want %d", v, currentSchema())
	}
	if v := schemaIn(t, filepath.Join(dir, FileName)+".v4.bak"); v != 4 {
		t.Fatalf("the copy kept before migrating has schema %d, want 4", v)
	}
	for _, w := range olds {
		got, err := c.Event(w.ID)
		if err != nil || got.Path != w.Path || string(got.Body) != string(w.Body) || !reflect.DeepEqual(got.Headers, w.Headers) {
			t.Fatalf("old event %d reads as %+v, %v", w.ID, got, err)
		}
	}
	e := sampleEvent(4)
	if err := c.Record(context.Background(), e, nil); err != nil || e.ID != 4 {
		t.Fatalf("Record after migrating: id %d, %v; want 4", e.ID, err)
	}
	if err := c.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketEvents).Get(key(4)); len(v) == 0 || v[0] != recordV2Magic {
			t.Errorf("the new record is not in this version's layout: %q", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A read made after Record returned sees the event even while the applier
// has not copied it into bbolt yet: the read waits for the copy.
func TestReadAfterRecordWaitsForTheApplier(t *testing.T) {
	s := openTest(t, t.TempDir())
	var seen []uint64
	done := make(chan struct{}, 8)
	s.Subscribe(func(e *app.Event) { seen = append(seen, e.ID); done <- struct{}{} })

	locked, unlock := make(chan struct{}), make(chan struct{})
	go s.db.Update(func(*bolt.Tx) error {
		close(locked)
		<-unlock
		return nil
	})
	<-locked
	e := sampleEvent(1)
	if err := s.Record(context.Background(), e, nil); err != nil {
		t.Fatal(err)
	}
	type result struct {
		got *app.Event
		n   int
		err error
	}
	read := make(chan result, 1)
	go func() {
		got, err := s.Event(e.ID)
		n, _ := s.Count()
		read <- result{got, n, err}
	}()
	select {
	case r := <-read:
		t.Fatalf("the read returned (%v, %v) before the event was in bbolt", r.got, r.err)
	case <-time.After(100 * time.Millisecond):
	}
	if len(seen) != 0 {
		t.Fatal("subscribers were told before the event was in bbolt")
	}
	close(unlock)
	r := <-read
	if r.err != nil || string(r.got.Body) != string(e.Body) || r.n != 1 {
		t.Fatalf("read after the apply: %+v, count %d, %v", r.got, r.n, r.err)
	}
	<-done
	if len(seen) != 1 || seen[0] != e.ID {
		t.Fatalf("subscribers saw %v", seen)
	}
}

// Logged events spread over both regions of the log, some applied, some
// not, in either order, all come back after a crash, once each.
func TestLogRegionsReplayInIDOrder(t *testing.T) {
	defer func(n int64) { walRegion = n }(walRegion)
	walRegion = 64 << 10 // about 50 events of 1 KiB
	dir := t.TempDir()
	s := openTest(t, dir)
	record := func(from, to int) {
		for i := from; i < to; i++ {
			e := sampleEvent(i)
			e.Body = append(e.Body, bytes.Repeat([]byte{' '}, 1024)...)
			if err := s.Record(context.Background(), e, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	record(0, 170) // turns regions three times, all applied
	if n := count(t, s); n != 170 {
		t.Fatalf("Count = %d, want 170", n)
	}
	locked, unlock := make(chan struct{}), make(chan struct{})
	go s.db.Update(func(*bolt.Tx) error {
		close(locked)
		<-unlock
		return nil
	})
	<-locked
	region := s.wal.region
	record(170, 230) // fills the rest of this region and goes on in the other, unapplied
	if s.wal.region == region {
		t.Fatal("the test did not make the log turn to the other region")
	}
	crash := t.TempDir()
	copyFile(t, filepath.Join(dir, FileName), filepath.Join(crash, FileName))
	copyFile(t, filepath.Join(dir, WALFileName), filepath.Join(crash, WALFileName))
	close(unlock)

	c := openTest(t, crash)
	if n := count(t, c); n != 230 {
		t.Fatalf("Count after the crash = %d, want 230", n)
	}
	page, err := c.Events(app.Page{Limit: 300})
	if err != nil || len(page) != 230 {
		t.Fatalf("Events = %d, %v", len(page), err)
	}
	for i, sum := range page {
		if want := uint64(230 - i); sum.ID != want {
			t.Fatalf("page[%d] is event %d, want %d", i, sum.ID, want)
		}
	}
	st, _ := c.EndpointStats()
	if len(st) != 1 || st[0].Received != 230 {
		t.Fatalf("counters after the replay = %+v, want 230 received", st)
	}
	if e := sampleEvent(999); c.Record(context.Background(), e, nil) != nil || e.ID != 231 {
		t.Fatalf("the next capture got id %d, want 231", e.ID)
	}
}

// A file holding more events than the applier's backlog bound takes
// captures after it is reopened: the writer's backlog check starts from
// what is in the file, not from zero (captures after the first one used to
// wait forever for an applier with nothing to apply).
func TestCapturesIntoAReopenedFileOfManyEvents(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	var evs []*app.Event
	for i := range applyBacklog + 1000 {
		evs = append(evs, sampleEvent(i))
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir)
	done := make(chan error, 1)
	go func() {
		for i := range 5 {
			if err := s.Record(context.Background(), sampleEvent(i), nil); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("captures into a reopened file of many events never returned")
	}
	if n := count(t, s); n != len(evs)+5 {
		t.Fatalf("%d events stored, want %d", n, len(evs)+5)
	}
}
