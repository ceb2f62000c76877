package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// defaultLimit is the page size when Page.Limit is 0.
const defaultLimit = 100

// fillPercent packs pages fuller than bbolt's default: event keys only ever
// grow, so splits happen at the right edge and half-full pages would stay so.
const fillPercent = 1.0

type recordReq struct {
	// run, when set, is a whole transaction (ImportAll) the writer runs
	// on its own once everything logged before it is applied; e is nil.
	run      func(tx *bolt.Tx) error
	e        *app.Event
	finish   func(*app.Event)
	forwards []*app.Delivery // stored with e, in its transaction
	done     chan error      // buffered: the writer never waits for the caller
	// dup is set by the writer when e has an Origin already imported: e
	// is not stored again and e.ID is the stored copy's id (see Import).
	dup bool
	// queued and answered time app.StageQueued and app.StageWake (zero
	// with timings off).
	queued, answered time.Time
}

// Record stores e durably (see app.Recorder). Concurrent calls share one
// append to the capture log and one fdatasync: the writer takes every event
// queued while the previous group was syncing. ctx is honoured while
// waiting for a place in the queue; once queued, Record waits for the sync
// so that a nil return always means the event is on disk. Every read after
// that sees it: reads wait for the applier to copy it into bbolt.
func (s *Store) Record(ctx context.Context, e *app.Event, finish func(*app.Event), forwards ...*app.Delivery) error {
	// select picks at random among ready cases: check first so a caller
	// that has already given up never gets its event stored.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("event not recorded: %w", err)
	}
	r := recordReqs.Get().(*recordReq)
	r.e, r.finish, r.forwards, r.queued = e, finish, forwards, app.StageStart()
	if err := s.enqueue(ctx, r); err != nil {
		r.release()
		return err
	}
	err := <-r.done
	app.StageEnd(app.StageWake, r.answered, 1)
	r.release()
	return err
}

// recordReqs keeps Record's requests, each with its answer channel, for
// the next call: the writer is done with a request once it has sent the
// answer (it only keeps the pointer in its group until the next one).
var recordReqs = sync.Pool{New: func() any { return &recordReq{done: make(chan error, 1)} }}

// release empties r and puts it back for another Record.
func (r *recordReq) release() {
	*r = recordReq{done: r.done}
	recordReqs.Put(r)
}

// enqueue hands r to the capture writer, honouring ctx while the queue is full.
func (s *Store) enqueue(ctx context.Context, r *recordReq) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("cannot record the event: %w", ErrClosed)
	}
	s.sending.Add(1)
	s.mu.RUnlock()
	select {
	case s.queue <- r:
		s.sending.Done()
	case <-ctx.Done():
		s.sending.Done()
		return fmt.Errorf("event not recorded: %w", ctx.Err())
	}
	return nil
}

