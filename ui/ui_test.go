//go:build ci

package ui

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

func TestPostedRequestAppearsAndBodyShowsExactBytes(t *testing.T) {
	h := newHarness(t)
	body := `{"zeta":1,"alpha":{"b":[1,2.50,"x"]},"emoji":"✓"}`
	if got := h.send("POST", "/hooks/stripe?attempt=2", "application/json", []byte(body)); got != 200 {
		t.Fatalf("listener answered %d", got)
	}
	h.pumpUntil("the row to appear", func() bool { return h.rowFor("/hooks/stripe") != nil })
	r := h.rowFor("/hooks/stripe")
	if r.sum.Method != "POST" || r.sum.Query != "attempt=2" || r.method.Text != "POST" || r.status.Text != "200" {
		t.Errorf("row shows %q %q?%q status %q", r.method.Text, r.sum.Path, r.sum.Query, r.status.Text)
	}
	if r.method.Color != hltheme.Green || r.status.Color != hltheme.Green {
		t.Errorf("POST and 200 should be green, got %s and %s", r.method.Color, r.status.Color)
	}
	if !strings.Contains(r.meta.Text(), widgets.ClockTime(r.sum.ReceivedAt)) || !strings.Contains(r.meta.Text(), fmt.Sprintf("%d B", len(body))) {
		t.Errorf("row meta %q lacks time or size", r.meta.Text())
	}
	h.pumpUntil("the count", func() bool { return h.w.top.countLabel.Text != "0 events" })
	if got := h.w.top.countLabel.Text; got != "1 event" {
		t.Errorf("count label %q", got)
	}

	h.selectPath("/hooks/stripe")
	d := h.w.detail
	if want := h.srv.URL() + "/hooks/stripe?attempt=2"; d.url.Text != want {
		t.Errorf("detail URL %q, want %q", d.url.Text, want)
	}
	d.tabs.Select(d.bodyTab)
	var pretty bytes.Buffer
	json.Indent(&pretty, []byte(body), "", "  ")
	if got := h.bodyText(); got != pretty.String() {
		t.Errorf("pretty body:\n%s\nwant (key order kept):\n%s", got, pretty.String())
	}
	test.Tap(d.body.modes[modeText])
	h.pumpUntil("the raw text view", func() bool { return d.body.mode == modeText && d.body.view.Text() == body })

	test.Tap(d.body.copyBtn)
	h.pumpUntil("the clipboard to hold the body", func() bool { return h.app.Clipboard().Content() == body })
}

func TestFilterByMethodAndTextAndNoMatchState(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/orders", "application/json", []byte(`{"sku":"needle-42"}`))
	h.send("GET", "/health", "", nil)
	h.send("PUT", "/users/7", "application/json", []byte(`{"name":"hay"}`))
	h.pumpUntil("three rows", func() bool { return len(h.rows()) == 3 })

	paths := func() []string {
		var out []string
		for _, r := range h.rows() {
			out = append(out, r.sum.Method+" "+r.sum.Path)
		}
		return out
	}
	filter := func(s string) {
		h.w.filter.SetText(s)
		h.w.applyFilter(s) // Enter; typing applies the same after a short pause
	}

	filter("get")
	h.pumpUntil("the GET filter", func() bool { return fmt.Sprint(paths()) == "[GET /health]" })
	if !h.w.footer.Visible() || h.w.footer.Text != "1 of 3 match 'get'" {
		t.Errorf("footer %q", h.w.footer.Text)
	}

	filter("NEEDLE")
	h.pumpUntil("the body-text filter", func() bool { return fmt.Sprint(paths()) == "[POST /orders]" })

	h.w.filter.SetText("")
	test.Type(h.w.filter, "no such thing") // typed, not submitted: applies after a pause
	h.pumpUntil("the no-match state", func() bool { return h.w.noMatch.root.Visible() })
	if got := h.w.noMatch.label.Text; got != "No events match 'no such thing'" {
		t.Errorf("no-match label %q", got)
	}
	test.Tap(button(h.w.noMatch.root, "Clear filter"))
	h.pumpUntil("all rows back", func() bool { return len(h.rows()) == 3 })
	if h.w.filter.Text != "" || h.w.noMatch.root.Visible() {
		t.Errorf("after Clear filter: text %q, no-match shown %v", h.w.filter.Text, h.w.noMatch.root.Visible())
	}
	want := "[PUT /users/7 GET /health POST /orders]"
	if got := fmt.Sprint(paths()); got != want {
		t.Errorf("rows %s, want newest first %s", got, want)
	}
}

