package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// When the tree of a damaged file cannot be walked (a file cut short loses
// its newest pages, and the root is always among them), Repair reads every
// page of the file directly and takes event records and summaries from any
// leaf that holds them. bbolt's page layout (little-endian):
//
//	page header   id u64, flags u16, count u16, overflow u32   (16 bytes)
//	leaf element  flags u32, pos u32, ksize u32, vsize u32     (16 bytes)
//
// with each element's key at its own offset + pos, its value right after.
const (
	pageHeaderSize   = 16
	leafElemSize     = 16
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01
)

// leafRecord is one key/value of a leaf page found by the scan.
type leafRecord struct{ k, v []byte }

// scanLeaves calls fn for every key/value of every readable leaf page of
// the file at path, pages of pageSize bytes. Pages whose header does not
// name their own id, pages of another type, and elements that point outside
// their page are skipped; a page whose type flags are damaged is read as
// a leaf.
// fn's slices are only valid during the call.
func scanLeaves(path string, pageSize int, fn func(leafRecord)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	pages := fi.Size() / int64(pageSize)
	buf := make([]byte, pageSize)
	for id := int64(2); id < pages; id++ {
		if _, err := f.ReadAt(buf[:pageSize], id*int64(pageSize)); err != nil {
			return err
		}
		if int64(binary.LittleEndian.Uint64(buf)) != id {
			continue
		}
		switch binary.LittleEndian.Uint16(buf[8:]) {
		case leafPageFlag:
		case branchPageFlag, metaPageFlag, freelistPageFlag:
			continue
		default:
			// Flags that name no page type: damage to the header. The
			// elements are read as a leaf's; what they point at must still
			// decode as a record (or a body of its recorded size) to count.
		}
		overflow := int64(binary.LittleEndian.Uint32(buf[12:]))
		page := buf[:pageSize]
		if overflow > 0 {
			if id+overflow >= pages {
				continue // its overflow is past the end
			}
			page = make([]byte, (overflow+1)*int64(pageSize))
			if _, err := f.ReadAt(page, id*int64(pageSize)); err != nil && err != io.EOF {
				continue
			}
		}
		count := int(binary.LittleEndian.Uint16(page[10:]))
		for i := range count {
			at := pageHeaderSize + i*leafElemSize
			if at+leafElemSize > len(page) {
				break
			}
			e := page[at:]
			flags := binary.LittleEndian.Uint32(e)
			pos := int(binary.LittleEndian.Uint32(e[4:]))
			ks := int(binary.LittleEndian.Uint32(e[8:]))
			vs := int(binary.LittleEndian.Uint32(e[12:]))
			start := at + pos
			if flags&bucketLeafFlag != 0 || pos < 0 || ks <= 0 || vs < 0 || start < at || start+ks+vs > len(page) || start+ks+vs < start {
				continue
			}
			fn(leafRecord{page[start : start+ks], page[start+ks : start+ks+vs]})
		}
		id += overflow
	}
	return nil
}

// looksLikeRecord says whether v is an event record as encodeRecord writes
// it (binary, or the older JSON whose first field is received_at), not a
// delivery or an endpoint.
func looksLikeRecord(v []byte) bool {
	if sum := recordSummary(v); sum != nil {
		return len(sum) >= summaryFixed && sum[0] == summaryFormat
	}
	return bytes.HasPrefix(v, []byte{recordMagic, recordVersion}) || bytes.HasPrefix(v, []byte(`{"received_at":`))
}

// Meta page fields (after the page header): magic u32, version u32, page
// size u32, flags u32, root bucket (root u64, sequence u64), freelist u64,
// high-water mark u64, txid u64, checksum u64 (FNV-1a of what precedes it).
const (
	metaMagic      = 0xED0CDAED
	metaSumEnd     = 56
	freelistFlag   = 0x10
	noFreelist     = ^uint64(0)
	freelistCounts = 0xFFFF // a count this large is stored as the first u64
)