// writeLoop is the single capture writer. It takes every event queued so
// far as one group and makes it durable: appended to the capture log with
// one fdatasync (wal.go) and handed to the applier, or, for a group that
// holds imports or forwards (or with the log off), committed to bbolt
// directly once the applier has caught up. It runs until Close closes the
// queue, then returns once everything queued is durable and applied.
func (s *Store) writeLoop() {
	defer s.writer.Done()
	if s.applyq != nil {
		defer func() {
			close(s.applyq)
			s.applier.Wait()
		}()
	}
	var group, runs []*recordReq
	for r := range s.queue {
		group = append(group[:0], r)
		yielded := false
	drain:
		for {
			select {
			case r, ok := <-s.queue:
				if !ok {
					break drain
				}
				group = append(group, r)
			default:
				if !yielded {
					// Before calling the queue empty, let the goroutines
					// that are ready run once: under load they are mostly
					// requests about to be queued, which then share this
					// group's sync instead of waiting a whole sync for
					// the next (a sync costs about 100 µs of CPU on the
					// 2-core virtual machine of the README's figures).
					// With nothing else ready it returns at once.
					yielded = true
					runtime.Gosched()
					continue
				}
				break drain
			}
		}
		if taken := app.StageStart(); !taken.IsZero() {
			for _, r := range group {
				app.StageEnd(app.StageQueued, r.queued, 1)
			}
		}
		// Whole-transaction work (ImportAll) runs on its own, after the
		// events queued with it.
		runs = runs[:0]
		recs := group[:0]
		for _, r := range group {
			if r.run != nil {
				runs = append(runs, r)
			} else {
				recs = append(recs, r)
			}
		}
		if len(recs) > 0 {
			var batch []applyItem
			var err error
			if s.wal == nil || needsDirect(recs) {
				err = s.directGroup(recs)
			} else {
				batch, err = s.logGroup(recs)
			}
			err = s.groupError(err, len(recs))
			answered := app.StageStart()
			for _, r := range recs {
				r.answered = answered
				r.done <- err
			}
			// The answers just released wait in this goroutine's run
			// queue; the next log sync would keep them there (a goroutine
			// in a system call holds its processor) until the scheduler's
			// monitor takes the processor back, which was most of the time
			// a sender waited. Let them run first.
			runtime.Gosched()
			if batch != nil {
				// After the answers: this waits only when the applier is
				// far behind.
				if d, a := s.durable.Load(), s.applied.Load(); d > a+applyBacklog {
					t := app.StageStart()
					s.waitApplied(d - applyBacklog/2)
					app.StageEnd(app.StageBacklog, t, len(batch))
				}
				s.applyq <- batch
			}
		}
		for _, r := range runs {
			err := s.caughtUp()
			if err == nil {
				err = s.updateNow(r.run)
				s.reloadNextID()
			}
			r.done <- err
		}
		clear(group) // let finished events be collected while the next group gathers
	}
}

func (s *Store) groupError(err error, n int) error {
	var d *DamagedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &d):
		return d
	case errors.Is(err, errApply), errors.Is(err, errLog):
		return err
	}
	return fmt.Errorf("saving %d event(s) to %s failed: check free disk space: %w", n, s.path, err)
}

// needsDirect says whether a group must be committed to bbolt directly:
// an import is checked against the stored origins in the transaction that
// stores it, and a forward is a delivery stored with its event.
func needsDirect(group []*recordReq) bool {
	for _, r := range group {
		if r.e.Origin != "" || len(r.forwards) > 0 {
			return true
		}
	}
	return false
}

// directGroup commits a group to bbolt in one transaction (synced), after
// every logged event before it is applied, and tells subscribers.
func (s *Store) directGroup(group []*recordReq) error {
	if err := s.caughtUp(); err != nil {
		return err
	}
	err := s.commitGroup(group)
	if s.wal != nil {
		s.reloadNextID()
	}
	if err == nil {
		s.publish(group)
	}
	return err
}

// reloadNextID reads the next id from bbolt after a direct commit.
func (s *Store) reloadNextID() {
	_ = s.viewNow(func(tx *bolt.Tx) error {
		s.nextID = max(s.nextID, tx.Bucket(bucketEvents).Sequence()+1)
		return nil
	})
}

