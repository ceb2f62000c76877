package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/store"
)

// demo --events fills a data dir with varied events: several providers
// and endpoints, every verdict kind, more than one method and status,
// spread over the days asked for; then compact keeps them all, and
// refuses while a listen holds the directory.
func TestDemoFillsAndCompactKeepsEveryEvent(t *testing.T) {
	dir := shortDir(t)
	out, errs, code := runHooklens(t, "demo", "--events", "3000", "--days", "3", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "stored 3000 demo events in ") || !strings.Contains(out, "events/s") {
		t.Fatalf("demo: exit %d, %q %q", code, out, errs)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := st.Events(app.Page{Limit: 3000})
	if err != nil || len(sums) != 3000 {
		t.Fatalf("%d events, %v", len(sums), err)
	}
	seen := map[string]map[string]bool{"endpoint": {}, "verdict": {}, "method": {}, "status": {}}
	oldest, newest := sums[len(sums)-1].ReceivedAt, sums[0].ReceivedAt
	for _, s := range sums {
		seen["endpoint"][s.Endpoint] = true
		seen["verdict"][s.Verdict.Result] = true
		seen["method"][s.Method] = true
		seen["status"][strings.Repeat("x", s.Status/100)] = true
	}
	for _, ep := range []string{"salesiq", "signalzen", "ziwo", "bigin", "github", "stripe"} {
		if !seen["endpoint"][ep] {
			t.Errorf("no %s event among %v", ep, seen["endpoint"])
		}
	}
	for _, v := range []string{app.VerdictValid, app.VerdictInvalid, app.VerdictUnsigned} {
		if !seen["verdict"][v] {
			t.Errorf("no %s verdict among %v", v, seen["verdict"])
		}
	}
	if len(seen["method"]) < 2 || len(seen["status"]) < 2 {
		t.Errorf("methods %v, status classes %v: want variety", seen["method"], seen["status"])
	}
	if span := newest.Sub(oldest); span < 70*time.Hour || span > 73*time.Hour {
		t.Errorf("events span %v, want about 3 days", span)
	}
	before := map[uint64]string{}
	for _, s := range sums[:50] {
		e, _ := st.Event(s.ID)
		before[s.ID] = string(e.Body)
	}
	st.Close()

	l := startListen(t, dir)
	if _, errs, code := runHooklens(t, "compact", "--data", dir); code != 1 || !strings.Contains(errs, "a Hooklens is running on") {
		t.Fatalf("compact beside a running listen: exit %d, %q", code, errs)
	}
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()

	out, errs, code = runHooklens(t, "compact", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "hooklens.db rewritten: ") || !strings.Contains(errs, "compacting ") {
		t.Fatalf("compact: exit %d, %q %q", code, out, errs)
	}
	st, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.Count(); n != 3000 {
		t.Fatalf("%d events after compact", n)
	}
	for id, body := range before {
		if e, err := st.Event(id); err != nil || string(e.Body) != body {
			t.Fatalf("event %d after compact: %v", id, err)
		}
	}
}
