package store

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Members survive their stored form at every size, on both sides of the
// switch from list to bitmap, and walk down from any point in order.
func TestMembersRoundTripAndWalkDown(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, listMax - 1, listMax, listMax + 1, 500, 1024} {
		var m members
		want := map[uint16]bool{}
		for len(want) < n {
			off := uint16(rng.IntN(1 << blockShift))
			want[off] = true
			m.set(off, true)
		}
		v := m.encode()
		switch {
		case n == 0 && v != nil:
			t.Fatalf("no members stored as %d bytes, want none", len(v))
		case n > 0 && n < listMax && len(v) != 2*n:
			t.Fatalf("%d members stored in %d bytes, want a %d-byte list", n, len(v), 2*n)
		case n >= listMax && len(v) != bitmapBytes:
			t.Fatalf("%d members stored in %d bytes, want the %d-byte bitmap", n, len(v), bitmapBytes)
		}
		back := decodeMembers(v)
		if back != m {
			t.Fatalf("%d members changed through their stored form", n)
		}
		var sorted []uint16
		for off := range want {
			sorted = append(sorted, off)
		}
		slices.Sort(sorted)
		slices.Reverse(sorted)
		for _, below := range []int{1 << blockShift, 0, 1, 63, 64, 65, 511, 1000} {
			var got []uint16
			back.desc(below, func(off uint16) bool { got = append(got, off); return true })
			var exp []uint16
			for _, off := range sorted {
				if int(off) < below {
					exp = append(exp, off)
				}
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("%d members below %d: walked %v, want %v", n, below, got, exp)
			}
		}
		for off := range want {
			back.set(off, false)
		}
		if back.len() != 0 || back.encode() != nil {
			t.Fatalf("%d members removed one by one left %d", n, back.len())
		}
	}
}
