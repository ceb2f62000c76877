package store

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/hooklens/hooklens/app"
	bolt "go.etcd.io/bbolt"
)

// Retention defaults for callers of StartRetention.
const (
	DefaultMaxAge         = 60 * 24 * time.Hour
	DefaultMaxBytes int64 = 1 << 30
)

// pruneChunk bounds how many events one prune transaction deletes, so a big
// prune never holds the writer lock (and capture) for long.
const pruneChunk = 500

// Prune deletes the oldest events while any is older than olderThan or the
// stored size is over maxBytes. A zero olderThan or maxBytes <= 0 turns
// that limit off. Age counts from when the event was stored, not from its
// ReceivedAt, so an imported old request is not deleted the moment it
// arrives. It works in chunks of separate transactions and reports how
// many events it removed.
func (s *Store) Prune(olderThan time.Time, maxBytes int64) (removed int, err error) {
	return s.PruneTo(olderThan, maxBytes, 0)
}

// PruneTo is Prune that also keeps at most maxEvents events (0: no limit
// on the number).
func (s *Store) PruneTo(olderThan time.Time, maxBytes int64, maxEvents int) (removed int, err error) {
	// How far the store is over its caps is fixed when the pass starts:
	// events captured meanwhile are the next pass's. A pass that chased a
	// moving cap never ended (nor said what it removed) while capture
	// outpaced it.
	var over overCaps
	if err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if maxBytes > 0 {
			over.bytes = int64(getUint(meta, keyBytes)) - maxBytes
		}
		if maxEvents > 0 {
			over.events = int64(getUint(meta, keyCount)) - int64(maxEvents)
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("pruning old events: %w", err)
	}
	for {
		start := time.Now()
		n, more, err := s.pruneChunk(olderThan, &over)
		removed += n
		if err != nil {
			return removed, fmt.Errorf("pruning old events: %w", err)
		}
		if !more {
			return removed, nil
		}
		// Between chunks capture gets the machine back: each chunk's
		// deletes cost CPU and, at its commit, the disk the capture log
		// syncs on, so the pause is a multiple of what the chunk took. A
		// prune of a million events then takes a minute or two in the
		// background instead of holding every answer back while it runs.
		time.Sleep(max(pruneGap, pruneRest*time.Since(start)))
	}
}

// pruneGap is the shortest pause between two prune transactions;
// pruneRest how many times a chunk's own time the pause lasts (a prune
// takes at most a third of the time it runs for).
const (
	pruneGap  = 2 * time.Millisecond
	pruneRest = 2
)

// overCaps is what a prune pass still has to remove: bytes over the size
// cap and events over the count cap.
type overCaps struct{ bytes, events int64 }

// pruneChunk deletes up to pruneChunk events from the oldest end, those
// older than olderThan and as many as over still asks for (which it
// lowers), and says whether there may be more to delete.
func (s *Store) pruneChunk(olderThan time.Time, over *overCaps) (removed int, more bool, err error) {
	left := *over
	err = s.update(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		b.batch = newIndexBatch() // each touched index key rewritten once per chunk
		c := b.events.Cursor()
		// Collect first: deleting under a cursor makes it skip keys.
		var doomed [][]byte
		for k, v := c.First(); k != nil && len(doomed) < pruneChunk; k, v = c.Next() {
			old := false
			if !olderThan.IsZero() {
				at, err := storedAt(recordSummary(v))
				old = err != nil || at.Before(olderThan) // an unreadable record is not worth keeping
			}
			if !old && left.bytes <= 0 && left.events <= 0 {
				break
			}
			left.bytes -= int64(recordSize(k, v, b.bodies.Get(k)))
			left.events--
			doomed = append(doomed, append([]byte(nil), k...))
		}
		var freed int64
		for _, k := range doomed {
			n, ok, err := b.delete(k)
			if err != nil {
				return err
			}
			if ok {
				removed++
				freed += int64(n)
			}
		}
		more = len(doomed) == pruneChunk
		if err := b.flushIndex(); err != nil {
			return err
		}
		if err := addUint(b.meta, keyCount, -int64(removed)); err != nil {
			return err
		}
		return addUint(b.meta, keyBytes, -freed)
	})
	if err != nil {
		return 0, false, err
	}
	*over = left
	return removed, more, nil
}

// StartRetention prunes events older than maxAge and beyond maxBytes, and
// ended deliveries older than maxAge, now and then every interval, until ctx is done or the store is closed. Failures are
// logged and retried at the next tick: retention must never stop capture.
func (s *Store) StartRetention(ctx context.Context, every, maxAge time.Duration, maxBytes int64, maxEvents int) {
	if every <= 0 {
		every = time.Hour
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return
	}
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			var cut time.Time
			if maxAge > 0 {
				cut = time.Now().Add(-maxAge)
			}
			before, _ := s.StoredBytes()
			countBefore, _ := s.Count()
			n, err := s.PruneTo(cut, maxBytes, maxEvents)
			if err != nil {
				log.Printf("hooklens: %v (will retry in %v)", err, every)
			}
			var nd int
			if !cut.IsZero() {
				if nd, err = s.PruneDeliveries(cut); err != nil {
					log.Printf("hooklens: %v (will retry in %v)", err, every)
				}
			}
			if err := s.pruneMinutes(); err != nil {
				log.Printf("hooklens: pruning the per-minute counts: %v", err)
			}
			if n > 0 || nd > 0 {
				after, _ := s.StoredBytes()
				s.reportPrune(PruneReport{Events: n, Deliveries: nd, MaxAge: maxAge, MaxBytes: maxBytes, MaxEvents: maxEvents,
					Before: before, After: after, CountBefore: countBefore})
			}
			select {
			case <-ctx.Done():
				return
			case <-s.quit:
				return
			case <-t.C:
			}
		}
	}()
}

// PruneReport says what one retention pass removed and why.
type PruneReport struct {
	Events, Deliveries int
	MaxAge             time.Duration
	MaxBytes           int64
	MaxEvents          int   // 0: no limit on the number
	Before, After      int64 // stored event bytes before and after
	CountBefore        int   // events before
}

// String is the sentence the window and `listen` show.
func (p PruneReport) String() string {
	why := "older than " + app.FormatDuration(p.MaxAge)
	if p.MaxBytes > 0 && p.Before > p.MaxBytes {
		why += fmt.Sprintf(", or over the %s size cap (stored %s)", app.HumanSize(p.MaxBytes), app.HumanSize(p.Before))
	}
	if p.MaxEvents > 0 && p.CountBefore > p.MaxEvents {
		why += fmt.Sprintf(", or beyond the newest %s events (stored %s)", app.GroupDigits(p.MaxEvents), app.GroupDigits(p.CountBefore))
	}
	s := fmt.Sprintf("retention removed %s event(s)", app.GroupDigits(p.Events))
	if p.Deliveries > 0 {
		s += fmt.Sprintf(" and %d ended deliver(ies)", p.Deliveries)
	}
	return s + " " + why + "; change the limits in Settings or with listen --keep/--max-size/--max-events"
}

// OnPrune calls fn (from the retention goroutine) after every pass that
// removed something.
func (s *Store) OnPrune(fn func(PruneReport)) {
	s.pruneMu.Lock()
	s.onPrune = append(s.onPrune, fn)
	s.pruneMu.Unlock()
}

func (s *Store) reportPrune(p PruneReport) {
	s.pruneMu.Lock()
	fns := slices.Clone(s.onPrune)
	s.pruneMu.Unlock()
	if len(fns) == 0 {
		log.Printf("hooklens: %s", p)
	}
	for _, fn := range fns {
		fn(p)
	}
}
