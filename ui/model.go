package ui

import (
	"sync"

	"github.com/hooklens/hooklens/app"
)

// eventModel is the event list's window onto the store. It knows how many
// events match the filter and caches a few pages of summaries around the rows
// the list asked for; it never holds every event. Rows are asked for by index,
// newest first, so index 0 is always the newest matching event.
//
// Every method except those marked otherwise runs on the UI goroutine. Store
// reads happen in goroutines and come back through do.
type eventModel struct {
	store    app.EventStore
	do       func(func()) // runs fn on the UI goroutine
	pageSize int
	maxSegs  int // pages kept in memory

	filter    app.Filter
	count     int  // matching events in the index space the list shows
	counted   bool // count has been read at least once for this filter
	reloading bool // the coming recount is a Reload, not a new filter
	gen       uint64
	segs      []*segment
	clock     uint64
	pending   map[int]bool

	// seq numbers every store read; results of reads issued before the
	// latest local change (a delete) describe a store that no longer exists.
	seq, mutSeq, countSeq uint64

	counts matchCounts

	onGrow   func(delta int)      // count grew by delta: rows shifted down by delta
	onReset  func(newFilter bool) // rows were reread: new filter, or deletions elsewhere
	onLoaded func()               // rows got their data
	onError  func(error)
}

// segment is a run of consecutive rows starting at index start.
type segment struct {
	start int
	items []app.EventSummary
	used  uint64
}

func newEventModel(s app.EventStore, do func(func())) *eventModel {
	return &eventModel{store: s, do: do, pageSize: 100, maxSegs: 3, pending: map[int]bool{}}
}

// Len is the number of rows.
func (m *eventModel) Len() int { return m.count }

// Item returns row i, asking the store for its page when it is not cached;
// ok is false until the page arrives (onLoaded is then called).
func (m *eventModel) Item(i int) (app.EventSummary, bool) {
	if s, ok := m.Peek(i); ok {
		return s, true
	}
	if i >= 0 && i < m.count {
		m.load(i / m.pageSize * m.pageSize)
	}
	return app.EventSummary{}, false
}

// Peek returns row i only if it is cached.
func (m *eventModel) Peek(i int) (app.EventSummary, bool) {
	for k := len(m.segs) - 1; k >= 0; k-- { // newest segments first
		s := m.segs[k]
		if i >= s.start && i < s.start+len(s.items) {
			m.clock++
			s.used = m.clock
			return s.items[i-s.start], true
		}
	}
	return app.EventSummary{}, false
}

// IndexOf returns the row of event id if it is cached, or -1.
func (m *eventModel) IndexOf(id uint64) int {
	for k := len(m.segs) - 1; k >= 0; k-- {
		s := m.segs[k]
		for j := range s.items {
			if s.items[j].ID == id {
				return s.start + j
			}
		}
	}
	return -1
}

// SetFilter shows only events matching f; rows are read again.
func (m *eventModel) SetFilter(f app.Filter) {
	m.filter = f
	m.counted, m.reloading = false, false
	m.count = 0
	m.reset()
	m.load(0)
}

// Reload reads count and rows again for the same filter.
func (m *eventModel) Reload() {
	m.mutSeq = m.seq + 1
	m.counted, m.reloading = false, true
	m.reset()
	m.load(0)
}

// Refresh reads the count again (after new events were committed).
func (m *eventModel) Refresh() { m.read(-1) }

// Removed drops row i after the event was deleted, without reading the store.
func (m *eventModel) Removed(i int) {
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
	m.counts.forget()
}

// Cleared empties the model after every event was deleted.
func (m *eventModel) Cleared() {
	m.mutSeq = m.seq + 1
	m.count = 0
	m.reset()
	m.counts.forget()
}

func (m *eventModel) reset() {
	m.gen++
	m.segs = nil
	m.pending = map[int]bool{}
}

// load fetches the page of rows starting at off.
func (m *eventModel) load(off int) {
	if m.pending[off] {
		return
	}
	m.pending[off] = true
	m.read(off)
}

