package store

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// keyFoldNext, in meta, is the id the rewrite of records into the layout of
// schema 8 resumes at; absent when there is nothing (left) to rewrite.
var keyFoldNext = []byte("fold_next")

// migrateV8 starts the rewrite of every record into the layout of schema
// 8, where a record holds its summary (codec.go). The records are
// rewritten afterwards in chunks (foldRecords), so a big file never needs
// one huge transaction; the summaries bucket goes once they are all done.
func migrateV8(tx *bolt.Tx) error {
	// Records are all of one layout until the rewrite starts (it keeps
	// its own resume mark), so the first one tells whether it is needed.
	if k, v := tx.Bucket(bucketEvents).Cursor().First(); k != nil && recordSummary(v) == nil {
		return putUint(tx.Bucket(bucketMeta), keyFoldNext, 1)
	}
	if tx.Bucket(bucketSummaries) != nil {
		return tx.DeleteBucket(bucketSummaries)
	}
	return nil
}

// foldChunk is how many records one transaction of foldRecords rewrites.
const foldChunk = 20000

// foldRecords rewrites the records stored before schema 8 with their
// summaries folded in, resuming where an interrupted run stopped, and then
// drops the summaries bucket. Like buildIndexes it runs in Open before the
// capture writer starts. A record that cannot be read is left as it is
// (reads skip it, as they skipped it before).
// It returns how many records it rewrote.
func foldRecords(db *bolt.DB, progress func(UpgradeProgress)) (int64, error) {
	var done, rewritten, total int64 // done: records gone over, rewritten or not
	for {
		finished := false
		err := db.Update(func(tx *bolt.Tx) error {
			b := eventBuckets(tx)
			next := b.meta.Get(keyFoldNext)
			if next == nil {
				finished = true
				return nil
			}
			sums := tx.Bucket(bucketSummaries)
			if total == 0 {
				total = int64(getUint(b.meta, keyCount))
				if progress != nil {
					progress(UpgradeProgress{Step: StepRecords, Total: total})
				}
			}
			// Collect first: putting under a cursor may move it.
			type item struct{ k, rec []byte }
			var items []item
			var delta int64
			c := b.events.Cursor()
			k, v := c.Seek(key(binary.BigEndian.Uint64(next)))
			for ; k != nil && len(items) < foldChunk; k, v = c.Next() {
				done++
				if recordSummary(v) != nil {
					continue // already rewritten
				}
				var sum []byte
				if sums != nil {
					sum = sums.Get(k)
				}
				rec, ok := foldRecord(k, v, sum)
				if !ok {
					continue
				}
				// The size counter counted the key three times and the
				// summary; it now counts the key twice.
				delta += int64(len(rec)) - int64(len(v)) - int64(len(sum)) - int64(len(k))
				items = append(items, item{append([]byte(nil), k...), rec})
			}
			for i, it := range items {
				yieldEvery(i)
				if err := b.events.Put(it.k, it.rec); err != nil {
					return err
				}
			}
			rewritten += int64(len(items))
			if err := addUint(b.meta, keyBytes, delta); err != nil {
				return err
			}
			if k != nil {
				return putUint(b.meta, keyFoldNext, idOf(k))
			}
			finished = true
			if sums != nil {
				if err := tx.DeleteBucket(bucketSummaries); err != nil {
					return err
				}
			}
			return b.meta.Delete(keyFoldNext)
		})
		if err == nil && progress != nil && total > 0 {
			progress(UpgradeProgress{Step: StepRecords, Done: min(done, total), Total: total})
		}
		if err != nil || finished {
			return rewritten, err
		}
	}
}

// foldRecord is record v of key k (a layout before schema 8) rewritten
// with summary sum folded in. The summary gives the stored-at time (and
// the event type of records written before the record held it); without
// a readable one, received-at stands in for it.
func foldRecord(k, v, sum []byte) ([]byte, bool) {
	e, err := decodeRecord(idOf(k), v)
	if err != nil {
		return nil, false
	}
	at, err := storedAt(sum)
	if err != nil {
		at = e.ReceivedAt
		if at.IsZero() {
			at = time.Now()
		}
	}
	if s, err := decodeSummary(idOf(k), sum); err == nil && e.Type == "" {
		e.Type = s.Type
	}
	rec, err := encodeRecord(e, at)
	return rec, err == nil
}
