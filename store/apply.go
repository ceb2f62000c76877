package store

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// applyItem is one logged event on its way into bbolt: the store's own copy
// of it, its encoded record and the time its group was logged.
type applyItem struct {
	e   *app.Event
	rec []byte
	at  time.Time
}

// applyMax bounds one apply transaction. applyBacklog bounds the events
// logged but not yet applied (memory, and how long a read may wait): past
// it the writer waits for the applier before it logs more.
const (
	applyMax     = 8192
	applyBacklog = 16384
	applyGather  = 20 * time.Millisecond
)

// errApply is matched by the error every call returns once copying logged
// events into bbolt has failed.
var errApply = errors.New("captured events could not be copied into the database")

// errLog is matched by the error every capture returns once a write to the
// capture log has failed.
var errLog = errors.New("the capture log could not be written (check free disk space, then start Hooklens again)")

// applyLoop is the applier: it copies what the writer logged into bbolt,
// taking every batch waiting at once into one synced transaction, then
// lets reads through (caughtUp) and tells subscribers.
func (s *Store) applyLoop() {
	defer s.applier.Done()
	var items []applyItem
	gather := time.NewTimer(0)
	<-gather.C
	for batch := range s.applyq {
		items = append(items[:0], batch...)
		// Wait a moment for more: fewer, larger commits leave the disk to
		// the log's syncs, which the answers wait for. A read (or the
		// writer) waiting for the applier cuts the wait short (hurry).
		gather.Reset(applyGather)
	more:
		for len(items) < applyMax {
			select {
			case b, ok := <-s.applyq:
				if !ok {
					break more
				}
				items = append(items, b...)
			case <-gather.C:
				break more
			case <-s.hurry:
				break more
			}
		}
		if !gather.Stop() {
			select {
			case <-gather.C:
			default:
			}
		}
		if s.applyBroken() != nil {
			continue // they stay in the log for the next start
		}
		err := s.applyNow(items, true)
		last := items[len(items)-1].e.ID
		s.applyMu.Lock()
		var d *DamagedError
		if errors.As(err, &d) {
			s.applyErr = d // reads and writes say what Open would have said
		} else if err != nil {
			s.applyErr = fmt.Errorf("%w: %w; they are kept in %s and copied in when Hooklens next opens %s", errApply, err, WALFileName, s.path)
		} else {
			s.applied.Store(last)
		}
		s.applyCond.Broadcast()
		s.applyMu.Unlock()
		if err == nil {
			stage := app.StageStart()
			s.publishEvents(events(items))
			app.StageEnd(app.StagePublish, stage, len(items))
		}
		clear(items)
	}
}

// yieldEvery lets waiting goroutines run every 64 steps of a long copy:
// the applier's transactions take milliseconds of CPU, and on two cores
// the answers the writer has just released would otherwise wait for them
// (they are what the senders wait for; the copy is not).
func yieldEvery(i int) {
	if i&63 == 63 {
		runtime.Gosched()
	}
}

// events are the items' events.
func events(items []applyItem) []*app.Event {
	out := make([]*app.Event, len(items))
	for i, it := range items {
		out[i] = it.e
	}
	return out
}

// markApplied records that every event up to id is in bbolt (a group the
// writer committed itself) and lets waiting reads through.
func (s *Store) markApplied(id uint64) {
	s.applyMu.Lock()
	s.durable.Store(id)
	s.applied.Store(id)
	s.applyCond.Broadcast()
	s.applyMu.Unlock()
}