func TestDeleteKeyAsksThenRemovesAndSelectsNext(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/old", "text/plain", []byte("a"))
	h.send("POST", "/new", "text/plain", []byte("b"))
	h.pumpUntil("two rows", func() bool { return len(h.rows()) == 2 })
	h.selectPath("/new")

	h.key(fyne.KeyDelete)
	test.Tap(h.dialogButton("Cancel"))
	h.q.pump()
	if n, _ := h.st.Count(); n != 2 {
		t.Fatalf("Cancel deleted an event: %d left", n)
	}

	h.key(fyne.KeyDelete)
	test.Tap(h.dialogButton("Delete"))
	h.pumpUntil("the row to go", func() bool { return h.rowFor("/new") == nil && h.w.model.Len() == 1 })
	if n, _ := h.st.Count(); n != 1 {
		t.Fatalf("store holds %d events after delete, want 1", n)
	}
	h.pumpUntil("the next event to be selected", func() bool {
		return h.w.detail.ev != nil && h.w.detail.ev.Path == "/old"
	})
	h.countShows("1 event")

	// The detail header's delete button does the same.
	test.Tap(h.w.detail.del)
	test.Tap(h.dialogButton("Delete"))
	h.pumpUntil("the welcome screen", func() bool { return h.w.welcome.root.Visible() })
	if h.w.detail.ev != nil {
		t.Error("detail still shows a deleted event")
	}
}

func TestClearAllAsksThenEmptiesEverything(t *testing.T) {
	h := newHarness(t)
	h.sendN(3, 3)
	test.Tap(h.w.top.clearBtn)
	if !contains(labels(h.w.win.Canvas().Overlays().Top()), "Delete all 3 events") {
		t.Errorf("confirmation does not say how many events: %q", labels(h.w.win.Canvas().Overlays().Top()))
	}
	test.Tap(h.dialogButton("Delete all"))
	h.pumpUntil("the welcome screen", func() bool { return h.w.welcome.root.Visible() && !h.w.split.Visible() })
	if n, _ := h.st.Count(); n != 0 {
		t.Fatalf("%d events left", n)
	}
	h.countShows("0 events")
	if h.w.top.countLabel.Text != "0 events" || !h.w.top.clearBtn.Disabled() {
		t.Errorf("count %q, Clear all enabled=%v", h.w.top.countLabel.Text, !h.w.top.clearBtn.Disabled())
	}
	// Capture goes on: the next request shows up.
	h.send("POST", "/after", "text/plain", []byte("x"))
	h.pumpUntil("the new row", func() bool { return h.rowFor("/after") != nil })
}

func TestWelcomeTeachesURLAndSendsTestEvent(t *testing.T) {
	h := newHarness(t)
	we := h.w.welcome
	if !we.root.Visible() || h.w.split.Visible() {
		t.Fatal("an empty store should show the welcome screen")
	}
	texts := labels(we.root)
	url := h.srv.URL()
	for _, want := range []string{"Waiting for the first request", url, curlLine(url)} {
		if !contains(texts, want) {
			t.Errorf("welcome lacks %q; it shows %q", want, texts)
		}
	}
	if !strings.HasSuffix(curlLine(url), url+"/test") || !strings.Contains(curlLine(url), `-d '{"hello":"hooklens"}'`) {
		t.Errorf("curl line %q", curlLine(url))
	}

	test.Tap(button(we.root, "Copy URL"))
	if got := h.app.Clipboard().Content(); got != url {
		t.Errorf("clipboard %q, want %q", got, url)
	}
	test.Tap(button(we.root, "Copy"))
	if got := h.app.Clipboard().Content(); got != curlLine(url) {
		t.Errorf("clipboard %q, want the curl line", got)
	}
	test.Tap(we.send)
	if !we.send.Disabled() || !we.progress.Visible() {
		t.Error("sending should disable the button and show progress")
	}
	h.pumpUntil("the test event in the list", func() bool { return h.rowFor("/test") != nil })
	h.pumpUntil("the send result", func() bool { return we.status.Visible() })
	if !strings.Contains(we.status.Text, "200") {
		t.Errorf("status %q", we.status.Text)
	}
	if h.w.welcome.root.Visible() || !h.w.split.Visible() {
		t.Error("the welcome screen should give way to the list")
	}
	h.selectPath("/test")
	h.w.detail.tabs.Select(h.w.detail.bodyTab)
	h.bodyText()
	h.w.detail.body.setMode(modeText)
	h.pumpUntil("the test payload", func() bool { return h.w.detail.body.view.Text() == testPayload })
}

