package store

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// searchChunk is how many events one read transaction of Search looks at:
// short transactions never hold back the capture writer's remaps, and
// progress comes often.
const searchChunk = 4096

// Search finds the events f matches, newest first, for filters the kept
// indexes cannot answer alone (free text in bodies, headers, remote
// addresses): it reads chunks of events in short read transactions, calls
// fn after each with the matches found and how far it got, and stops when
// fn returns false or ctx ends (returning ctx's error). A filter with a
// structured term scans only that term's events. The pages of the mapped
// file it read are let go as it goes, so a search over every body does not
// leave the database in the process's memory.
func (s *Store) Search(ctx context.Context, f app.Filter, fn func(app.SearchProgress) bool) error {
	m := newMatcher(f)
	if m == nil {
		m = &matcher{}
	}
	defer s.release()
	var total int
	var prefix []byte
	usesIndex := false
	err := s.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		if pl := b.planFor(f); pl.prefix != nil {
			prefix, total, usesIndex = pl.prefix, pl.n, true
		} else {
			total = int(getUint(b.meta, keyCount))
		}
		return nil
	})
	if err != nil {
		return err
	}
	var next []byte           // the summary key to resume from (exclusive), nil at the start
	before := uint64(noLimit) // with an index: the id to resume below
	scanned := 0
	for chunk := 0; ; chunk++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("search stopped after %d of %d events: %w", scanned, total, err)
		}
		var found []app.EventSummary
		done := false
		err := s.view(func(tx *bolt.Tx) error {
			b := eventBuckets(tx)
			n := 0
			visit := func(k, v, body []byte, haveBody bool) {
				n++
				sum, err := decodeRow(k, v)
				if err != nil {
					s.skip()
					return
				}
				cand := candidate{b: b, k: k, s: &sum}
				if haveBody {
					cand.body, cand.bodyRead = body, true
				}
				if m.f.IsZero() || m.f.Match(&cand) {
					found = append(found, sum)
				}
			}
			if usesIndex {
				done = true
				b.postings(prefix, before, 0, func(id uint64) bool {
					if n >= searchChunk {
						done = false
						return false
					}
					before = id
					k := key(id)
					if v := b.events.Get(k); v != nil {
						visit(k, v, nil, false)
					}
					return true
				})
			} else {
				c := b.events.Cursor()
				var k, v []byte
				if next == nil {
					k, v = c.Last()
				} else if sk, _ := c.Seek(next); sk == nil {
					k, v = c.Last()
				} else {
					k, v = c.Prev()
				}
				// The bodies bucket is walked beside the records (same
				// keys, same order): a step instead of a lookup.
				var bc *bolt.Cursor
				var bk, bv []byte
				if k != nil {
					bc = b.bodies.Cursor()
					bk, bv = bc.Seek(k)
				}
				for ; k != nil && n < searchChunk; k, v = c.Prev() {
					if bk != nil && bytes.Compare(bk, k) > 0 {
						bk, bv = bc.Prev()
					}
					if bk == nil || !bytes.Equal(bk, k) {
						bk, bv = bc.Seek(k)
					}
					have := bk != nil && bytes.Equal(bk, k)
					visit(k, v, bv, have)
				}
				if k == nil {
					done = true
				} else {
					// k itself is not yet read: resume at it.
					next = append(bytes.Clone(k), 0)
				}
			}
			scanned += n
			if !usesIndex && scanned >= prefetchAfter && f.NeedsBody() {
				s.prefetch()
			}
			if chunk%16 == 15 {
				releaseMapping(tx) // let the pages read so far go while scanning
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !fn(app.SearchProgress{Matches: found, Scanned: min(scanned, max(total, scanned)), Total: max(total, scanned)}) {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("search stopped after %d of %d events: %w", scanned, total, err)
			}
			return nil
		}
		if done {
			return nil
		}
	}
}

// release lets the process's mapping of the file drop every page it holds
// (they stay in the page cache and come back on the next read).
func (s *Store) release() {
	s.view(func(tx *bolt.Tx) error {
		releaseMapping(tx)
		return nil
	})
}

// Summaries returns the summaries of the events ids names, in that order,
// leaving out those deleted since (a search's matches, paged by the list).
func (s *Store) Summaries(ids []uint64) ([]app.EventSummary, error) {
	out := make([]app.EventSummary, 0, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		for _, id := range ids {
			k := key(id)
			v := b.events.Get(k)
			if v == nil {
				continue
			}
			sum, err := decodeRow(k, v)
			if err != nil {
				s.skip()
				continue
			}
			out = append(out, sum)
		}
		return nil
	})
	return out, err
}
