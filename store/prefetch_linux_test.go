package store

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/hooklens/hooklens/app"
)

// filledStore is a store of n events with 1 KiB bodies, none holding
// "walnut", with the data file dropped from the page cache.
func filledStore(t *testing.T, n int) *Store {
	t.Helper()
	s := openTest(t, t.TempDir())
	evs := make([]*app.Event, n)
	for i := range evs {
		e := sampleEvent(i)
		e.Body = []byte(`{"event":"contact.created","note":"` + strings.Repeat("x", 1000) + `"}`)
		e.Size = int64(len(e.Body))
		evs[i] = e
	}
	if err := s.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	dropFromCache(t, s.path)
	if r := resident(t, s.path); r > 0.2 {
		t.Skipf("the file could not be dropped from the page cache (%.0f%% still resident)", 100*r)
	}
	return s
}

// openSized opens path for reading, with its size.
func openSized(t *testing.T, path string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	return f, fi.Size()
}

// dropFromCache asks the kernel to forget the file's cached pages (they
// are clean: bbolt synced them).
func dropFromCache(t *testing.T, path string) {
	t.Helper()
	f, size := openSized(t, path)
	defer f.Close()
	if err := unix.Fadvise(int(f.Fd()), 0, size, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
}

// resident is the share of the file's pages in the page cache.
func resident(t *testing.T, path string) float64 {
	t.Helper()
	f, size := openSized(t, path)
	defer f.Close()
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(b)
	page := os.Getpagesize()
	vec := make([]byte, (len(b)+page-1)/page)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatal(e)
	}
	in := 0
	for _, v := range vec {
		in += int(v & 1)
	}
	return float64(in) / float64(len(vec))
}

// waitPrefetched waits for the read-ahead pass to end.
func waitPrefetched(t *testing.T, s *Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.prefetcher.mu.Lock()
		ended := !s.prefetcher.running && !s.prefetcher.ended.IsZero()
		s.prefetcher.mu.Unlock()
		if ended {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the read-ahead pass has not ended after 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// eventuallyResident waits until at least share of the file is in the
// page cache: the pass asks for reads the kernel finishes on its own time.
func eventuallyResident(t *testing.T, path string, share float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := resident(t, path)
		if r >= share {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the read-ahead %.0f%% of the file is in the page cache, want at least %.0f%%", 100*r, 100*share)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// firstChunk runs a text search and stops it after its first chunk, as a
// user who cancels it at once.
func firstChunk(t *testing.T, s *Store) int {
	t.Helper()
	f, _ := app.ParseFilter("walnut", time.Now())
	scanned := 0
	err := s.Search(context.Background(), f, func(p app.SearchProgress) bool {
		scanned = p.Scanned
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	return scanned
}

// A search over every body has the whole file read ahead in large
// sequential reads (bbolt's mapping reads one page at a time from a cold
// cache): stopped after its first chunk, the search itself read about a
// third of the events, yet the whole file is in the page cache.
func TestLongScanReadsTheFileAhead(t *testing.T) {
	s := filledStore(t, 3*searchChunk)
	if n := firstChunk(t, s); n != searchChunk {
		t.Fatalf("the first chunk scanned %d events, want %d", n, searchChunk)
	}
	waitPrefetched(t, s)
	eventuallyResident(t, s.path, 0.95)
}

// A file bigger than half the memory available is not read ahead, and a
// short scan never starts a pass.
func TestReadAheadOnlyForLongScansOfFilesThatFit(t *testing.T) {
	defer func(f func() int64) { prefetchBudget = f }(prefetchBudget)
	s := filledStore(t, 3*searchChunk)
	prefetchBudget = func() int64 { return 1 << 20 } // far smaller than the file
	firstChunk(t, s)
	waitPrefetched(t, s)
	if r := resident(t, s.path); r > 0.6 {
		t.Fatalf("%.0f%% of a file too big for the memory was read into the page cache", 100*r)
	}

	prefetchBudget = memAvailable
	c := filledStore(t, 3*searchChunk)
	f, _ := app.ParseFilter("contact.created", time.Now())
	if rows, err := c.Events(app.Page{Limit: 10, Filter: f}); err != nil || len(rows) != 10 {
		t.Fatalf("a page of 10 matches: %d rows, %v", len(rows), err)
	}
	c.prefetcher.mu.Lock()
	started := c.prefetcher.running || !c.prefetcher.ended.IsZero()
	c.prefetcher.mu.Unlock()
	if started {
		t.Fatal("a scan that found its page in 10 events read the file ahead")
	}
	// The command line's pages of a rare text scan on: one that reads
	// more than prefetchAfter events starts the pass (waitPrefetched
	// fails when none ends).
	w, _ := app.ParseFilter("walnut", time.Now())
	if rows, err := c.Events(app.Page{Limit: 10, Filter: w}); err != nil || len(rows) != 0 {
		t.Fatalf("walnut: %d rows, %v", len(rows), err)
	}
	waitPrefetched(t, c)
}
