package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

const damageEvents = 400

// goodFile writes damageEvents events (1 KiB bodies), an endpoint and a
// setting, closes the store cleanly and returns the data dir and file.
func goodFile(t *testing.T) (dir, path string) {
	t.Helper()
	return goodFileWith(t, 0)
}

// goodFileWith is goodFile in a file first created by bbolt with pages of
// pageSize bytes (0: as the store creates it), as an older release made it.
func goodFileWith(t *testing.T, pageSize int) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	if pageSize != 0 {
		db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, &bolt.Options{PageSize: pageSize})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= damageEvents; i++ {
		e := sampleEvent(i)
		e.Body = append(e.Body, bytes.Repeat([]byte{' '}, 1024)...)
		e.Size = int64(len(e.Body))
		mustRecord(t, s, e)
	}
	if err := s.PutEndpoint(app.Endpoint{Slug: "bigin"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting("theme", "dark"); err != nil {
		t.Fatal(err)
	}
	path = s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// eventPage finds the leaf page in use holding the record of event n (it
// names the path /bigin/hook-n) and returns its offset and the page size.
func eventPage(t *testing.T, path string, n int) (off int64, pageSize int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize = mustPageSize(t, path)
	// The record: the magic, the summary's length, then the summary: its
	// format, the stored-at and received-at times, the method, the path.
	marker := appendStr(nil, fmt.Sprintf("/bigin/hook-%d", n))
	for at := 0; ; {
		j := bytes.Index(raw[at:], marker)
		if j < 0 {
			t.Fatalf("event %d's record is not in a leaf page in use", n)
		}
		j += at
		at = j + 1
		for k := max(j-64, 0); k+11 <= j; k++ {
			if raw[k] == recordMagic && raw[k+1] == recordVersion && int(raw[k+10]) == j-(k+11) {
				// A record of schema 5 to 7: magic, version, received-at,
				// the method, then the path.
				if off := liveLeafPage(t, path, raw, k); off >= 0 {
					return off, pageSize
				}
				break
			}
			if raw[k] != recordV2Magic {
				continue
			}
			_, w := binary.Uvarint(raw[k+1:])
			m := k + 1 + w + summaryFixed // the method's length
			if w > 0 && m < j && raw[k+1+w] == summaryFormat && m+1+int(raw[m]) == j {
				if off := liveLeafPage(t, path, raw, k); off >= 0 {
					return off, pageSize
				}
				break
			}
		}
	}
}

// liveLeafPage is the offset of the page holding byte i of raw (the bytes
// of the file at path) when that page is a leaf in use, else -1: bbolt
// copies a page on every write and frees the old one, which keeps the
// older copy of its records until it is reused; damaging it damages
// nothing. A meta page, or the continuation of a page that overflows, is
// not a leaf either.
func liveLeafPage(t *testing.T, path string, raw []byte, i int) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ps := db.Info().PageSize
	id := i / ps
	if id < 2 || binary.LittleEndian.Uint64(raw[id*ps:]) != uint64(id) {
		return -1
	}
	live := false
	err = db.View(func(tx *bolt.Tx) error {
		p, err := tx.Page(id)
		live = p != nil && p.Type == "leaf"
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !live {
		return -1
	}
	return int64(id * ps)
}

// mustPageSize is the page size of the file at path, read from its meta
// page: files are made with newFilePageSize pages, files of older releases
// have the system's.
func mustPageSize(t *testing.T, path string) int {
	t.Helper()
	ps, err := filePageSize(path)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// damage XORs 0xff over [from, to) of the page at off.
func damage(t *testing.T, path string, off int64, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, to-from)
	if _, err := f.ReadAt(b, off+int64(from)); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] ^= 0xff
	}
	if _, err := f.WriteAt(b, off+int64(from)); err != nil {
		t.Fatal(err)
	}
}

// Damage variants: the page header's type flags, and the element headers
// that say where each key and value is.
var variants = map[string][2]int{
	"page type": {8, 10},
	"elements":  {16, 16 + 96},
}

func wantDamaged(t *testing.T, err error, path string) *DamagedError {
	t.Helper()
	var d *DamagedError
	if !errors.As(err, &d) || !errors.Is(err, ErrDamaged) {
		t.Fatalf("got %v, want a *DamagedError", err)
	}
	msg := err.Error()
	for _, want := range []string{path, "is damaged", "has not written to it", "hooklens repair --data " + filepath.Dir(path)} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if strings.ContainsAny(msg, "\n") || strings.Contains(msg, "goroutine") || strings.Count(msg, ". ") > 0 {
		t.Errorf("message %q is not one clear sentence", msg)
	}
	return d
}

func TestOpenDamagedPage(t *testing.T) {
	for name, r := range variants {
		t.Run(name, func(t *testing.T) {
			dir, path := goodFile(t)
			off, _ := eventPage(t, path, damageEvents/2)
			damage(t, path, off, r[0], r[1])
			before := sum(t, path)
			s, err := Open(dir)
			if err == nil {
				s.Close()
				t.Fatal("Open of a file with a damaged page succeeded")
			}
			t.Log(err)
			wantDamaged(t, err, path)
			if sum(t, path) != before {
				t.Fatal("Open wrote to the damaged file")
			}
		})
	}
}

func TestOpenTruncated(t *testing.T) {
	dir, path := goodFile(t)
	if err := os.Truncate(path, 64<<10); err != nil {
		t.Fatal(err)
	}
	before := sum(t, path)
	s, err := Open(dir)
	if err == nil {
		s.Close()
		t.Fatal("Open of a truncated file succeeded")
	}
	t.Log(err)
	d := wantDamaged(t, err, path)
	if !strings.Contains(d.Reason, "cut short") {
		t.Errorf("reason %q does not say the file was cut short", d.Reason)
	}
	if sum(t, path) != before {
		t.Fatal("Open wrote to the truncated file")
	}
}

func TestOpenFourKiB(t *testing.T) {
	dir, path := goodFile(t)
	if err := os.Truncate(path, 4<<10); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	if err == nil {
		t.Fatal("Open of a 4 KiB file succeeded")
	}
	t.Log(err)
	wantDamaged(t, err, path)
	if strings.Contains(err.Error(), "writable") {
		t.Fatalf("a cut-short file is not a permission problem: %v", err)
	}
}

// With the full check off (a big file after a clean shutdown), damage is
// found by the first read or write that meets it: recovered, reported,
// and from then on nothing is written.
func TestDamageFoundAfterOpen(t *testing.T) {
	defer func(n int64) { fullCheckLimit = n }(fullCheckLimit)
	fullCheckLimit = 0
	for name, r := range variants {
		t.Run(name, func(t *testing.T) {
			dir, path := goodFile(t)
			// The newest event's page: the next capture is written there.
			off, _ := eventPage(t, path, damageEvents)
			damage(t, path, off, r[0], r[1])
			s, err := Open(dir)
			if err != nil {
				t.Fatalf("Open: %v (the cheap check should pass)", err)
			}
			reported := make(chan error, 1)
			s.OnDamage(func(err error) { reported <- err })
			opened := sum(t, path)

			// The applier meets the damaged page: no crash. The event is
			// answered from the capture log, or refused when the damage
			// was met first.
			if err := s.Record(context.Background(), sampleEvent(damageEvents+1), nil); err != nil {
				wantDamaged(t, err, path)
			}
			select {
			case err := <-reported:
				wantDamaged(t, err, path)
			case <-time.After(10 * time.Second):
				t.Fatal("OnDamage was not called")
			}
			err = s.Record(context.Background(), sampleEvent(damageEvents+2), nil)
			wantDamaged(t, err, path)
			if _, err := s.Events(app.Page{Limit: damageEvents}); err != nil {
				wantDamaged(t, err, path)
			}
			if err := s.PutEndpoint(app.Endpoint{Slug: "after"}); !errors.Is(err, ErrDamaged) {
				t.Fatalf("PutEndpoint on a damaged file = %v, want ErrDamaged", err)
			}
			if !errors.Is(s.Damage(), ErrDamaged) {
				t.Fatalf("Damage() = %v", s.Damage())
			}
			s.Close()
			if sum(t, path) != opened {
				t.Fatal("the damaged file was written to after the damage was found")
			}
		})
	}
}

// A listing walks into a damaged page: an error, never a panic.
func TestListingDamagedPage(t *testing.T) {
	defer func(n int64) { fullCheckLimit = n }(fullCheckLimit)
	fullCheckLimit = 0
	dir, path := goodFile(t)
	// Summaries are what a listing reads; find the page of one by its path.
	raw, _ := os.ReadFile(path)
	off := int64(-1)
	for end := len(raw); off < 0; {
		i := bytes.LastIndex(raw[:end], []byte("/bigin/hook-200\x00"))
		if i < 0 {
			t.Fatal("event 200's summary is not in a leaf page in use")
		}
		off, end = liveLeafPage(t, path, raw, i), i
	}
	damage(t, path, off, 8, 10)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		if _, err := s.Events(app.Page{Limit: damageEvents}); err != nil {
			wantDamaged(t, err, path)
		}
		for id := uint64(1); id <= damageEvents; id++ {
			if _, err := s.Event(id); err != nil && !errors.Is(err, ErrDamaged) {
				t.Fatalf("Event(%d) = %v", id, err)
			}
		}
	}
	if s.Damage() == nil {
		t.Fatal("reading a damaged page did not mark the store damaged")
	}
}

