package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// RepairReport says what Repair did.
type RepairReport struct {
	Healthy     bool   // the file passed every check and was left alone
	Problem     string // what the check found
	Path        string // the database file (the fresh one after a repair)
	DamagedPath string // where the damaged file was kept

	EventsSaved   int // events copied whole
	EventsPartial int // events copied without their headers or body (Truncated set)
	EventsLost    int // events that could not be read at all
	RecordsSaved  int // endpoints, targets, connections, deliveries, settings, indexes
	RecordsLost   int // such records known to be unreadable
	// Incomplete names the buckets whose walk stopped at a damaged page; the
	// records past it (besides events, which are counted) are not counted.
	Incomplete []string
}

// repairBatch bounds one write transaction of the copy.
const repairBatch = 8 << 20

// Repair copies every readable record of the database at path (a
// hooklens.db file or the data directory holding it) into a fresh file,
// keeps the damaged one beside it as hooklens.db.damaged-<time> and puts the
// fresh one in its place. A file that passes every check is left alone
// (Healthy). No Hooklens may have the file open.
func Repair(path string) (RepairReport, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, FileName)
	}
	dir := filepath.Dir(path)
	rep := RepairReport{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		return rep, fmt.Errorf("there is no database to repair at %s: pass --data DIR with the data directory: %w", path, err)
	}
	_, _, err = precheck(dir, path, fi.Size(), true)
	var dmg *DamagedError
	switch {
	case err == nil:
		rep.Healthy = true
		return rep, nil
	case !errors.As(err, &dmg):
		return rep, err
	}
	rep.Problem = dmg.Reason

	var src *bolt.DB
	err = guard(func() error {
		var err error
		// No freelist: only the data pages are needed, and the freelist page may be gone.
		src, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: openTimeout})
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("%s cannot be read at all (%v), so there is nothing to copy: keep it for a specialist, or move it aside to start with an empty store", path, err)
	}
	defer src.Close()

	tmp := path + ".repair"
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: openTimeout, FreelistType: bolt.FreelistMapType, NoSync: true, PageSize: newFilePageSize})
	if err != nil {
		return rep, fmt.Errorf("cannot create %s for the repaired copy: free some disk space or check permissions: %w", tmp, err)
	}
	fail := func(err error) (RepairReport, error) {
		dst.Close()
		os.Remove(tmp)
		return rep, fmt.Errorf("repairing %s failed and nothing was changed: free some disk space and try again: %w", path, err)
	}
	if err := migrate(dst, tmp, nil); err != nil {
		return fail(err)
	}
	r := &repairer{src: src, dst: dst, path: path, rep: &rep}
	if err := r.copyAll(); err != nil {
		return fail(err)
	}
	dst.NoSync = false
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return rep, fmt.Errorf("closing the repaired copy %s failed: %w", tmp, err)
	}
	rep.DamagedPath = fmt.Sprintf("%s.damaged-%s", path, time.Now().Format("20060102-150405"))
	if err := os.Rename(path, rep.DamagedPath); err != nil {
		os.Remove(tmp)
		return rep, fmt.Errorf("cannot move the damaged file aside to %s: check the data directory's permissions: %w", rep.DamagedPath, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Rename(rep.DamagedPath, path)
		return rep, fmt.Errorf("cannot put the repaired copy in place of %s (it is left as %s): %w", path, tmp, err)
	}
	// The capture log belonged to the damaged file: its ids mean nothing
	// to the fresh one. It is kept as hooklens.wal.damaged-<time>.
	if log := filepath.Join(dir, WALFileName); fileExists(log) {
		if err := os.Rename(log, log+strings.TrimPrefix(rep.DamagedPath, path)); err != nil {
			return rep, fmt.Errorf("cannot move the capture log %s aside: move it by hand before opening Hooklens: %w", log, err)
		}
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return rep, nil
}

type repairer struct {
	src, dst *bolt.DB
	path     string
	rep      *RepairReport
	saved    map[uint64]bool // event ids in the fresh file
	counted  bool            // EventsLost already counts events on unreachable pages
}

// savedEvent is an event ready for the fresh file and when it was stored.
type savedEvent struct {
	e  *app.Event
	at time.Time
}

// writeEvents puts events into the fresh file in one transaction.
func (r *repairer) writeEvents(batch []savedEvent) error {
	if len(batch) == 0 {
		return nil
	}
	return r.dst.Update(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		b.batch = newIndexBatch()
		var total int64
		for _, x := range batch {
			k := key(x.e.ID)
			rec, err := encodeRecord(x.e, x.at)
			if err != nil {
				return err
			}
			if err := b.events.Put(k, rec); err != nil {
				return err
			}
			if err := b.bodies.Put(k, x.e.Body); err != nil {
				return err
			}
			if err := b.indexEvent(k, x.e); err != nil {
				return err
			}
			total += int64(recordSize(k, rec, x.e.Body))
			r.saved[x.e.ID] = true
		}
		if err := b.flushIndex(); err != nil {
			return err
		}
		if err := addUint(b.meta, keyCount, int64(len(batch))); err != nil {
			return err
		}
		if err := addUint(b.meta, keyBytes, total); err != nil {
			return err
		}
		last := batch[len(batch)-1].e.ID
		return b.events.SetSequence(max(b.events.Sequence(), last))
	})
}

