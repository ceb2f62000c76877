//go:build ci

package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// The window's filter box reads the filter language `hooklens events
// --filter` reads, and shows the same events; a term it cannot read is
// explained under the box and the list keeps its last good filter.
func TestFilterLanguageInTheWindow(t *testing.T) {
	h := newHarness(t)
	if err := h.st.PutEndpoint(app.Endpoint{Slug: "github", Scheme: "github", Secrets: []string{"s3cret"}}); err != nil {
		t.Fatal(err)
	}
	h.send("POST", "/github/push", "application/json", []byte(`{"ref":"main"}`), "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=00")
	h.send("POST", "/github/ping", "application/json", []byte(`{"zen":"x"}`), "X-GitHub-Event", "ping")
	h.send("POST", "/other", "application/json", []byte(`{"event":"conversation.rated"}`))
	h.send("GET", "/health", "", nil)
	h.pumpUntil("four rows", func() bool { return len(h.rows()) == 4 })

	// Rows say the provider's event, so they can be told apart.
	for path, typ := range map[string]string{"/github/push": "push", "/github/ping": "ping", "/other": "conversation.rated"} {
		if meta := (&eventRowRenderer{r: h.rowFor(path)}).metaText(); !strings.HasPrefix(meta, typ+" · ") {
			t.Errorf("row %s says %q, want the event type %s first", path, meta, typ)
		}
	}
	if meta := (&eventRowRenderer{r: h.rowFor("/health")}).metaText(); strings.Contains(meta, "·  ·") {
		t.Errorf("row without a type: %q", meta)
	}

	shown := func() []string {
		var out []string
		for _, r := range h.rows() {
			out = append(out, r.sum.Path)
		}
		return out
	}
	cli := func(expr string) []string {
		f, err := app.ParseFilter(expr, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		rows, err := h.st.Events(app.Page{Filter: f, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Path)
		}
		return out
	}
	for expr, want := range map[string][]string{
		"verdict:invalid endpoint:github":        {"/github/push"},
		"endpoint:github -type:push":             {"/github/ping"},
		"type:conversation.rated":                {"/other"},
		"method:GET":                             {"/health"},
		"-endpoint:_ header:X-GitHub-Event=ping": {"/github/ping"},
	} {
		h.w.filter.SetText(expr)
		h.w.applyFilter(expr)
		h.pumpUntil("the filter "+expr, func() bool { return slices.Equal(shown(), want) })
		if got := cli(expr); !slices.Equal(got, want) {
			t.Errorf("%q: the store (events --filter) gives %v, the window %v", expr, got, want)
		}
	}

	h.w.filter.SetText("method:GET")
	h.w.applyFilter("method:GET")
	h.pumpUntil("method:GET", func() bool { return fmt.Sprint(shown()) == "[/health]" })
	h.w.filter.SetText("colour:red")
	h.w.applyFilter("colour:red")
	h.pumpUntil("the filter error", func() bool { return h.w.filterErr.Visible() })
	if !strings.Contains(h.w.filterErr.Text, "colour: is not a filter key") {
		t.Errorf("filter error %q", h.w.filterErr.Text)
	}
	if got := fmt.Sprint(shown()); got != "[/health]" {
		t.Errorf("rows after a bad filter %s; want the last good filter's", got)
	}
}
