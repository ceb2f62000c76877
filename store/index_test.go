package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// variedEvent is event n of a mix of methods, endpoints, statuses,
// verdicts and types (some types only in the body, as old records had).
func variedEvent(n int) *app.Event {
	methods := []string{"POST", "POST", "GET", "PUT", "delete"}
	endpoints := []string{"github", "stripe", "", "salesiq"}
	statuses := []int{200, 200, 201, 404, 500, 503}
	verdicts := []string{app.VerdictValid, app.VerdictInvalid, app.VerdictUnsigned, app.VerdictUnverified}
	types := []string{"push", "payment_intent.succeeded", "conversation.rated", "", "Ping"}
	e := sampleEvent(n)
	e.Method = methods[n%len(methods)]
	e.Endpoint = endpoints[(n/3)%len(endpoints)]
	e.Response.Status = statuses[(n/2)%len(statuses)]
	e.Verdict = app.Verdict{Scheme: "hmac", Result: verdicts[(n/5)%len(verdicts)], Reason: "test"}
	e.Type = types[(n/7)%len(types)]
	if e.Type == "" {
		e.Body = fmt.Appendf(nil, `{"event":"order.%d","needle":%q}`, n%3, fmt.Sprint("n", n%11))
		e.Size = int64(len(e.Body))
	}
	return e
}

// filterExprs are filters on every indexed key, alone and combined with
// each other, with negations and with free text.
var filterExprs = []string{
	"method:POST", "method:get", "method:DELETE", "method:PATCH",
	"endpoint:github", "endpoint:_", "endpoint:nothere",
	"verdict:invalid", "verdict:unverified",
	"status:404", "status:5xx", "status:2xx", "status:418",
	"type:push", "type:PING", "type:order.1", "type:none.such",
	"method:POST endpoint:stripe", "status:5xx verdict:valid", "type:push -method:POST",
	"method:post endpoint:stripe status:2xx", "method:POST method:post", "verdict:invalid type:push",
	"endpoint:github n1", "method:GET needle", "-verdict:valid", "hook-1",
}