// logGroup gives each event of the group its id, appends the group to the
// capture log and syncs it. The events are durable when it returns nil;
// the batch is what the applier is to copy into bbolt.
func (s *Store) logGroup(group []*recordReq) ([]applyItem, error) {
	if d := s.damage.Load(); d != nil {
		return nil, d
	}
	if err := s.applyFailure(); err != nil {
		return nil, err
	}
	if s.nextID == 0 || s.nextID > math.MaxUint64-1<<32 {
		// Only a damaged sequence gets here: ids would wrap around.
		return nil, s.markDamaged(damagedf(s.path, nil, "the events' id sequence reads %d, which no real file reaches", s.nextID-1))
	}
	now := time.Now()
	stage := app.StageStart()
	id := s.nextID
	batch := make([]applyItem, 0, len(group))
	for _, r := range group {
		r.e.ID = id
		id++
		if r.finish != nil {
			r.finish(r.e)
		}
		rec, err := encodeRecord(r.e, now)
		if err != nil {
			s.wal.reset()
			return nil, fmt.Errorf("encoding event %d: %w", r.e.ID, err)
		}
		// The applier and subscribers get a copy: once Record returns the
		// caller owns e again.
		c := cloneEvent(r.e)
		s.wal.add(c.ID, now, rec, c.Body)
		batch = append(batch, applyItem{e: c, rec: rec, at: now})
	}
	stage = app.StageEnd(app.StageEncode, stage, len(group))
	if !s.wal.fits() {
		if int64(len(s.wal.buf)) > walRegion/2 {
			// Bigger than the log is meant to hold (large bodies):
			// straight into bbolt, synced, once everything before it is.
			s.wal.reset()
			if err := s.caughtUp(); err != nil {
				return nil, err
			}
			if err := s.applyNow(batch, true); err != nil {
				return nil, err
			}
			s.nextID = id
			s.markApplied(id - 1)
			s.publishEvents(events(batch))
			return nil, nil
		}
		// On to the other region, once what it holds is applied: it was
		// written a whole region ago, so this waits only when the applier
		// is that far behind.
		if _, last := s.wal.other(); s.applied.Load() < last {
			t := app.StageStart()
			if err := s.waitApplied(last); err != nil {
				s.wal.reset()
				return nil, err
			}
			app.StageEnd(app.StageLogRestart, t, len(group))
		}
		s.wal.turn()
	}
	if err := s.wal.commit(stage); err != nil {
		// After a failed write or sync nothing says what reached the disk:
		// take no more events until Hooklens is started again.
		err = fmt.Errorf("%w: %w", errLog, err)
		s.applyMu.Lock()
		if s.applyErr == nil {
			s.applyErr = err
		}
		s.applyCond.Broadcast()
		s.applyMu.Unlock()
		return nil, err
	}
	s.nextID = id
	s.durable.Store(id - 1)
	return batch, nil
}

func (s *Store) commitGroup(group []*recordReq) error {
	now := time.Now()
	return s.updateNow(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		ob := s.outboxBuckets(tx)
		var size int64
		stored := make([]*app.Event, 0, len(group)) // what this group adds, for the counters
		for _, r := range group {
			if r.e.Origin != "" {
				if id := b.origin(r.e.Origin); id != 0 {
					r.e.ID, r.dup = id, true
					continue
				}
			}
			n, err := b.put(r.e, r.finish, now)
			if err != nil {
				return err
			}
			size += int64(n)
			stored = append(stored, r.e)
			if err := ob.add(r.e); err != nil {
				return fmt.Errorf("queueing event %d to publish: %w", r.e.ID, err)
			}
			for _, d := range r.forwards {
				d.EventID = r.e.ID
				if err := putDelivery(tx, d); err != nil {
					return fmt.Errorf("queueing the forward of event %d: %w", r.e.ID, err)
				}
			}
		}
		if err := countEvents(tx, stored); err != nil {
			return err
		}
		if err := addUint(b.meta, keyCount, int64(len(stored))); err != nil {
			return err
		}
		if err := ob.commit(); err != nil {
			return err
		}
		return addUint(b.meta, keyBytes, size)
	})
}

// buckets are the event buckets of one transaction.
type buckets struct {
	meta, events, bodies *bolt.Bucket
	origins              *bolt.Bucket // origin -> id (outbox.go)
	index, blocks        *bolt.Bucket // the kept indexes (index.go)
	batch                *indexBatch  // index writes applied at the end (flushIndex)
}

func eventBuckets(tx *bolt.Tx) buckets {
	b := buckets{
		meta:    tx.Bucket(bucketMeta),
		events:  tx.Bucket(bucketEvents),
		bodies:  tx.Bucket(bucketBodies),
		origins: tx.Bucket(bucketOrigins),
		index:   tx.Bucket(bucketEventIndex),
		blocks:  tx.Bucket(bucketEventBlocks),
	}
	if tx.Writable() {
		b.events.FillPercent = fillPercent
		b.bodies.FillPercent = fillPercent
		if b.index != nil {
			// Each value's entries grow at its own right edge: pack full too.
			b.index.FillPercent = fillPercent
		}
	}
	return b
}