// read asks the store, in a goroutine, for the count and (when off >= 0) the
// page at off, both as of one store state.
func (m *eventModel) read(off int) {
	m.seq++
	seq, gen, f, limit := m.seq, m.gen, m.filter, m.pageSize
	if off < 0 {
		limit = 0
	}
	go func() {
		items, n, err := m.snapshot(f, off, limit)
		m.do(func() { m.arrived(seq, gen, off, items, n, err) })
	}()
}

// snapshot runs off the UI goroutine. The total count is a cheap counter, so
// reading it before and after the page tells whether the store changed in
// between; if it did the read is repeated (a few times at most, then the
// next refresh corrects what is left).
func (m *eventModel) snapshot(f app.Filter, off, limit int) ([]app.EventSummary, int, error) {
	for try := 0; ; try++ {
		v1, err := m.store.Count()
		if err != nil {
			return nil, 0, err
		}
		var items []app.EventSummary
		if limit > 0 {
			if items, err = m.store.Events(app.Page{Offset: off, Limit: limit, Filter: f}); err != nil {
				return nil, 0, err
			}
		}
		n := v1
		if !f.IsZero() {
			if n, err = m.counts.get(m.store, f, v1); err != nil {
				return nil, 0, err
			}
		}
		v2, err := m.store.Count()
		if err != nil {
			return nil, 0, err
		}
		if v1 == v2 || try == 3 {
			return items, n, nil
		}
	}
}

// arrived places a read's result. n is the matching count in the store state
// the page came from.
func (m *eventModel) arrived(seq, gen uint64, off int, items []app.EventSummary, n int, err error) {
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
			m.Refresh()
		} else if m.onLoaded != nil {
			m.onLoaded()
		}
		return
	}
	first := !m.counted
	switch {
	case first:
		m.counted, m.countSeq = true, seq
		m.count = n
		if m.onReset != nil {
			m.onReset(!m.reloading)
		}
	case n > m.count:
		// New events are always the newest: they push every row down.
		delta := n - m.count
		m.count = n
		m.countSeq = max(m.countSeq, seq)
		for _, s := range m.segs {
			s.start += delta
		}
		m.pending = map[int]bool{}
		if m.onGrow != nil {
			m.onGrow(delta)
		}
	case n < m.count && seq > m.countSeq:
		// Events vanished (retention, another process): start over.
		m.countSeq = seq
		m.count = n
		m.reset()
		if m.onReset != nil {
			m.onReset(false)
		}
		return
	}
	if off < 0 || len(items) == 0 {
		return
	}
	// The page was read when the store held n matching events; rows added
	// since then sit above it.
	start := off + (m.count - n)
	if start >= m.count {
		return
	}
	m.clock++
	m.segs = append(m.segs, &segment{start: start, items: items, used: m.clock})
	m.evict()
	if m.onLoaded != nil {
		m.onLoaded()
	}
}

// evict keeps at most maxSegs segments, dropping the least recently used.
func (m *eventModel) evict() {
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

// cachedRows is how many summaries are held (for tests and the benchmark).
func (m *eventModel) cachedRows() int {
	n := 0
	for _, s := range m.segs {
		n += len(s.items)
	}
	return n
}

// matchCounts remembers the matching count for the store state it was
// counted in (identified by the total count), so a filtered list scans the
// store once per change rather than once per page. Safe for concurrent use.
type matchCounts struct {
	mu      sync.Mutex
	filter  app.Filter
	version int
	n       int
	ok      bool
}

func (c *matchCounts) get(s app.EventStore, f app.Filter, version int) (int, error) {
	c.mu.Lock()
	if c.ok && c.filter == f && c.version == version {
		n := c.n
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	n, err := s.CountMatching(f)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	c.filter, c.version, c.n, c.ok = f, version, n, true
	c.mu.Unlock()
	return n, nil
}

func (c *matchCounts) forget() {
	c.mu.Lock()
	c.ok = false
	c.mu.Unlock()
}
