package store

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

var _ app.VerdictStore = (*Store)(nil)

// rejudgeChunk bounds how many events one write transaction rewrites, so a
// large endpoint does not hold the writer lock for long.
const rejudgeChunk = 500

// Rejudge implements app.VerdictStore. Events are judged one chunk at a
// time; capture writes can interleave between chunks.
func (s *Store) Rejudge(slug string, judge func(*app.Event) app.Verdict) (int, error) {
	var ids []uint64
	err := s.view(func(tx *bolt.Tx) error {
		return eventBuckets(tx).events.ForEach(func(k, v []byte) error {
			id := idOf(k)
			sum, err := decodeRow(k, v)
			if err != nil {
				s.skip()
				return nil
			}
			if sum.Endpoint == slug {
				ids = append(ids, id)
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("finding the events of endpoint %q: %w", slug, err)
	}
	changed := 0
	for start := 0; start < len(ids); start += rejudgeChunk {
		chunk := ids[start:min(start+rejudgeChunk, len(ids))]
		err := s.update(func(tx *bolt.Tx) error {
			b := eventBuckets(tx)
			var delta int64
			for _, id := range chunk {
				n, ok, err := b.rejudge(id, judge)
				if err != nil {
					return err
				}
				if ok {
					changed++
					delta += int64(n)
				}
			}
			return addUint(b.meta, keyBytes, delta)
		})
		if err != nil {
			return changed, fmt.Errorf("storing new verdicts for endpoint %q: %w", slug, err)
		}
	}
	return changed, nil
}

// reverify rejudges one event; it reports whether the verdict changed and
// by how many bytes the stored record grew.
func (b buckets) rejudge(id uint64, judge func(*app.Event) app.Verdict) (int, bool, error) {
	k := key(id)
	old := b.events.Get(k)
	oldSum := recordSummary(old)
	if old == nil {
		return 0, false, nil // deleted since the scan
	}
	e, err := decodeRecord(id, old)
	if err != nil {
		return 0, false, err
	}
	e.Body = bytes.Clone(b.bodies.Get(k))
	v := judge(e)
	if v == e.Verdict {
		return 0, false, nil
	}
	at, err := storedAt(oldSum)
	if err != nil {
		return 0, false, fmt.Errorf("event %d: %w", id, err)
	}
	if err := recountVerdict(b.events.Tx(), e.Endpoint, e.Verdict.Result, v.Result); err != nil {
		return 0, false, err
	}
	e.Verdict = v
	rec, err := encodeRecord(e, at)
	if err != nil {
		return 0, false, fmt.Errorf("encoding event %d: %w", id, err)
	}
	if err := b.unindexStored(k, oldSum); err != nil {
		return 0, false, err
	}
	if err := b.indexEvent(k, e); err != nil {
		return 0, false, err
	}
	grow := len(rec) - len(old)
	if err := b.events.Put(k, rec); err != nil {
		return 0, false, err
	}
	return grow, true, nil
}

// SetVerdict replaces one event's verdict (the listener's diagnosis after
// it answered, see capture.VerdictSetter), or returns an error wrapping
// app.ErrNotFound.
func (s *Store) SetVerdict(id uint64, v app.Verdict) error {
	err := s.update(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		if b.events.Get(key(id)) == nil {
			return notFound(id)
		}
		n, _, err := b.rejudge(id, func(*app.Event) app.Verdict { return v })
		if err != nil {
			return err
		}
		return addUint(b.meta, keyBytes, int64(n))
	})
	if err == nil {
		s.verdictMu.Lock()
		fns := slices.Clone(s.onVerdict)
		s.verdictMu.Unlock()
		for _, fn := range fns {
			fn(id, v)
		}
	}
	return err
}

// OnVerdict calls fn after SetVerdict stored a new verdict for event id
// (the listener's diagnosis, made after it answered), from SetVerdict's
// goroutine: the window refreshes the row, `listen` prints the diagnosis.
func (s *Store) OnVerdict(fn func(id uint64, v app.Verdict)) {
	s.verdictMu.Lock()
	s.onVerdict = append(s.onVerdict, fn)
	s.verdictMu.Unlock()
}
