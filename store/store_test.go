package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sampleEvent is a plausible capture whose body and path identify it.
func sampleEvent(n int) *app.Event {
	body := fmt.Sprintf(`{"event":"contact.created","n":%d}`, n)
	return &app.Event{
		ReceivedAt: time.Now(),
		Method:     "POST",
		Path:       fmt.Sprintf("/bigin/hook-%d", n),
		Proto:      "HTTP/1.1",
		Host:       "127.0.0.1:8790",
		Headers: app.Headers{
			{Name: "Content-Type", Value: "application/json"},
			{Name: "X-Seq", Value: fmt.Sprint(n)},
		},
		Body:       []byte(body),
		Size:       int64(len(body)),
		RemoteAddr: "127.0.0.1:50000",
		Response:   app.Response{Status: 200},
		Verdict:    app.Verdict{Scheme: "none", Result: app.VerdictUnsigned, Reason: "no signature header"},
	}
}

func mustRecord(t testing.TB, s *Store, e *app.Event) uint64 {
	t.Helper()
	if err := s.Record(context.Background(), e, nil); err != nil {
		t.Fatalf("Record: %v", err)
	}
	return e.ID
}

func count(t testing.TB, s *Store) int {
	t.Helper()
	n, err := s.Count()
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return n
}

func TestRecordConcurrent(t *testing.T) {
	s := openTest(t, t.TempDir())

	var mu sync.Mutex
	var delivered []uint64
	cancel := s.Subscribe(func(e *app.Event) {
		mu.Lock()
		delivered = append(delivered, e.ID)
		mu.Unlock()
	})
	defer cancel()

	const workers, per = 50, 40
	ids := make([][]uint64, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				e := sampleEvent(w*per + i)
				var seenInFinish uint64
				err := s.Record(context.Background(), e, func(e *app.Event) { seenInFinish = e.ID })
				if err != nil {
					errs <- err
					return
				}
				if e.ID == 0 || seenInFinish != e.ID {
					errs <- fmt.Errorf("event %d: id %d, finish saw %d", w*per+i, e.ID, seenInFinish)
					return
				}
				ids[w] = append(ids[w], e.ID)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	if n := count(t, s); n != workers*per {
		t.Fatalf("Count = %d, want %d", n, workers*per)
	}
	seen := map[uint64]int{}
	for w := range workers {
		for i, id := range ids[w] {
			if prev, dup := seen[id]; dup {
				t.Fatalf("id %d given to events %d and %d", id, prev, w*per+i)
			}
			seen[id] = w * per
			// Each caller's own events are committed in call order.
			if i > 0 && id <= ids[w][i-1] {
				t.Fatalf("worker %d: id %d after %d", w, id, ids[w][i-1])
			}
			e, err := s.Event(id)
			if err != nil {
				t.Fatalf("Event(%d): %v", id, err)
			}
			want := fmt.Sprintf(`{"event":"contact.created","n":%d}`, w*per+i)
			if string(e.Body) != want {
				t.Fatalf("Event(%d).Body = %s, want %s", id, e.Body, want)
			}
		}
	}

	// Commit order is id order: stored-at times never go back as ids grow,
	// and subscribers saw ids strictly increasing.
	var last time.Time
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			at, err := storedAt(recordSummary(v))
			if err != nil {
				return err
			}
			if at.Before(last) {
				return fmt.Errorf("event %d stored at %v, before the previous id's %v", idOf(k), at, last)
			}
			last = at
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // drains subscribers
	if len(delivered) != workers*per {
		t.Fatalf("subscriber got %d events, want %d", len(delivered), workers*per)
	}
	for i := 1; i < len(delivered); i++ {
		if delivered[i] <= delivered[i-1] {
			t.Fatalf("subscriber saw id %d after %d: not commit order", delivered[i], delivered[i-1])
		}
	}
}

// blockWriter records one event whose finish blocks the writer inside its
// transaction until release is called, so a test can queue events behind it.
func blockWriter(t *testing.T, s *Store) (release func(), done <-chan error) {
	t.Helper()
	inside := make(chan struct{})
	unblock := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- s.Record(context.Background(), sampleEvent(-1), func(*app.Event) {
			close(inside)
			<-unblock
		})
	}()
	<-inside
	var once sync.Once
	return func() { once.Do(func() { close(unblock) }) }, errc
}

