package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// boltView is db.View under the swap lock, for callers that handle damage
// themselves (the background page check).
func (s *Store) boltView(fn func(*bolt.Tx) error) error {
	s.swap.RLock()
	defer s.swap.RUnlock()
	return s.db.View(fn)
}

// compactTx bounds the bytes one transaction of the copy writes.
const compactTx = 32 << 20

// CompactReport says what Compact did.
type CompactReport struct {
	Before, After int64 // file sizes
	Took          time.Duration
}

func (r CompactReport) String() string {
	return fmt.Sprintf("%s rewritten: %s → %s (%s reclaimed) in %s", FileName,
		app.HumanSize(r.Before), app.HumanSize(r.After), app.HumanSize(max(r.Before-r.After, 0)), r.Took.Round(time.Millisecond))
}

// Reclaimable estimates the bytes Compact would give back: the file's free
// pages (bbolt keeps the pages of deleted records for reuse, never
// shrinking the file).
func (s *Store) Reclaimable() (fileSize, free int64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		fileSize = tx.Size()
		st := tx.DB().Stats()
		free = int64(st.FreePageN+st.PendingPageN) * int64(tx.DB().Info().PageSize)
		return nil
	})
	return fileSize, free, err
}

// Compact rewrites the database file without its free pages: every bucket
// and record is copied into hooklens.db.compact beside it, the copy is
// checked (every page read, every bucket's record count compared) and
// only then renamed over the file. Capture and every other transaction
// wait while it runs; progress (may be nil) hears the records copied so far
// of about total. When ctx ends or anything fails, the file is left as it
// was.
func (s *Store) Compact(ctx context.Context, progress func(done, total int64)) (CompactReport, error) {
	if d := s.damage.Load(); d != nil {
		return CompactReport{}, d
	}
	start := time.Now()
	s.swap.Lock()
	defer s.swap.Unlock()
	if progress == nil {
		progress = func(int64, int64) {}
	}
	tmp := s.path + ".compact"
	os.Remove(tmp)
	var rep CompactReport
	// Progress counts records: each event is two records (record, body)
	// and a few index entries; the other buckets are small beside them.
	var total int64
	s.db.View(func(tx *bolt.Tx) error {
		rep.Before = tx.Size()
		total = max(int64(getUint(tx.Bucket(bucketMeta), keyCount))*3, 1)
		return nil
	})

	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: openTimeout, NoSync: true, FreelistType: bolt.FreelistMapType, PageSize: newFilePageSize})
	if err != nil {
		return rep, fmt.Errorf("cannot create %s to compact into: check free disk space: %w", tmp, err)
	}
	fail := func(err error) (CompactReport, error) {
		dst.Close()
		os.Remove(tmp)
		return rep, err
	}
	counts, err := copyInto(ctx, s.db, dst, total, progress)
	if err != nil {
		return fail(fmt.Errorf("compacting %s stopped, the file is unchanged: %w", s.path, err))
	}
	if err := dst.Sync(); err != nil {
		return fail(fmt.Errorf("writing %s: check free disk space: %w", tmp, err))
	}
	if err := dst.Close(); err != nil {
		return fail(err)
	}
	if err := checkCopy(tmp, counts); err != nil {
		os.Remove(tmp)
		return rep, fmt.Errorf("the compacted copy failed its check, %s is unchanged: %w", s.path, err)
	}
	// Swap: keep a link to the old file until the new one opens.
	old := s.path + ".precompact"
	os.Remove(old)
	if err := os.Link(s.path, old); err != nil {
		os.Remove(tmp)
		return rep, fmt.Errorf("cannot keep the old file while compacting: %w", err)
	}
	if err := s.db.Close(); err != nil {
		os.Remove(old)
		os.Remove(tmp)
		return rep, err
	}
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		os.Remove(old)
		db, oerr := openBolt(s.path)
		if oerr != nil {
			return rep, errors.Join(err, oerr)
		}
		s.db = db
		return rep, fmt.Errorf("cannot replace %s with its compacted copy: %w", s.path, err)
	}
	syncDir(filepath.Dir(s.path))
	db, err := openBolt(s.path)
	if err != nil {
		// Put the old file back: it was fine.
		if rerr := os.Rename(old, s.path); rerr == nil {
			if db, err2 := openBolt(s.path); err2 == nil {
				s.db = db
				return rep, fmt.Errorf("the compacted file did not open, the old one is back in place: %w", err)
			}
		}
		return rep, fmt.Errorf("the compacted file did not open (the old one is %s): %w", old, err)
	}
	s.db = db
	os.Remove(old)
	if fi, err := os.Stat(s.path); err == nil {
		rep.After = fi.Size()
	}
	rep.Took = time.Since(start)
	progress(total, total)
	return rep, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// copyInto copies every bucket of src into dst (nested buckets and