// After an unclean shutdown a big file is checked in the background.
func TestUncleanShutdownCheckedInBackground(t *testing.T) {
	defer func(n int64) { fullCheckLimit = n }(fullCheckLimit)
	fullCheckLimit = 0
	dir, path := goodFile(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOpen, []byte{1}) })
	db.Close()
	off, _ := eventPage(t, path, 10) // an old page no capture touches
	damage(t, path, off, 8, 10)

	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	reported := make(chan error, 1)
	s.OnDamage(func(err error) { reported <- err })
	select {
	case err := <-reported:
		t.Log(err)
		wantDamaged(t, err, path)
	case <-time.After(20 * time.Second):
		t.Fatal("the background check did not find the damaged page")
	}
	if err := s.Record(context.Background(), sampleEvent(1), nil); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Record after damage was found = %v", err)
	}
}

// One unreadable record is left out of a listing and counted; the rest show.
func TestListingSkipsUnreadableRecord(t *testing.T) {
	dir, _ := goodFile(t)
	s := openTest(t, dir)
	if err := s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEvents).Put(key(7), []byte("garbage"))
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Events(app.Page{Limit: damageEvents})
	if err != nil {
		t.Fatalf("Events = %v", err)
	}
	if len(got) != damageEvents-1 || s.Skipped() != 1 {
		t.Fatalf("listed %d events with %d skipped, want %d and 1", len(got), s.Skipped(), damageEvents-1)
	}
	if err := s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEndpoints).Put([]byte("broken"), []byte("{"))
	}); err != nil {
		t.Fatal(err)
	}
	eps, err := s.Endpoints()
	if err != nil || len(eps) != 1 || eps[0].Slug != "bigin" {
		t.Fatalf("Endpoints = %v, %v", eps, err)
	}
}