func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(s.queue) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d events reached the queue", len(s.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGroupCommitTakesEverythingQueued(t *testing.T) {
	s := openTest(t, t.TempDir())
	release, first := blockWriter(t, s)

	const n = 20
	var wg sync.WaitGroup
	events := make([]*app.Event, n)
	for i := range n {
		events[i] = sampleEvent(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Record(context.Background(), events[i], nil); err != nil {
				t.Error(err)
			}
		}()
	}
	waitQueued(t, s, n)
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	// Every event queued during the blocked commit went into the next single
	// transaction: one stored-at time for all of them.
	var stamps = map[int64]int{}
	err := s.view(func(tx *bolt.Tx) error {
		recs := tx.Bucket(bucketEvents)
		for _, e := range events {
			at, err := storedAt(recordSummary(recs.Get(key(e.ID))))
			if err != nil {
				return err
			}
			stamps[at.UnixNano()]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stamps) != 1 {
		t.Fatalf("the %d queued events were committed in %d transactions, want 1", n, len(stamps))
	}
}

func TestRecordHonoursContextWhileQueueFull(t *testing.T) {
	s := openTest(t, t.TempDir())
	release, first := blockWriter(t, s)
	defer release()

	var wg sync.WaitGroup
	for i := range cap(s.queue) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Record(context.Background(), sampleEvent(i), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	waitQueued(t, s, cap(s.queue))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := sampleEvent(99999)
	if err := s.Record(ctx, e, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Record with a cancelled context and a full queue = %v, want context.Canceled", err)
	}
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if n := count(t, s); n != cap(s.queue)+1 {
		t.Fatalf("Count = %d, want %d (the cancelled one must not be stored)", n, cap(s.queue)+1)
	}
}

func TestCloseCommitsQueuedEvents(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	release, first := blockWriter(t, s)
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Record(context.Background(), sampleEvent(i), nil); err != nil {
				t.Errorf("queued Record returned %v although Close must commit it", err)
			}
		}()
	}
	waitQueued(t, s, n)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	// Close must not finish while events are still queued.
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v before the queued events were committed", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Record(context.Background(), sampleEvent(0), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Record after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s2 := openTest(t, dir)
	if got := count(t, s2); got != n+1 {
		t.Fatalf("after reopen Count = %d, want %d", got, n+1)
	}
}

func TestEventsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))
	body := []byte{'{', 0x00, 0xff, 0xfe, '"', '\n', 0x80, '}'}
	want := &app.Event{
		ReceivedAt: received,
		Method:     "PATCH",
		Path:       "/ziwo/call%20ended/\xff",
		Query:      "a=1&a=2&b=%zz",
		Proto:      "HTTP/1.1",
		Host:       "hooks.example:8790",
		Headers: app.Headers{
			{Name: "X-Zoho-Signature", Value: "abc"},
			{Name: "content-type", Value: "application/json"},
			{Name: "X-Repeat", Value: "one"},
			{Name: "X-Obs-Text", Value: "caf\xe9"},
			{Name: "X-Repeat", Value: "two"},
			{Name: "X-Empty", Value: ""},
		},
		Body:       body,
		Size:       10 << 20,
		Truncated:  true,
		RemoteAddr: "[::1]:61234",
		Endpoint:   "ziwo",
		Response: app.Response{
			Status:  413,
			Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Hooklens-Id", Value: "1"}},
			Body:    []byte(`{"error":"body too large"}`),
		},
		Verdict: app.Verdict{Scheme: "salesiq", Result: app.VerdictInvalid, Reason: "signature does not match", Details: "expected abc\nreceived def"},
	}
	in := *want
	in.Headers = slices.Clone(want.Headers)
	in.Body = bytes.Clone(body)
	id := mustRecord(t, s, &in)
	want.ID = id
	empty := mustRecord(t, s, &app.Event{Method: "GET", Path: "/"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := openTest(t, dir)
	got, err := s2.Event(id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ReceivedAt.Equal(received) || got.ReceivedAt.Nanosecond() != 535897932 {
		t.Errorf("ReceivedAt = %v, want %v", got.ReceivedAt, received)
	}
	got.ReceivedAt = want.ReceivedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after reopen\n got %#v\nwant %#v", got, want)
	}

	sums, err := s2.Events(app.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 || sums[0].ID != empty || sums[1].ID != id {
		t.Fatalf("Events = %+v, want ids %d, %d", sums, empty, id)
	}
	ws := want.Summary()
	if !sums[1].ReceivedAt.Equal(ws.ReceivedAt) {
		t.Errorf("summary ReceivedAt = %v, want %v", sums[1].ReceivedAt, ws.ReceivedAt)
	}
	sums[1].ReceivedAt = ws.ReceivedAt
	if sums[1] != ws {
		t.Errorf("summary\n got %+v\nwant %+v", sums[1], ws)
	}

	e, err := s2.Event(empty)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Body) != 0 || e.Headers != nil || !e.ReceivedAt.IsZero() {
		t.Errorf("empty event came back as %+v", e)
	}
	if sums[0].ReceivedAt != (time.Time{}) {
		t.Errorf("zero ReceivedAt came back from the summary as %v", sums[0].ReceivedAt)
	}
}

func TestEventsPagingFilterAndDelete(t *testing.T) {
	s := openTest(t, t.TempDir())
	var ids []uint64
	for i := range 25 {
		e := sampleEvent(i)
		if i%5 == 0 {
			e.Method = "GET"
			e.Body = nil
		}
		if i == 7 {
			e.Body = []byte(`{"note":"Needle in the body"}`)
		}
		if i == 12 {
			e.Query = "q=NEEDLE"
		}
		ids = append(ids, mustRecord(t, s, e))
	}
	newestFirst := slices.Clone(ids)
	slices.Reverse(newestFirst)

	pageIDs := func(p app.Page) []uint64 {
		t.Helper()
		sums, err := s.Events(p)
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, x := range sums {
			out = append(out, x.ID)
		}
		return out
	}
	if got := pageIDs(app.Page{}); !slices.Equal(got, newestFirst) {
		t.Fatalf("all events = %v, want %v", got, newestFirst)
	}
	if got := pageIDs(app.Page{Offset: 10, Limit: 5}); !slices.Equal(got, newestFirst[10:15]) {
		t.Fatalf("offset 10 limit 5 = %v, want %v", got, newestFirst[10:15])
	}
	if got := pageIDs(app.Page{Offset: 22, Limit: 5}); !slices.Equal(got, newestFirst[22:]) {
		t.Fatalf("last page = %v, want %v", got, newestFirst[22:])
	}
	if got := pageIDs(app.Page{Offset: 30}); len(got) != 0 {
		t.Fatalf("page past the end = %v, want none", got)
	}

	gets := []uint64{ids[20], ids[15], ids[10], ids[5], ids[0]}
	if got := pageIDs(app.Page{Filter: app.Filter{Method: "get"}}); !slices.Equal(got, gets) {
		t.Fatalf("method get = %v, want %v", got, gets)
	}
	if got := pageIDs(app.Page{Offset: 1, Limit: 2, Filter: app.Filter{Method: "GET"}}); !slices.Equal(got, gets[1:3]) {
		t.Fatalf("method GET offset 1 limit 2 = %v, want %v", got, gets[1:3])
	}
	needles := []uint64{ids[12], ids[7]}
	if got := pageIDs(app.Page{Filter: app.Filter{Text: "needle"}}); !slices.Equal(got, needles) {
		t.Fatalf("text needle = %v, want %v (body of 7, query of 12)", got, needles)
	}
	if got := pageIDs(app.Page{Filter: app.Filter{Text: "HOOK-13"}}); !slices.Equal(got, []uint64{ids[13]}) {
		t.Fatalf("text in path = %v, want %v", got, ids[13])
	}
	if got := pageIDs(app.Page{Filter: app.Filter{Method: "GET", Text: "needle"}}); len(got) != 0 {
		t.Fatalf("GET with needle = %v, want none", got)
	}

	for _, c := range []struct {
		f    app.Filter
		want int
	}{
		{app.Filter{}, 25},
		{app.Filter{Method: "Get"}, 5},
		{app.Filter{Method: "POST"}, 20},
		{app.Filter{Text: "NeEdLe"}, 2},
		{app.Filter{Text: "contact.created"}, 19}, // 20 POSTs, one body replaced
		{app.Filter{Text: "nothing like this"}, 0},
	} {
		n, err := s.CountMatching(c.f)
		if err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("CountMatching(%+v) = %d, want %d", c.f, n, c.want)
		}
	}

	if err := s.Delete(ids[7]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Event(ids[7]); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("Event after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ids[7]); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("second Delete = %v, want ErrNotFound", err)
	}
	if n := count(t, s); n != 24 {
		t.Fatalf("Count after Delete = %d, want 24", n)
	}
	if n, _ := s.CountMatching(app.Filter{Text: "needle"}); n != 1 {
		t.Fatalf("CountMatching(needle) after deleting one = %d, want 1", n)
	}

	before, err := s.StoredBytes()
	if err != nil || before <= 0 {
		t.Fatalf("StoredBytes = %d, %v", before, err)
	}
	if err := s.DeleteAll(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s); n != 0 {
		t.Fatalf("Count after DeleteAll = %d", n)
	}
	if b, _ := s.StoredBytes(); b != 0 {
		t.Fatalf("StoredBytes after DeleteAll = %d", b)
	}
	if got := pageIDs(app.Page{}); len(got) != 0 {
		t.Fatalf("events after DeleteAll = %v", got)
	}
	next := mustRecord(t, s, sampleEvent(100))
	if next <= ids[len(ids)-1] {
		t.Fatalf("id after DeleteAll = %d, want more than %d: ids must never repeat", next, ids[len(ids)-1])
	}
	if n := count(t, s); n != 1 {
		t.Fatalf("Count after DeleteAll and one Record = %d", n)
	}
}

func TestCountersMatchContent(t *testing.T) {
	s := openTest(t, t.TempDir())
	for i := range 30 {
		mustRecord(t, s, sampleEvent(i))
	}
	for _, id := range []uint64{3, 9, 10} {
		if err := s.Delete(id); err != nil {
			t.Fatal(err)
		}
	}
	// Recompute by scanning, which the store itself never does.
	var n, size int
	s.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		return b.events.ForEach(func(k, v []byte) error {
			n++
			size += recordSize(k, v, b.bodies.Get(k))
			return nil
		})
	})
	stored, _ := s.StoredBytes()
	if c := count(t, s); c != n || c != 27 || int(stored) != size {
		t.Fatalf("counters say %d events / %d bytes, content has %d / %d", c, stored, n, size)
	}
}