// sequences too) in transactions of about compactTx bytes, and returns the
// number of records of each top-level bucket.
func copyInto(ctx context.Context, src, dst *bolt.DB, total int64, progress func(done, total int64)) (map[string]int, error) {
	counts := map[string]int{}
	var done, inTx int64
	dtx, err := dst.Begin(true)
	if err != nil {
		return nil, err
	}
	defer func() {
		if dtx != nil {
			dtx.Rollback()
		}
	}()
	// path is the bucket path from the root; the destination bucket is
	// looked up again after each commit.
	bucketAt := func(path [][]byte) *bolt.Bucket {
		b := dtx.Bucket(path[0])
		for _, p := range path[1:] {
			b = b.Bucket(p)
		}
		return b
	}
	var visit func(path [][]byte, sb *bolt.Bucket) error
	visit = func(path [][]byte, sb *bolt.Bucket) error {
		c := sb.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if inTx >= compactTx {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := dtx.Commit(); err != nil {
					return err
				}
				if dtx, err = dst.Begin(true); err != nil {
					return err
				}
				inTx = 0
				progress(min(done, total), total)
			}
			db := bucketAt(path)
			db.FillPercent = 1 // keys arrive in order: pack pages full
			if v == nil {
				child := sb.Bucket(k)
				if child == nil {
					continue
				}
				nb, err := db.CreateBucket(bytes.Clone(k))
				if err != nil {
					return err
				}
				if err := nb.SetSequence(child.Sequence()); err != nil {
					return err
				}
				if len(path) == 1 {
					counts[string(path[0])]++
				}
				if err := visit(append(path[:len(path):len(path)], bytes.Clone(k)), child); err != nil {
					return err
				}
				continue
			}
			if err := db.Put(bytes.Clone(k), bytes.Clone(v)); err != nil {
				return err
			}
			if len(path) == 1 {
				counts[string(path[0])]++
			}
			done++
			inTx += int64(len(k) + len(v))
		}
		return nil
	}
	err = guard(func() error {
		return src.View(func(stx *bolt.Tx) error {
			return stx.ForEach(func(name []byte, sb *bolt.Bucket) error {
				nb, err := dtx.CreateBucket(bytes.Clone(name))
				if err != nil {
					return err
				}
				if err := nb.SetSequence(sb.Sequence()); err != nil {
					return err
				}
				counts[string(name)] += 0
				return visit([][]byte{bytes.Clone(name)}, sb)
			})
		})
	})
	if err != nil {
		return nil, err
	}
	err = dtx.Commit()
	dtx = nil
	return counts, err
}

// checkCopy reads every page of the copy at path and compares each
// top-level bucket's record count with what was copied.
func checkCopy(path string, want map[string]int) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: openTimeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return err
	}
	defer db.Close()
	return guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			got := 0
			err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				got++
				n := 0
				c := b.Cursor()
				for k, _ := c.First(); k != nil; k, _ = c.Next() {
					n++
				}
				if n != want[string(name)] {
					return fmt.Errorf("bucket %s holds %d records, %d were copied", name, n, want[string(name)])
				}
				return nil
			})
			if err == nil && got != len(want) {
				err = fmt.Errorf("%d buckets in the copy, %d copied", got, len(want))
			}
			return err
		})
	})
}
