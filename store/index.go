package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// The kept indexes of the events, so a list page at any offset and a filter
// on a structured key read a few pages instead of every event:
//
//	event_blocks  field | value | 0x00 | block (8 bytes)  -> count (8 bytes)
//	event_index   field | value | 0x00 | block (8 bytes)  -> members
//
// A block is 1024 consecutive ids. The blocks of field 0 with the empty
// value count every stored event: the offset-th newest event is found by
// summing block counts from the newest end (a thousand numbers for a
// million events) and stepping at most 1023 keys inside one block. The
// blocks of the other fields count the events of one value, which gives
// the size of a filter's result and its pages at any offset the same way,
// and their members say which ids of the block have that value: the low
// ten bits of each id, as a sorted list of 2-byte numbers while fewer than
// 64, else a 128-byte bitmap (members.go). One key per value and block,
// instead of one per event and value, keeps the indexes at a few bytes per
// event, and storing a group of events rewrites a few dozen keys instead
// of six per event. Both are written in the transaction that stores,
// deletes, prunes, imports or rejudges an event.
var (
	bucketEventIndex  = []byte("event_index")
	bucketEventBlocks = []byte("event_blocks")

	// keyIndexNext is set while the indexes of a file written before them
	// are being built (migrateV6): the next id to index. See buildIndexes.
	keyIndexNext = []byte("index_next")
)

const (
	blockShift = 10
	blockMask  = 1<<blockShift - 1

	fieldAll      byte = 0
	fieldMethod   byte = 'm'
	fieldEndpoint byte = 'e'
	fieldVerdict  byte = 'v'
	fieldStatus   byte = 's' // the exact status, decimal
	fieldClass    byte = 'c' // 1xx … 5xx
	fieldType     byte = 't'

	// maxIndexValue bounds an indexed value; longer ones (and any holding a
	// NUL) are not indexed, and a filter on such a value scans instead.
	maxIndexValue = 200
)

// migrateV6 adds the event indexes. The entries of existing events are
// written afterwards in chunks (buildIndexes), so a big file never needs
// one huge transaction.
func migrateV6(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketEventIndex, bucketEventBlocks} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	if k, _ := tx.Bucket(bucketEvents).Cursor().First(); k != nil {
		return putUint(tx.Bucket(bucketMeta), keyIndexNext, 1)
	}
	return nil
}

// migrateV7 replaces the per-event index entries of schema 6 by one
// members value per value and block: both index buckets are emptied and
// rebuilt from the records in chunks (buildIndexes), as migrateV6 built
// them.
func migrateV7(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketEventIndex, bucketEventBlocks} {
		if tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("emptying bucket %s: %w", name, err)
			}
		}
	}
	return migrateV6(tx)
}

// indexChunk is how many events one transaction of buildIndexes indexes.
const indexChunk = 20000

// buildIndexes writes the index entries of events stored before the
// indexes existed, in chunks, resuming where an interrupted run stopped.
// It runs in Open before the capture writer starts, so nothing else
// changes events meanwhile.
func buildIndexes(db *bolt.DB, progress func(UpgradeProgress)) error {
	var indexed, total int64
	for {
		done := false
		err := db.Update(func(tx *bolt.Tx) error {
			b := eventBuckets(tx)
			b.batch = newIndexBatch()
			next := b.meta.Get(keyIndexNext)
			if next == nil {
				done = true
				return nil
			}
			if total == 0 {
				total = int64(getUint(b.meta, keyCount))
				if progress != nil {
					// A rebuild cut short goes on where it stopped:
					// what the run before it indexed counts as done.
					indexed = min(countBefore(b.events, next), total)
					progress(UpgradeProgress{Step: StepIndexes, Done: indexed, Total: total})
				}
			}
			c := b.events.Cursor()
			n := 0
			k, v := c.Seek(key(binary.BigEndian.Uint64(next)))
			for ; k != nil && n < indexChunk; k, v = c.Next() {
				sum, err := decodeRow(k, v)
				if err != nil {
					continue // unreadable: the filter scan still sees what it can
				}
				if err := b.indexKeys(k, &sum, b.eventType(k, &sum), 1); err != nil {
					return err
				}
				n++
			}
			if err := b.flushIndex(); err != nil {
				return err
			}
			indexed += int64(n)
			if k == nil {
				done = true
				return b.meta.Delete(keyIndexNext)
			}
			return putUint(b.meta, keyIndexNext, idOf(k))
		})
		if err == nil && progress != nil && total > 0 {
			progress(UpgradeProgress{Step: StepIndexes, Done: min(indexed, total), Total: total})
		}
		if err != nil || done {
			return err
		}
	}
}

