package ui

import (
	"context"
	"errors"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/hooklens/hooklens/app"
)

// pager is a list's window onto a store: it knows how many rows there are
// and caches a few pages of them around the rows the list asked for; it
// never holds every row. Rows are asked for by index, newest first, so
// index 0 is always the newest. The event list and the Deliveries window
// both page through one.
//
// Every method runs on the UI goroutine. Store reads happen in goroutines
// (through fetch) and come back through do.
type pager[T any] struct {
	do       func(func()) // runs fn on the UI goroutine
	id       func(T) uint64
	pageSize int
	maxSegs  int // pages kept in memory

	// fetch reads the page of limit rows at off (none for limit 0) and the
	// row count, both as of one store state.
	fetch func(off, limit int) ([]T, int, error)
	// fetchTop, when set, reads the page of limit rows at off, without
	// the count; ids grow with newness (Refresh).
	fetchTop func(off, limit int) ([]T, error)
	// topBusy: a read of fetchTop is under way; topAgain: Refresh was
	// asked for meanwhile.
	topBusy, topAgain bool

	count     int  // rows in the index space the list shows
	counted   bool // count has been read at least once for this query
	reloading bool // the coming recount is a Reload, not a new query
	gen       uint64
	segs      []*segment[T]
	clock     uint64
	pending   map[int]bool

	// seq numbers every store read; results of reads issued before the
	// latest local change (a delete) describe a store that no longer
	// exists. rereadSeq is the newest Reread placed.
	seq, mutSeq, countSeq, rereadSeq uint64

	// onGrow: the count grew by delta, rows shifted down by delta, and a
	// page read with the count is in place (onLoaded is not called for it).
	onGrow   func(delta int)
	onReset  func(newQuery bool) // rows were reread: a new query, or rows removed elsewhere
	onLoaded func()              // rows got their data
	onError  func(error)
}

// segment is a run of consecutive rows starting at index start.
type segment[T any] struct {
	start int
	items []T
	used  uint64
}

func newPager[T any](do func(func()), id func(T) uint64, pageSize, maxSegs int) *pager[T] {
	return &pager[T]{do: do, id: id, pageSize: pageSize, maxSegs: maxSegs, pending: map[int]bool{}}
}

// Len is the number of rows.
func (m *pager[T]) Len() int { return m.count }

// Item returns row i, asking the store for its page when it is not cached;
// ok is false until the page arrives (onLoaded is then called).
func (m *pager[T]) Item(i int) (T, bool) {
	if s, ok := m.Peek(i); ok {
		return s, true
	}
	if i >= 0 && i < m.count {
		m.load(i / m.pageSize * m.pageSize)
	}
	var zero T
	return zero, false
}

// Peek returns row i only if it is cached.
func (m *pager[T]) Peek(i int) (T, bool) {
	for k := len(m.segs) - 1; k >= 0; k-- { // newest segments first
		s := m.segs[k]
		if i >= s.start && i < s.start+len(s.items) {
			m.clock++
			s.used = m.clock
			return s.items[i-s.start], true
		}
	}
	var zero T
	return zero, false
}

// IndexOf returns the row of id if it is cached, or -1.
func (m *pager[T]) IndexOf(id uint64) int {
	for k := len(m.segs) - 1; k >= 0; k-- {
		s := m.segs[k]
		for j := range s.items {
			if m.id(s.items[j]) == id {
				return s.start + j
			}
		}
	}
	return -1
}

// Query pages through fetch from now on; rows are read again.
func (m *pager[T]) Query(fetch func(off, limit int) ([]T, int, error)) {
	m.fetch = fetch
	m.counted, m.reloading = false, false
	m.count = 0
	m.reset()
	m.load(0)
}

// Reload reads count and rows again for the same query.
func (m *pager[T]) Reload() {
	m.mutSeq = m.seq + 1
	m.counted, m.reloading = false, true
	m.reset()
	m.load(0)
}

