package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// MetaBucket and SchemaKey name where a data file keeps its schema: the
// number, in decimal text, of the layout it was written in (for tests and
// tools that stage a file of another layout).
const (
	MetaBucket = "meta"
	SchemaKey  = "schema"
)

// Bucket and key names. Changing any of them needs a migration.
var (
	bucketMeta      = []byte(MetaBucket)
	bucketEvents    = []byte("events")    // id -> event record with its summary, without the body (codec.go)
	bucketBodies    = []byte("bodies")    // id -> raw body bytes
	bucketSummaries = []byte("summaries") // up to schema 7: id -> compact EventSummary (codec.go)
	bucketEndpoints = []byte("endpoints") // slug -> JSON Endpoint
	bucketSettings  = []byte("settings")  // key -> raw value

	keySchema = []byte(SchemaKey) // decimal text, so `bbolt get` shows it plainly
	keyCount  = []byte("count")   // 8-byte big-endian number of events
	keyBytes  = []byte("bytes")   // 8-byte big-endian stored bytes of all events
)

// migrations[i] moves a file from schema i to schema i+1, inside the same
// Update as the new version number. Append only; never edit a shipped one.
var migrations = []func(tx *bolt.Tx) error{
	migrateV1,
	migrateV2, // deliveries: targets, connections, deliveries, queue (deliveries_migrate.go)
	migrateV3, // the dashboard's counters (stats.go)
	migrateV4, // team: the outbox and the origin index of imported events (outbox.go)
	migrateV5, // binary event records and the capture log (codec.go, wal.go)
	migrateV6, // the event indexes: positions and structured filter keys (index.go)
	migrateV7, // the event indexes as one members value per value and block (index.go, members.go)
	migrateV8, // one record per event holding its summary; packed headers (codec.go, fold.go)
}

// migrateV5 changes nothing stored: records written from schema 5 on are
// binary (JSON ones are still read) and captured events reach the file
// through the capture log beside it. The version keeps an older Hooklens,
// which would take the new records for damage and never read the log, from
// opening the file.
func migrateV5(*bolt.Tx) error { return nil }

// currentSchema is the schema this binary writes.
func currentSchema() int { return len(migrations) }

// migrateV1 creates the layout of the first release. Schema 0 is a file with
// no layout yet (a new file) or one written before counters existed; the
// counters are computed once here and kept up to date afterwards.
func migrateV1(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketEvents, bucketBodies, bucketSummaries, bucketEndpoints, bucketSettings} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	var count, size uint64
	bodies := tx.Bucket(bucketBodies)
	sums := tx.Bucket(bucketSummaries)
	err := tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		count++
		size += uint64(recordSize(k, v, bodies.Get(k)) + len(k) + len(sums.Get(k)))
		return nil
	})
	if err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if err := putUint(meta, keyCount, count); err != nil {
		return err
	}
	return putUint(meta, keyBytes, size)
}

// schemaOf reads the schema version; a file without a meta bucket is 0.
func schemaOf(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keySchema)
	if v == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("schema version %q is not a number", v)
	}
	return n, nil
}

// isEmpty reports whether the file holds no buckets at all (just created).
func isEmpty(tx *bolt.Tx) bool {
	empty := true
	tx.ForEach(func([]byte, *bolt.Bucket) error {
		empty = false
		return errStop
	})
	return empty
}

var errStop = errors.New("stop")

// migrate brings the file at path to currentSchema. An existing file is
// copied to hooklens.db.v<old>.bak first, so a failed or unwanted upgrade
// can be undone by hand.
func migrate(db *bolt.DB, path string, progress func(UpgradeProgress)) (err error) {
	defer func() {
		// bbolt panics on some damaged pages; that is damage, not a bug here.
		if r := recover(); r != nil {
			err = damaged(path, fmt.Errorf("reading the file failed: %v", r))
		}
	}()
	var version int
	var empty bool
	err = db.View(func(tx *bolt.Tx) error {
		var err error
		version, err = schemaOf(tx)
		empty = isEmpty(tx)
		return err
	})
	if err != nil {
		return damaged(path, err)
	}
	want := currentSchema()
	if version > want {
		return fmt.Errorf("%s was written by a newer Hooklens (schema %d, this one knows up to %d): upgrade Hooklens, or pass --data DIR to use another data directory: %w",
			path, version, want, ErrNewerSchema)
	}
	if version == want {
		return nil
	}
	if !empty {
		if err := backup(db, fmt.Sprintf("%s.v%d.bak", path, version), progress); err != nil {
			return err
		}
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for v := version; v < want; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("schema %d to %d: %w", v, v+1, err)
			}
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(want)))
	})
	if err != nil {
		return fmt.Errorf("upgrading %s failed and nothing was changed: report this, and keep the file: %w", path, err)
	}
	return nil
}

// backup writes a consistent copy of the database to dst (mode 0600). It
// goes through a temporary name so a half-written copy never looks complete.
func backup(db *bolt.DB, dst string, progress func(UpgradeProgress)) error {
	tmp := dst + ".tmp"
	err := db.View(func(tx *bolt.Tx) error {
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		var w io.Writer = f
		if progress != nil {
			w = &progressWriter{w: f, total: tx.Size(), fn: progress}
			progress(UpgradeProgress{Step: StepBackup, Total: tx.Size()})
		}
		if _, err := tx.WriteTo(w); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot save a copy of the database to %s before upgrading it: free some disk space or check permissions: %w", dst, err)
	}
	return nil
}

// progressWriter reports the bytes of a backup written, every 64 MiB.
type progressWriter struct {
	w           io.Writer
	done, total int64
	told        int64
	fn          func(UpgradeProgress)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.done-p.told >= 64<<20 || p.done == p.total {
		p.told = p.done
		p.fn(UpgradeProgress{Step: StepBackup, Done: p.done, Total: p.total})
	}
	return n, err
}

func putUint(b *bolt.Bucket, key []byte, v uint64) error {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	return b.Put(key, buf[:])
}

func getUint(b *bolt.Bucket, key []byte) uint64 {
	v := b.Get(key)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// addUint adds delta (which may be negative) to a counter, never below zero.
func addUint(b *bolt.Bucket, key []byte, delta int64) error {
	v := int64(getUint(b, key)) + delta
	if v < 0 {
		v = 0
	}
	return putUint(b, key, uint64(v))
}