// put gives e the next id, lets finish complete it, and writes it. It
// returns the bytes added to the size counter; the caller updates counters.
func (b buckets) put(e *app.Event, finish func(*app.Event), now time.Time) (int, error) {
	id, err := b.events.NextSequence()
	if err != nil {
		return 0, err
	}
	e.ID = id
	if finish != nil {
		finish(e)
	}
	rec, err := encodeRecord(e, now)
	if err != nil {
		return 0, fmt.Errorf("encoding event %d: %w", id, err)
	}
	k := key(id)
	if err := b.events.Put(k, rec); err != nil {
		return 0, err
	}
	if err := b.bodies.Put(k, e.Body); err != nil {
		return 0, err
	}
	if e.Origin != "" {
		if err := b.origins.Put([]byte(e.Origin), k); err != nil {
			return 0, err
		}
	}
	if err := b.indexEvent(k, e); err != nil {
		return 0, err
	}
	return recordSize(k, rec, e.Body), nil
}

// Event returns one whole event, body included, or an error wrapping
// app.ErrNotFound.
func (s *Store) Event(id uint64) (*app.Event, error) {
	var e *app.Event
	err := s.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		k := key(id)
		meta := b.events.Get(k)
		if meta == nil {
			return notFound(id)
		}
		var err error
		if e, err = decodeRecord(id, meta); err != nil {
			s.suspect()
			return err
		}
		// bbolt's slices point into the mmap and die with the transaction.
		if body := b.bodies.Get(k); len(body) > 0 {
			e.Body = bytes.Clone(body)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func notFound(id uint64) error {
	return fmt.Errorf("event %d is not in the store (deleted or pruned): %w", id, app.ErrNotFound)
}

// Events returns summaries newest first. Offset and Limit count matching
// events. A zero filter finds its offset from the kept block counts; a
// filter with a positive structured term (method, endpoint, verdict,
// status, type) walks that term's index entries only; any other filter
// scans the summaries (see Search for free text in the background).
func (s *Store) Events(p app.Page) ([]app.EventSummary, error) {
	out, _, err := s.events(p, false)
	return out, err
}

// EventsCounted is Events with the number of events that match the page's
// filter (all stored events for a zero filter), both read in one
// transaction: the count the page was read at, which a separate count
// under a stream of captures is not, so a page placed by it shows the rows
// it should.
func (s *Store) EventsCounted(p app.Page) ([]app.EventSummary, int, error) {
	return s.events(p, true)
}

// events is Events, with the matching count read in the same transaction
// when counted.
func (s *Store) events(p app.Page, counted bool) ([]app.EventSummary, int, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	offset := max(p.Offset, 0)
	m := newMatcher(p.Filter)
	out := make([]app.EventSummary, 0, min(limit, 1024))
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		if counted {
			n = s.countMatching(tx, b, p.Filter)
		}
		add := func(k, v []byte) bool {
			sum, err := decodeRow(k, v)
			if err != nil {
				s.skip() // one unreadable record does not hide the rest
				return true
			}
			if m != nil {
				if !m.match(b, k, &sum) {
					return true
				}
				if offset > 0 {
					offset--
					return true
				}
			}
			out = append(out, sum)
			return len(out) < limit
		}
		if m == nil {
			c := b.events.Cursor()
			var k, v []byte
			if p.Before > 0 {
				for k, v = below(c, p.Before); k != nil && offset > 0; k, v = c.Prev() {
					offset--
				}
			} else if b.blocks != nil && b.meta.Get(keyIndexNext) == nil {
				k, v = b.rankSeek(c, nil, allPrefix, offset)
			} else {
				for k, v = c.Last(); k != nil && offset > 0; k, v = c.Prev() {
					offset--
				}
			}
			for ; k != nil && add(k, v); k, v = c.Prev() {
			}
			return nil
		}
		if pl := b.planFor(p.Filter); pl.prefix != nil {
			skip := 0
			if pl.exact {
				skip, offset = offset, 0
			}
			before := uint64(noLimit)
			if p.Before > 0 {
				before = p.Before
			}
			b.postings(pl.prefix, before, skip, func(id uint64) bool {
				k := key(id)
				v := b.events.Get(k)
				return v == nil || add(k, v)
			})
			return nil
		}
		c := b.events.Cursor()
		k, v := c.Last()
		if p.Before > 0 {
			k, v = below(c, p.Before)
		}
		long := p.Filter.NeedsBody()
		for read := 0; k != nil && add(k, v); k, v = c.Prev() {
			if read++; long && read == prefetchAfter {
				s.prefetch()
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, n, nil
}

// below puts c on the newest key under id.
func below(c *bolt.Cursor, id uint64) (k, v []byte) {
	if k, _ = c.Seek(key(id)); k == nil {
		return c.Last()
	}
	return c.Prev()
}

// Count is the number of stored events, read from a counter.
func (s *Store) Count() (int, error) {
	var n uint64
	err := s.view(func(tx *bolt.Tx) error {
		n = getUint(tx.Bucket(bucketMeta), keyCount)
		return nil
	})
	return int(n), err
}

// StoredBytes is the size of all events as counted for retention.
func (s *Store) StoredBytes() (int64, error) {
	var n uint64
	err := s.view(func(tx *bolt.Tx) error {
		n = getUint(tx.Bucket(bucketMeta), keyBytes)
		return nil
	})
	return int64(n), err
}

// CountMatching is Count for a zero filter, a sum of kept block counts
// for one structured term, the matching entries of the narrowest term's
// index for a filter with one, and a scan otherwise.
func (s *Store) CountMatching(f app.Filter) (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		n = s.countMatching(tx, eventBuckets(tx), f)
		return nil
	})
	return n, err
}

// countMatching is CountMatching in tx. A count that needs more than the
// stored counter is kept for the file state it was read in (the last
// committed transaction), so the pages of one state count once.
func (s *Store) countMatching(tx *bolt.Tx, b buckets, f app.Filter) int {
	m := newMatcher(f)
	if m == nil {
		return int(getUint(b.meta, keyCount))
	}
	// Only a read transaction is a committed state: a writable one's id
	// is that of the commit it may still make, or not.
	keep := !tx.Writable()
	if n, ok := s.matchCount.get(tx, f); keep && ok {
		return n
	}
	n := 0
	count := func(k, v []byte) error {
		sum, err := decodeRow(k, v)
		if err != nil {
			s.skip()
			return nil
		}
		if m.match(b, k, &sum) {
			n++
		}
		return nil
	}
	switch pl := b.planFor(f); {
	case pl.prefix != nil && pl.exact:
		n = pl.n
	case pl.prefix != nil && pl.all != nil:
		n = b.countAll(pl.prefix, pl.all)
	case pl.prefix != nil:
		b.postings(pl.prefix, noLimit, 0, func(id uint64) bool {
			k := key(id)
			if v := b.events.Get(k); v != nil {
				count(k, v)
			}
			return true
		})
	default:
		b.events.ForEach(count)
	}
	if keep {
		s.matchCount.put(tx, f, n)
	}
	return n
}

// matchCount is the last filtered count and the file state it was read
// in: the file (Compact replaces it) and its last committed transaction.
type matchCount struct {
	mu   sync.Mutex
	db   *bolt.DB
	txid int
	f    app.Filter
	n    int
}

func (c *matchCount) get(tx *bolt.Tx, f app.Filter) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.db == tx.DB() && c.txid == tx.ID() && c.f == f {
		return c.n, true
	}
	return 0, false
}

func (c *matchCount) put(tx *bolt.Tx, f app.Filter, n int) {
	c.mu.Lock()
	c.db, c.txid, c.f, c.n = tx.DB(), tx.ID(), f, n
	c.mu.Unlock()
}

// Delete removes one event, or returns an error wrapping app.ErrNotFound.
func (s *Store) Delete(id uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		n, ok, err := b.delete(key(id))
		if err != nil {
			return err
		}
		if !ok {
			return notFound(id)
		}
		if err := addUint(b.meta, keyCount, -1); err != nil {
			return err
		}
		return addUint(b.meta, keyBytes, -int64(n))
	})
}

