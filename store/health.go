package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// keyOpen is set in the meta bucket while a Store has the file open and
// removed by Close: finding it at Open means the last run did not shut
// down cleanly, and the whole file is checked.
var keyOpen = []byte("open")

// fullCheckLimit is the largest file checked in full before Open returns;
// a larger one is checked in the background after an unclean shutdown or a
// failed read. Checking reads every page: about 0.2 s per GiB from the page
// cache (128 MiB of events took 22 ms), a disk read otherwise.
var fullCheckLimit int64 = 256 << 20

// FullCheckSize is the largest file Open reads in full to check it before
// it returns (see fullCheckLimit).
func FullCheckSize() int64 { return fullCheckLimit }

// DamagedError says that the database file failed a check. The file has
// not been written to since; Repair copies what is readable into a fresh one.
// It matches ErrDamaged with errors.Is.
type DamagedError struct {
	Path   string // the database file
	Reason string // what is wrong, a short phrase
	Err    error  // the underlying cause, if any
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s is damaged (%s) and Hooklens has not written to it: run 'hooklens repair --data %s' to copy every readable event into a fresh file, or move it aside to start with an empty store",
		e.Path, strings.ToValidUTF8(e.Reason, "?"), filepath.Dir(e.Path))
}

func (e *DamagedError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrDamaged}
	}
	return []error{ErrDamaged, e.Err}
}

func damagedf(path string, cause error, format string, args ...any) *DamagedError {
	return &DamagedError{Path: path, Reason: fmt.Sprintf(format, args...), Err: cause}
}

// guard runs fn with faults on the memory-mapped file turned into panics
// and every panic turned into an error: bbolt panics (or touches memory
// past the end of a cut file) when a page is damaged.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{r}
		}
	}()
	return fn()
}

type panicError struct{ v any }

func (p *panicError) Error() string {
	msg := strings.TrimPrefix(fmt.Sprint(p.v), "assertion failed: ")
	return "a page cannot be read, " + strings.ReplaceAll(strings.ToValidUTF8(msg, "?"), ": ", " ")
}

// view is db.View for the store: a panic inside the read is damage, never a
// crash, and from then on nothing is written to the file.
//
// It first waits for the applier to copy in every event already logged
// (caughtUp): an answered event is always there to read.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	if err := s.caughtUp(); err != nil {
		return err
	}
	return s.viewNow(fn)
}

// viewNow is view without waiting for the applier. It holds the swap lock
// shared: only Compact, replacing the file, takes it alone.
func (s *Store) viewNow(fn func(*bolt.Tx) error) error {
	s.swap.RLock()
	defer s.swap.RUnlock()
	err := guard(func() error { return s.db.View(fn) })
	var p *panicError
	if errors.As(err, &p) {
		return s.markDamaged(damagedf(s.path, nil, "%s", p.Error()))
	}
	return err
}

// update is db.Update for the store: refused once the file is known to be
// damaged, and a panic inside it (a damaged page read while writing) marks
// the file damaged. bbolt rolls the transaction back on the panic.
//
// Like view, it first waits for the applier, so a change made after Record
// returned (a new verdict, a delete) finds the event.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	if err := s.caughtUp(); err != nil {
		return err
	}
	return s.updateNow(fn)
}

// updateNow is update without waiting for the applier: the writer and the
// applier use it.
func (s *Store) updateNow(fn func(*bolt.Tx) error) error {
	if d := s.damage.Load(); d != nil {
		return d
	}
	s.swap.RLock()
	defer s.swap.RUnlock()
	err := guard(func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			if d := s.damage.Load(); d != nil { // found while this one waited for the lock
				return d
			}
			return fn(tx)
		})
	})
	var p *panicError
	if errors.As(err, &p) {
		return s.markDamaged(damagedf(s.path, nil, "%s", p.Error()))
	}
	return err
}

// markDamaged records the first damage found after Open and tells the
// OnDamage callbacks once. It returns the damage in force.
func (s *Store) markDamaged(d *DamagedError) *DamagedError {
	if !s.damage.CompareAndSwap(nil, d) {
		return s.damage.Load()
	}
	s.damageMu.Lock()
	fns := s.onDamage
	s.damageMu.Unlock()
	for _, fn := range fns {
		go fn(d)
	}
	return d
}

// Damage returns the *DamagedError found since Open (a failed read or the
// background check), or nil. While it is set nothing is written to the file.
func (s *Store) Damage() error {
	if d := s.damage.Load(); d != nil {
		return d
	}
	return nil
}

// OnDamage registers fn to be called once, on its own goroutine, when
// damage is found after Open. If it has already been found fn is called at once.
func (s *Store) OnDamage(fn func(err error)) {
	s.damageMu.Lock()
	s.onDamage = append(s.onDamage, fn)
	s.damageMu.Unlock()
	if d := s.damage.Load(); d != nil {
		go fn(d)
	}
}

// Skipped is how many unreadable records listings have left out since Open.
// Each one also starts a check of the whole file in the background.
func (s *Store) Skipped() int64 { return s.skipped.Load() }

// skip counts one unreadable record and has the file checked.
func (s *Store) skip() {
	s.skipped.Add(1)
	s.suspect()
}

