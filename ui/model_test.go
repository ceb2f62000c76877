//go:build ci

package ui

import (
	"slices"
	"testing"
)

// newerThan lines up the rows above the one held at the top by id, also
// when rows arrive between its page reads (shifting the next page down) and
// when that row is gone.
func TestNewerThanLinesRowsUpByID(t *testing.T) {
	// ids 1..n stored, newest first; arrive adds rows on top before each
	// read after the first.
	type store struct{ ids []uint64 }
	add := func(s *store, n int) {
		for range n {
			next := uint64(1)
			if len(s.ids) > 0 {
				next = s.ids[0] + 1
			}
			s.ids = append([]uint64{next}, s.ids...)
		}
	}
	id := func(v uint64) uint64 { return v }
	for _, c := range []struct {
		name          string
		stored, above int    // rows held up to the top row, and rows above it
		arrive        int    // rows arriving before each later read
		remove        uint64 // id removed before reading (the top row, elsewhere)
		found         bool
	}{
		{name: "nothing new", stored: 50, found: true},
		{name: "within the page", stored: 50, above: 30, found: true},
		{name: "three pages", stored: 50, above: 230, arrive: 0, found: true},
		{name: "arrivals between pages", stored: 50, above: 230, arrive: 7, found: true},
		{name: "many arrivals between pages", stored: 50, above: 150, arrive: 60, found: true},
		// A page of arrivals per read never gets further: the count is read instead.
		{name: "a page of arrivals between pages", stored: 50, above: 150, arrive: 100},
		{name: "more than most", stored: 50, above: 400},
		{name: "the top row removed", stored: 50, above: 120, remove: 50},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &store{}
			add(s, c.stored)
			top := s.ids[0]
			add(s, c.above)
			if c.remove != 0 {
				s.ids = slices.DeleteFunc(s.ids, func(v uint64) bool { return v == c.remove })
			}
			want := slices.Clone(s.ids[:slices.IndexFunc(s.ids, func(v uint64) bool { return v <= top })])
			reads := 0
			fetch := func(off, limit int) ([]uint64, error) {
				if reads++; reads > 1 {
					add(s, c.arrive)
				}
				return slices.Clone(s.ids[min(off, len(s.ids)):min(off+limit, len(s.ids))]), nil
			}
			first, more, found, err := newerThan(fetch, id, top, 100, 300)
			if err != nil {
				t.Fatal(err)
			}
			if found != c.found {
				t.Fatalf("found %v, want %v", found, c.found)
			}
			if len(first) != min(100, c.stored+c.above) {
				t.Errorf("first page of %d rows", len(first))
			}
			if !found {
				return
			}
			got := append(slices.Clone(first), more...)
			if i := slices.Index(got, top); i >= 0 {
				got = got[:i]
			}
			if !slices.Equal(got, want) {
				t.Errorf("rows above the top %v..., want %v... (%d and %d rows)", got[:min(5, len(got))], want[:min(5, len(want))], len(got), len(want))
			}
		})
	}
}