// countBefore counts the keys of b before the key next.
func countBefore(b *bolt.Bucket, next []byte) int64 {
	var n int64
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, next) < 0; k, _ = c.Next() {
		n++
	}
	return n
}

type indexEntry struct {
	field byte
	value string
}

// indexEntries are the index keys of one event. typ is its event type as
// the filter sees it (candidate.EventType).
func indexEntries(s *app.EventSummary, typ string) []indexEntry {
	out := make([]indexEntry, 0, 6)
	add := func(f byte, v string) {
		if len(v) <= maxIndexValue && strings.IndexByte(v, 0) < 0 {
			out = append(out, indexEntry{f, v})
		}
	}
	add(fieldMethod, strings.ToLower(s.Method))
	add(fieldEndpoint, s.Endpoint)
	add(fieldVerdict, s.Verdict.Result)
	add(fieldStatus, strconv.Itoa(s.Status))
	if s.Status >= 100 && s.Status <= 599 {
		add(fieldClass, strconv.Itoa(s.Status/100)+"xx")
	}
	add(fieldType, strings.ToLower(typ))
	return out
}

// indexPrefix is field | value | 0x00.
func indexPrefix(field byte, value string) []byte {
	p := make([]byte, 0, len(value)+2+8)
	p = append(p, field)
	p = append(p, value...)
	return append(p, 0)
}

var allPrefix = indexPrefix(fieldAll, "")

// indexKeys adds (delta 1) or removes (delta -1) the entries of event k.
func (b buckets) indexKeys(k []byte, s *app.EventSummary, typ string, delta int64) error {
	if b.index == nil {
		return nil // a file being repaired before its layout exists
	}
	if b.batch == nil {
		// One event outside a batch: a batch of one, written at once.
		b.batch = newIndexBatch()
		if err := b.indexKeys(k, s, typ, delta); err != nil {
			return err
		}
		return b.flushIndex()
	}
	id := idOf(k)
	blk := key(id >> blockShift)
	b.batch.counts[string(append(allPrefix[:len(allPrefix):len(allPrefix)], blk...))] += delta
	for _, x := range indexEntries(s, typ) {
		bk := append(indexPrefix(x.field, x.value), blk...)
		b.batch.member(bk, id, delta > 0)
		b.batch.counts[string(bk)] += delta
	}
	return nil
}

// indexBatch gathers the index writes of a transaction that stores or
// removes many events (the applier's copies, imports, prunes, the index
// build) to write each touched key once, in key order, at its end.
type indexBatch struct {
	edits  map[string][]memberEdit // block key -> its members' changes, in order
	counts map[string]int64
}

type memberEdit struct {
	off uint16
	put bool
}

func newIndexBatch() *indexBatch {
	return &indexBatch{edits: map[string][]memberEdit{}, counts: map[string]int64{}}
}

// member records that id joins (put) or leaves the members of block key bk.
func (x *indexBatch) member(bk []byte, id uint64, put bool) {
	x.edits[string(bk)] = append(x.edits[string(bk)], memberEdit{uint16(id & blockMask), put})
}