// suspect starts one background check of the whole file, unless one ran.
func (s *Store) suspect() {
	if !s.checking.CompareAndSwap(false, true) {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed { // Close is waiting for background work already
		return
	}
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		err := guard(func() error {
			return s.boltView(func(tx *bolt.Tx) error { return walk(tx, s.quit) })
		})
		var d *DamagedError
		switch {
		case errors.As(err, &d):
			s.markDamaged(d)
		case errors.Is(err, errStop), err == nil:
		default:
			s.markDamaged(damagedf(s.path, nil, "the check of every page found that %v", err))
		}
	}()
}

// walk reads every key and value of every bucket, touching each page once,
// so that a damaged page shows up here rather than in the middle of a write.
// quit (may be nil) stops it early with errStop.
func walk(tx *bolt.Tx, quit <-chan struct{}) error {
	n := 0
	var visit func(b *bolt.Bucket) error
	visit = func(b *bolt.Bucket) error {
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if n++; n%4096 == 0 && quit != nil {
				select {
				case <-quit:
					return errStop
				default:
				}
			}
			if v == nil {
				if child := b.Bucket(k); child != nil {
					if err := visit(child); err != nil {
						return err
					}
				}
				continue
			}
			touch(v)
		}
		return nil
	}
	return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return visit(b) })
}

var sink atomic.Uint32

// touch reads one byte of every memory page a value spans (overflow
// pages), which is what faults if the value runs past the end of a cut file
// or sits on an unreadable part of the disk. The stride is the smallest
// memory page (4 KiB), at which the mapped file faults, not the file's own
// page size: a 16 KiB page spans four memory pages.
func touch(v []byte) {
	if len(v) == 0 {
		return
	}
	var x byte
	for i := 0; i < len(v); i += 4096 {
		x ^= v[i]
	}
	x ^= v[len(v)-1]
	sink.Add(uint32(x))
}

// precheck looks at an existing file without writing to it: it opens the
// file read-only, compares its size with the pages its meta page claims,
// and reads the whole file (bbolt's tx.Check plus every value) when it is
// small enough or the last run did not close it. It reports whether the
// last run shut down cleanly and whether the whole file was checked.
func precheck(dir, path string, size int64, full bool) (unclean, checked bool, err error) {
	// First without the freelist: it may lie past the end of a cut file.
	db, err := openReadOnly(dir, path, false)
	if err != nil {
		return false, false, err
	}
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			if hwm := tx.Size(); size < hwm {
				return damagedf(path, nil, "it is %s long but its pages reach %s: the file was cut short",
					app.HumanSize(size), app.HumanSize(hwm))
			}
			if meta := tx.Bucket(bucketMeta); meta != nil && meta.Get(keyOpen) != nil {
				unclean = true
			}
			return nil
		})
	})
	db.Close()
	if err == nil {
		// Every read-write open loads the freelist: check it can be.
		if why := checkFreelist(path); why != "" {
			err = damagedf(path, nil, "%s", why)
		}
	}
	if err != nil || (!full && size > fullCheckLimit) {
		return unclean, false, asDamage(path, err)
	}
	// Then with it, loaded here where a fault is caught: tx.Check reads it
	// on a goroutine of its own.
	if db, err = openReadOnly(dir, path, true); err != nil {
		return unclean, false, err
	}
	defer db.Close()
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			if err := walk(tx, nil); err != nil {
				return err
			}
			var first error
			for err := range tx.Check() { // drain: Check's goroutine sends every error
				if first == nil {
					first = err
				}
			}
			if first != nil {
				return damagedf(path, first, "its pages are inconsistent, %v", first)
			}
			return nil
		})
	})
	return unclean, true, asDamage(path, err)
}

// openReadOnly opens the file without writing to it; a panic or fault
// while bbolt reads its first pages is damage.
func openReadOnly(dir, path string, freelist bool) (*bolt.DB, error) {
	var db *bolt.DB
	err := guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: openTimeout, PreLoadFreelist: freelist, FreelistType: bolt.FreelistMapType})
		return err
	})
	var p *panicError
	switch {
	case errors.As(err, &p):
		return nil, damagedf(path, nil, "%s", p.Error())
	case err != nil:
		return nil, classifyOpenError(dir, path, err)
	}
	return db, nil
}

// asDamage turns a panic caught while reading into a *DamagedError.
func asDamage(path string, err error) error {
	var p *panicError
	if errors.As(err, &p) {
		return damagedf(path, nil, "%s", p.Error())
	}
	return err
}

// prepareDir creates the data directory (0700), or tightens an existing
// one that others can read or enter. It returns a sentence saying so, once.
func prepareDir(dir string) (notice string, err error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("cannot create the data directory %s: check its parent's permissions or pass --data DIR: %w", dir, err)
		}
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cannot read the data directory %s: check its permissions or pass --data DIR: %w", dir, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("the data directory %s is a file: pass --data DIR with a directory", dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&0o700|0o700); err != nil {
			return "", fmt.Errorf("the data directory %s is open to other users (mode %04o) and cannot be made private: change its mode to 0700 or pass --data DIR: %w", dir, perm, err)
		}
		return fmt.Sprintf("the data directory %s was open to other users (mode %04o); it is now private to you (0700)", dir, perm), nil
	}
	return "", nil
}

// Notice is a sentence for the user about something Open changed (a data
// directory made private), or "". Print it once.
func (s *Store) Notice() string { return s.notice }
