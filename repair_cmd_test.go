package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/store"
)

// recordedDir is a data dir holding 300 events, closed cleanly.
func recordedDir(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 300; i++ {
		body := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("x", 900))
		e := &app.Event{ReceivedAt: time.Now(), Method: "POST", Path: fmt.Sprintf("/hook/n-%d", i), Body: []byte(body), Size: int64(len(body))}
		if err := st.Record(context.Background(), e, nil); err != nil {
			t.Fatal(err)
		}
	}
	path = st.Path()
	st.Close()
	return dir, path
}

// recordPage is the offset in raw (the bytes of the file at path) of the
// leaf page in use holding event n's record: the record (magic 0xE7,
// version 1, the time, the method, then the path), not the summary, which
// holds the path too. Pages are the file's own size (16 KiB, 4 KiB in
// older files). A free page keeping an older copy of the record (bbolt
// copies a page on every write) is passed over: damaging it damages
// nothing.
func recordPage(t *testing.T, path string, raw []byte, n int) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ps := db.Info().PageSize
	live := func(i int) bool {
		id := i / ps
		if id < 2 || binary.LittleEndian.Uint64(raw[id*ps:]) != uint64(id) {
			return false // a meta page, or the continuation of an overflow
		}
		leaf := false
		db.View(func(tx *bolt.Tx) error {
			p, err := tx.Page(id)
			leaf = err == nil && p != nil && p.Type == "leaf"
			return nil
		})
		return leaf
	}
	p := fmt.Sprintf("/hook/n-%d", n)
	want := append([]byte{byte(len(p))}, p...)
	for at := 0; ; {
		j := bytes.Index(raw[at:], want)
		if j < 0 {
			t.Fatalf("event %d's record not found in a leaf page in use", n)
		}
		j += at
		at = j + 1
		// The record: its magic, its summary's length, then the summary:
		// format 1, stored-at and received-at (16 bytes), method, path.
		for k := max(j-40, 0); k+20 <= j; k++ {
			if raw[k] != 0xE8 {
				continue
			}
			_, w := binary.Uvarint(raw[k+1:])
			m := k + 1 + w + 17
			if w > 0 && m < j && raw[k+1+w] == 1 && m+1+int(raw[m]) == j && live(k) {
				return k / ps * ps
			}
		}
	}
}

// listen and events on a damaged or cut file: a clear error, no panic, and
// the file's bytes unchanged.
func TestCommandsOnADamagedFile(t *testing.T) {
	for _, damage := range []string{"page", "truncated"} {
		t.Run(damage, func(t *testing.T) {
			dir, path := recordedDir(t)
			raw, _ := os.ReadFile(path)
			if damage == "page" {
				raw[recordPage(t, path, raw, 150)+8] ^= 0xff // the page's type
			} else {
				raw = raw[:64<<10]
			}
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			for name, run := range map[string]func() error{
				"events": func() error { return cmdEvents([]string{"--data", dir, "--json"}, io.Discard, io.Discard) },
				"listen": func() error {
					return cmdListen([]string{"--data", dir, "--addr", "127.0.0.1:0"}, io.Discard, io.Discard)
				},
			} {
				err := run()
				if !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), "hooklens repair --data "+dir) {
					t.Fatalf("%s on a damaged file = %v", name, err)
				}
				after, _ := os.ReadFile(path)
				if !bytes.Equal(after, raw) {
					t.Fatalf("%s changed the damaged file", name)
				}
			}
		})
	}
}

func TestRepairCommand(t *testing.T) {
	dir, path := recordedDir(t)

	var out, errOut bytes.Buffer
	if err := cmdRepair([]string{"--data", dir}, &out, &errOut); err != nil {
		t.Fatalf("repair of a good file: %v", err)
	}
	if !strings.Contains(out.String(), "nothing to repair") {
		t.Fatalf("repair of a good file said %q", out.String())
	}

	// Damage the type of the page holding event 150's record.
	raw, _ := os.ReadFile(path)
	raw[recordPage(t, path, raw, 150)+8] ^= 0xff
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(dir); !errors.Is(err, store.ErrDamaged) {
		t.Fatalf("Open of the damaged file = %v", err)
	}

	out.Reset()
	if err := cmdRepair([]string{"--data", dir}, &out, &errOut); err != nil {
		t.Fatalf("repair: %v", err)
	}
	t.Log(out.String())
	for _, want := range []string{"was damaged", "repaired:", "event(s) saved", "lost", "hooklens.db.damaged-"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("repair output %q does not say %q", out.String(), want)
		}
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "hooklens.db.damaged-*"))
	if len(kept) != 1 {
		t.Fatalf("damaged copies kept: %v", kept)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatalf("Open after repair: %v", err)
	}
	defer st.Close()
	if n, _ := st.Count(); n < 250 {
		t.Fatalf("only %d events after repair", n)
	}

	if err := cmdRepair([]string{"extra"}, &out, &errOut); !errors.Is(err, errUsage) {
		t.Fatalf("repair with an argument = %v, want a usage error", err)
	}
}
