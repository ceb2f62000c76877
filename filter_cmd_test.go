package main

import (
	"encoding/json"
	"net/http"
	"slices"
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