// delete removes k from the event buckets and reports the bytes freed. It
// does not touch the counters.
func (b buckets) delete(k []byte) (size int, ok bool, err error) {
	rec := b.events.Get(k)
	if rec == nil {
		return 0, false, nil
	}
	size = recordSize(k, rec, b.bodies.Get(k))
	if err := b.unindexStored(k, recordSummary(rec)); err != nil {
		return 0, false, err
	}
	for _, bk := range []*bolt.Bucket{b.events, b.bodies} {
		if err := bk.Delete(k); err != nil {
			return 0, false, err
		}
	}
	return size, true, nil
}

// DeleteAll removes every event in one transaction by dropping and
// recreating the event buckets, which frees pages wholesale instead of
// deleting keys one by one. The id sequence carries over: ids never repeat.
func (s *Store) DeleteAll() error {
	return s.update(func(tx *bolt.Tx) error {
		seq := tx.Bucket(bucketEvents).Sequence()
		for _, name := range [][]byte{bucketEvents, bucketBodies, bucketStats, bucketEventIndex, bucketEventBlocks} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketEvents).SetSequence(seq); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if err := putUint(meta, keyCount, 0); err != nil {
			return err
		}
		return putUint(meta, keyBytes, 0)
	})
}

// matcher applies a non-zero Filter (app.Filter.Match, the one filter
// language) inside a read transaction. The summary answers most terms; the
// body and the event record (headers, remote address) are read only when a
// term asks for them.
type matcher struct{ f app.Filter }

