package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/store"
)

// `hooklens events --filter EXPR` gives the events the window shows for
// EXPR: beside a running instance (through the local API) and on the file
// alike, both equal to the store query the window's list makes
// (ui.TestFilterLanguageInTheWindow checks the window shows that query's
// rows for the same expressions).
func TestEventsFilterGivesWhatTheWindowShows(t *testing.T) {
	dir := shortDir(t)
	l := startListen(t, dir)
	if out, errs, code := runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "github", "--scheme", "github", "--secret", "s3cret"); code != 0 {
		t.Fatalf("endpoint add: %d %q %q", code, out, errs)
	}
	post := func(path string, headers ...string) {
		req, _ := http.NewRequest("POST", l.url+path, strings.NewReader(`{"ref":"main"}`))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		l.next(t)
	}
	post("/github/push", "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=00")    // invalid
	post("/github/ping", "X-GitHub-Event", "ping")                                        // unsigned
	post("/other/push", "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=00")     // no endpoint
	post("/github/issues", "X-GitHub-Event", "issues", "X-Hub-Signature-256", "sha256=1") // invalid

	ids := func(out string) []string {
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var ev struct{ ID string }
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("events --json line %q: %v", line, err)
			}
			got = append(got, ev.ID)
		}
		return got
	}
	exprs := []string{"verdict:invalid endpoint:github", "endpoint:github -verdict:invalid", "type:push", "is:failure -endpoint:_"}
	beside := map[string][]string{}
	for _, expr := range exprs {
		out, errs, code := runHooklens(t, "events", "--data", dir, "--filter", expr, "--json")
		if code != 0 {
			t.Fatalf("events --filter %q beside listen: exit %d %q", expr, code, errs)
		}
		beside[expr] = ids(out)
	}
	if got := beside["verdict:invalid endpoint:github"]; len(got) != 2 {
		t.Fatalf("verdict:invalid endpoint:github gives %v, want the two invalid github events", got)
	}

	l.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- l.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("listen did not stop")
	}

	for _, expr := range exprs {
		out, errs, code := runHooklens(t, "events", "--data", dir, "--filter", expr, "--json")
		if code != 0 {
			t.Fatalf("events --filter %q on the file: exit %d %q", expr, code, errs)
		}
		if got := ids(out); !slices.Equal(got, beside[expr]) {
			t.Errorf("%q: on the file %v, beside listen %v", expr, got, beside[expr])
		}
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, expr := range exprs {
		f, err := app.ParseFilter(expr, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		rows, err := st.Events(app.Page{Filter: f, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var window []string
		for _, r := range rows {
			window = append(window, app.FormatID(r.ID))
		}
		if !slices.Equal(window, beside[expr]) {
			t.Errorf("%q: the window's query gives %v, events --filter %v", expr, window, beside[expr])
		}
	}
}

// A long listing through a filter that scans (free text) lists every match
// once, newest first, on the file and beside a running instance: pages go
// on below the last id listed instead of re-reading the events before
// them for every page (which made `events --filter` over a million events
// take minutes).
func TestEventsFilterListsLongResultsOnce(t *testing.T) {
	dir := shortDir(t)
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 1; i <= 1300; i++ {
		body := `{"n":` + strconv.Itoa(i) + `}`
		if i%2 == 0 {
			body = `{"n":` + strconv.Itoa(i) + `,"nut":"walnut"}`
		}
		e := &app.Event{ReceivedAt: time.Now(), Method: "POST", Path: "/hook", Body: []byte(body), Size: int64(len(body))}
		if err := st.Record(t.Context(), e, nil); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			want = append(want, app.FormatID(e.ID))
		}
	}
	st.Close()
	slices.Reverse(want)
	check := func(where string) {
		t.Helper()
		out, errs, code := runHooklens(t, "events", "--data", dir, "--filter", "walnut", "--json", "--limit", "100000")
		if code != 0 {
			t.Fatalf("events --filter walnut %s: exit %d %q", where, code, errs)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var ev struct{ ID string }
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			got = append(got, ev.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %d events listed (first %v), want the %d matches newest first", where, len(got), got[:min(3, len(got))], len(want))
		}
	}
	check("on the file")
	l := startListen(t, dir)
	check("beside listen")
	l.cmd.Process.Signal(syscall.SIGTERM)
	l.cmd.Wait()
}
