// Package store keeps Hooklens's events, endpoints, targets, connections,
// deliveries and settings in one bbolt file. It implements the store
// interfaces of package app and imports only app and bbolt.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/hooklens/hooklens/app"
)

// FileName is the name of the database file inside the data directory.
const FileName = "hooklens.db"

// openTimeout bounds the wait for the file lock: a second instance must be
// told that the file is busy, not hang.
const openTimeout = time.Second

var (
	// ErrLocked is wrapped by Open when another process (or another Store in
	// this process) holds the database file.
	ErrLocked = errors.New("database file is locked")
	// ErrDamaged is matched by every *DamagedError: from Open when the file
	// fails its checks, and from any call once a read has met damage.
	ErrDamaged = errors.New("database file is damaged")
	// ErrNewerSchema is wrapped by Open when the file was written by a newer
	// Hooklens whose layout this binary does not know.
	ErrNewerSchema = errors.New("database schema is newer than this Hooklens")
	// ErrClosed is returned by calls on a closed Store.
	ErrClosed = errors.New("store is closed")
)

var (
	_ app.EventStore    = (*Store)(nil)
	_ app.Recorder      = (*Store)(nil)
	_ app.EndpointStore = (*Store)(nil)
	_ app.SettingStore  = (*Store)(nil)
)

// Store is the bbolt implementation of app.EventStore, app.EndpointStore and
// app.SettingStore. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	// swap is held shared by every transaction and exclusively by Compact
	// while it rewrites the file and replaces db.
	swap sync.RWMutex
	// matchCount keeps the last filtered count (events.go).
	matchCount matchCount
	// prefetcher reads the file ahead of a long scan (prefetch.go).
	prefetcher prefetcher

	// Capture writes: Record enqueues, one writer goroutine commits groups.
	queue   chan *recordReq
	mu      sync.RWMutex // guards closed against Record's enqueue
	closed  bool
	sending sync.WaitGroup // Record calls between the closed check and the enqueue
	writer  sync.WaitGroup

	// The capture log (wal.go) and the applier (apply.go). nextID is the
	// writer's: the id the next logged event gets. durable is the highest
	// id logged (answered), applied the highest copied into bbolt.
	wal       *wal
	nextID    uint64
	applyq    chan []applyItem
	applier   sync.WaitGroup
	durable   atomic.Uint64
	applied   atomic.Uint64
	applyMu   sync.Mutex
	applyCond *sync.Cond
	applyErr  error
	hurry     chan struct{} // a caller waits in waitApplied

	subMu sync.Mutex
	subs  map[*subscriber]struct{}

	endpoints endpointCache // Endpoint's answers (endpoints.go)

	quit       chan struct{} // closed by Close: stops retention loops
	background sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	pruneMu sync.Mutex
	onPrune []func(PruneReport)

	verdictMu sync.Mutex
	onVerdict []func(id uint64, v app.Verdict)
	notice    string // see Notice
	damage    atomic.Pointer[DamagedError]
	damageMu  sync.Mutex
	onDamage  []func(error)
	skipped   atomic.Int64
	checking  atomic.Bool // a background check has been started
	// outbox: captured events are also queued to publish (Options.Outbox,
	// SetOutbox).
	outbox atomic.Bool
}

// openError carries a message written for the user while still matching
// both our sentinel and bbolt's cause with errors.Is.
type openError struct {
	msg   string
	kind  error
	cause error
}

func (e *openError) Error() string   { return e.msg }
func (e *openError) Unwrap() []error { return []error{e.kind, e.cause} }

// DefaultDir is the data directory used when --data is not given:
// the user's config directory plus "hooklens".
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user config directory: pass --data DIR to choose where Hooklens keeps its data: %w", err)
	}
	return filepath.Join(d, "hooklens"), nil
}

// Open opens (creating if needed) hooklens.db in dir, migrates it to the
// current schema and starts the capture writer.
//
// An existing file is checked before anything is written to it (read-only:
// its size against its meta page, and every page when it is small or the
// last run did not close it); a damaged one gives a *DamagedError and is
// left byte for byte as it was. A big file after an unclean shutdown is
// checked in the background: see Damage and OnDamage.
func Open(dir string) (*Store, error) { return OpenWith(dir, Options{}) }

