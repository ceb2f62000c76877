package store

import (
	"bytes"
	"encoding/binary"
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
	pageHeaderSize = 16
	leafElemSize   = 16
	leafPageFlag   = 0x02
	bucketLeafFlag = 0x01
)

// leafRecord is one key/value of a leaf page found by the scan.
type leafRecord struct{ k, v []byte }

// scanLeaves calls fn for every key/value of every readable leaf page of
// the file at path, pages of pageSize bytes. Pages whose header does not
// name their own id, or whose elements point outside the page, are skipped.
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
		if int64(binary.LittleEndian.Uint64(buf)) != id || binary.LittleEndian.Uint16(buf[8:])&leafPageFlag == 0 {
			continue
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
// it (its first field is received_at), not a delivery or an endpoint.
func looksLikeRecord(v []byte) bool { return bytes.HasPrefix(v, []byte(`{"received_at":`)) }
