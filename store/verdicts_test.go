package store

import (
	"context"
	"errors"
	"testing"

	"github.com/hooklens/hooklens/app"
)

func TestReverifyRewritesOnlyTheEndpointsEvents(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, ep := range []string{"stripe", "github", "stripe", ""} {
		e := &app.Event{Method: "POST", Path: "/x", Endpoint: ep, Body: []byte{byte(i)},
			Verdict: app.Verdict{Scheme: "stripe", Result: app.VerdictUnverified, Reason: "no secret"}}
		if err := s.Record(context.Background(), e, nil); err != nil {
			t.Fatal(err)
		}
	}
	judged := 0
	n, err := s.Rejudge("stripe", func(e *app.Event) app.Verdict {
		judged++
		if e.Endpoint != "stripe" || len(e.Body) != 1 {
			t.Errorf("judge got event %d of endpoint %q with body %v", e.ID, e.Endpoint, e.Body)
		}
		return app.Verdict{Scheme: "stripe", Result: app.VerdictValid, Reason: "matches secret 1"}
	})
	if err != nil || n != 2 || judged != 2 {
		t.Fatalf("Rejudge: changed %d, judged %d, err %v; want 2, 2", n, judged, err)
	}
	// Judging again with the same outcome changes nothing.
	if n, _ := s.Rejudge("stripe", func(*app.Event) app.Verdict {
		return app.Verdict{Scheme: "stripe", Result: app.VerdictValid, Reason: "matches secret 1"}
	}); n != 0 {
		t.Errorf("unchanged verdicts rewritten: %d", n)
	}
	s.Close()

	// The new verdicts are durable and show in both the event and its list row.
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.Events(app.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		e, err := s.Event(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := app.VerdictUnverified
		if r.Endpoint == "stripe" {
			want = app.VerdictValid
		}
		if r.Verdict.Result != want || e.Verdict.Result != want {
			t.Errorf("event %d (%q): row says %s, event says %s; want %s", r.ID, r.Endpoint, r.Verdict.Result, e.Verdict.Result, want)
		}
	}
}

func TestSetVerdict(t *testing.T) {
	s := openTest(t, t.TempDir())
	id := mustRecord(t, s, sampleEvent(1))
	before, _ := s.StoredBytes()
	v := app.Verdict{Scheme: "stripe", Result: app.VerdictInvalid, Reason: "signature does not match; it matches with the secret without its whsec_ prefix"}
	if err := s.SetVerdict(id, v); err != nil {
		t.Fatal(err)
	}
	e, err := s.Event(id)
	if err != nil || e.Verdict != v {
		t.Fatalf("stored verdict %+v, %v", e.Verdict, err)
	}
	list, _ := s.Events(app.Page{})
	if len(list) != 1 || list[0].Verdict != v {
		t.Fatalf("summary verdict %+v", list)
	}
	if after, _ := s.StoredBytes(); after <= before {
		t.Errorf("size counter %d -> %d for a longer verdict", before, after)
	}
	if err := s.SetVerdict(999, v); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("SetVerdict of a missing event = %v", err)
	}
}
