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
// The file has two regions of walRegion bytes, written in turns: the writer
// fills one from its start, then goes on at the start of the other, which
// by then holds only entries applied long ago (it waits for them only when
// the applier is that far behind). So the log stays small, its blocks stay
// allocated (an fdatasync then writes data only, no file-size change), and
// the writer never has to wait for the applier to catch up completely. A
// region is read from its start until its log ends; entries of an earlier
// round that follow the newer ones were all applied and are skipped. Zeros
// are written ahead in walChunk steps as the file grows.
const (
	WALFileName = "hooklens.wal"
	walHeader   = 8
	walChunk    = 1 << 20
	// walMaxEntry bounds one entry (the body cap plus room for the record).
	walMaxEntry = 1 << 30
)

// walRegion is the size of each of the two regions (a variable so that
// tests can turn regions quickly).
var walRegion int64 = 8 << 20

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type wal struct {
	f      *os.File
	path   string
	region int       // the region being written, 0 or 1
	last   [2]uint64 // the highest id written to each region in its current round
	off    int64     // where the next group goes
	size   int64     // bytes allocated (written) in the file
	buf    []byte
	n      int    // entries in buf
	lastID uint64 // the highest id in buf
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

// read calls fn with each entry of both regions, each from its start until
// its log ends (see above).
func (w *wal) read(fn func(walEntry) error) error {
	for region := range int64(2) {
		start := region * walRegion
		if start >= w.size {
			break
		}
		if err := w.readRegion(io.NewSectionReader(w.f, start, min(w.size-start, walRegion)), fn); err != nil {
			return err
		}
	}
	return nil
}

func (w *wal) readRegion(r *io.SectionReader, fn func(walEntry) error) error {
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
	w.lastID = max(w.lastID, id)
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
func (w *wal) reset() { w.buf, w.n, w.lastID = w.buf[:0], 0, 0 }

// fits says whether the group built fits in the rest of the region being
// written.
func (w *wal) fits() bool {
	return w.off+int64(len(w.buf)) <= int64(w.region+1)*walRegion
}

// other is the region written after the current one, and the highest id
// it holds from its last round: those must be applied before it is
// overwritten.
func (w *wal) other() (region int, last uint64) { return 1 - w.region, w.last[1-w.region] }

// turn starts writing at the front of the other region.
func (w *wal) turn() {
	w.region = 1 - w.region
	w.last[w.region] = 0
	w.off = int64(w.region) * walRegion
}

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
	// Entries of the region's earlier round may follow this group: they
	// are all applied (ids at or below the sequence), so a replay reads
	// past them harmlessly.
	if _, err := w.f.WriteAt(w.buf, w.off); err != nil {
		return fmt.Errorf("writing the capture log %s: %w", w.path, err)
	}
	stage = app.StageEnd(app.StageLogWrite, stage, w.n)
	if err := fdatasync(w.f); err != nil {
		return fmt.Errorf("syncing the capture log %s: %w", w.path, err)
	}
	app.StageEnd(app.StageLogSync, stage, w.n)
	w.off = end
	w.last[w.region] = max(w.last[w.region], w.lastID)
	return nil
}

// restart makes the next group start at the front of region 0, with both
// regions counted as applied. Only call it when every entry in the file is
// applied to bbolt.
func (w *wal) restart() {
	w.region, w.off, w.last = 0, 0, [2]uint64{}
}

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