// scanEvents takes the events the tree walk could not reach from the raw
// pages of the file (see rawscan.go). Pages no longer in use may hold
// events deleted shortly before the damage; they come back too.
func (r *repairer) scanEvents() error {
	ps := r.src.Info().PageSize
	recs := map[uint64]*app.Event{}
	sums := map[uint64][]byte{}
	err := scanLeaves(r.path, ps, func(x leafRecord) {
		if len(x.k) != 8 {
			return
		}
		id := idOf(x.k)
		if r.saved[id] {
			return
		}
		if looksLikeRecord(x.v) {
			if e, err := decodeRecord(id, x.v); err == nil && e.Method != "" {
				recs[id] = e
			}
			if sum := recordSummary(x.v); sum != nil {
				sums[id] = bytes.Clone(sum) // a summary can be read from a record cut short
			}
			return
		}
		if len(x.v) >= summaryFixed && x.v[0] == summaryFormat {
			if sm, err := decodeSummary(id, x.v); err == nil && sm.Method != "" && len(sm.Method) <= 32 {
				sums[id] = bytes.Clone(x.v)
			}
		}
	})
	if err != nil {
		return err
	}
	ids := make([]uint64, 0, len(recs)+len(sums))
	for id := range recs {
		ids = append(ids, id)
	}
	for id := range sums {
		if recs[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	// Bodies: a value under the same id whose length is the recorded size.
	bodies := map[uint64][]byte{}
	err = scanLeaves(r.path, ps, func(x leafRecord) {
		if len(x.k) != 8 {
			return
		}
		id := idOf(x.k)
		e := recs[id]
		if e == nil || e.Truncated || int64(len(x.v)) != e.Size || looksLikeRecord(x.v) {
			return
		}
		if _, ok := bodies[id]; !ok {
			bodies[id] = bytes.Clone(x.v)
		}
	})
	if err != nil {
		return err
	}
	var batch []savedEvent
	size := 0
	if r.counted { // the counter said these were lost; they are found after all
		r.rep.EventsLost = max(0, r.rep.EventsLost-len(ids))
	}
	for _, id := range ids {
		e, partial := recs[id], false
		var at time.Time
		if sum := sums[id]; sum != nil {
			at, _ = storedAt(sum)
			if e == nil {
				sm, _ := decodeSummary(id, sum)
				e, partial = eventFromSummary(sm), true
			}
		}
		if at.IsZero() {
			at = e.ReceivedAt
		}
		if b, ok := bodies[id]; ok {
			e.Body = b
		} else if e.Size > 0 {
			e.Truncated, partial = true, true
		}
		if partial {
			r.rep.EventsPartial++
		} else {
			r.rep.EventsSaved++
		}
		batch = append(batch, savedEvent{e, at})
		if size += len(e.Body) + 1024; size >= repairBatch {
			if err := r.writeEvents(batch); err != nil {
				return err
			}
			batch, size = batch[:0], 0
		}
	}
	if err := r.writeEvents(batch); err != nil {
		return err
	}
	// Ids missing between the first and the last event found were lost
	// (or deleted before the damage: the file cannot tell).
	if !r.counted && len(r.saved) > 0 {
		lo, hi := uint64(1<<63), uint64(0)
		for id := range r.saved {
			lo, hi = min(lo, id), max(hi, id)
		}
		r.rep.EventsLost = max(r.rep.EventsLost, int(hi-lo+1)-len(r.saved))
	}
	return nil
}

// read runs fn on a read transaction of the damaged file; a panic is a
// damaged page and comes back as ok == false.
func (r *repairer) read(fn func(tx *bolt.Tx)) (ok bool) {
	return guard(func() error {
		return r.src.View(func(tx *bolt.Tx) error { fn(tx); return nil })
	}) == nil
}

// kv is one record copied out of the damaged file.
type kv struct{ k, v []byte }

// salvage walks bucket name (under parents) of the damaged file in key
// order and passes every readable record to fn, in groups. After a damaged
// page it looks for the first readable key past it: for 8-byte sequence
// keys by trying the next ids up to the bucket's sequence, otherwise by
// giving up on the rest (reported in Incomplete).
func (r *repairer) salvage(name []byte, fn func([]kv) error) error {
	var after []byte // last key read
	var start []byte // where to resume after a damaged page, inclusive
	var seq uint64
	r.read(func(tx *bolt.Tx) { seq = tx.Bucket(name).Sequence() })
	for {
		var group []kv
		size := 0
		done := false
		ok := r.read(func(tx *bolt.Tx) {
			c := tx.Bucket(name).Cursor()
			var k, v []byte
			if start != nil {
				k, v = c.Seek(start)
				start = nil
			} else if after == nil {
				k, v = c.First()
			} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
			for ; k != nil; k, v = c.Next() {
				if after != nil && bytes.Compare(k, after) <= 0 {
					panic("keys out of order") // a damaged page; treated as one
				}
				after = bytes.Clone(k)
				if v == nil {
					continue // nested buckets: none in this layout
				}
				touch(v)
				group = append(group, kv{after, bytes.Clone(v)})
				if size += len(k) + len(v); size >= repairBatch {
					return
				}
			}
			done = true
		})
		if len(group) > 0 {
			if err := fn(group); err != nil {
				return err
			}
		}
		if ok && done {
			return nil
		}
		if ok {
			continue // a full group; go on from after
		}
		// A damaged page: find where reading can resume.
		next, found := r.resume(name, after, seq)
		if !found {
			r.rep.Incomplete = append(r.rep.Incomplete, string(name))
			return nil
		}
		start = next
	}
}

// resume finds a key past a damaged page in a bucket of 8-byte sequence
// keys: it seeks id after+1, after+2, ... up to seq until a seek succeeds,
// and returns the key found.
func (r *repairer) resume(name, after []byte, seq uint64) ([]byte, bool) {
	var id uint64
	switch {
	case after == nil:
	case len(after) == 8:
		id = idOf(after)
	default:
		return nil, false
	}
	for id++; id <= seq; id++ {
		var found []byte
		if !r.read(func(tx *bolt.Tx) {
			if k, _ := tx.Bucket(name).Cursor().Seek(key(id)); k != nil {
				found = bytes.Clone(k)
			}
		}) {
			continue
		}
		if found == nil || len(found) != 8 {
			return nil, false
		}
		return found, true
	}
	return nil, false
}

// copyAll copies events (rebuilt from whichever of their three records is
// readable), then every other bucket record by record, and recomputes the
// counters.
func (r *repairer) copyAll() error {
	var names [][]byte
	if !r.read(func(tx *bolt.Tx) {
		tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, bytes.Clone(name))
			return nil
		})
	}) && len(names) == 0 {
		r.rep.Incomplete = append(r.rep.Incomplete, "the list of buckets")
	}
	has := func(n []byte) bool {
		return slices.ContainsFunc(names, func(x []byte) bool { return bytes.Equal(x, n) })
	}
	r.saved = map[uint64]bool{}
	if has(bucketEvents) {
		if err := r.copyEvents(has(bucketSummaries), has(bucketBodies)); err != nil {
			return err
		}
	}
	// Events the tree walk could not reach (a damaged page of records, a
	// file cut short): the raw pages may still hold them.
	if len(r.rep.Incomplete) > 0 || !has(bucketEvents) || r.counted {
		if err := r.scanEvents(); err != nil {
			return err
		}
	}
	skip := [][]byte{bucketEvents, bucketSummaries, bucketBodies, bucketEventIndex, bucketEventBlocks} // indexes are rebuilt
	for _, name := range names {
		if slices.ContainsFunc(skip, func(x []byte) bool { return bytes.Equal(x, name) }) {
			continue
		}
		if err := r.copyBucket(name); err != nil {
			return err
		}
	}
	return r.dropDangling()
}