func TestRepairDamagedPage(t *testing.T) {
	for name, r := range variants {
		t.Run(name, func(t *testing.T) {
			dir, path := goodFile(t)
			off, _ := eventPage(t, path, damageEvents/2)
			damage(t, path, off, r[0], r[1])
			before := sum(t, path)

			rep, err := Repair(dir)
			if err != nil {
				t.Fatalf("Repair: %v", err)
			}
			t.Logf("%+v", rep)
			checkRepaired(t, dir, path, before, rep, false)
			switch name {
			case "page type":
				// Only the header is damaged: the page's records are read
				// from it directly, and every event comes back whole.
				if rep.EventsSaved != damageEvents {
					t.Errorf("damaged page type: %d of %d events saved whole", rep.EventsSaved, damageEvents)
				}
			default:
				if rep.EventsLost+rep.EventsPartial == 0 {
					t.Error("a damaged event page lost nothing?")
				}
			}
		})
	}
}

func TestRepairTruncated(t *testing.T) {
	dir, path := goodFile(t)
	// Cut at half its length (at least 64 KiB), to a whole page.
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int64(mustPageSize(t, path))
	cut := max(fi.Size()/2/ps*ps, 64<<10)
	if err := os.Truncate(path, cut); err != nil {
		t.Fatal(err)
	}
	before := sum(t, path)
	rep, err := Repair(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatalf("Repair: %v", err)
	}
	t.Logf("%+v", rep)
	checkRepaired(t, dir, path, before, rep, true)
}

