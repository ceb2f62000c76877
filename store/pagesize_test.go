package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"
)

const oldPageSize = 4 << 10 // the page size of files made by older releases

func TestNewFilesUse16KiBPages(t *testing.T) {
	_, path := goodFile(t)
	if ps := mustPageSize(t, path); ps != newFilePageSize {
		t.Fatalf("a new file has %d-byte pages, want %d", ps, newFilePageSize)
	}
}

// A file of an older release (4 KiB pages) opens, keeps its pages while it
// takes captures, and compacting it gives it 16 KiB pages with every event.
func TestFourKiBPageFileOpensCapturesAndCompacts(t *testing.T) {
	dir, path := goodFileWith(t, oldPageSize)
	if ps := mustPageSize(t, path); ps != oldPageSize {
		t.Fatalf("the older file has %d-byte pages, want %d", ps, oldPageSize)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open of a 4 KiB-page file: %v", err)
	}
	defer func() { s.Close() }()
	if n := count(t, s); n != damageEvents {
		t.Fatalf("%d events in the reopened file, want %d", n, damageEvents)
	}
	id := mustRecord(t, s, sampleEvent(damageEvents+1))
	if id != damageEvents+1 {
		t.Fatalf("new capture got id %d, want %d", id, damageEvents+1)
	}
	if ps := mustPageSize(t, path); ps != oldPageSize {
		t.Fatalf("capturing into the older file changed its pages to %d bytes", ps)
	}
	// Delete some so that compacting has pages to give back.
	for id := uint64(1); id <= 100; id++ {
		if err := s.Delete(id); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Compact(context.Background(), nil)
	if err != nil {
		t.Fatalf("Compact of a 4 KiB-page file: %v", err)
	}
	t.Log(rep)
	if ps := mustPageSize(t, path); ps != newFilePageSize {
		t.Fatalf("the compacted copy has %d-byte pages, want %d", ps, newFilePageSize)
	}
	want := damageEvents + 1 - 100
	if n := count(t, s); n != want {
		t.Fatalf("%d events after compacting, want %d", n, want)
	}
	e, err := s.Event(damageEvents / 2)
	if err != nil || e.Path != fmt.Sprintf("/bigin/hook-%d", damageEvents/2) || !strings.HasPrefix(string(e.Body), fmt.Sprintf(`{"event":"contact.created","n":%d}`, damageEvents/2)) {
		t.Fatalf("event %d after compacting = %+v, %v", damageEvents/2, e, err)
	}
	mustRecord(t, s, sampleEvent(damageEvents+2))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	if n := count(t, s); n != want+1 {
		t.Fatalf("%d events after reopening the compacted file, want %d", n, want+1)
	}
	checkFilters(t, s, "after compacting a 4 KiB-page file")
}

// A damaged page of an older file (4 KiB pages) is found and repaired: the
// raw scan reads the file in its own pages, and the fresh copy has 16 KiB
// pages.
func TestFourKiBPageFileRepairs(t *testing.T) {
	dir, path := goodFileWith(t, oldPageSize)
	off, ps := eventPage(t, path, damageEvents/2)
	if ps != oldPageSize {
		t.Fatalf("the older file has %d-byte pages, want %d", ps, oldPageSize)
	}
	damage(t, path, off, 8, 10)
	before := sum(t, path)
	if _, err := Open(dir); err == nil {
		t.Fatal("Open of a 4 KiB-page file with a damaged page succeeded")
	} else {
		wantDamaged(t, err, path)
	}
	rep, err := Repair(dir)
	if err != nil {
		t.Fatalf("Repair of a 4 KiB-page file: %v", err)
	}
	t.Logf("%+v", rep)
	checkRepaired(t, dir, path, before, rep, false)
	if ps := mustPageSize(t, path); ps != newFilePageSize {
		t.Fatalf("the repaired copy has %d-byte pages, want %d", ps, newFilePageSize)
	}
}

// A file shorter than two of its own pages is cut short (damage), for both
// page sizes: 20 KiB is more than two 4 KiB pages but less than two 16 KiB
// ones.
func TestOpenShorterThanItsHeaderPages(t *testing.T) {
	for _, c := range []struct {
		pageSize int
		cut      int64
	}{{newFilePageSize, 20 << 10}, {newFilePageSize, 4 << 10}, {oldPageSize, 6 << 10}} {
		t.Run(fmt.Sprintf("%d-%d", c.pageSize, c.cut), func(t *testing.T) {
			dir, path := goodFileWith(t, c.pageSize)
			if err := os.Truncate(path, c.cut); err != nil {
				t.Fatal(err)
			}
			before := sum(t, path)
			_, err := Open(dir)
			if err == nil {
				t.Fatal("Open of a cut file succeeded")
			}
			t.Log(err)
			d := wantDamaged(t, err, path)
			if !strings.Contains(d.Reason, "shorter than the two header pages") {
				t.Errorf("reason %q does not say the file is shorter than its header pages", d.Reason)
			}
			if sum(t, path) != before {
				t.Fatal("Open wrote to the cut file")
			}
		})
	}
}

// filePageSize reads the page size from meta 1 when meta 0 is damaged, for
// both page sizes, and fails when both are.
func TestFilePageSize(t *testing.T) {
	for _, ps := range []int{newFilePageSize, oldPageSize} {
		t.Run(fmt.Sprint(ps), func(t *testing.T) {
			_, path := goodFileWith(t, ps)
			if got := mustPageSize(t, path); got != ps {
				t.Fatalf("filePageSize = %d, want %d", got, ps)
			}
			damage(t, path, 0, pageHeaderSize+48, pageHeaderSize+49) // meta 0's txid: its checksum fails
			if got := mustPageSize(t, path); got != ps {
				t.Fatalf("with meta 0 damaged, filePageSize = %d, want %d", got, ps)
			}
			damage(t, path, int64(ps), pageHeaderSize+48, pageHeaderSize+49)
			if got, err := filePageSize(path); err == nil {
				t.Fatalf("with both meta pages damaged, filePageSize = %d", got)
			}
		})
	}
}

// With meta 0 damaged, bbolt opens the file from meta 1, one page in; the
// check of the freelist that meta names must find it there too, at 16 KiB,
// not at the system's 4 KiB.
func TestOpenDamagedFreelistAndMetaZero(t *testing.T) {
	dir, path := goodFile(t)
	damage(t, path, 0, pageHeaderSize+48, pageHeaderSize+49)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ps, fl, ok := liveFreelist(f)
	f.Close()
	if !ok || ps != newFilePageSize {
		t.Fatalf("liveFreelist with meta 0 damaged = %d, %d, %v", ps, fl, ok)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := int(int64(fl) * ps)
	if binary.LittleEndian.Uint16(raw[off+8:]) != freelistFlag {
		t.Fatalf("page %d is not a freelist page", fl)
	}
	binary.LittleEndian.PutUint16(raw[off+10:], 0xffff)
	binary.LittleEndian.PutUint64(raw[off+16:], 1<<40)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	before := sum(t, path)
	_, err = Open(dir)
	if err == nil {
		t.Fatal("Open of a file with a damaged freelist succeeded")
	}
	t.Log(err)
	d := wantDamaged(t, err, path)
	if !strings.Contains(d.Reason, "list of free pages") {
		t.Errorf("reason %q does not name the freelist", d.Reason)
	}
	if sum(t, path) != before {
		t.Fatal("Open wrote to the damaged file")
	}
}