func TestSubscribe(t *testing.T) {
	s := openTest(t, t.TempDir())

	// A subscriber that is stuck must not hold up capture.
	gate := make(chan struct{})
	var mu sync.Mutex
	var slow []uint64
	cancelSlow := s.Subscribe(func(e *app.Event) {
		<-gate
		mu.Lock()
		slow = append(slow, e.ID)
		mu.Unlock()
	})
	defer cancelSlow()

	got := make(chan *app.Event, 1000)
	cancel := s.Subscribe(func(e *app.Event) { got <- e })

	var ids []uint64
	for i := range 200 {
		e := sampleEvent(i)
		ids = append(ids, mustRecord(t, s, e))
		e.Body[0] = 'X' // the caller owns e again; subscribers hold a copy
	}
	for i, id := range ids {
		e := <-got
		if e.ID != id {
			t.Fatalf("subscriber event %d has id %d, want %d", i, e.ID, id)
		}
		if e.Body[0] != '{' {
			t.Fatalf("subscriber saw the caller's later change to the body")
		}
		// Told after commit: the event is readable when fn runs.
		if _, err := s.Event(e.ID); err != nil {
			t.Fatalf("event %d delivered but not readable: %v", e.ID, err)
		}
	}

	cancel()
	cancel() // idempotent
	mustRecord(t, s, sampleEvent(1000))
	select {
	case e := <-got:
		t.Fatalf("cancelled subscriber was called with event %d", e.ID)
	case <-time.After(50 * time.Millisecond):
	}

	close(gate)
	s.Close() // lets the slow subscriber drain what it was given
	mu.Lock()
	defer mu.Unlock()
	want := append(slices.Clone(ids), ids[len(ids)-1]+1)
	if !slices.Equal(slow, want) {
		t.Fatalf("slow subscriber got %d events %v..., want %d in order", len(slow), slow[:min(5, len(slow))], len(want))
	}
}

