package main

import (
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/demo"
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
