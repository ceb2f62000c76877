//go:build ci

package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/store"
)

// importMany stores n events; every 1000th body holds "needle".
func importMany(t *testing.T, st *store.Store, n int) {
	t.Helper()
	evs := make([]*app.Event, n)
	for i := range evs {
		body := fmt.Sprintf(`{"event":"order.paid","n":%d}`, i)
		if i%1000 == 0 {
			body = fmt.Sprintf(`{"event":"order.paid","note":"needle %d"}`, i)
		}
		evs[i] = &app.Event{Method: "POST", Path: fmt.Sprintf("/shop/%d", i), Body: []byte(body), Size: int64(len(body)),
			Response: app.Response{Status: 200}, Verdict: app.Verdict{Result: app.VerdictUnsigned}}
	}
	if err := st.ImportAll(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

// A free-text filter runs as a background search: the bar under the list
// says how far it got, the matches fill the list, and at the end it says
// how many matched.
func TestTextFilterSearchesInTheBackground(t *testing.T) {
	h := newHarness(t)
	importMany(t, h.st, 30000)
	h.w.filter.SetText("needle")
	h.w.applyFilter("needle")
	h.stepUntil("the search under way", func() bool {
		return h.w.search.root.Visible() && strings.HasPrefix(h.w.search.label.Text, "Searching… ") && h.w.search.cancel.Visible()
	})
	h.pumpUntil("the search done", func() bool { return h.w.search.label.Text == "30 matching events in 30,000 events" })
	if h.w.search.cancel.Visible() || h.w.search.progress.Visible() {
		t.Error("Cancel and the progress bar still show after the search ended")
	}
	h.pumpUntil("the matches in the list", func() bool {
		rows := h.rows()
		return len(rows) > 0 && rows[0].sum.Path == "/shop/29000"
	})
	for _, r := range h.rows() {
		if !strings.HasSuffix(r.sum.Path, "000") && r.sum.Path != "/shop/0" {
			t.Errorf("row %s does not match needle", r.sum.Path)
		}
	}
	if h.w.noMatch.root.Visible() {
		t.Error("the no-match state shows beside matches")
	}
	// Clearing the filter leaves search mode.
	h.w.clearFilter()
	h.pumpUntil("all events again", func() bool { return !h.w.search.root.Visible() && h.w.model.Len() == 30000 })
}

// gatedSearch is the real store whose Search waits for the test before
// passing on each chunk's progress, so the search is reliably mid-way when
// Cancel is tapped.
type gatedSearch struct {
	*store.Store
	next chan struct{}
}

func (g gatedSearch) Search(ctx context.Context, f app.Filter, fn func(app.SearchProgress) bool) error {
	return g.Store.Search(ctx, f, func(p app.SearchProgress) bool {
		select {
		case <-g.next:
			return fn(p)
		case <-ctx.Done():
			return false
		}
	})
}

func TestCancelSearch(t *testing.T) {
	h := newHarness(t)
	importMany(t, h.st, 30000)
	g := gatedSearch{Store: h.st, next: make(chan struct{})}
	w := newWindow(h.app, Deps{Events: g, Settings: h.st, Listener: h.srv, Endpoints: h.st, Verdicts: h.st, Stats: h.st}, h.q.do)
	w.win.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() { w.win.Close() })
	h.pumpUntil("the first count", func() bool { return w.model.counted })
	w.filter.SetText("needle")
	w.applyFilter("needle")
	g.next <- struct{}{} // one chunk
	h.pumpUntil("the first chunk", func() bool {
		return strings.HasPrefix(w.search.label.Text, "Searching… 4,096 of 30,000 scanned")
	})
	test.Tap(w.search.cancel)
	h.pumpUntil("the search cancelled", func() bool {
		return strings.HasPrefix(w.search.label.Text, "Search cancelled after 4,096 of 30,000 events")
	})
	if w.search.cancel.Visible() {
		t.Error("Cancel still shows after cancelling")
	}
	// The newest 4,096 events hold 4 needles (29000, 28000, 27000, 26000); they stay listed.
	h.pumpUntil("the first chunk's matches listed", func() bool { return w.model.Len() == 4 })
	if !strings.HasSuffix(w.search.label.Text, "· 4 matching events") {
		t.Errorf("search bar says %q", w.search.label.Text)
	}
}