func newMatcher(f app.Filter) *matcher {
	if f.IsZero() {
		return nil
	}
	return &matcher{f: f}
}

func (m *matcher) match(b buckets, k []byte, s *app.EventSummary) bool {
	return m.f.Match(&candidate{b: b, k: k, s: s})
}

// candidate is a stored event as the filter sees it, read lazily. Slices
// point into the transaction: valid only while it lasts.
type candidate struct {
	b   buckets
	k   []byte
	s   *app.EventSummary
	rec *app.Event
	// body, when bodyRead, is the body already found (a scan walking the
	// bodies bucket beside the records).
	body     []byte
	bodyRead bool
}

func (c *candidate) Summary() *app.EventSummary { return c.s }
func (c *candidate) Body() []byte {
	if c.bodyRead {
		return c.body
	}
	return c.b.bodies.Get(c.k)
}

func (c *candidate) record() *app.Event {
	if c.rec == nil {
		e, err := decodeRecord(c.s.ID, c.b.events.Get(c.k))
		if err != nil || e == nil {
			e = &app.Event{}
		}
		c.rec = e
	}
	return c.rec
}

func (c *candidate) Headers() app.Headers { return c.record().Headers }
func (c *candidate) RemoteAddr() string   { return c.record().RemoteAddr }
func (c *candidate) EventType() string {
	if c.s.Type != "" {
		return c.s.Type
	}
	e := *c.record()
	e.Body = c.Body()
	return app.EventType(&e)
}

// ImportAll stores imported events in one transaction: all of them or, on
// any error or when ctx ends, none (their ids are then reset to 0). Each
// gets a new id, so no stored event is ever overwritten. Subscribers are
// told after the commit.
func (s *Store) ImportAll(ctx context.Context, events []*app.Event) error {
	if len(events) == 0 {
		return nil
	}
	now := time.Now()
	// Through the writer, which owns the id sequence while events are
	// logged ahead of bbolt.
	r := &recordReq{done: make(chan error, 1), run: func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		b.batch = newIndexBatch()
		var size int64
		for i, e := range events {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("import stopped, nothing was stored: %w", err)
				}
			}
			n, err := b.put(e, nil, now)
			if err != nil {
				return fmt.Errorf("storing imported event %d of %d: %w", i+1, len(events), err)
			}
			size += int64(n)
		}
		if err := b.flushIndex(); err != nil {
			return err
		}
		if err := addUint(b.meta, keyCount, int64(len(events))); err != nil {
			return err
		}
		return addUint(b.meta, keyBytes, size)
	}}
	err := s.enqueue(ctx, r)
	if err == nil {
		err = <-r.done
	}
	if err != nil {
		for _, e := range events {
			e.ID = 0
		}
		return err
	}
	group := make([]*recordReq, len(events))
	for i, e := range events {
		group[i] = &recordReq{e: e}
	}
	s.publish(group)
	return nil
}