// copyBucket copies one bucket record by record, with its sequence; in meta
// only keys other than the schema and counters (the fresh file has its own).
func (r *repairer) copyBucket(name []byte) error {
	var seq uint64
	r.read(func(tx *bolt.Tx) { seq = tx.Bucket(name).Sequence() })
	isMeta := bytes.Equal(name, bucketMeta)
	err := r.salvage(name, func(group []kv) error {
		return r.dst.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for _, x := range group {
				if isMeta {
					switch string(x.k) {
					case string(keySchema), string(keyCount), string(keyBytes), string(keyDeliveries), string(keyOpen):
						continue
					}
				}
				if err := b.Put(x.k, x.v); err != nil {
					return err
				}
				r.rep.RecordsSaved++
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return r.dst.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		return b.SetSequence(max(b.Sequence(), seq))
	})
}

// copyEvents rebuilds each event whose record or summary is readable
// (from schema 8 the summary is the front of the record).
func (r *repairer) copyEvents(haveSums, haveBodies bool) error {
	// The ids: every key of the records and of the summaries.
	idSet := map[uint64]struct{}{}
	for _, name := range [][]byte{bucketEvents, bucketSummaries} {
		if name[0] == 's' && !haveSums {
			continue
		}
		if err := r.salvage(name, func(group []kv) error {
			for _, x := range group {
				if len(x.k) == 8 {
					idSet[idOf(x.k)] = struct{}{}
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	ids := make([]uint64, 0, len(idSet))
	for id := range idSet {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var oldCount, seq uint64
	r.read(func(tx *bolt.Tx) { oldCount = getUint(tx.Bucket(bucketMeta), keyCount) })
	r.read(func(tx *bolt.Tx) { seq = tx.Bucket(bucketEvents).Sequence() })

	get := func(name []byte, k []byte) (v []byte, ok bool) {
		ok = r.read(func(tx *bolt.Tx) {
			if b := tx.Bucket(name); b != nil {
				if x := b.Get(k); x != nil {
					touch(x)
					v = bytes.Clone(x)
				}
			}
		})
		return v, ok
	}
	var batch []savedEvent
	size := 0
	flush := func() error {
		err := r.writeEvents(batch)
		batch, size = batch[:0], 0
		return err
	}
	for _, id := range ids {
		k := key(id)
		var e *app.Event
		partial := false
		rec, _ := get(bucketEvents, k)
		if rec != nil {
			e, _ = decodeRecord(id, rec)
		}
		var at time.Time
		sum, _ := get(bucketSummaries, k) // files before schema 8
		if s := recordSummary(rec); s != nil {
			sum = s
		}
		if sum != nil {
			if s, err := decodeSummary(id, sum); err == nil {
				at, _ = storedAt(sum)
				if e == nil {
					e = eventFromSummary(s)
					partial = true // headers, host, response: gone
				}
			}
		}
		if e == nil {
			r.rep.EventsLost++
			continue
		}
		if at.IsZero() {
			at = e.ReceivedAt
		}
		if haveBodies {
			body, ok := get(bucketBodies, k)
			if ok {
				e.Body = body
			}
			if !ok || (body == nil && e.Size > 0) {
				e.Body, e.Truncated, partial = nil, true, true
			}
		}
		if partial {
			r.rep.EventsPartial++
		} else {
			r.rep.EventsSaved++
		}
		batch = append(batch, savedEvent{e, at})
		if size += len(e.Body) + 1024; size >= repairBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	// Events whose every record was on a damaged page: the counter knows them.
	if found := uint64(len(ids)); oldCount > found {
		r.rep.EventsLost += int(oldCount - found)
		r.counted = true
	}
	if len(ids) > 0 {
		seq = max(seq, ids[len(ids)-1])
	}
	return r.dst.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketEvents).SetSequence(seq) })
}

func eventFromSummary(s app.EventSummary) *app.Event {
	return &app.Event{
		ID:         s.ID,
		ReceivedAt: s.ReceivedAt,
		Method:     s.Method,
		Path:       s.Path,
		Query:      s.Query,
		Endpoint:   s.Endpoint,
		Size:       s.Size,
		Truncated:  s.Truncated,
		Response:   app.Response{Status: s.Status},
		Verdict:    s.Verdict,
	}
}

// dropDangling removes delivery bodies, queue and index entries whose
// delivery was lost, counts those lost deliveries' records, and sets the
// delivery counter to what was saved.
func (r *repairer) dropDangling() error {
	return r.dst.Update(func(tx *bolt.Tx) error {
		b := deliveryBucketsOf(tx)
		var n uint64
		if b.deliveries != nil {
			n = uint64(b.deliveries.Stats().KeyN)
		}
		exists := func(id []byte) bool { return b.deliveries != nil && b.deliveries.Get(id) != nil }
		for _, x := range []struct {
			b  *bolt.Bucket
			id func(k []byte) []byte
		}{
			{b.bodies, func(k []byte) []byte { return k[:min(len(k), 8)] }},
			{b.queue, func(k []byte) []byte { return k[max(len(k)-8, 0):] }},
			{b.index, func(k []byte) []byte { return k[max(len(k)-8, 0):] }},
		} {
			if x.b == nil {
				continue
			}
			var doomed [][]byte
			x.b.ForEach(func(k, _ []byte) error {
				if !exists(x.id(k)) {
					doomed = append(doomed, bytes.Clone(k))
				}
				return nil
			})
			for _, k := range doomed {
				if err := x.b.Delete(k); err != nil {
					return err
				}
				r.rep.RecordsSaved--
				r.rep.RecordsLost++
			}
		}
		if b.meta == nil {
			return nil
		}
		return putUint(b.meta, keyDeliveries, n)
	})
}

// String says in a few lines what Repair did, as `hooklens repair` and the
// window show it.
func (r RepairReport) String() string {
	if r.Healthy {
		return r.Path + " passed every check: nothing to repair"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s was damaged (%s)\n", r.Path, r.Problem)
	fmt.Fprintf(&b, "repaired: %d event(s) saved", r.EventsSaved)
	if r.EventsPartial > 0 {
		fmt.Fprintf(&b, ", %d saved without their headers or body", r.EventsPartial)
	}
	fmt.Fprintf(&b, ", %d lost; %d other record(s) saved", r.EventsLost, r.RecordsSaved)
	if r.RecordsLost > 0 {
		fmt.Fprintf(&b, ", %d lost", r.RecordsLost)
	}
	if len(r.Incomplete) > 0 {
		fmt.Fprintf(&b, "\nunreadable past a damaged page (more may be lost): %s", strings.Join(r.Incomplete, ", "))
	}
	fmt.Fprintf(&b, "\nthe damaged file is kept as %s", filepath.Base(r.DamagedPath))
	return b.String()
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