// matchAll is the reference: every stored event read whole (allEvents),
// matched with Filter.Match as export and the listener do.
func matchAll(t *testing.T, all []*app.Event, expr string) []uint64 {
	t.Helper()
	f, err := app.ParseFilter(expr, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, e := range all {
		if f.Match(app.EventCandidate{E: e}) {
			out = append(out, e.ID)
		}
	}
	return out
}

// allEvents reads every stored event whole, newest first.
func allEvents(t *testing.T, s *Store) []*app.Event {
	t.Helper()
	var ids []uint64
	s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			ids = append(ids, idOf(k))
		}
		return nil
	})
	out := make([]*app.Event, 0, len(ids))
	for _, id := range ids {
		e, err := s.Event(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func idsOf(sums []app.EventSummary) []uint64 {
	out := make([]uint64, len(sums))
	for i, s := range sums {
		out[i] = s.ID
	}
	return out
}

// checkFilters compares, for every filter, the pages at several offsets
// and the count with the reference scan.
func checkFilters(t *testing.T, s *Store, when string) {
	t.Helper()
	all := allEvents(t, s)
	for _, expr := range append([]string{""}, filterExprs...) {
		ref := matchAll(t, all, expr)
		f, _ := app.ParseFilter(expr, time.Now())
		n, err := s.CountMatching(f)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(ref) {
			t.Errorf("%s: CountMatching(%q) = %d, a scan finds %d", when, expr, n, len(ref))
		}
		for _, off := range []int{0, 1, 7, len(ref) / 2, len(ref) - 3, len(ref), len(ref) + 5} {
			if off < 0 {
				continue
			}
			got, err := s.Events(app.Page{Offset: off, Limit: 25, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			exp := ref[min(off, len(ref)):min(off+25, len(ref))]
			if !slices.Equal(idsOf(got), exp) {
				t.Errorf("%s: Events(%q, offset %d) = %v, a scan gives %v", when, expr, off, idsOf(got), exp)
			}
		}
	}
}

func TestIndexesAnswerAsAScanDoes(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	ctx := context.Background()
	// Capture (the group writer) and import both write the indexes.
	for i := range 1500 {
		mustRecord(t, s, variedEvent(i))
	}
	var imported []*app.Event
	for i := 1500; i < 2600; i++ {
		imported = append(imported, variedEvent(i))
	}
	if err := s.ImportAll(ctx, imported); err != nil {
		t.Fatal(err)
	}
	checkFilters(t, s, "after capture and import")

	// Delete leaves gaps, inside blocks and whole blocks.
	for id := uint64(3); id <= 2600; id += 5 {
		if err := s.Delete(id); err != nil {
			t.Fatal(err)
		}
	}
	for id := uint64(1030); id < 2060; id++ {
		if err := s.Delete(id); err != nil && !errors.Is(err, app.ErrNotFound) {
			t.Fatal(err)
		}
	}
	checkFilters(t, s, "after deletes")

	// A new verdict moves the event in the verdict index.
	for id := uint64(2500); id < 2600; id += 2 {
		if err := s.SetVerdict(id, app.Verdict{Scheme: "hmac", Result: app.VerdictInvalid, Reason: "changed"}); err != nil && !errors.Is(err, app.ErrNotFound) {
			t.Fatal(err)
		}
	}
	checkFilters(t, s, "after new verdicts")

	// Pruning the oldest by size.
	size, _ := s.StoredBytes()
	if _, err := s.Prune(time.Time{}, size*2/3); err != nil {
		t.Fatal(err)
	}
	checkFilters(t, s, "after prune")

	// Reopen: the indexes are in the file.
	s.Close()
	s = openTest(t, dir)
	checkFilters(t, s, "after reopen")

	if err := s.DeleteAll(); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, variedEvent(4))
	checkFilters(t, s, "after clear all")
}

// TestIndexMigration opens a file written before the indexes existed
// (schema 4, no index buckets): Open keeps a copy, builds them, and every
// filter answers as a scan does.
func TestIndexMigration(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	var evs []*app.Event
	for i := range 41000 { // more than two chunks of buildIndexes
		evs = append(evs, variedEvent(i%3000))
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := writeFixture(t, dir, func(tx *bolt.Tx) error {
		for _, n := range [][]byte{bucketEventIndex, bucketEventBlocks} {
			if err := tx.DeleteBucket(n); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("4"))
	})
	var steps []UpgradeProgress
	s, err := OpenWith(dir, Options{Progress: func(p UpgradeProgress) { steps = append(steps, p) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// The upgrade said what it did, step by step, up to the whole.
	last := map[string]UpgradeProgress{}
	for _, p := range steps {
		if prev, ok := last[p.Step]; ok && p.Done < prev.Done {
			t.Errorf("%s went back from %d to %d", p.Step, prev.Done, p.Done)
		}
		last[p.Step] = p
	}
	if p := last[StepBackup]; p.Total == 0 || p.Done != p.Total {
		t.Errorf("the copy before upgrading ended at %+v, want all of it", p)
	}
	if p := last[StepIndexes]; p.Total != int64(len(evs)) || p.Done != p.Total {
		t.Errorf("the index rebuild ended at %+v, want %d of %d events", p, len(evs), len(evs))
	} else if got := p.String(); got != "rebuilding the event indexes: 41,000 of 41,000 events (100%)" {
		t.Errorf("progress line %q", got)
	}
	if v := schemaIn(t, path+".v4.bak"); v != 4 {
		t.Fatalf("the copy kept before migrating has schema %d, want 4", v)
	}
	s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta).Get(keyIndexNext) != nil {
			t.Error("the index build did not finish at Open")
		}
		return nil
	})
	all := allEvents(t, s)
	for _, expr := range []string{"", "method:DELETE", "status:5xx", "type:order.2", "endpoint:_ verdict:valid"} {
		ref := matchAll(t, all, expr)
		f, _ := app.ParseFilter(expr, time.Now())
		for _, off := range []int{0, len(ref) / 2, len(ref) - 1} {
			got, err := s.Events(app.Page{Offset: off, Limit: 10, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			if exp := ref[off:min(off+10, len(ref))]; !slices.Equal(idsOf(got), exp) {
				t.Errorf("after migration: Events(%q, %d) = %v, want %v", expr, off, idsOf(got), exp)
			}
		}
		if n, _ := s.CountMatching(f); n != len(ref) {
			t.Errorf("after migration: CountMatching(%q) = %d, want %d", expr, n, len(ref))
		}
	}
}

func TestSearchStreamsAndCancels(t *testing.T) {
	s := openTest(t, t.TempDir())
	var evs []*app.Event
	for i := range 20000 {
		evs = append(evs, variedEvent(i))
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	all := allEvents(t, s)
	for _, expr := range []string{"needle", "endpoint:_ n3", "method:POST needle", "hook-1999"} {
		f, _ := app.ParseFilter(expr, time.Now())
		var got []uint64
		calls, last := 0, app.SearchProgress{}
		err := s.Search(context.Background(), f, func(p app.SearchProgress) bool {
			calls++
			got = append(got, idsOf(p.Matches)...)
			if p.Scanned < last.Scanned || p.Scanned > p.Total {
				t.Errorf("%q: progress went from %d to %d of %d", expr, last.Scanned, p.Scanned, p.Total)
			}
			last = p
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if ref := matchAll(t, all, expr); !slices.Equal(got, ref) {
			t.Errorf("Search(%q) found %d events, a scan %d", expr, len(got), len(ref))
		}
		if last.Scanned != last.Total {
			t.Errorf("Search(%q) ended at %d of %d", expr, last.Scanned, last.Total)
		}
		if expr == "needle" && calls < 3 {
			t.Errorf("Search over 20000 events reported %d times, want progress in chunks", calls)
		}
	}

	// Cancelled after the first chunk: it stops with the context's error.
	f, _ := app.ParseFilter("needle", time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	var seen app.SearchProgress
	err := s.Search(ctx, f, func(p app.SearchProgress) bool {
		seen = p
		cancel()
		return true
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled search returned %v, want context.Canceled", err)
	}
	if seen.Scanned >= seen.Total {
		t.Fatalf("cancelled search scanned %d of %d", seen.Scanned, seen.Total)
	}
}

func TestCompactKeepsEveryEvent(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	var evs []*app.Event
	for i := range 6000 {
		e := variedEvent(i)
		if i%10 == 0 {
			e.Body = bytes.Repeat([]byte{0xff, 0x00, byte(i)}, 700) // binary, not UTF-8
			e.Size = int64(len(e.Body))
		}
		evs = append(evs, e)
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEndpoint(app.Endpoint{Slug: "github", Scheme: "github", Secrets: []string{"s3cret"}}); err != nil {
		t.Fatal(err)
	}
	for id := uint64(1); id <= 6000; id++ {
		if id%3 != 0 {
			if err := s.Delete(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := map[uint64]*app.Event{}
	for id := uint64(3); id <= 6000; id += 3 {
		e, err := s.Event(id)
		if err != nil {
			t.Fatal(err)
		}
		before[id] = e
	}
	fi, _ := os.Stat(s.Path())
	_, free, err := s.Reclaimable()
	if err != nil || free == 0 {
		t.Fatalf("Reclaimable after deletes: %d free, %v", free, err)
	}
	var last int64
	rep, err := s.Compact(context.Background(), func(done, total int64) { last = done * 100 / total })
	if err != nil {
		t.Fatal(err)
	}
	if rep.After >= fi.Size() || last != 100 {
		t.Fatalf("compact: %v (file was %d bytes), progress ended at %d%%", rep, fi.Size(), last)
	}
	for id, e := range before {
		got, err := s.Event(id)
		if err != nil {
			t.Fatalf("event %d after compact: %v", id, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("event %d changed in compaction:\n%+v\n%+v", id, got, e)
		}
	}
	if n := count(t, s); n != len(before) {
		t.Fatalf("count %d after compact, want %d", n, len(before))
	}
	if ep, err := s.Endpoint("github"); err != nil || ep.Secrets[0] != "s3cret" {
		t.Fatalf("endpoint after compact: %+v %v", ep, err)
	}
	checkFilters(t, s, "after compact")
	// Still writable, ids go on.
	id := mustRecord(t, s, variedEvent(1))
	if id != 6001 {
		t.Fatalf("first id after compact = %d, want 6001", id)
	}
	if m, _ := os.ReadDir(dir); len(m) == 0 {
		t.Fatal("data dir empty")
	}
	for _, leftover := range []string{".compact", ".precompact"} {
		if _, err := os.Stat(s.Path() + leftover); !os.IsNotExist(err) {
			t.Errorf("%s left behind after compact", leftover)
		}
	}
	s.Close()
	s = openTest(t, dir)
	if n := count(t, s); n != len(before)+1 {
		t.Fatalf("count after reopen %d", n)
	}
}

// TestIndexRebuildResumedCountsWhatWasDone: a rebuild cut short after its
// first chunk goes on at the next open, and its progress starts from the
// events already indexed and ends at all of them, as the window's bar does.
func TestIndexRebuildResumedCountsWhatWasDone(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	var evs []*app.Event
	for i := range indexChunk + 5000 {
		evs = append(evs, variedEvent(i%3000))
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := s.Path()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("6")) }); err != nil {
		t.Fatal(err)
	}
	if err := migrate(db, path, nil); err != nil {
		t.Fatal(err)
	}
	// Stop the rebuild once its first chunk is committed, as a quit would.
	errCut := errors.New("cut short")
	func() {
		defer func() {
			if r := recover(); r != errCut {
				t.Fatalf("the rebuild was not cut short: %v", r)
			}
		}()
		buildIndexes(db, func(p UpgradeProgress) {
			if p.Done > 0 {
				panic(errCut)
			}
		})
	}()
	db.Close()

	var steps []UpgradeProgress
	s, err = OpenWith(dir, Options{Progress: func(p UpgradeProgress) { steps = append(steps, p) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	n := int64(len(evs))
	if len(steps) < 2 || steps[0] != (UpgradeProgress{Step: StepIndexes, Done: indexChunk, Total: n}) {
		t.Fatalf("the resumed rebuild reported %+v first, want %d of %d done", steps, indexChunk, n)
	}
	if last := steps[len(steps)-1]; last.Done != n || last.Total != n {
		t.Errorf("the resumed rebuild ended at %+v, want all %d", last, n)
	}
	all := allEvents(t, s)
	for _, expr := range []string{"method:DELETE", "status:5xx", "type:order.2"} {
		f, _ := app.ParseFilter(expr, time.Now())
		if got, want := mustCount(t, s, f), len(matchAll(t, all, expr)); got != want {
			t.Errorf("after the resumed rebuild: CountMatching(%q) = %d, want %d", expr, got, want)
		}
	}
}

func mustCount(t *testing.T, s *Store, f app.Filter) int {
	t.Helper()
	n, err := s.CountMatching(f)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