// applyNow writes logged events into bbolt in one transaction: records,
// bodies, counters, the outbox, and the events bucket's sequence
// (the highest id in bbolt, which replayWAL reads).
// timed adds the time to app.StageApply and app.StageCommit.
func (s *Store) applyNow(items []applyItem, timed bool) error {
	var stage time.Time
	if timed {
		stage = app.StageStart()
	}
	err := s.updateNow(func(tx *bolt.Tx) error {
		defer func() { stage = app.StageEnd(app.StageApply, stage, len(items)) }()
		b := eventBuckets(tx)
		b.batch = newIndexBatch() // index writes in key order, once per copy
		ob := s.outboxBuckets(tx)
		var size int64
		stored := make([]*app.Event, len(items))
		for i, it := range items {
			yieldEvery(i)
			k := key(it.e.ID)
			rec := it.rec
			if recordSummary(rec) == nil {
				// Logged by an older release, in the layout before schema 8.
				var err error
				if rec, err = encodeRecord(it.e, it.at); err != nil {
					return fmt.Errorf("encoding event %d: %w", it.e.ID, err)
				}
			}
			if err := b.events.Put(k, rec); err != nil {
				return err
			}
			if err := b.bodies.Put(k, it.e.Body); err != nil {
				return err
			}
			if err := b.indexEvent(k, it.e); err != nil {
				return err
			}
			size += int64(recordSize(k, rec, it.e.Body))
			stored[i] = it.e
			if err := ob.add(it.e); err != nil {
				return fmt.Errorf("queueing event %d to publish: %w", it.e.ID, err)
			}
		}
		var last uint64
		for _, it := range items {
			last = max(last, it.e.ID)
		}
		if b.events.Sequence() < last {
			if err := b.events.SetSequence(last); err != nil {
				return err
			}
		}
		if err := b.flushIndex(); err != nil {
			return err
		}
		if err := countEvents(tx, stored); err != nil {
			return err
		}
		if err := addUint(b.meta, keyCount, int64(len(items))); err != nil {
			return err
		}
		if err := ob.commit(); err != nil {
			return err
		}
		return addUint(b.meta, keyBytes, size)
	})
	app.StageEnd(app.StageCommit, stage, len(items))
	return err
}

// caughtUp waits until every event logged so far is in bbolt, so that a
// read or a change made after Record returned sees the event. It returns
// at once when the applier is not behind.
func (s *Store) caughtUp() error { return s.waitApplied(s.durable.Load()) }

// waitApplied waits until the applier has copied in every event up to id
// want.
func (s *Store) waitApplied(want uint64) error {
	if s.applied.Load() >= want {
		return nil
	}
	// Someone waits: the applier commits what it has gathered now.
	select {
	case s.hurry <- struct{}{}:
	default:
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	for s.applied.Load() < want && s.brokenLocked() == nil {
		s.applyCond.Wait()
	}
	return s.brokenLocked()
}

// applyBroken is the applier's failure, if it has failed: a failed write to
// the log stops new captures, not the copying of those already logged.
func (s *Store) applyBroken() error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	return s.brokenLocked()
}

func (s *Store) brokenLocked() error {
	if errors.Is(s.applyErr, errLog) {
		return nil
	}
	return s.applyErr
}

func (s *Store) applyFailure() error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	return s.applyErr
}

// replayWAL copies into bbolt the logged events it does not have yet (the
// process stopped between the log's sync and the apply) and returns the
// highest id in the log. The events bucket's sequence is the highest id
// bbolt holds, and only the applier (and direct commits, made once it has
// caught up) raise it, so every entry at or below it is already applied:
// those are skipped, and a replay repeated after another crash stores
// nothing twice.
func (s *Store) replayWAL() (uint64, error) {
	var applied uint64
	if err := s.viewNow(func(tx *bolt.Tx) error {
		applied = tx.Bucket(bucketEvents).Sequence()
		return nil
	}); err != nil {
		return 0, err
	}
	// Both regions, sorted by id: the older round of one region may still
	// hold entries the newer round of the other does not.
	var last uint64
	var items []applyItem
	err := s.wal.read(func(x walEntry) error {
		last = max(last, x.id)
		if x.id <= applied {
			return nil
		}
		e, err := x.event()
		if err != nil {
			return fmt.Errorf("entry for event %d: %w", x.id, err)
		}
		items = append(items, applyItem{e: e, rec: x.rec, at: x.storedAt})
		return nil
	})
	slices.SortFunc(items, func(a, b applyItem) int { return cmp.Compare(a.e.ID, b.e.ID) })
	for len(items) > 0 && err == nil {
		n := min(len(items), applyMax)
		err = s.applyNow(items[:n], false)
		items = items[n:]
	}
	if err != nil {
		return 0, fmt.Errorf("copying the events in %s into %s failed; both files are left as they are: %w", s.wal.path, s.path, err)
	}
	return last, nil
}