// Refresh shows rows committed since the last read at the top. While the
// newest row is held (the list shows the top, where new rows appear) and
// the query has fetchTop, it reads the newest rows down to the one held at
// the top, lining them up by its id: they come with their data, in one
// store read unless more than a page arrived. (A read of the store waits
// for its capture log to be copied into bbolt; under a steady stream of
// requests each read waits for one such copy, and a count before and
// after the page, retried until they agree, waited for a dozen and still
// did not agree.) Otherwise it reads the count. Rows removed elsewhere are
// noticed by Recount.
func (m *pager[T]) Refresh() {
	top, ok := m.held(0)
	if m.fetchTop == nil || !m.counted || !ok {
		m.read(-1)
		return
	}
	if m.topBusy {
		m.topAgain = true // read again when the one under way is back
		return
	}
	m.topBusy = true
	m.seq++
	seq, gen, fetch, id, limit, topID := m.seq, m.gen, m.fetchTop, m.id, m.pageSize, m.id(top)
	most := (m.maxSegs - 1) * limit
	go func() {
		first, more, found, err := newerThan(fetch, id, topID, limit, most)
		m.do(func() { m.topArrived(seq, gen, topID, first, more, found, err) })
	}()
}

// newerThan reads the newest rows, a page at a time, until the row with id
// top, reading at most most rows above it. first is the newest page as
// read, more the rows after it down to top; found says top was reached
// (not when it was removed elsewhere, or more than most rows are newer).
// Rows arriving between two pages shift the second: those already read are
// skipped, by id.
func newerThan[T any](fetch func(off, limit int) ([]T, error), id func(T) uint64, top uint64, limit, most int) (first, more []T, found bool, err error) {
	first, err = fetch(0, limit)
	if err != nil {
		return nil, nil, false, err
	}
	last := uint64(0)
	for _, r := range first {
		switch {
		case id(r) == top:
			return first, nil, true, nil
		case id(r) < top:
			return first, nil, false, nil // top is gone
		}
		last = id(r)
	}
	for off := limit; off <= 2*most && len(first) == limit && len(first)+len(more) < most; off += limit {
		page, err := fetch(off, limit)
		if err != nil {
			return nil, nil, false, err
		}
		for _, r := range page {
			switch {
			case id(r) >= last:
				continue // read before, shifted down by new arrivals
			case id(r) == top:
				return first, more, true, nil
			case id(r) < top:
				return first, more, false, nil
			}
			more = append(more, r)
			last = id(r)
		}
		if len(page) < limit {
			break // the end, without top
		}
	}
	return first, more, false, nil
}

// Recount reads the count again, noticing rows removed elsewhere
// (retention, another process) as well as new ones.
func (m *pager[T]) Recount() { m.read(-1) }

// topArrived places the rows newer than the one with id topID (first
// ahead of more, newerThan), read while that row was row 0.
func (m *pager[T]) topArrived(seq, gen, topID uint64, first, more []T, found bool, err error) {
	if gen != m.gen {
		return // a new query since; its reads are its own
	}
	m.topBusy = false
	again := m.topAgain // Refresh was asked for while this read was out
	m.topAgain = false
	if err != nil {
		if m.onError != nil {
			m.onError(err)
		}
		return
	}
	top, ok := m.held(0)
	if seq < m.mutSeq || !ok || m.id(top) != topID {
		// A local delete since, or the top is no longer held: the rows
		// cannot be lined up by id; read the count.
		m.read(-1)
		return
	}
	if !found {
		// The top row was removed elsewhere, or more rows arrived than
		// are read this way: read the newest page with the count.
		m.load(0)
		return
	}
	if again {
		defer m.Refresh()
	}
	k := len(more)
	if len(more) == 0 {
		k = slices.IndexFunc(first, func(it T) bool { return m.id(it) == topID })
	} else {
		k += len(first)
	}
	if k <= 0 {
		return // nothing new
	}
	m.count += k
	m.countSeq = max(m.countSeq, seq)
	for _, s := range m.segs {
		s.start += k
	}
	m.pending = map[int]bool{}
	m.place(&segment[T]{start: 0, items: first})
	for off := 0; off < len(more); off += m.pageSize {
		m.place(&segment[T]{start: len(first) + off, items: more[off:min(off+m.pageSize, len(more))]})
	}
	if m.onGrow != nil {
		m.onGrow(k)
	}
}

// held returns row i if it is cached, without marking it used.
func (m *pager[T]) held(i int) (T, bool) {
	for _, s := range m.segs {
		if i >= s.start && i < s.start+len(s.items) {
			return s.items[i-s.start], true
		}
	}
	var zero T
	return zero, false
}

