package store

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
)

// members are the ids of one block (1024 consecutive ids) that have one
// indexed value, by their low ten bits. Stored (event_index, see index.go)
// as a sorted list of 2-byte big-endian numbers while there are fewer than
// listMax, else as the 128-byte bitmap itself: a rare value costs a few
// bytes per event, a common one an eighth of a byte.
type members [1 << blockShift / 64]uint64

const (
	listMax     = 64
	bitmapBytes = 1 << blockShift / 8
)

// decodeMembers reads a stored members value; nil is no members. A value
// of any other shape (a damaged page) reads as the numbers it holds.
func decodeMembers(v []byte) members {
	var m members
	if len(v) == bitmapBytes {
		for i := range m {
			m[i] = binary.BigEndian.Uint64(v[i*8:])
		}
		return m
	}
	for i := 0; i+1 < len(v); i += 2 {
		m.set(binary.BigEndian.Uint16(v[i:])&blockMask, true)
	}
	return m
}

func (m *members) set(off uint16, on bool) {
	w, bit := off/64, uint64(1)<<(off%64)
	if on {
		m[w] |= bit
	} else {
		m[w] &^= bit
	}
}

// and keeps the members o also has.
func (m *members) and(o *members) {
	for i := range m {
		m[i] &= o[i]
	}
}

func (m *members) len() int {
	n := 0
	for _, w := range m {
		n += bits.OnesCount64(w)
	}
	return n
}

// encode is the stored form, nil when there are none.
func (m *members) encode() []byte {
	n := m.len()
	switch {
	case n == 0:
		return nil
	case n >= listMax:
		v := make([]byte, bitmapBytes)
		for i, w := range m {
			binary.BigEndian.PutUint64(v[i*8:], w)
		}
		return v
	}
	v := make([]byte, 0, 2*n)
	for i, w := range m {
		for ; w != 0; w &= w - 1 {
			v = binary.BigEndian.AppendUint16(v, uint16(i*64+bits.TrailingZeros64(w)))
		}
	}
	return v
}

// desc calls fn with the members below off (exclusive), highest first,
// until fn returns false; it returns false when fn did.
func (m *members) desc(below int, fn func(off uint16) bool) bool {
	for i := min(below, 1<<blockShift); i > 0; {
		wi := (i - 1) / 64
		w := m[wi]
		if lim := i - wi*64; lim < 64 {
			w &= 1<<lim - 1
		}
		for w != 0 {
			b := 63 - bits.LeadingZeros64(w)
			if !fn(uint16(wi*64 + b)) {
				return false
			}
			w &^= 1 << b
		}
		i = wi * 64
	}
	return true
}

// noLimit is postings' before for "from the newest".
const noLimit = math.MaxUint64

// postings calls fn with the ids indexed under prefix (field | value |
// 0x00), newest first, from the id below before (noLimit: from the newest),
// skipping the first offset of them by the kept block counts, until fn
// returns false.
func (b buckets) postings(prefix []byte, before uint64, offset int, fn func(id uint64) bool) {
	bc := b.blocks.Cursor()
	var bk, bv []byte
	if before == noLimit {
		bk, bv = lastUnder(bc, prefix)
	} else if before == 0 {
		return
	} else {
		start := append(bytes.Clone(prefix), key((before-1)>>blockShift)...)
		if bk, bv = bc.Seek(start); bk == nil {
			bk, bv = bc.Last()
		} else if !bytes.Equal(bk, start) {
			bk, bv = bc.Prev()
		}
	}
	for ; bk != nil && bytes.HasPrefix(bk, prefix) && len(bk) == len(prefix)+8; bk, bv = bc.Prev() {
		blk := idOf(bk[len(prefix):])
		below := 1 << blockShift
		if before != noLimit && (before-1)>>blockShift == blk {
			below = int((before-1)&blockMask) + 1
		}
		if below == 1<<blockShift && len(bv) == 8 {
			if n := int(binary.BigEndian.Uint64(bv)); offset >= n {
				offset -= n
				continue
			}
		}
		m := decodeMembers(b.index.Get(bk))
		stop := !m.desc(below, func(off uint16) bool {
			if offset > 0 {
				offset--
				return true
			}
			return fn(blk<<blockShift | uint64(off))
		})
		if stop {
			return
		}
	}
}