// flushIndex applies the batch's writes in key order.
func (b buckets) flushIndex() error {
	if b.batch == nil {
		return nil
	}
	if err := b.flushMembers(b.batch); err != nil {
		return err
	}
	ks := make([]string, 0, len(b.batch.counts))
	for k := range b.batch.counts {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for i, k := range ks {
		yieldEvery(i)
		if err := b.addCount([]byte(k), b.batch.counts[k]); err != nil {
			return err
		}
	}
	b.batch.counts = map[string]int64{}
	return nil
}

// flushMembers rewrites the members of every block key x changed.
func (b buckets) flushMembers(x *indexBatch) error {
	ks := make([]string, 0, len(x.edits))
	for k := range x.edits {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for i, k := range ks {
		yieldEvery(i)
		bk := []byte(k)
		m := decodeMembers(b.index.Get(bk))
		for _, e := range x.edits[k] {
			m.set(e.off, e.put)
		}
		var err error
		if v := m.encode(); v == nil {
			err = b.index.Delete(bk)
		} else {
			err = b.index.Put(bk, v)
		}
		if err != nil {
			return err
		}
	}
	clear(x.edits)
	return nil
}

func (b buckets) count(k []byte, delta int64) error {
	if b.batch != nil {
		b.batch.counts[string(k)] += delta
		return nil
	}
	return b.addCount(k, delta)
}

func (b buckets) addCount(k []byte, delta int64) error {
	n := int64(getUint(b.blocks, k)) + delta
	if n <= 0 {
		return b.blocks.Delete(k)
	}
	return putUint(b.blocks, k, uint64(n))
}

// eventType is the event type of stored event k as the filter sees it:
// the summary's, or for events stored without one, found from the record
// and body as candidate.EventType does.
func (b buckets) eventType(k []byte, s *app.EventSummary) string {
	c := candidate{b: b, k: k, s: s}
	return c.EventType()
}

// unindexStored removes the entries of stored event k before it is deleted.
func (b buckets) unindexStored(k, summary []byte) error {
	sum, err := decodeSummary(idOf(k), summary)
	if err != nil {
		// Its entries cannot be named; only the all-events count is fixed.
		return b.count(append(allPrefix[:len(allPrefix):len(allPrefix)], key(idOf(k)>>blockShift)...), -1)
	}
	return b.indexKeys(k, &sum, b.eventType(k, &sum), -1)
}

// blockTotal sums the block counts under prefix p: the number of indexed
// events of one value.
func (b buckets) blockTotal(p []byte) int {
	n := 0
	c := b.blocks.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		n += int(binary.BigEndian.Uint64(v))
	}
	return n
}

// lastUnder puts c on the last key starting with p.
func lastUnder(c *bolt.Cursor, p []byte) (k, v []byte) {
	if len(p) == 0 {
		return c.Last()
	}
	end := append(bytes.Clone(p), bytes.Repeat([]byte{0xff}, 9)...)
	if k, _ = c.Seek(end); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k != nil && !bytes.HasPrefix(k, p) {
		return nil, nil
	}
	return k, v
}

// rankSeek puts c, a cursor over keys prefix | id, on the offset-th newest
// key under prefix (0 is the newest), with the block counts under bp.
// It returns nil when there are no more than offset keys.
func (b buckets) rankSeek(c *bolt.Cursor, prefix, bp []byte, offset int) (k, v []byte) {
	if offset == 0 {
		return lastUnder(c, prefix)
	}
	bc := b.blocks.Cursor()
	cum := 0
	var blk uint64
	found := false
	for bk, bv := lastUnder(bc, bp); bk != nil; bk, bv = bc.Prev() {
		if !bytes.HasPrefix(bk, bp) || len(bk) != len(bp)+8 {
			break
		}
		n := int(binary.BigEndian.Uint64(bv))
		if cum+n > offset {
			blk, found = idOf(bk[len(bp):]), true
			break
		}
		cum += n
	}
	if !found {
		return nil, nil
	}
	skip := offset - cum
	if k, _ = c.Seek(append(bytes.Clone(prefix), key((blk+1)<<blockShift)...)); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && skip > 0 && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		skip--
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, nil
	}
	return k, v
}