// Reread reads the count and every page held again, in one goroutine, and
// replaces them at once: for rows that change in place (a delivery's
// state) without a moment of empty rows.
func (m *pager[T]) Reread() {
	starts := []int{0}
	for _, s := range m.segs {
		if off := s.start / m.pageSize * m.pageSize; !slices.Contains(starts, off) {
			starts = append(starts, off)
		}
	}
	m.seq++
	seq, gen, fetch, limit := m.seq, m.gen, m.fetch, m.pageSize
	go func() {
		var got []*segment[T]
		n := 0
		var err error
		for i, off := range starts {
			var items []T
			var c int
			if items, c, err = fetch(off, limit); err != nil {
				break
			}
			if i == 0 {
				n = c
			}
			got = append(got, &segment[T]{start: off, items: items})
		}
		m.do(func() { m.reread(seq, gen, n, got, err) })
	}()
}

func (m *pager[T]) reread(seq, gen uint64, n int, got []*segment[T], err error) {
	if gen != m.gen || seq < m.rereadSeq {
		return
	}
	if err != nil {
		if m.onError != nil {
			m.onError(err)
		}
		return
	}
	m.rereadSeq, m.countSeq = seq, max(m.countSeq, seq)
	m.count, m.counted = n, true
	m.segs = nil
	for _, s := range got {
		if len(s.items) > 0 {
			m.place(s)
		}
	}
	m.pending = map[int]bool{}
	if m.onLoaded != nil {
		m.onLoaded()
	}
}

// Removed drops row i after it was deleted, without reading the store.
func (m *pager[T]) Removed(i int) {
	m.mutSeq = m.seq + 1
	for _, s := range m.segs {
		switch {
		case i >= s.start && i < s.start+len(s.items):
			s.items = append(s.items[:i-s.start:i-s.start], s.items[i-s.start+1:]...)
		case s.start > i:
			s.start--
		}
	}
	if m.count > 0 {
		m.count--
	}
	m.pending = map[int]bool{}
}

// Cleared empties the pager after every row was deleted.
func (m *pager[T]) Cleared() {
	m.mutSeq = m.seq + 1
	m.count = 0
	m.reset()
}

func (m *pager[T]) reset() {
	m.gen++
	m.segs = nil
	m.pending = map[int]bool{}
	m.topBusy, m.topAgain = false, false
}

// load fetches the page of rows starting at off.
func (m *pager[T]) load(off int) {
	if m.pending[off] {
		return
	}
	m.pending[off] = true
	m.read(off)
}

// read asks the store, in a goroutine, for the count and (when off >= 0) the
// page at off, both as of one store state.
func (m *pager[T]) read(off int) {
	if m.fetch == nil {
		return
	}
	m.seq++
	seq, gen, fetch, limit := m.seq, m.gen, m.fetch, m.pageSize
	if off < 0 {
		limit = 0
	}
	go func() {
		items, n, err := fetch(off, limit)
		m.do(func() { m.arrived(seq, gen, off, items, n, err) })
	}()
}

// arrived places a read's result. n is the row count in the store state
// the page came from.
func (m *pager[T]) arrived(seq, gen uint64, off int, items []T, n int, err error) {
	if gen != m.gen {
		return
	}
	if off >= 0 {
		delete(m.pending, off)
	}
	if err != nil {
		if m.onError != nil {
			m.onError(err)
		}
		return
	}
	if seq < m.mutSeq {
		// Read before a local delete: ask again rather than misplace rows.
		if off < 0 {
			m.Recount()
		} else if m.onLoaded != nil {
			m.onLoaded()
		}
		return
	}
	first := !m.counted
	grew := 0
	switch {
	case first:
		m.counted, m.countSeq = true, seq
		m.count = n
		if m.onReset != nil {
			m.onReset(!m.reloading)
		}
	case n > m.count:
		// New rows are always the newest: they push every row down.
		delta := n - m.count
		m.count = n
		m.countSeq = max(m.countSeq, seq)
		for _, s := range m.segs {
			s.start += delta
		}
		m.pending = map[int]bool{}
		grew = delta
	case n < m.count && seq > m.countSeq:
		// Rows vanished (retention, another process): start over.
		m.countSeq = seq
		m.count = n
		m.reset()
		if m.onReset != nil {
			m.onReset(false)
		}
		return
	}
	// The page was read when the store held n rows; rows added since then
	// sit above it. It is placed before onGrow, so the list redrawn for
	// the new rows finds the ones this read brought.
	placed := false
	if start := off + (m.count - n); off >= 0 && len(items) > 0 && start < m.count {
		m.place(&segment[T]{start: start, items: items})
		placed = true
		if off == 0 && grew > len(items) {
			// A burst brought more new rows than a page: read the ones
			// between this page and the rows held before too (a page or
			// two), so that scrolling down finds them, not placeholders.
			for p := m.pageSize; p < grew && p < (m.maxSegs-1)*m.pageSize; p += m.pageSize {
				m.load(p)
			}
		}
	}
	switch {
	case grew > 0:
		if m.onGrow != nil {
			m.onGrow(grew)
		}
	case placed && m.onLoaded != nil:
		m.onLoaded()
	}
}