// Options are how OpenWith opens the store.
type Options struct {
	// Outbox queues every captured event (not imported ones) in the
	// outbox, in the transaction that stores it, for a team publisher to
	// send (outbox.go). Off, capture writes nothing more.
	Outbox bool
	// NoLog commits every captured group straight to bbolt (two syncs
	// each) instead of appending it to the capture log (one sync) with
	// bbolt applied behind it: the layout before the log, kept to measure
	// against.
	NoLog bool
	// Progress, when set, hears how an upgrade of an older file at open
	// goes (the copy kept before it, the index rebuild): on a big file
	// that takes seconds, and the user is told instead of left waiting.
	Progress func(UpgradeProgress)
}

// UpgradeProgress is how far an upgrade at open has got: Done of Total
// bytes copied or events rewritten or indexed in the step named by Step.
type UpgradeProgress struct {
	Step        string
	Done, Total int64
}

// String is a line for a log or a status: "rebuilding the event indexes:
// 400,000 of 1,000,000 events (40%)".
func (p UpgradeProgress) String() string {
	what := app.GroupDigits(int(p.Done)) + " of " + app.GroupDigits(int(p.Total)) + " events"
	if p.Step == StepBackup {
		what = app.HumanSize(p.Done) + " of " + app.HumanSize(p.Total)
	}
	pct := int64(100)
	if p.Total > 0 {
		pct = p.Done * 100 / p.Total
	}
	if p.Step == StepCompact { // records and index entries: a percentage says more
		return fmt.Sprintf("%s: %d%%", p.Step, pct)
	}
	return fmt.Sprintf("%s: %s (%d%%)", p.Step, what, pct)
}

// The steps of an upgrade at open.
const (
	StepBackup  = "upgrading the data file for this version: saving a copy of it first"
	StepIndexes = "rebuilding the event indexes"
	StepRecords = "rewriting the event records in this version's smaller layout"
	StepCompact = "giving the space the old records took back to the disk"
)

// OpenWith is Open with options.
func OpenWith(dir string, o Options) (*Store, error) {
	notice, err := prepareDir(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	unclean, checked := false, false
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		if unclean, checked, err = precheck(dir, path, fi.Size(), false); err != nil {
			return nil, err
		}
	}
	db, err := openBolt(path)
	if err != nil {
		return nil, classifyOpenError(dir, path, err)
	}
	// bbolt applies the mode only when it creates the file; an older file
	// (or a restrictive umask the other way round) must not stay readable to others.
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot make %s private (mode 0600): check who owns it: %w", path, err)
	}
	if err := migrate(db, path, o.Progress); err != nil {
		db.Close()
		return nil, err
	}
	folded, err := foldRecords(db, o.Progress)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("rewriting the event records of %s failed (the copy made before upgrading is beside it): %w", path, err)
	}
	if err := buildIndexes(db, o.Progress); err != nil {
		db.Close()
		return nil, fmt.Errorf("building the event indexes of %s failed (the copy made before upgrading is beside it): %w", path, err)
	}
	s := &Store{
		db:     db,
		path:   path,
		notice: notice,
		queue:  make(chan *recordReq, 1024),
		subs:   make(map[*subscriber]struct{}),
		quit:   make(chan struct{}),
	}
	s.outbox.Store(o.Outbox)
	if err := s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOpen, []byte{1}) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot write to %s: check free disk space: %w", path, err)
	}
	if unclean && !checked {
		s.suspect()
	}
	s.applyCond = sync.NewCond(&s.applyMu)
	s.hurry = make(chan struct{}, 1)
	if err := s.startLog(dir, o); err != nil {
		db.Close()
		return nil, err
	}
	s.writer.Add(1)
	go s.writeLoop()
	if folded > 0 {
		// The rewrite left the old records' pages free inside the file:
		// give them back to the disk now, while the user waits anyway.
		_, err := s.Compact(context.Background(), func(done, total int64) {
			if o.Progress != nil {
				o.Progress(UpgradeProgress{Step: StepCompact, Done: done, Total: total})
			}
		})
		if err != nil {
			s.notice = strings.TrimPrefix(s.notice+"; ", "; ") + "the upgraded file could not be compacted (" + err.Error() + "); Compact in Settings, or hooklens compact, tries again"
		}
	}
	return s, nil
}