func TestSubscribeCancelFromCallback(t *testing.T) {
	s := openTest(t, t.TempDir())
	calls := make(chan uint64, 10)
	var cancel func()
	ready := make(chan struct{})
	cancel = s.Subscribe(func(e *app.Event) {
		<-ready
		calls <- e.ID
		cancel()
	})
	close(ready)
	mustRecord(t, s, sampleEvent(1))
	mustRecord(t, s, sampleEvent(2))
	s.Close()
	if len(calls) != 1 {
		t.Fatalf("subscriber that cancelled itself was called %d times, want 1", len(calls))
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	res := make(chan error, 1)
	go func() {
		s, err := Open(dir)
		if err == nil {
			s.Close()
		}
		res <- err
	}()
	select {
	case err := <-res:
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("second Open = %v, want ErrLocked", err)
		}
		msg := err.Error()
		for _, want := range []string{"hooklens.db in " + dir, "already open by another Hooklens", "--data DIR"} {
			if !strings.Contains(msg, want) {
				t.Errorf("lock error %q does not say %q", msg, want)
			}
		}
	case <-time.After(30 * time.Second):
		t.Fatal("second Open hung instead of reporting the lock")
	}
}

func TestOpenDamaged(t *testing.T) {
	for name, content := range map[string][]byte{
		"text":    []byte("this is not a database\n"),
		"garbage": bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03}, 5000),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err == nil {
				s.Close()
				t.Fatal("Open of a damaged file succeeded")
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Open = %v, want ErrDamaged", err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "move it aside") {
				t.Fatalf("damage error %q should name %s and say to move it aside", msg, path)
			}
			left, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(left, content) {
				t.Fatalf("the damaged file was changed or removed (%v)", err)
			}
		})
	}
}

func TestOpenBadChecksum(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, sampleEvent(1))
	path := s.Path()
	s.Close()

	// Flip a byte inside both meta pages (page header is 16 bytes; the txid
	// sits 48 bytes into the meta), so neither checksum matches. Meta 1 is
	// one page of the file's own size in.
	ps, err := filePageSize(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int64(ps)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{16 + 48, pageSize + 16 + 48} {
		b := make([]byte, 1)
		f.ReadAt(b, off)
		b[0] ^= 0xff
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()

	s, err = Open(dir)
	if err == nil {
		s.Close()
		t.Fatal("Open of a file with bad meta checksums succeeded")
	}
	t.Log(err)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v, want ErrDamaged naming %s", err, path)
	}
}