// place caches s, replacing the rows of any segment it overlaps (a page
// read twice, by a load and a reread), and evicts what is beyond maxSegs.
func (m *pager[T]) place(s *segment[T]) {
	end := s.start + len(s.items)
	m.segs = slices.DeleteFunc(m.segs, func(o *segment[T]) bool {
		return o.start < end && s.start < o.start+len(o.items)
	})
	m.clock++
	s.used = m.clock
	m.segs = append(m.segs, s)
	m.evict()
}

// evict keeps at most maxSegs segments, dropping the least recently used.
func (m *pager[T]) evict() {
	for len(m.segs) > m.maxSegs {
		old := 0
		for k, s := range m.segs {
			if s.used < m.segs[old].used {
				old = k
			}
		}
		m.segs = append(m.segs[:old], m.segs[old+1:]...)
	}
}

// cachedRows is how many rows are held (for tests and the benchmark).
func (m *pager[T]) cachedRows() int {
	n := 0
	for _, s := range m.segs {
		n += len(s.items)
	}
	return n
}

// --- the event list ---------------------------------------------------------------

// eventPages is the event list's pager: the summaries of the events
// matching the filter in effect.
type eventPages struct {
	*pager[app.EventSummary]
	store Events
	// search is the background search of a free-text filter in effect
	// (nil otherwise); onSearch hears each step of it on the UI goroutine.
	search   *eventSearch
	onSearch func(s searchStatus)
}

// Searcher runs a filter the store's indexes cannot answer (free text in
// bodies, headers) in the background, reporting matches and progress as it
// goes (the store's Search).
type Searcher interface {
	Search(ctx context.Context, f app.Filter, fn func(app.SearchProgress) bool) error
	// Summaries reads the rows of a page of matches by id.
	Summaries(ids []uint64) ([]app.EventSummary, error)
}

// searchTick is how often a running search updates the window.
const searchTick = 150 * time.Millisecond

// maxSearchMatches bounds what a search keeps for the list (their ids
// only; rows are read a page at a time): beyond it the filter should be
// narrowed.
const maxSearchMatches = 1000000

// eventSearch is one running or finished search; its matches are the list.
type eventSearch struct {
	mu     sync.Mutex
	found  []uint64
	status searchStatus
	cancel context.CancelFunc
}

func (s *eventSearch) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status.Running
}

// searchStatus is what the window says about a search.
type searchStatus struct {
	Scanned, Total, Found int
	Running, Capped       bool
	Cancelled             bool
	Err                   error
}

func newEventPages(st Events, do func(func())) *eventPages {
	m := &eventPages{store: st}
	m.pager = newPager(do, func(s app.EventSummary) uint64 { return s.ID }, 100, 3)
	return m
}

// SetFilter shows only events matching f; rows are read again. A filter
// that needs bodies or headers runs as a background search whose matches
// fill the list as they are found.
func (m *eventPages) SetFilter(f app.Filter) {
	m.CancelSearch()
	m.search = nil
	if st, ok := m.store.(Searcher); ok && f.NeedsBody() {
		m.startSearch(st, f)
		return
	}
	m.fetchTop = func(off, limit int) ([]app.EventSummary, error) {
		return m.store.Events(app.Page{Offset: off, Limit: limit, Filter: f})
	}
	m.Query(func(off, limit int) ([]app.EventSummary, int, error) { return m.snapshot(f, off, limit) })
}

