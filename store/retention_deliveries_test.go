package store

import (
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

func TestPruneDeliveriesKeepsPendingAndRecentOnes(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	put := func(age time.Duration, state app.State) uint64 {
		d := &app.Delivery{CreatedAt: now.Add(-age), Kind: app.KindSend, State: state,
			Request: app.Request{Method: "POST", URL: "http://127.0.0.1:1/x", Body: []byte("b")}}
		if state == app.Pending {
			d.NextAttemptAt = now.Add(time.Minute)
		}
		if err := s.PutDelivery(d); err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	oldDone := put(90*24*time.Hour, app.Delivered)
	oldPending := put(80*24*time.Hour, app.Pending)
	oldFailed := put(70*24*time.Hour, app.Failed)
	recent := put(time.Hour, app.Delivered)

	n, err := s.PruneDeliveries(now.Add(-60 * 24 * time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want 2", n, err)
	}
	for id, kept := range map[uint64]bool{oldDone: false, oldPending: true, oldFailed: false, recent: true} {
		_, err := s.Delivery(id)
		if (err == nil) != kept {
			t.Errorf("delivery %d: kept=%v, want %v", id, err == nil, kept)
		}
	}
	if c, _ := s.CountDeliveries(); c != 2 {
		t.Errorf("count %d after pruning, want 2", c)
	}
}