// checkRepaired: cut says the file lost its end, and with it the events
// written last, which no report can count.
func checkRepaired(t *testing.T, dir, path string, before [32]byte, rep RepairReport, cut bool) {
	t.Helper()
	if rep.Healthy || rep.Problem == "" {
		t.Fatalf("report %+v does not say what was wrong", rep)
	}
	if got := rep.EventsSaved + rep.EventsPartial + rep.EventsLost; got > damageEvents || (!cut && got != damageEvents) {
		t.Errorf("saved %d + partial %d + lost %d = %d, want %d", rep.EventsSaved, rep.EventsPartial, rep.EventsLost, got, damageEvents)
	}
	// A cut file may keep only the summaries of some events (their list
	// rows): those are saved as partial events.
	if rep.EventsSaved == 0 && (!cut || rep.EventsPartial == 0) {
		t.Fatal("no event saved")
	}
	if !strings.HasPrefix(rep.DamagedPath, path+".damaged-") || sum(t, rep.DamagedPath) != before {
		t.Fatalf("the damaged file was not kept byte for byte beside the new one (%s)", rep.DamagedPath)
	}
	s := openTest(t, dir)
	n := count(t, s)
	if n != rep.EventsSaved+rep.EventsPartial {
		t.Fatalf("repaired file holds %d events, report says %d", n, rep.EventsSaved+rep.EventsPartial)
	}
	list, err := s.Events(app.Page{Limit: damageEvents})
	if err != nil || len(list) != n || s.Skipped() != 0 {
		t.Fatalf("Events on the repaired file = %d, %v (skipped %d)", len(list), err, s.Skipped())
	}
	whole := 0
	for _, sm := range list {
		e, err := s.Event(sm.ID)
		if err != nil {
			t.Fatalf("Event(%d): %v", sm.ID, err)
		}
		want := fmt.Sprintf(`{"event":"contact.created","n":%d}`, sm.ID)
		if !e.Truncated {
			whole++
			if !bytes.HasPrefix(e.Body, []byte(want)) || e.Path != fmt.Sprintf("/bigin/hook-%d", sm.ID) {
				t.Fatalf("event %d came back as %s %q", sm.ID, e.Path, e.Body[:min(len(e.Body), 40)])
			}
		}
	}
	if whole < rep.EventsSaved {
		t.Errorf("%d whole events, report says %d", whole, rep.EventsSaved)
	}
	checkFilters(t, s, "after repair") // the indexes are rebuilt, not copied
	// New captures continue after the old ids.
	id := mustRecord(t, s, sampleEvent(1))
	if id <= uint64(rep.EventsSaved) {
		t.Errorf("new event got id %d, reusing an old one", id)
	}
}

func TestRepairHealthy(t *testing.T) {
	dir, path := goodFile(t)
	before := sum(t, path)
	rep, err := Repair(dir)
	if err != nil || !rep.Healthy {
		t.Fatalf("Repair of a good file = %+v, %v", rep, err)
	}
	if sum(t, path) != before {
		t.Fatal("Repair changed a good file")
	}
}

func TestRepairKeepsEndpointsAndSettings(t *testing.T) {
	dir, path := goodFile(t)
	off, _ := eventPage(t, path, damageEvents/2)
	damage(t, path, off, 8, 10)
	rep, err := Repair(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RecordsSaved < 2 {
		t.Errorf("report %+v", rep)
	}
	s := openTest(t, dir)
	if _, err := s.Endpoint("bigin"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting("theme"); err != nil || v != "dark" {
		t.Fatalf("setting = %q, %v", v, err)
	}
}

func TestDataDirTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Notice(); !strings.Contains(n, dir) || !strings.Contains(n, "0700") {
		t.Errorf("Notice = %q, want it to say %s is now 0700", n, dir)
	}
	s.Close()
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode %v, want 0700", fi.Mode().Perm())
	}
	s = openTest(t, dir)
	if n := s.Notice(); n != "" {
		t.Errorf("second Open says %q again", n)
	}
}

// A damaged freelist page (its count says it runs far past its end) is
// damage, found without a crash.
func TestOpenDamagedFreelist(t *testing.T) {
	dir, path := goodFile(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	ps, fl, ok := liveFreelist(f)
	f.Close()
	if !ok || binary.LittleEndian.Uint16(raw[int64(fl)*ps+8:]) != freelistFlag {
		t.Fatalf("no live freelist page (%d, %v)", fl, ok)
	}
	off := int(int64(fl) * ps)
	binary.LittleEndian.PutUint16(raw[off+10:], 0xffff) // count: 0xffff means a u64 count follows
	binary.LittleEndian.PutUint64(raw[off+16:], 1<<40)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	before := sum(t, path)
	s, err := Open(dir)
	if err == nil {
		s.Close()
		t.Fatal("Open of a file with a damaged freelist succeeded")
	}
	t.Log(err)
	wantDamaged(t, err, path)
	if sum(t, path) != before {
		t.Fatal("Open wrote to the damaged file")
	}
	// Every event is on intact pages: repair saves them all.
	rep, err := Repair(dir)
	if err != nil || rep.EventsSaved != damageEvents || rep.EventsLost != 0 {
		t.Fatalf("Repair = %+v, %v", rep, err)
	}
}