// CancelSearch stops the running search, keeping what it found.
func (m *eventPages) CancelSearch() {
	if m.search != nil {
		m.search.cancel()
	}
}

func (m *eventPages) startSearch(st Searcher, f app.Filter) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &eventSearch{cancel: cancel, status: searchStatus{Running: true}}
	m.search = s
	m.fetchTop = nil // the matches grow as the scan finds them, not at the top
	m.Query(func(off, limit int) ([]app.EventSummary, int, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		n := len(s.found)
		if off < 0 || limit <= 0 {
			return nil, n, nil
		}
		lo, hi := min(off, n), min(off+limit, n)
		ids := slices.Clone(s.found[lo:hi])
		s.mu.Unlock()
		rows, err := st.Summaries(ids)
		s.mu.Lock()
		return rows, n, err
	})
	tell := func() {
		s.mu.Lock()
		st := s.status
		s.mu.Unlock()
		m.do(func() {
			if m.search != s {
				return // another filter since
			}
			m.Reread()
			if m.onSearch != nil {
				m.onSearch(st)
			}
		})
	}
	go func() {
		var last time.Time
		err := st.Search(ctx, f, func(p app.SearchProgress) bool {
			s.mu.Lock()
			for _, m := range p.Matches {
				s.found = append(s.found, m.ID)
			}
			capped := len(s.found) >= maxSearchMatches
			if capped {
				s.found = s.found[:maxSearchMatches]
			}
			s.status.Scanned, s.status.Total, s.status.Found, s.status.Capped = p.Scanned, p.Total, len(s.found), capped
			s.mu.Unlock()
			// The list and the bar follow at most every searchTick: redrawing
			// after every chunk would cost more than the search.
			if now := time.Now(); now.Sub(last) >= searchTick || capped {
				last = now
				tell()
			}
			return !capped
		})
		// The scan's garbage (every summary it decoded) goes back to the
		// system now rather than whenever the runtime gets to it.
		debug.FreeOSMemory()
		s.mu.Lock()
		s.status.Running = false
		if errors.Is(err, context.Canceled) {
			s.status.Cancelled = true
		} else if err != nil {
			s.status.Err = err
		}
		s.mu.Unlock()
		tell()
	}()
}

// Removed drops row i after the event was deleted.
func (m *eventPages) Removed(i int) {
	if s := m.search; s != nil {
		s.mu.Lock()
		if i >= 0 && i < len(s.found) {
			s.found = slices.Delete(s.found, i, i+1)
		}
		s.mu.Unlock()
	}
	m.pager.Removed(i)
}

// snapshot runs off the UI goroutine. The page and the count of matching
// events come from one store read: under a stream of captures a count read
// before or after the page never agrees with it for long, and a page
// placed by the wrong count shows its rows shifted.
func (m *eventPages) snapshot(f app.Filter, off, limit int) ([]app.EventSummary, int, error) {
	items, n, err := m.store.EventsCounted(app.Page{Offset: off, Limit: max(limit, 1), Filter: f})
	if limit <= 0 {
		items = nil
	}
	return items, n, err
}

// --- the Deliveries window ------------------------------------------------------------

// deliveryPages pages delivery summaries, newest first.
func deliveryPages(st Deliveries, do func(func())) *pager[app.DeliverySummary] {
	m := newPager(do, func(s app.DeliverySummary) uint64 { return s.ID }, 100, 4)
	m.fetch = deliveryFetch(st, app.DeliveryFilter{})
	return m
}

// deliveryFetch reads pages of the deliveries f matches. Without a filter
// the count is the store's counter; with one, the matches are counted.
func deliveryFetch(st Deliveries, f app.DeliveryFilter) func(off, limit int) ([]app.DeliverySummary, int, error) {
	return func(off, limit int) ([]app.DeliverySummary, int, error) {
		var n int
		var err error
		if f.Empty() {
			n, err = st.CountDeliveries()
		} else {
			var all []app.DeliverySummary
			all, err = st.Deliveries(app.DeliveryPage{Limit: math.MaxInt32, Filter: f})
			n = len(all)
		}
		if err != nil || limit == 0 {
			return nil, n, err
		}
		page, err := st.Deliveries(app.DeliveryPage{Offset: off, Limit: limit, Filter: f})
		return page, n, err
	}
}
