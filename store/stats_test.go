package store

import (
	"context"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// The dashboard's counters follow what is stored and re-judged, and the
// per-minute counts give the rate, without scanning events.
func TestStatsAreKeptCounters(t *testing.T) {
	s := openTest(t, t.TempDir())
	now := time.Now()
	rec := func(slug, verdict string, at time.Time) {
		e := &app.Event{ReceivedAt: at, Method: "POST", Path: "/" + slug, Endpoint: slug, Verdict: app.Verdict{Result: verdict}}
		if err := s.Record(context.Background(), e, nil); err != nil {
			t.Fatal(err)
		}
	}
	rec("gh", app.VerdictValid, now.Add(-3*time.Minute))
	rec("gh", app.VerdictInvalid, now.Add(-2*time.Minute))
	rec("gh", app.VerdictInvalid, now.Add(-1*time.Second))
	rec("", app.VerdictUnsigned, now)
	st, err := s.EndpointStats()
	if err != nil || len(st) != 2 {
		t.Fatalf("stats %+v %v", st, err)
	}
	gh := st[1]
	if st[0].Slug != "" || st[0].Received != 1 || st[0].Unsigned != 1 {
		t.Errorf("no-endpoint stats %+v", st[0])
	}
	if gh.Slug != "gh" || gh.Received != 3 || gh.Valid != 1 || gh.Invalid != 2 || !gh.LastReceived.Equal(now.Add(-time.Second).Truncate(0)) {
		t.Errorf("gh stats %+v", gh)
	}
	// A re-judge moves the counts.
	if _, err := s.Rejudge("gh", func(e *app.Event) app.Verdict { return app.Verdict{Result: app.VerdictValid} }); err != nil {
		t.Fatal(err)
	}
	st, _ = s.EndpointStats()
	if st[1].Valid != 3 || st[1].Invalid != 0 || st[1].Received != 3 {
		t.Errorf("after re-judging: %+v", st[1])
	}
	rate, err := s.Rate("*", now.Add(-59*time.Minute), time.Minute)
	if err != nil || len(rate) != 60 {
		t.Fatalf("rate %v %v", rate, err)
	}
	var total int64
	for _, n := range rate {
		total += n
	}
	if total != 4 || rate[len(rate)-1] < 1 {
		t.Errorf("rate over the last hour %v (total %d)", rate, total)
	}
	if r, _ := s.Rate("gh", now.Add(-59*time.Minute), time.Minute); r[len(r)-4]+r[len(r)-3]+r[len(r)-2]+r[len(r)-1] != 3 {
		t.Errorf("gh rate %v", r)
	}
	// Deliveries per target, and those that ended failed.
	d := &app.Delivery{TargetID: "t1", CreatedAt: now, State: app.Pending, NextAttemptAt: now, Request: app.Request{Method: "POST", URL: "http://x/"}}
	mustPutDelivery(t, s, d)
	d.State = app.Failed
	mustPutDelivery(t, s, d)
	mustPutDelivery(t, s, d) // saved again: not counted twice
	ts, _ := s.TargetStats()
	if len(ts) != 1 || ts[0].Deliveries != 1 || ts[0].Failures != 1 {
		t.Errorf("target stats %+v", ts)
	}
	if err := s.DeleteAll(); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.EndpointStats(); len(st) != 0 {
		t.Errorf("stats after Clear all: %+v", st)
	}
}
