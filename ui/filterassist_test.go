//go:build ci

package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// suggestions are the completions under the filter box, as shown.
func (h *harness) suggestions() []string {
	var out []string
	if !h.w.complete.panel.Visible() {
		return nil
	}
	for _, r := range h.w.complete.rows {
		walk(r, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.TextStyle.Monospace {
				out = append(out, l.Text)
			}
		})
	}
	return out
}

func (h *harness) shownPaths() []string {
	var out []string
	for _, r := range h.rows() {
		out = append(out, r.sum.Path)
	}
	return out
}

func seedFilterEvents(t *testing.T, h *harness) {
	t.Helper()
	for _, slug := range []string{"github", "gitlab"} {
		if err := h.st.PutEndpoint(app.Endpoint{Slug: slug, Scheme: "github", Secrets: []string{"s3cret"}}); err != nil {
			t.Fatal(err)
		}
	}
	h.w.loadSlugs()
	h.send("POST", "/github/push", "application/json", []byte(`{"ref":"main"}`), "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=00")
	h.send("POST", "/gitlab/mr", "application/json", []byte(`{"a":1}`))
	h.send("POST", "/plain", "application/json", []byte(`{"b":2}`))
	h.pumpUntil("three rows and two endpoint chips", func() bool {
		return len(h.rows()) == 3 && h.w.chips.chip("endpoint:gitlab") != nil
	})
}

// The box offers the filter language's keys as they are typed, then the
// key's values and the endpoint slugs; Down and Enter take one.
func TestFilterCompletionOffersKeysAndSlugs(t *testing.T) {
	h := newHarness(t)
	seedFilterEvents(t, h)
	f := h.w.filter
	h.w.win.Canvas().Focus(f)

	test.Type(f, "ver")
	if got := h.suggestions(); !slices.Equal(got, []string{"verdict:"}) {
		t.Fatalf("typing ver offers %v, want verdict:", got)
	}
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.Text != "verdict:" {
		t.Fatalf("Enter on the suggestion left %q", f.Text)
	}
	if got := h.suggestions(); !slices.Equal(got, []string{"verdict:valid", "verdict:invalid", "verdict:unsigned", "verdict:unverified"}) {
		t.Fatalf("after verdict: the box offers %v", got)
	}
	test.Type(f, "in")
	if got := h.suggestions(); !slices.Equal(got, []string{"verdict:invalid"}) {
		t.Fatalf("verdict:in offers %v", got)
	}
	test.Tap(h.w.complete.rows[0])
	if f.Text != "verdict:invalid" || h.w.complete.shown() {
		t.Fatalf("tapping the suggestion: %q, still offering %v", f.Text, h.suggestions())
	}

	test.Type(f, " endpoint:git")
	if got := h.suggestions(); !slices.Equal(got, []string{"endpoint:github", "endpoint:gitlab"}) {
		t.Fatalf("endpoint:git offers %v, want the two slugs", got)
	}
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.w.complete.shown() || f.Text == "" {
		t.Fatalf("Esc closes the suggestions first (text %q, shown %v)", f.Text, h.w.complete.shown())
	}
	// Every key of the language's table is offered on an empty box.
	f.SetText("")
	h.w.win.Canvas().Focus(f)
	test.Type(f, "-")
	if got := h.suggestions(); len(got) != maxSuggestions || got[0] != "-method:" {
		t.Errorf("a lone - offers %v", got)
	}
}

// The chips put their terms into the expression (and take them out), and
// the list follows; an endpoint chip replaces another endpoint's.
func TestFilterChipsEditTheExpression(t *testing.T) {
	h := newHarness(t)
	seedFilterEvents(t, h)

	test.Tap(h.w.chips.chip("is:failure").btn)
	if h.w.filter.Text != "is:failure" {
		t.Fatalf("failures chip wrote %q", h.w.filter.Text)
	}
	h.pumpUntil("only the invalid event", func() bool { return slices.Equal(h.shownPaths(), []string{"/github/push"}) })
	if h.w.chips.chip("is:failure").btn.Importance != widget.HighImportance {
		t.Error("the failures chip does not show as on")
	}
	test.Tap(h.w.chips.chip("is:failure").btn)
	test.Tap(h.w.chips.chip("verdict:unsigned").btn)
	if h.w.filter.Text != "verdict:unsigned" {
		t.Fatalf("unsigned chip after failures off: %q", h.w.filter.Text)
	}
	h.pumpUntil("the unsigned events", func() bool { return slices.Equal(h.shownPaths(), []string{"/plain", "/gitlab/mr"}) })
	test.Tap(h.w.chips.chip("endpoint:github").btn)
	test.Tap(h.w.chips.chip("endpoint:gitlab").btn)
	if h.w.filter.Text != "verdict:unsigned endpoint:gitlab" {
		t.Fatalf("two endpoint chips: %q, want one endpoint at a time", h.w.filter.Text)
	}
	h.pumpUntil("gitlab's unsigned event", func() bool { return slices.Equal(h.shownPaths(), []string{"/gitlab/mr"}) })
	if h.w.chips.chip("endpoint:github").btn.Importance == widget.HighImportance {
		t.Error("the github chip still shows as on")
	}
	// Typing a term lights its chip.
	h.w.filter.SetText("verdict:unsigned")
	if h.w.chips.chip("verdict:unsigned").btn.Importance != widget.HighImportance || h.w.chips.chip("endpoint:gitlab").btn.Importance == widget.HighImportance {
		t.Error("chips do not follow the typed expression")
	}
}