func TestTopBarCopiesURLAndPausesCapture(t *testing.T) {
	h := newHarness(t)
	if got := h.w.top.urlLabel.Text; got != h.srv.URL() {
		t.Errorf("URL label %q", got)
	}
	test.Tap(h.w.top.urlCopy)
	if got := h.app.Clipboard().Content(); got != h.srv.URL() {
		t.Errorf("clipboard %q after the URL copy button", got)
	}

	test.Tap(h.w.top.captureBtn)
	if h.srv.Capturing() || h.w.top.liveBadge.Text != "PAUSED" || !h.w.top.paused.Visible() || h.w.top.captureBtn.Text != "Resume" {
		t.Fatalf("after Pause: capturing=%v badge=%q banner=%v button=%q",
			h.srv.Capturing(), h.w.top.liveBadge.Text, h.w.top.paused.Visible(), h.w.top.captureBtn.Text)
	}
	if got := h.send("POST", "/while-paused", "text/plain", []byte("x")); got != 503 {
		t.Errorf("paused listener answered %d, want 503", got)
	}
	test.Tap(h.w.top.captureBtn)
	if !h.srv.Capturing() || h.w.top.paused.Visible() {
		t.Fatal("Resume did not resume")
	}
	h.send("POST", "/after-resume", "text/plain", []byte("x"))
	h.pumpUntil("the resumed row", func() bool { return h.rowFor("/after-resume") != nil })
	if h.w.model.Len() != 1 {
		t.Errorf("%d rows, want only the request made while capturing", h.w.model.Len())
	}
}

func TestSelectionFollowsEventIDWhenNewEventsArrive(t *testing.T) {
	h := newHarness(t)
	h.sendN(5, 5) // /n/0 .. /n/4, newest first: /n/4 is row 0
	h.selectPath("/n/2")
	id := h.w.selID
	if h.w.selIdx != 2 {
		t.Fatalf("selected row %d, want 2", h.w.selIdx)
	}
	for i := 5; i < 8; i++ {
		h.send("POST", fmt.Sprintf("/n/%d", i), "application/json", []byte(`{}`))
	}
	h.pumpUntil("eight rows", func() bool { return h.w.model.Len() == 8 })
	if h.w.selID != id || h.w.selIdx != 5 {
		t.Fatalf("selection id %d row %d, want id %d row 5", h.w.selID, h.w.selIdx, id)
	}
	h.pumpUntil("row 5 loaded", func() bool { _, ok := h.w.model.Peek(5); return ok })
	if s, _ := h.w.model.Peek(5); s.ID != id {
		t.Errorf("row 5 holds event %d, want the selected %d", s.ID, id)
	}
	if h.w.detail.ev == nil || h.w.detail.ev.ID != id {
		t.Error("the detail pane changed event")
	}
	// The list is at the top, so the new events show above.
	h.pumpUntil("the new rows on screen", func() bool { rs := h.rows(); return len(rs) > 0 && rs[0].index == 0 })
	if got := h.rows()[0].sum.Path; got != "/n/7" {
		t.Errorf("top row %s, want the newest /n/7", got)
	}

	// Up and Down move the selection by rows.
	h.key(fyne.KeyUp)
	h.pumpUntil("the detail of /n/3", func() bool { return h.w.detail.ev != nil && h.w.detail.ev.Path == "/n/3" })
	h.key(fyne.KeyDown)
	h.key(fyne.KeyDown)
	h.pumpUntil("the detail of /n/1", func() bool { return h.w.detail.ev != nil && h.w.detail.ev.Path == "/n/1" })
}

