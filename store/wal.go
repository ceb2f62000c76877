package store

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hooklens/hooklens/app"
)

// The capture log (hooklens.wal beside hooklens.db) is how a captured event
// becomes durable: the capture writer appends a group's events to it with
// one fdatasync and answers them, and the applier copies them into bbolt in
// larger transactions behind it, as etcd does. Each entry carries the id the
// event was given, so replaying the log on open is idempotent: the events
// bucket's sequence is the highest id copied into bbolt, raised in the
// transaction that copies it, and an entry at or below it is skipped.
//
// Entry: u32 payload length, u32 CRC-32C of the payload, then the payload:
// u64 id, i64 stored-at (Unix ns), uvarint-length record (codec.go), then
// uvarint-length body. A length of zero or a checksum that does not match
// ends the log: that is where the last, unanswered, write was cut off.
//
// The file is overwritten from the start once everything in it is in bbolt
// (so it stays small and its blocks stay allocated: an fdatasync then writes
// data only, no file-size change), and grown in walChunk steps of zeros.
const (
	WALFileName = "hooklens.wal"
	walHeader   = 8
	walChunk    = 1 << 20
	// walRewind is how far the log grows before the writer starts again
	// at offset 0 the next time the applier has caught up.
	walRewind = 4 << 20
	// walMaxEntry bounds one entry (the body cap plus room for the record).
	walMaxEntry = 1 << 30
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type wal struct {
	f    *os.File
	path string
	off  int64 // where the next group goes
	size int64 // bytes allocated (written) in the file
	buf  []byte
	n    int // entries in buf
}

// walEntry is one event as the log holds it.
type walEntry struct {
	id       uint64
	storedAt time.Time
	rec      []byte
	body     []byte
}

func openWAL(dir string) (*wal, error) {
	path := filepath.Join(dir, WALFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the capture log %s: check that the data directory is yours and writable: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot read the capture log %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot make %s private (mode 0600): check who owns it: %w", path, err)
	}
	return &wal{f: f, path: path, size: fi.Size()}, nil
}

// read calls fn with each entry from the start of the file until the log
// ends (see above).
func (w *wal) read(fn func(walEntry) error) error {
	r := io.NewSectionReader(w.f, 0, w.size)
	hdr := make([]byte, walHeader)
	var payload []byte
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			return nil // the end of the file
		}
		n := binary.BigEndian.Uint32(hdr)
		if n == 0 || n > walMaxEntry {
			return nil
		}
		if cap(payload) < int(n) {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return nil
		}
		if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(hdr[4:]) {
			return nil
		}
		e, ok := parseWALEntry(payload)
		if !ok {
			return nil
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

func parseWALEntry(p []byte) (walEntry, bool) {
	if len(p) < 16 {
		return walEntry{}, false
	}
	e := walEntry{id: binary.BigEndian.Uint64(p), storedAt: time.Unix(0, int64(binary.BigEndian.Uint64(p[8:])))}
	d := summaryDecoder{b: p[16:]}
	e.rec = d.bytes()
	e.body = d.bytes()
	if d.bad || len(d.b) != 0 || e.id == 0 {
		return walEntry{}, false
	}
	return e, true
}

// add appends one entry to the group being built.
func (w *wal) add(id uint64, storedAt time.Time, rec, body []byte) {
	w.n++
	start := len(w.buf)
	w.buf = append(w.buf, make([]byte, walHeader)...)
	w.buf = binary.BigEndian.AppendUint64(w.buf, id)
	w.buf = binary.BigEndian.AppendUint64(w.buf, uint64(storedAt.UnixNano()))
	w.buf = binary.AppendUvarint(w.buf, uint64(len(rec)))
	w.buf = append(w.buf, rec...)
	w.buf = binary.AppendUvarint(w.buf, uint64(len(body)))
	w.buf = append(w.buf, body...)
	payload := w.buf[start+walHeader:]
	binary.BigEndian.PutUint32(w.buf[start:], uint32(len(payload)))
	binary.BigEndian.PutUint32(w.buf[start+4:], crc32.Checksum(payload, crcTable))
}

// reset drops the group being built.
func (w *wal) reset() { w.buf, w.n = w.buf[:0], 0 }

// commit writes the group built with add and syncs it. Where the group
// reaches past the end of the file, zeros are written after it first (up
// to the next walChunk), so most syncs change no file size. On error
// nothing is counted as written: the next group goes to the same place.
// stage is the start of the write for app.StageLogWrite (zero with timings
// off).
func (w *wal) commit(stage time.Time) error {
	defer w.reset()
	end := w.off + int64(len(w.buf))
	if end+walHeader > w.size {
		// A zero length after the group ends the log until the next one.
		grow := (end + walHeader + walChunk - 1) / walChunk * walChunk
		if _, err := w.f.WriteAt(make([]byte, grow-end), end); err != nil {
			return fmt.Errorf("writing the capture log %s: %w", w.path, err)
		}
		w.size = grow
	}
	// After a rewind, entries of earlier rounds may follow this group:
	// they are all applied (ids at or below the sequence), so a replay
	// reads past them harmlessly.
	if _, err := w.f.WriteAt(w.buf, w.off); err != nil {
		return fmt.Errorf("writing the capture log %s: %w", w.path, err)
	}
	stage = app.StageEnd(app.StageLogWrite, stage, w.n)
	if err := fdatasync(w.f); err != nil {
		return fmt.Errorf("syncing the capture log %s: %w", w.path, err)
	}
	app.StageEnd(app.StageLogSync, stage, w.n)
	w.off = end
	return nil
}

// rewind makes the next group start at the front of the file. Only call it
// when every entry written so far is applied to bbolt.
func (w *wal) rewind() { w.off = 0 }

func (w *wal) close() error { return w.f.Close() }

// eventOf rebuilds the event an entry holds.
func (e walEntry) event() (*app.Event, error) {
	ev, err := decodeRecord(e.id, e.rec)
	if err != nil {
		return nil, err
	}
	ev.Body = e.body
	return ev, nil
}