// A filter that hides the shown event closes it (the newest match opens);
// a pinned one stays.
func TestDetailFollowsTheFilterUnlessPinned(t *testing.T) {
	h := newHarness(t)
	seedFilterEvents(t, h)
	h.selectPath("/plain")

	apply := func(expr string) {
		h.w.filter.SetText(expr)
		h.w.applyFilter(expr)
	}
	apply("endpoint:gitlab")
	h.pumpUntil("the detail to follow the filter", func() bool {
		return h.w.detail.ev != nil && h.w.detail.ev.Path == "/gitlab/mr"
	})
	if h.w.selID != h.w.detail.ev.ID {
		t.Error("the selection and the detail differ")
	}

	test.Tap(h.w.pinBtn)
	if !h.w.pinned || h.w.pinBtn.Text != "Pinned" {
		t.Fatalf("pin: %v %q", h.w.pinned, h.w.pinBtn.Text)
	}
	apply("endpoint:github")
	h.pumpUntil("github's row", func() bool { return slices.Equal(h.shownPaths(), []string{"/github/push"}) })
	if h.w.detail.ev == nil || h.w.detail.ev.Path != "/gitlab/mr" {
		t.Fatalf("a pinned event left the detail pane: %+v", h.w.detail.ev)
	}
	// Unpinning while the filter hides it closes it.
	test.Tap(h.w.pinBtn)
	h.pumpUntil("the match to open", func() bool { return h.w.detail.ev != nil && h.w.detail.ev.Path == "/github/push" })
}

// The shown event, the tab and the body view come back when the window
// opens again on the same store.
func TestViewRestoredOnReopen(t *testing.T) {
	h := newHarness(t)
	seedFilterEvents(t, h)
	h.selectPath("/gitlab/mr")
	id := h.w.detail.ev.ID
	h.w.detail.tabs.Select(h.w.detail.bodyTab)
	h.bodyText()
	h.w.detail.body.setMode(modeHex)
	h.pumpUntil("the hex view", func() bool { return strings.Contains(h.bodyText(), "7b22 6122") })
	h.w.detail.headers.toggleRaw()
	h.w.win.Close()

	h.open()
	h.pumpUntil("the remembered event", func() bool { return h.w.detail.ev != nil && h.w.detail.ev.ID == id })
	if got := h.w.detail.tabs.Selected(); got != h.w.detail.bodyTab {
		t.Errorf("tab after reopen %q, want Body", got.Text)
	}
	h.pumpUntil("the hex view again", func() bool { return h.w.detail.body.mode == modeHex && strings.Contains(h.bodyText(), "7b22 6122") })
	if !h.w.detail.headers.raw.Visible() {
		t.Error("the Headers tab is back in Table view; it was Raw")
	}
	h.pumpUntil("its row selected", func() bool { return h.w.selIdx == 1 })

	// A remembered event deleted since: the newest opens instead.
	h.w.win.Close()
	if err := h.st.Delete(id); err != nil {
		t.Fatal(err)
	}
	h.open()
	h.pumpUntil("the newest to open", func() bool { return h.w.detail.ev != nil && h.w.detail.ev.Path == "/plain" })
}

// A form body's Fields view and the Wrap choice come back on reopen too.
func TestFieldsViewAndWrapRestoredOnReopen(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/twilio/sms", "application/x-www-form-urlencoded", []byte("From=%2B15005550006&Body=hello+there"))
	h.selectPath("/twilio/sms")
	d := h.w.detail
	d.tabs.Select(d.bodyTab)
	h.pumpUntil("the body", func() bool { return d.body.bi != nil })
	d.body.setMode(modeFields)
	d.body.wrap.SetChecked(true)
	h.w.win.Close()

	h.open()
	d = h.w.detail
	h.pumpUntil("the Fields view again", func() bool { return d.ev != nil && d.body.mode == modeFields })
	if !d.body.wrap.Checked {
		t.Error("Wrap is off after reopen; it was on")
	}
}