// A selected event pushed below the screen by new ones is not scrolled to:
// the list stays on the newest rows, highlights no other row and makes no
// new rows for it (Fyne's List.Select scrolls to the row it marks, which
// made and dropped a screenful of rows on every update); scrolled back
// into view, its row is highlighted again and follows later arrivals.
func TestSelectedEventPushedOutOfViewIsNotScrolledTo(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	h.sendN(30, 30) // a screenful: /n/29 is row 0
	h.selectPath("/n/27")
	id := h.w.selID
	h.pumpUntil("row 2 highlighted", func() bool { return slices.Equal(h.markedRows(), []int{2}) })
	onScreen := len(h.rows())
	if onScreen >= 30 {
		t.Fatalf("%d rows on screen: the window shows them all", onScreen)
	}
	used := map[fyne.CanvasObject]bool{} // the row widgets the list shows rows in
	update := h.w.list.UpdateItem
	h.w.list.UpdateItem = func(i int, o fyne.CanvasObject) { used[o] = true; update(i, o) }
	walk(h.w.list, func(o fyne.CanvasObject) {
		if r, ok := o.(*eventRow); ok {
			used[r] = true
		}
	})
	before := len(used)

	// Six updates of 20 events each, the list at the top.
	for b := 0; b < 6; b++ {
		for i := 0; i < 20; i++ {
			if err := h.st.Record(ctx, &app.Event{Method: "POST", Path: fmt.Sprintf("/more/%d", b*20+i)}, nil); err != nil {
				t.Fatal(err)
			}
		}
		h.pumpUntil("the update", func() bool { return h.w.model.Len() == 30+20*(b+1) })
	}
	h.pumpUntil("the newest row on screen", func() bool {
		rs := h.rows()
		return len(rs) > 0 && rs[0].index == 0 && rs[0].sum.Path == "/more/119"
	})
	if h.w.selID != id || h.w.selIdx != 122 {
		t.Fatalf("selection id %d row %d, want id %d row 122", h.w.selID, h.w.selIdx, id)
	}
	if n := h.w.model.Len(); n != 150 {
		t.Fatalf("%d rows, want 150", n)
	}
	if h.w.detail.ev == nil || h.w.detail.ev.ID != id {
		t.Error("the detail pane changed event")
	}
	if off := h.w.list.GetScrollOffset(); off != 0 {
		t.Errorf("the list scrolled to %v, want it kept at the top", off)
	}
	if got := h.markedRows(); len(got) != 0 {
		t.Errorf("rows %v highlighted; the selected row 122 is off screen", got)
	}
	if made := len(used) - before; made > 0 {
		t.Errorf("%d new row widgets used during six updates (%d rows on screen): rows are made and dropped per update", made, onScreen)
	}
	top, _ := h.w.model.Peek(0)
	for _, r := range h.rows() {
		if want := top.ID - uint64(r.index); r.sum.ID != want {
			t.Errorf("row %d shows event %d, want %d", r.index, r.sum.ID, want)
		}
	}

	// Scrolled back to it, it is highlighted where it is, without a jump.
	pitch := h.w.rowPitch()
	h.w.list.ScrollToOffset(120 * pitch)
	off := h.w.list.GetScrollOffset()
	h.pumpUntil("row 122 highlighted", func() bool { return slices.Equal(h.markedRows(), []int{122}) })
	h.pumpUntil("/n/27 on screen", func() bool { return h.rowFor("/n/27") != nil })
	if r := h.rowFor("/n/27"); r.index != 122 {
		t.Fatalf("the selected /n/27 is at row %d, want 122", r.index)
	}
	if got := h.w.list.GetScrollOffset(); got != off {
		t.Errorf("scroll offset %v after highlighting, want %v kept", got, off)
	}
	// Later arrivals move the highlight with it, and the view with both.
	for i := 0; i < 3; i++ {
		h.send("POST", fmt.Sprintf("/late/%d", i), "application/json", []byte(`{}`))
	}
	h.pumpUntil("153 rows", func() bool { return h.w.model.Len() == 153 })
	h.pumpUntil("row 125 highlighted", func() bool { return slices.Equal(h.markedRows(), []int{125}) })
	h.pumpUntil("/n/27 at row 125", func() bool { r := h.rowFor("/n/27"); return r != nil && r.index == 125 })
	if got, want := h.w.list.GetScrollOffset(), off+3*pitch; got != want {
		t.Errorf("scroll offset %v after three arrivals, want %v: the view moved", got, want)
	}
}

// A burst of more than a page while the list shows the top (the store
// late with a group, the window busy) lands aligned, and the rows below the
// first page are read too, so scrolling down finds them: lined up by id
// up to two pages (150), by the count beyond (260).
func TestBurstAtTheTopLandsAlignedWithTheRowsBelowIt(t *testing.T) {
	for _, n := range []int{150, 260} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			h := newHarness(t)
			ctx := t.Context()
			h.sendN(10, 10)
			h.pumpUntil("the top row", func() bool { _, ok := h.w.model.held(0); return ok })
			// n more while the window does no UI work, then it catches up.
			for i := 0; i < n; i++ {
				if err := h.st.Record(ctx, &app.Event{Method: "POST", Path: fmt.Sprintf("/burst/%d", i)}, nil); err != nil {
					t.Fatal(err)
				}
			}
			h.pumpUntil("all rows", func() bool { return h.w.model.Len() == 10+n })
			want := min(n+10, 200)
			h.pumpUntil("the rows of the burst held", func() bool {
				for i := 0; i < want; i++ {
					if _, ok := h.w.model.held(i); !ok {
						return false
					}
				}
				return true
			})
			top, _ := h.w.model.held(0)
			for i := 0; i < want; i++ {
				if s, _ := h.w.model.held(i); s.ID != top.ID-uint64(i) {
					t.Fatalf("row %d holds event %d, want %d", i, s.ID, top.ID-uint64(i))
				}
			}
			if want := fmt.Sprintf("/burst/%d", n-1); top.Path != want {
				t.Errorf("row 0 holds %s, want the newest %s", top.Path, want)
			}
			if n := h.w.model.cachedRows(); n > 300 {
				t.Errorf("%d rows held; the list must page", n)
			}
		})
	}
}

// markedRows are the rows on screen the list draws as selected.
func (h *harness) markedRows() []int {
	sel := h.w.list.Theme().Color(theme.ColorNameSelection, h.app.Settings().ThemeVariant())
	var out []int
	walk(h.w.list, func(o fyne.CanvasObject) {
		item, ok := o.(fyne.Widget)
		if !ok {
			return
		}
		objs := test.WidgetRenderer(item).Objects()
		if len(objs) != 2 {
			return
		}
		bg, ok := objs[0].(*canvas.Rectangle)
		row, isRow := objs[1].(*eventRow)
		if ok && isRow && bg.Visible() && bg.FillColor == sel {
			out = append(out, row.index)
		}
	})
	slices.Sort(out)
	return out
}