// plan is how a filter reads the store: through one value's index
// entries (narrowing to the smallest), or by scanning every summary.
type plan struct {
	prefix []byte // index prefix of the chosen term; nil: scan
	n      int    // indexed events of that value
	// exact: the filter is that one term and the index answers it alone,
	// so offsets and counts come from block counts without matching.
	exact bool
	// all: the filter is these indexed terms and nothing else, so its
	// count is the intersection of their members (countAll).
	all [][]byte
}

// planFor picks the positive structured term with the fewest events.
func (b buckets) planFor(f app.Filter) plan {
	if b.index == nil || b.meta.Get(keyIndexNext) != nil {
		return plan{}
	}
	type cand struct {
		field byte
		value string
		exact bool
	}
	var cands []cand
	nterms := len(f.Terms())
	if f.Method != "" {
		nterms++
		cands = append(cands, cand{fieldMethod, strings.ToLower(f.Method), true})
	}
	if f.Text != "" {
		nterms++
	}
	for _, t := range f.Terms() {
		if t.Neg {
			continue
		}
		v := t.Value
		switch t.Key {
		case "method":
			cands = append(cands, cand{fieldMethod, strings.ToLower(v), true})
		case "verdict":
			cands = append(cands, cand{fieldVerdict, strings.ToLower(v), true})
		case "endpoint":
			if v == "_" {
				v = ""
			}
			cands = append(cands, cand{fieldEndpoint, v, true})
		case "type":
			// EqualFold and ToLower agree on ASCII; other text is checked.
			cands = append(cands, cand{fieldType, strings.ToLower(v), isASCII(v)})
		case "status":
			lv := strings.ToLower(v)
			if len(lv) == 3 && lv[1:] == "xx" {
				cands = append(cands, cand{fieldClass, lv, true})
			} else if n, err := strconv.Atoi(v); err == nil {
				cands = append(cands, cand{fieldStatus, strconv.Itoa(n), true})
			}
		}
	}
	best := plan{}
	var all [][]byte
	for _, c := range cands {
		if len(c.value) > maxIndexValue || strings.IndexByte(c.value, 0) >= 0 {
			continue // never indexed: scan
		}
		p := indexPrefix(c.field, c.value)
		if c.exact {
			all = append(all, p)
		}
		n := b.blockTotal(p)
		if best.prefix == nil || n < best.n {
			best = plan{prefix: p, n: n, exact: c.exact && nterms == 1}
		}
	}
	if len(all) > 1 && len(all) == nterms {
		best.all = all
	}
	return best
}

// countAll is the number of events indexed under every prefix in all,
// block by block over the blocks of prefix (one of them, the smallest):
// the members of each block are intersected, no summary is read.
func (b buckets) countAll(prefix []byte, all [][]byte) int {
	n := 0
	bc := b.blocks.Cursor()
	for bk, _ := bc.Seek(prefix); bk != nil && bytes.HasPrefix(bk, prefix); bk, _ = bc.Next() {
		if len(bk) != len(prefix)+8 {
			continue
		}
		blk := bk[len(prefix):]
		m := decodeMembers(b.index.Get(bk))
		for _, p := range all {
			if bytes.Equal(p, prefix) {
				continue
			}
			o := decodeMembers(b.index.Get(append(p[:len(p):len(p)], blk...)))
			m.and(&o)
		}
		n += m.len()
	}
	return n
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// indexEvent adds the entries of e, just stored under k.
func (b buckets) indexEvent(k []byte, e *app.Event) error {
	s := e.Summary()
	typ := e.Type
	if typ == "" {
		typ = app.EventType(e)
	}
	return b.indexKeys(k, &s, typ, 1)
}