// startLog opens the capture log, copies into bbolt what it holds that
// bbolt does not, and starts the applier. A log left by a crash is
// replayed even with o.NoLog, so no answered event is lost.
func (s *Store) startLog(dir string, o Options) error {
	w, err := openWAL(dir)
	if err != nil {
		return err
	}
	s.wal = w
	last, err := s.replayWAL()
	if err != nil {
		w.close()
		return err
	}
	var seq uint64
	if err := s.viewNow(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketEvents).Sequence()
		return nil
	}); err != nil {
		w.close()
		return err
	}
	s.nextID = max(seq, last) + 1
	// Everything up to here is in bbolt: the writer's backlog check
	// (applied against durable) must start from it, not from 0, or the
	// first capture into a file of more than applyBacklog events waits for
	// an applier with nothing to apply.
	s.durable.Store(s.nextID - 1)
	s.applied.Store(s.nextID - 1)
	w.restart() // everything in it is in bbolt now
	if o.NoLog {
		s.wal = nil
		return w.close()
	}
	s.applyq = make(chan []applyItem, applyBacklog/16)
	s.applier.Add(1)
	go s.applyLoop()
	return nil
}

// newFilePageSize is the page size of every database file Hooklens creates
// (a new store, a compacted or repaired copy). bbolt never splits a value
// across pages, so with the system's 4 KiB pages a page holds three 1 KiB
// bodies and a quarter of it stays empty; 16 KiB pages hold fifteen. bbolt
// uses it only when it creates a file: a file keeps the page size it was
// created with, read from its meta page (files of older releases have
// 4 KiB pages, and compacting or repairing one gives it 16 KiB pages).
const newFilePageSize = 16 << 10

// openBolt opens the file, creating it with newFilePageSize pages, and
// turns a panic inside bbolt (it panics on some kinds of damage) into an
// error.
func openBolt(path string) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", berrors.ErrInvalid, r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout, FreelistType: bolt.FreelistMapType, PageSize: newFilePageSize})
}

func classifyOpenError(dir, path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &openError{
			msg:   fmt.Sprintf("%s in %s is already open by another Hooklens: close it, or pass --data DIR to use another data directory", FileName, dir),
			kind:  ErrLocked,
			cause: err,
		}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
		return damaged(path, err)
	}
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Size() > 0 && fi.Size() < 2*int64(headerPageSize(path)) {
		// bbolt says "file size too small": the file is cut short, not unwritable.
		return damagedf(path, err, "it is only %s long, shorter than the two header pages of a database", app.HumanSize(fi.Size()))
	}
	return fmt.Errorf("cannot open %s: check that the file and its directory are yours and writable, or pass --data DIR: %w", path, err)
}

// headerPageSize is the page size bbolt takes for the file at path when it
// checks that the file holds its two header pages: the one its meta page
// names, or, when neither meta page is valid, the largest it may have
// assumed (newFilePageSize, or the system's page size for a read-only
// open). It is 0 when the file cannot be read at all: that is not a file
// cut short.
func headerPageSize(path string) int {
	ps, err := filePageSize(path)
	switch {
	case err == nil:
		return ps
	case errors.Is(err, errNoMeta):
		return max(newFilePageSize, os.Getpagesize())
	}
	return 0
}

// damaged says which file is unreadable and how to get going again; the file
// is never removed for the user, it may hold the only copy of their events.
func damaged(path string, cause error) error {
	return damagedf(path, cause, "%v", cause)
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close commits every event already queued, lets each subscriber deliver what
// it was given, stops background work and closes the file. Subscriptions
// whose fn can no longer run (a closed window) should be cancelled first.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		// No new Record can pass the closed check now; wait for those that
		// did to hand over their event, then let the writer drain the queue.
		s.sending.Wait()
		close(s.queue)
		s.writer.Wait()

		s.subMu.Lock()
		subs := make([]*subscriber, 0, len(s.subs))
		for sub := range s.subs {
			subs = append(subs, sub)
		}
		s.subs = nil
		s.subMu.Unlock()
		for _, sub := range subs {
			sub.finish()
		}
		for _, sub := range subs {
			<-sub.done
		}

		close(s.quit)
		s.background.Wait()
		if s.wal != nil {
			if err := s.wal.close(); err != nil {
				s.closeErr = err
			}
		}
		// A clean shutdown: the next Open of a big file need not read every page.
		if err := s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyOpen) }); err != nil && s.damage.Load() == nil {
			s.closeErr = err
		}
		if err := s.db.Close(); err != nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}