func TestScrolledListKeepsVisibleRowsWhenEventsArrive(t *testing.T) {
	h := newHarness(t)
	h.sendN(60, 60)
	pitch := h.w.rowPitch()
	h.w.list.ScrollToOffset(20 * pitch)
	h.pumpUntil("rows 20.. on screen", func() bool {
		rs := h.rows()
		return len(rs) > 0 && rs[0].index >= 19
	})
	top := h.rows()[0].index
	before := h.rows()[0].sum.ID
	for i := 60; i < 63; i++ {
		h.send("POST", fmt.Sprintf("/n/%d", i), "application/json", []byte(`{}`))
	}
	h.pumpUntil("63 rows", func() bool { return h.w.model.Len() == 63 })
	h.pumpUntil("the rows to reload", func() bool {
		rs := h.rows()
		return len(rs) > 0 && rs[0].index == top+3
	})
	if got := h.rows()[0].sum.ID; got != before {
		t.Errorf("top visible row shows event %d, want %d (the view jumped)", got, before)
	}
}

func TestBinaryBodyShowsHexDumpWithoutBlocking(t *testing.T) {
	h := newHarness(t)
	// The first event opens by itself; the blob is opened by a tap below.
	h.send("POST", "/first", "text/plain", []byte("x"))
	h.pumpUntil("the first event to open", func() bool { return h.w.selID != 0 })
	data := make([]byte, 2<<20)
	rand.New(rand.NewSource(1)).Read(data)
	h.send("PUT", "/blob", "application/octet-stream", data)
	h.pumpUntil("the row", func() bool { return h.rowFor("/blob") != nil })
	test.Tap(h.rowFor("/blob"))
	h.stepUntil("the detail", func() bool { return h.w.detail.ev != nil && h.w.detail.ev.Path == "/blob" })
	b := h.w.detail.body
	// The event is shown before its body is formatted: the tab says so.
	if !b.busy.Visible() || b.view.Visible() {
		t.Error("a 2 MiB body should show progress while it is formatted off the UI goroutine")
	}
	h.w.detail.tabs.Select(h.w.detail.bodyTab)
	text := h.bodyText()
	if b.mode != modeHex {
		t.Fatalf("mode %s, want Hex for binary", b.mode)
	}
	want := fmt.Sprintf("00000000: %02x%02x %02x%02x %02x%02x %02x%02x %02x%02x %02x%02x %02x%02x %02x%02x  ",
		data[0], data[1], data[2], data[3], data[4], data[5], data[6], data[7],
		data[8], data[9], data[10], data[11], data[12], data[13], data[14], data[15])
	if first := b.view.Line(0); !strings.HasPrefix(first, want) || len(first) != len(want)+16 {
		t.Errorf("first hex line\n%q\nwant prefix\n%q", first, want)
	}
	if len(text) > widgets.ViewLimit {
		t.Errorf("view holds %d bytes, more than the %d limit", len(text), widgets.ViewLimit)
	}
	// The dump is paged: bytes 1–61,680 of 2,097,152, then the next page
	// goes on at offset 61,680 (0xf0f0).
	perPage := widgets.ViewLimit / widgets.HexLineLen * 16
	if !b.pageBar.Visible() || b.pageInfo.Text != fmt.Sprintf("bytes 1–%s of 2,097,152", app.GroupDigits(perPage)) {
		t.Errorf("page bar shown %v saying %q", b.pageBar.Visible(), b.pageInfo.Text)
	}
	if len(b.notes.Objects) != 0 {
		t.Errorf("notes %q for a whole, unencoded body", labels(b.notes))
	}
	if !b.prevPage.Disabled() || b.nextPage.Disabled() {
		t.Error("on the first page Previous should be disabled and Next enabled")
	}
	test.Tap(b.nextPage)
	if got, want := b.view.Line(0), fmt.Sprintf("%08x: %02x%02x", perPage, data[perPage], data[perPage+1]); !strings.HasPrefix(got, want) {
		t.Errorf("second page starts %q, want %q", got, want)
	}
	if b.pageInfo.Text != fmt.Sprintf("bytes %s–%s of 2,097,152", app.GroupDigits(perPage+1), app.GroupDigits(2*perPage)) || b.prevPage.Disabled() {
		t.Errorf("second page says %q", b.pageInfo.Text)
	}
	test.Tap(b.prevPage)
	if !strings.HasPrefix(b.view.Line(0), "00000000: ") {
		t.Errorf("Previous went to %q", b.view.Line(0))
	}
	if !b.modes[modePretty].Disabled() || !b.modes[modeText].Disabled() {
		t.Error("Pretty and Text should be disabled for binary data")
	}
}

