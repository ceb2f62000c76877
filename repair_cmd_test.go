package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// listen and events on a damaged or cut file: a clear error, no panic, and
// the file's bytes unchanged.
func TestCommandsOnADamagedFile(t *testing.T) {
	for _, damage := range []string{"page", "truncated"} {
		t.Run(damage, func(t *testing.T) {
			dir, path := recordedDir(t)
			raw, _ := os.ReadFile(path)
			if damage == "page" {
				ps := os.Getpagesize()
				i := bytes.Index(raw, []byte(`"path":"/hook/n-150"`))
				raw[i/ps*ps+8] ^= 0xff
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
	ps := os.Getpagesize()
	// The record (magic 0xE7, version 1, the time, the method, then the
	// path), not the summary, which holds the path too.
	i := -1
	path150 := append([]byte{byte(len("/hook/n-150"))}, "/hook/n-150"...)
	for at := 0; i < 0; {
		j := bytes.Index(raw[at:], path150)
		if j < 0 {
			t.Fatal("event 150's record not found in the file")
		}
		j += at
		for k := max(j-40, 0); k+11 <= j; k++ {
			if raw[k] == 0xE7 && raw[k+1] == 1 && int(raw[k+10]) == j-(k+11) {
				i = k
			}
		}
		at = j + 1
	}
	raw[i/ps*ps+8] ^= 0xff
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
