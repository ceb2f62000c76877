package store

import (
	"os"
	"sync"
	"time"
)

// prefetchStep is how much of the file one read-ahead step asks for.
const prefetchStep = 32 << 20

// prefetchAfter is how many events a scan reads before it has the rest
// of the file read ahead (prefetch): a short scan never pays for it.
const prefetchAfter = 4096

// prefetchAgain is how long after a whole pass another is not started.
const prefetchAgain = time.Minute

// prefetcher is the store's one read-ahead pass at a time.
type prefetcher struct {
	mu      sync.Mutex
	running bool
	ended   time.Time
}

// prefetch reads the data file into the page cache for a long scan of
// every event (a free-text search), in the background, in large
// sequential steps from its end (where the newest events, read first,
// mostly are) to its start. bbolt maps the file for random access, without
// the kernel's read-ahead, so a scan from a cold cache otherwise waits for
// one small read per page: for the demo's million events (1.6 GB) on the
// README's machine, a search over every body took 42 s from a cold cache
// without it and 2.3 s with it. One
// pass runs at a time, to the end of the file or until the store closes,
// and none starts within a minute of the last (the list's pages of one
// search each scan on from the one before). A file bigger than half the
// memory available is left alone: what the steps read would be pushed out
// again before the scan got there.
func (s *Store) prefetch() {
	p := &s.prefetcher
	p.mu.Lock()
	if p.running || (!p.ended.IsZero() && time.Since(p.ended) < prefetchAgain) {
		p.mu.Unlock()
		return
	}
	p.running = true
	p.mu.Unlock()
	go func() {
		defer func() {
			p.mu.Lock()
			p.running, p.ended = false, time.Now()
			p.mu.Unlock()
		}()
		f, err := os.Open(s.path)
		if err != nil {
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || fi.Size() > prefetchBudget()/2 {
			return
		}
		for end := fi.Size(); end > 0; end -= prefetchStep {
			select {
			case <-s.quit:
				return
			default:
			}
			start := max(0, end-prefetchStep)
			willNeed(f, start, end-start)
		}
	}()
}

// prefetchBudget is the memory prefetch may fill (a variable for tests).
var prefetchBudget = memAvailable