func TestGzipBodyIsShownDecoded(t *testing.T) {
	h := newHarness(t)
	plain := `{"event":"chat.started","n":1}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(plain))
	zw.Close()
	h.send("POST", "/gz", "application/json", gz.Bytes(), "Content-Encoding", "gzip")
	h.selectPath("/gz")
	h.w.detail.tabs.Select(h.w.detail.bodyTab)
	var pretty bytes.Buffer
	json.Indent(&pretty, []byte(plain), "", "  ")
	if got := h.bodyText(); got != pretty.String() {
		t.Errorf("body %q, want decoded %q", got, pretty.String())
	}
	note := fmt.Sprintf("decoded from gzip (%d bytes on the wire)", gz.Len())
	if !contains(labels(h.w.detail.body.notes), note) {
		t.Errorf("notes %q lack %q", labels(h.w.detail.body.notes), note)
	}
}

func TestHeadersInWireOrderCopyableAndQueryDecoded(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/h?name=J%C3%BCrgen&tag=a&tag=b+c", "text/plain", []byte("x"),
		"X-Trace", "first", "X-Signature", "t=1,v1=abc", "X-Trace", "second")
	h.selectPath("/h")
	d := h.w.detail
	var traces []string
	for _, r := range d.headers.rows {
		if r[0] == "X-Trace" {
			traces = append(traces, r[1])
		}
	}
	if fmt.Sprint(traces) != "[first second]" {
		t.Errorf("repeated header values %q, want both in order", traces)
	}
	if d.headersTab.Text != fmt.Sprintf("Headers (%d)", len(d.ev.Headers)) {
		t.Errorf("tab title %q", d.headersTab.Text)
	}
	d.tabs.Select(d.headersTab)
	test.Tap(button(d.headers.root, "Copy all"))
	clip := h.app.Clipboard().Content()
	if !strings.Contains(clip, "X-Trace: first\n") || !strings.Contains(clip, "X-Signature: t=1,v1=abc\n") ||
		strings.Index(clip, "X-Trace: first") > strings.Index(clip, "X-Trace: second") {
		t.Errorf("Copy all gave %q", clip)
	}
	// One value per row.
	var row *fyne.Container
	walk(d.headers.list, func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok && row == nil {
			if _, ok := c.Layout.(*kvLayout); ok && c.Objects[0].(*widget.Label).Text == "X-Signature" {
				row = c
			}
		}
	})
	if row == nil {
		t.Fatal("no X-Signature row in the Headers tab")
	}
	if got := row.Objects[1].(*widget.Label).Text; got != "t=1,v1=abc" {
		t.Errorf("X-Signature row shows %q", got)
	}
	test.Tap(row.Objects[2].(*widget.Button))
	if got := h.app.Clipboard().Content(); got != "t=1,v1=abc" {
		t.Errorf("row copy gave %q", got)
	}

	want := [][2]string{{"name", "Jürgen"}, {"tag", "a"}, {"tag", "b c"}}
	if fmt.Sprint(d.query.rows) != fmt.Sprint(want) || d.queryTab.Text != "Query (3)" {
		t.Errorf("query rows %q title %q", d.query.rows, d.queryTab.Text)
	}
}

func TestKeyboardFilterShortcutAndEscape(t *testing.T) {
	h := newHarness(t)
	h.sendN(2, 2)
	c := h.w.win.Canvas()
	ctrlF := &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	h.w.keys.TypedShortcut(ctrlF)
	if c.Focused() != h.w.filter {
		t.Fatal("Ctrl+F did not focus the filter box")
	}
	test.Type(h.w.filter, "/n/1")
	h.w.filter.OnSubmitted(h.w.filter.Text)
	h.pumpUntil("one row", func() bool { return len(h.rows()) == 1 })
	h.w.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.pumpUntil("both rows", func() bool { return len(h.rows()) == 2 })
	if h.w.filter.Text != "" {
		t.Errorf("Escape left %q in the filter", h.w.filter.Text)
	}

	// Ctrl+F still works while the body text has focus.
	h.selectPath("/n/0")
	h.w.detail.tabs.Select(h.w.detail.bodyTab)
	h.bodyText()
	c.Focus(h.w.detail.body.view.Focusable())
	h.w.detail.body.view.Focusable().TypedShortcut(ctrlF)
	if c.Focused() != h.w.filter {
		t.Error("Ctrl+F from the body view did not focus the filter box")
	}
}

func TestWindowGeometryIsRemembered(t *testing.T) {
	h := newHarness(t)
	if got := h.w.split.Offset; got != defaultSplit {
		t.Errorf("default split %v", got)
	}
	h.w.win.Resize(fyne.NewSize(1000, 700))
	h.w.split.SetOffset(0.5)
	h.w.win.Close()
	for key, want := range map[string]string{keyWidth: "1000", keyHeight: "700", keySplit: "0.5"} {
		if got, err := h.st.Setting(key); err != nil || got != want {
			t.Errorf("setting %s = %q, %v; want %q", key, got, err, want)
		}
	}
	h.open()
	if got := h.w.split.Offset; got != 0.5 {
		t.Errorf("restored split %v, want 0.5", got)
	}
	if got := h.w.setting(keyWidth, defaultWidth, 480, 10000); got != 1000 {
		t.Errorf("restored width %v", got)
	}
}

func TestListNeverLoadsEveryEvent(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	for i := 0; i < 1500; i++ {
		e := &app.Event{Method: "POST", Path: fmt.Sprintf("/bulk/%d", i), Body: []byte("{}"), Size: 2}
		if err := h.st.Record(ctx, e, nil); err != nil {
			t.Fatal(err)
		}
	}
	h.pumpUntil("1500 rows", func() bool { return h.w.model.Len() == 1500 })
	pitch := h.w.rowPitch()
	for _, row := range []int{0, 400, 900, 1480, 700} {
		h.w.list.ScrollToOffset(float32(row) * pitch)
		h.pumpUntil(fmt.Sprintf("row %d on screen", row), func() bool {
			rs := h.rows()
			return len(rs) > 0 && rs[0].index >= row-1 && rs[0].index <= row+1
		})
		if got := h.rows()[0].sum.Path; got != fmt.Sprintf("/bulk/%d", 1499-h.rows()[0].index) {
			t.Errorf("row %d shows %s", h.rows()[0].index, got)
		}
		if n := h.w.model.cachedRows(); n > 300 {
			t.Fatalf("%d summaries cached after scrolling to row %d; the list must page", n, row)
		}
	}
}

func TestBurstWhileScrolledKeepsRowsAlignedAndInPlace(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	for i := 0; i < 200; i++ {
		if err := h.st.Record(ctx, &app.Event{Method: "POST", Path: fmt.Sprintf("/seed/%d", i)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	h.pumpUntil("200 rows", func() bool { return h.w.model.Len() == 200 })
	pitch := h.w.rowPitch()
	h.w.list.ScrollToOffset(50 * pitch)
	h.pumpUntil("row 50 on top", func() bool { rs := h.rows(); return len(rs) > 0 && rs[0].index == 50 })
	topID := h.rows()[0].sum.ID

	// 300 requests from 10 clients while the window keeps refreshing.
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for c := 0; c < 10; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := 0; i < 30; i++ {
					resp, err := http.Post(fmt.Sprintf("%s/burst/%d/%d", h.srv.URL(), c, i), "text/plain", strings.NewReader("x"))
					if err == nil {
						resp.Body.Close()
					}
				}
			}(c)
		}
		wg.Wait()
	}()
	h.pumpUntil("the burst to finish", func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
	h.pumpUntil("500 rows", func() bool { return h.w.model.Len() == 500 })
	h.pumpUntil("the visible rows to settle", func() bool { rs := h.rows(); return len(rs) > 0 && rs[0].index == 350 })
	if got := h.rows()[0].sum.ID; got != topID {
		t.Errorf("top row shows event %d, want %d: the view moved during the burst", got, topID)
	}
	// Every visible row holds the event that belongs at its index.
	maxID := uint64(0)
	h.pumpUntil("row 0 loaded", func() bool {
		s, ok := h.w.model.Item(0)
		maxID = s.ID
		return ok
	})
	for _, r := range h.rows() {
		if want := maxID - uint64(r.index); r.sum.ID != want {
			t.Errorf("row %d shows event %d, want %d", r.index, r.sum.ID, want)
		}
	}
}

func TestSaveBodyWritesDecodedBytes(t *testing.T) {
	h := newHarness(t)
	plain := []byte("line one\nline two\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	h.send("POST", "/save", "text/plain", gz.Bytes(), "Content-Encoding", "gzip")
	h.selectPath("/save")
	h.w.detail.tabs.Select(h.w.detail.bodyTab)
	h.bodyText()

	test.Tap(h.w.detail.body.saveBtn)
	if h.w.win.Canvas().Overlays().Top() == nil {
		t.Error("Save body… did not open a file dialog")
	}
	path := filepath.Join(t.TempDir(), "body.txt")
	wc, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	h.w.detail.body.saveTo(wc)
	h.pumpUntil("the file", func() bool {
		got, err := os.ReadFile(path)
		return err == nil && bytes.Equal(got, plain)
	})
}

func TestDemoTitle(t *testing.T) {
	h := newHarness(t)
	if got := h.w.win.Title(); got != "Hooklens" {
		t.Errorf("title %q", got)
	}
	demo := newWindow(h.app, Deps{Events: h.st, Settings: h.st, Listener: h.srv, Demo: true}, h.q.do)
	defer demo.win.Close()
	if got := demo.win.Title(); got != "Hooklens — demo data" {
		t.Errorf("demo title %q", got)
	}
}

func TestEventsRemovedElsewhereReloadWithoutJumping(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	for i := 0; i < 100; i++ {
		if err := h.st.Record(ctx, &app.Event{Method: "POST", Path: fmt.Sprintf("/r/%d", i)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	h.pumpUntil("100 rows", func() bool { return h.w.model.Len() == 100 })
	h.w.list.ScrollToOffset(30 * h.w.rowPitch())
	h.pumpUntil("row 30 on top", func() bool { rs := h.rows(); return len(rs) > 0 && rs[0].index == 30 })
	off := h.w.list.GetScrollOffset()
	// Retention removes the five oldest; the store says nothing, and the
	// list notices at its next recount (every recheckInterval).
	oldest, _ := h.st.Events(app.Page{Offset: 95, Limit: 5})
	for _, s := range oldest {
		if err := h.st.Delete(s.ID); err != nil {
			t.Fatal(err)
		}
	}
	h.w.model.Recount()
	h.pumpUntil("95 rows", func() bool { return h.w.model.Len() == 95 })
	h.pumpUntil("rows reloaded", func() bool { rs := h.rows(); return len(rs) > 0 && rs[0].index == 30 })
	if got := h.w.list.GetScrollOffset(); got != off {
		t.Errorf("scroll offset %v, want %v kept", got, off)
	}
	if got := h.rows()[0].sum.Path; got != "/r/69" {
		t.Errorf("row 30 shows %s, want /r/69", got)
	}
	h.countShows("95 events")
}

// The first request after the welcome screen opens by itself: a new user who
// runs the curl line sees the body at once, without another click.
func TestFirstRequestOpensByItself(t *testing.T) {
	h := newHarness(t)
	body := `{"a":1}`
	h.send("POST", "/anything", "application/x-www-form-urlencoded", []byte(body))
	h.pumpUntil("the event to open", func() bool { return h.w.selID != 0 })
	d := h.w.detail
	want := h.srv.URL() + "/anything"
	h.pumpUntil("the detail to show the event", func() bool { return d.url.Text == want })
	previewed := false
	for _, o := range test.LaidOutObjects(d.tabs) {
		if l, ok := o.(*widget.Label); ok && l.Text == body {
			previewed = true
		}
	}
	if !previewed {
		t.Error("the Overview does not preview the body")
	}
	d.tabs.Select(d.bodyTab)
	h.bodyText() // formatted off the UI goroutine: wait for it before switching modes
	test.Tap(d.body.modes[modeText])
	h.pumpUntil("the exact body", func() bool { return d.body.mode == modeText && d.body.view.Text() == body })

	// Later requests do not take the selection away.
	first := h.w.selID
	h.send("POST", "/second", "text/plain", []byte("x"))
	h.pumpUntil("the second row", func() bool { return h.rowFor("/second") != nil })
	if h.w.selID != first {
		t.Errorf("selection moved from %d to %d when a new event arrived", first, h.w.selID)
	}
}

// Under a stream the top bar's count changes at most every countInterval
// (each distinct text drawn is a texture Fyne keeps for a minute), and it
// ends at the true total.
func TestCountChangesAtMostFourTimesASecondUnderAStream(t *testing.T) {
	h := newHarness(t)
	// A change is seen when the harness looks, which may be late (a send
	// can take a while on a busy machine): each change keeps when it was
	// first seen and when the text before it was last seen, so the real
	// change lies between the two.
	type change struct {
		at, before time.Time
		text       string
	}
	var changes []change
	var lastSeen time.Time
	watch := func() {
		h.q.pump()
		now := time.Now()
		if text := h.w.top.countLabel.Text; len(changes) == 0 || changes[len(changes)-1].text != text {
			changes = append(changes, change{now, lastSeen, text})
		}
		lastSeen = now
	}
	const n = 120
	for i := range n {
		h.send("POST", "/s/"+strconv.Itoa(i), "application/json", []byte(`{"i":1}`))
		watch()
		time.Sleep(5 * time.Millisecond)
	}
	deadline := time.Now().Add(3 * time.Second)
	for h.w.top.countLabel.Text != "120 events" && time.Now().Before(deadline) {
		watch()
		time.Sleep(2 * time.Millisecond)
	}
	watch()
	if got := h.w.top.countLabel.Text; got != "120 events" {
		t.Fatalf("count label %q after the stream, want 120 events", got)
	}
	if len(changes) < 3 {
		t.Errorf("the count changed %d times during a stream of over half a second: %v", len(changes), changes)
	}
	for i := 2; i < len(changes); i++ {
		// The most the two changes can have been apart: from when the
		// text before the earlier one was last seen to when the later one
		// was first seen. Under the interval, they were surely too close.
		if gap := changes[i].at.Sub(changes[i-1].before); gap < countInterval-20*time.Millisecond {
			t.Errorf("count changed at most %s after the last change (%q → %q), want at least %s", gap, changes[i-1].text, changes[i].text, countInterval)
		}
	}
}
