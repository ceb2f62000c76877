package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/demo"
	"github.com/hooklens/hooklens/app/signal"
)

// The demo is real: its events carry verdicts computed by the verifier, and
// its deliveries go through the queue to a receiving app on loopback.
func TestDemoDataAndDeliveries(t *testing.T) {
	var events []app.Event
	var stopReceiver func()
	h, err := OpenHooklens(Config{Data: t.TempDir(), Addr: "127.0.0.1:0", Logf: t.Logf, BeforeListen: func(h *Hooklens) error {
		var err error
		if events, err = demo.Seed(h.Store); err != nil {
			return err
		}
		stopReceiver, err = demo.Deliveries(h.Store, h.Queue, events)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	defer stopReceiver()
	st := h.Store
	if n, _ := st.Count(); n != len(events) || n < 30 {
		t.Fatalf("%d demo events stored, %d built", n, len(events))
	}
	results := map[string]int{}
	rows, _ := st.Events(app.Page{Limit: 1000})
	for _, r := range rows {
		results[r.Verdict.Result]++
	}
	if results[app.VerdictValid] == 0 || results[app.VerdictInvalid] == 0 || results[app.VerdictUnsigned] == 0 {
		t.Errorf("demo verdicts %v: want valid, invalid and unsigned ones", results)
	}

	want := map[app.State]int{app.Delivered: 2, app.Gone: 1}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := map[app.State]int{}
		list, err := st.Deliveries(app.DeliveryPage{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range list {
			got[d.State]++
		}
		if got[app.Delivered] == want[app.Delivered] && got[app.Gone] == want[app.Gone] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo deliveries ended %v, want %v", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	targets, _ := st.Targets()
	disabled := 0
	for _, tg := range targets {
		if !tg.Enabled && tg.DisabledReason != "" {
			disabled++
		}
	}
	if len(targets) != 3 || disabled != 1 {
		t.Errorf("%d targets, %d disabled after 410; want 3 and 1", len(targets), disabled)
	}
}

// hooklens --demo: after the stored history a whole SalesIQ chat arrives
// live at This Hooklens through the queue, each event valid against the
// demo's salesiq endpoint, which holds Hooklens's own key.
func TestDemoRunArrivesValid(t *testing.T) {
	dir := t.TempDir()
	keys := signal.NewKeyStore(dir)
	var key string
	var stopReceiver func()
	h, err := OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", Logf: t.Logf, BeforeListen: func(h *Hooklens) (err error) {
		key, stopReceiver, err = seedDemo(h, keys)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	defer stopReceiver()
	history, _ := h.Store.Count()
	stop, err := startDemoRun(h, key, 0, 0, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	want := []string{"conversation.created", "conversation.visitor.replied", "conversation.operator.replied", "conversation.completed", "conversation.rated"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, _ := h.Store.Count()
		if n >= history+len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d live demo events arrived", n-history, len(want))
		}
		time.Sleep(50 * time.Millisecond)
	}
	rows, _ := h.Store.Events(app.Page{Limit: len(want)})
	got := map[string]bool{}
	for _, r := range rows {
		if r.Verdict.Result != app.VerdictValid || r.Endpoint != "salesiq" {
			t.Errorf("live %s: endpoint %q verdict %+v", r.Type, r.Endpoint, r.Verdict)
		}
		got[r.Type] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("no live %s among %v", w, got)
		}
	}
}

// On a new account (no ~/.cache yet) the window makes the cache directory
// Fyne keeps its own folder in, instead of Fyne logging that it could not.
func TestWindowMakesTheUserCacheDirectory(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", "")
	userCacheDir()
	fi, err := os.Stat(filepath.Join(home, ".cache"))
	if err != nil || !fi.IsDir() {
		t.Fatalf("~/.cache after the window's start: %v", err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("~/.cache mode %v, want 0700", fi.Mode().Perm())
	}
}