func TestRecordWithCancelledContext(t *testing.T) {
	s := openTest(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 50 { // select would pick the free queue about half the time
		if err := s.Record(ctx, sampleEvent(1), nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("Record with a cancelled context = %v", err)
		}
	}
	if n := count(t, s); n != 0 {
		t.Fatalf("%d events stored for callers that had given up", n)
	}
}

func TestFileModeAndDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	s := openTest(t, dir)
	if s.Path() != filepath.Join(dir, FileName) {
		t.Fatalf("Path = %s", s.Path())
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file mode %v, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(dir)
	if di.Mode().Perm() != 0o700 {
		t.Fatalf("new data dir mode %v, want 0700", di.Mode().Perm())
	}
	s.Close()

	// A file left readable to others is made private on open.
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	openTest(t, dir)
	fi, _ = os.Stat(s.Path())
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("reopened file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-test")
	d, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if d != "/tmp/xdg-test/hooklens" {
		t.Fatalf("DefaultDir = %s", d)
	}
}

func TestEndpointsAndSettings(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, err := s.Endpoint("bigin"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("missing endpoint: %v", err)
	}
	eps, err := s.Endpoints()
	if err != nil || len(eps) != 0 {
		t.Fatalf("Endpoints on a new store = %v, %v", eps, err)
	}
	created := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	want := app.Endpoint{
		Slug: "salesiq", Scheme: "salesiq", Secrets: []string{"old", "new"},
		Response:  app.ResponseRule{Status: 202, Headers: app.Headers{{Name: "X-A", Value: "1"}}, Body: "ok", Delay: 1500 * time.Millisecond},
		ForwardTo: "http://127.0.0.1:3000/hooks", CreatedAt: created,
	}
	for _, ep := range []app.Endpoint{{Slug: "ziwo"}, want, {Slug: "bigin"}} {
		if err := s.PutEndpoint(ep); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutEndpoint(app.Endpoint{Slug: "Bad Slug"}); err == nil {
		t.Fatal("PutEndpoint accepted an invalid slug")
	}
	s.Close()

	s = openTest(t, dir)
	eps, err = s.Endpoints()
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, ep := range eps {
		slugs = append(slugs, ep.Slug)
		if ep.CreatedAt.IsZero() {
			t.Errorf("endpoint %s has no CreatedAt", ep.Slug)
		}
	}
	if !slices.Equal(slugs, []string{"bigin", "salesiq", "ziwo"}) {
		t.Fatalf("Endpoints order = %v", slugs)
	}
	got, err := s.Endpoint("salesiq")
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(created) {
		t.Fatalf("CreatedAt = %v, want %v", got.CreatedAt, created)
	}
	got.CreatedAt = created
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Endpoint\n got %+v\nwant %+v", got, want)
	}
	if err := s.DeleteEndpoint("ziwo"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEndpoint("ziwo"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("second DeleteEndpoint = %v, want ErrNotFound", err)
	}

	if _, err := s.Setting("window.width"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("unset setting: %v", err)
	}
	for k, v := range map[string]string{"window.width": "1280", "split": "0.35", "empty": ""} {
		if err := s.SetSetting(k, v); err != nil {
			t.Fatal(err)
		}
		got, err := s.Setting(k)
		if err != nil || got != v {
			t.Fatalf("Setting(%q) = %q, %v; want %q", k, got, err, v)
		}
	}
}

// The provider's event name is kept in the summary: list rows and type:
// filters read it without touching the body.
func TestEventTypeIsKeptInTheSummary(t *testing.T) {
	s := openTest(t, t.TempDir())
	e := &app.Event{ReceivedAt: time.Now(), Method: "POST", Path: "/gh", Type: "push", Body: []byte(`{}`)}
	if err := s.Record(context.Background(), e, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Events(app.Page{})
	if err != nil || len(rows) != 1 || rows[0].Type != "push" {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	got, _ := s.Event(e.ID)
	if got.Type != "push" {
		t.Fatalf("event type %q", got.Type)
	}
	f, _ := app.ParseFilter("type:push", time.Now())
	if rows, _ := s.Events(app.Page{Filter: f}); len(rows) != 1 {
		t.Fatalf("type:push matched %d", len(rows))
	}
}

// With a filter, EventsCounted's count is of the matching events, read with
// the page while matching events keep arriving: after 50 events that match
// none of the filters, every event matches, so the newest match's id is
// the count plus 50 and a page at an offset starts that many below it. One
// filter of each kind of count: an exact index count, an intersection of
// two indexed terms, and a scan.
func TestFilteredEventsCountedMatchesItsPageUnderAStream(t *testing.T) {
	s := openTest(t, t.TempDir())
	for i := range 50 {
		e := sampleEvent(i)
		e.Method, e.Body = "GET", []byte(`{"event":"other"}`)
		e.Size = int64(len(e.Body))
		mustRecord(t, s, e)
	}
	for i := range 20 {
		mustRecord(t, s, sampleEvent(i))
	}
	// A bounded stream (the scan counts every event on each read).
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 400 {
				if err := s.Record(context.Background(), sampleEvent(1000*w+i), nil); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(100 * time.Microsecond)
			}
		}()
	}
	defer wg.Wait()
	for _, expr := range []string{"method:POST", "method:POST verdict:unsigned", "contact.created"} {
		f, err := app.ParseFilter(expr, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for i := range 100 {
			off := i % 20
			page, n, err := s.EventsCounted(app.Page{Offset: off, Limit: 10, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) != 10 || page[0].ID != uint64(n+50-off) || page[9].ID != page[0].ID-9 {
				t.Fatalf("%q, read %d: the page at offset %d holds %d rows (%v), and the count of matches read with it is %d (want the page to start at event %d)", expr, i, off, len(page), ids(page), n, n+50-off)
			}
			if want, _ := s.CountMatching(f); want < n {
				t.Fatalf("%q: CountMatching after the page counts %d, fewer than the %d counted with it", expr, want, n)
			}
		}
	}
}

// EventsCounted reads a page and the count it was read at, while events
// keep arriving: with ids 1..n and nothing deleted, the newest row's id is
// the count, and a page at an offset starts that many rows below it.
func TestEventsCountedMatchesItsPageUnderAStream(t *testing.T) {
	s := openTest(t, t.TempDir())
	for i := range 50 {
		mustRecord(t, s, sampleEvent(i))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.Record(context.Background(), sampleEvent(1000*w+i), nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	for i := range 300 {
		off := i % 20
		page, n, err := s.EventsCounted(app.Page{Offset: off, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 10 || page[0].ID != uint64(n-off) {
			t.Fatalf("read %d: the page at offset %d starts at event %d with %d rows, and the count read with it is %d", i, off, page[0].ID, len(page), n)
		}
	}
}

// ids lists the rows' ids, for a failure message.
func ids(rows []app.EventSummary) []uint64 {
	out := make([]uint64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}