// checkFreelist reads the freelist page the live meta page names and
// checks that its length fits the page: bbolt allocates whatever count it
// finds there before looking further, and a damaged count would exhaust
// memory instead of reporting damage. It returns "" when the page is sound
// (or there is none), else what is wrong.
func checkFreelist(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	ps, fl, ok := liveFreelist(f)
	if !ok {
		return ""
	}
	hdr := make([]byte, pageHeaderSize+8)
	if _, err := f.ReadAt(hdr, int64(fl)*ps); err != nil {
		return "its list of free pages lies past the end of the file"
	}
	if binary.LittleEndian.Uint16(hdr[8:])&freelistFlag == 0 {
		return fmt.Sprintf("page %d should list the free pages but does not", fl)
	}
	count := uint64(binary.LittleEndian.Uint16(hdr[10:]))
	room := (uint64(binary.LittleEndian.Uint32(hdr[12:]))+1)*uint64(ps) - pageHeaderSize
	if count == freelistCounts {
		count = binary.LittleEndian.Uint64(hdr[pageHeaderSize:]) + 1 // the count itself takes one slot
	}
	if count > room/8 {
		return fmt.Sprintf("its list of free pages (page %d) claims %d entries, more than the page holds", fl, count)
	}
	return ""
}

// liveFreelist returns the page size and the freelist's page id the live
// meta page names; ok is false without a valid meta page or a freelist.
func liveFreelist(f *os.File) (pageSize int64, freelist uint64, ok bool) {
	m, found := liveMeta(f)
	if !found {
		return 0, 0, false // bbolt reports unreadable meta pages itself
	}
	pageSize = int64(binary.LittleEndian.Uint32(m[8:]))
	freelist = binary.LittleEndian.Uint64(m[32:])
	return pageSize, freelist, freelist != noFreelist && pageSize >= 512
}

// errNoMeta: neither meta page of the file is valid.
var errNoMeta = errors.New("neither of its header pages is readable")

// filePageSize is the page size the file at path was created with (4 KiB
// for files of older releases, newFilePageSize since), read from its live
// meta page.
func filePageSize(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	m, ok := liveMeta(f)
	if !ok {
		return 0, errNoMeta
	}
	return int(binary.LittleEndian.Uint32(m[8:])), nil
}

// liveMeta reads the meta pages as bbolt does and returns the valid one
// with the highest txid (from its magic on). Meta 0 starts the file and
// names the page size; meta 1 is one page in. When meta 0 is unreadable
// the page size is unknown (files of older releases have 4 KiB pages, newer
// ones 16 KiB), so, like bbolt, it looks for meta 1 one page in for every
// page size from 1 KiB to 16 MiB and takes the first valid one.
func liveMeta(f *os.File) (meta []byte, ok bool) {
	read := func(off int64) []byte {
		page := make([]byte, pageHeaderSize+metaSumEnd+8)
		if _, err := f.ReadAt(page, off); err != nil {
			return nil
		}
		m := page[pageHeaderSize:]
		h := fnv.New64a()
		h.Write(m[:metaSumEnd])
		ps := binary.LittleEndian.Uint32(m[8:])
		if binary.LittleEndian.Uint32(m) != metaMagic || h.Sum64() != binary.LittleEndian.Uint64(m[metaSumEnd:]) || ps < 512 || ps > 1<<30 {
			return nil
		}
		return m
	}
	m0 := read(0)
	if m0 == nil {
		for ps := int64(1 << 10); ps <= 16<<20; ps <<= 1 {
			if m1 := read(ps); m1 != nil {
				return m1, true
			}
		}
		return nil, false
	}
	m1 := read(int64(binary.LittleEndian.Uint32(m0[8:])))
	if m1 != nil && binary.LittleEndian.Uint64(m1[48:]) > binary.LittleEndian.Uint64(m0[48:]) {
		return m1, true
	}
	return m0, true
}
