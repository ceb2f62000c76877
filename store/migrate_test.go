package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// writeFixture builds the bbolt file in dir by hand (or changes the one a
// closed store left there), as an older (or newer) Hooklens would have
// left it. It returns the file's path.
func writeFixture(t *testing.T, dir string, fill func(tx *bolt.Tx) error) string {
	t.Helper()
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fill); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func schemaIn(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer db.Close()
	var v int
	if err := db.View(func(tx *bolt.Tx) (err error) { v, err = schemaOf(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrateV0KeepsDataAndBacksUp(t *testing.T) {
	dir := t.TempDir()
	// Schema 0: a meta bucket with schema "0", settings and one event written
	// before counters existed.
	path := writeFixture(t, dir, func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		meta.Put(keySchema, []byte("0"))
		set, _ := tx.CreateBucket(bucketSettings)
		set.Put([]byte("theme"), []byte("dark"))
		b := buckets{meta: meta}
		b.events, _ = tx.CreateBucket(bucketEvents)
		b.bodies, _ = tx.CreateBucket(bucketBodies)
		_, err := b.put(&app.Event{Method: "POST", Path: "/old", Body: []byte("kept")}, nil, time.Now())
		return err
	})
	os.Chmod(path, 0o644)

	s := openTest(t, dir)
	if v := s.schema(t); v != currentSchema() {
		t.Fatalf("schema after Open = %d, want %d", v, currentSchema())
	}
	if v, err := s.Setting("theme"); err != nil || v != "dark" {
		t.Fatalf("setting after migration = %q, %v", v, err)
	}
	if n := count(t, s); n != 1 {
		t.Fatalf("Count after migrating a file with one event = %d, want 1", n)
	}
	e, err := s.Event(1)
	if err != nil || string(e.Body) != "kept" {
		t.Fatalf("old event after migration = %+v, %v", e, err)
	}
	if id := mustRecord(t, s, sampleEvent(1)); id != 2 {
		t.Fatalf("first new id = %d, want 2", id)
	}

	bak := path + ".v0.bak"
	fi, err := os.Stat(bak)
	if err != nil {
		t.Fatalf("no backup before migrating: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	if v := schemaIn(t, bak); v != 0 {
		t.Fatalf("backup has schema %d, want the old 0", v)
	}
	if _, err := os.Stat(bak + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("temporary backup left behind: %v", err)
	}
}

func (s *Store) schema(t *testing.T) int {
	t.Helper()
	var v int
	if err := s.view(func(tx *bolt.Tx) (err error) { v, err = schemaOf(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNewFileNeedsNoBackup(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if v := s.schema(t); v != currentSchema() {
		t.Fatalf("schema of a new file = %d", v)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.bak"))
	if len(matches) != 0 {
		t.Fatalf("a new file was backed up: %v", matches)
	}
}

// TestMigrateNextVersion adds a schema the way a later release would and
// checks that a file of the current schema is backed up and upgraded, once.
func TestMigrateNextVersion(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, sampleEvent(1))
	s.Close()

	saved := migrations
	t.Cleanup(func() { migrations = saved })
	runs := 0
	migrations = append(migrations[:len(migrations):len(migrations)], func(tx *bolt.Tx) error {
		runs++
		_, err := tx.CreateBucket([]byte("later-release"))
		return err
	})

	s = openTest(t, dir)
	if v := s.schema(t); v != len(saved)+1 {
		t.Fatalf("schema = %d, want %d", v, len(saved)+1)
	}
	if err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("later-release")) == nil {
			return errors.New("the added migration did not run")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if v := schemaIn(t, fmt.Sprintf("%s.v%d.bak", s.Path(), len(saved))); v != len(saved) {
		t.Fatalf("backup schema = %d, want %d", v, len(saved))
	}
	if n := count(t, s); n != 1 {
		t.Fatalf("Count after migration = %d", n)
	}
	s.Close()
	openTest(t, dir).Close()
	if runs != 1 {
		t.Fatalf("migration ran %d times, want once", runs)
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(migrations[:len(migrations):len(migrations)], func(tx *bolt.Tx) error {
		tx.CreateBucket([]byte("half-done"))
		return errors.New("disk says no")
	})
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "disk says no") {
		t.Fatalf("Open with a failing migration = %v", err)
	}
	migrations = saved
	s = openTest(t, dir)
	if v := s.schema(t); v != len(saved) {
		t.Fatalf("schema after a failed upgrade = %d, want %d", v, len(saved))
	}
	s.view(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half-done")) != nil {
			t.Error("a failed migration left a bucket behind")
		}
		return nil
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	newer := currentSchema() + 1
	path := writeFixture(t, dir, func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		return meta.Put(keySchema, []byte(strconv.Itoa(newer)))
	})
	s, err := Open(dir)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a file from a newer Hooklens")
	}
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{path, "newer Hooklens", "upgrade"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// Refusing must leave the file usable by the newer binary and unlocked.
	if v := schemaIn(t, path); v != newer {
		t.Fatalf("schema changed to %d", v)
	}
}
