//go:build ci

package ui

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app/capture"
	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/store"
)

// uiQueue stands in for the Fyne main goroutine: background goroutines
// queue UI work with do and the test goroutine runs it in pump, so the
// window is only ever touched from one goroutine, as in the real app.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

func (q *uiQueue) pump() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

// harness is a window on a real bbolt store with a real listener.
type harness struct {
	t   *testing.T
	app fyne.App
	st  *store.Store
	srv *capture.Server
	q   *uiQueue
	w   *Window
	dq  *deliver.Queue // nil unless made by newDeliveryHarness
	// retention backs the Settings dialog when set before open.
	retention Retention
	// team backs the Team control when set before open.
	team Team
	// exchange backs the Import box and bundles when set before open.
	exchange Exchange
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, false)
}

// newDeliveryHarness is a window with a running delivery queue on the same
// store, so resends, the Deliveries window and targets are offered.
func newDeliveryHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, true)
}

func newHarnessWith(t *testing.T, deliveries bool, opts ...func(*harness)) *harness {
	t.Helper()
	h := &harness{t: t, app: test.NewTempApp(t), q: &uiQueue{}}
	for _, o := range opts {
		o(h)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	h.st = st
	srv := capture.New(st, st, capture.Config{Addr: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		t.Fatalf("starting the listener: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	h.srv = srv
	if deliveries {
		h.dq = deliver.New(st, deliver.Options{})
		h.dq.Start(context.Background())
		t.Cleanup(h.dq.Stop)
	}
	h.open()
	return h
}

// open builds the window (again, for tests of remembered settings).
func (h *harness) open() {
	d := Deps{Events: h.st, Settings: h.st, Listener: h.srv, Endpoints: h.st, Verdicts: h.st, Stats: h.st}
	if h.dq != nil {
		d.Queue, d.Deliveries = h.dq, h.st
	}
	if h.retention != nil {
		d.Retention = h.retention
	}
	if h.team != nil {
		d.Team = h.team
	}
	if h.exchange != nil {
		d.Exchange = h.exchange
	}
	h.w = newWindow(h.app, d, h.q.do)
	h.w.win.Resize(fyne.NewSize(1280, 800))
	w := h.w
	h.t.Cleanup(func() {
		if !w.closed {
			w.win.Close()
		}
	})
	h.pumpUntil("the first count", func() bool { return w.model.counted })
}

// step runs the oldest queued UI function, if any, and reports whether it did.
func (q *uiQueue) step() bool {
	q.mu.Lock()
	if len(q.fns) == 0 {
		q.mu.Unlock()
		return false
	}
	fn := q.fns[0]
	q.fns = q.fns[1:]
	q.mu.Unlock()
	fn()
	return true
}

// stepUntil runs queued UI work one function at a time until cond holds,
// for asserting a state that later queued work would replace.
func (h *harness) stepUntil(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if !h.q.step() {
			if time.Now().After(deadline) {
				h.t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// pumpUntil runs queued UI work until cond holds, failing after 15 s.
func (h *harness) pumpUntil(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		h.q.pump()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// countShows waits for the top bar's count to read want: it changes at
// most every countInterval.
func (h *harness) countShows(want string) {
	h.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for h.q.pump(); h.w.top.countLabel.Text != want; h.q.pump() {
		if time.Now().After(deadline) {
			h.t.Fatalf("count label %q, want %q", h.w.top.countLabel.Text, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// send makes a real HTTP request to the listener and returns the status.
func (h *harness) send(method, path, contentType string, body []byte, headers ...string) int {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL()+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// sendN posts n events with paths /n/0 ... and waits until the list has want rows.
func (h *harness) sendN(n int, want int) {
	h.t.Helper()
	for i := 0; i < n; i++ {
		h.send("POST", "/n/"+strconv.Itoa(i), "application/json", []byte(`{"i":`+strconv.Itoa(i)+`}`))
	}
	h.pumpUntil("the list to show the new events", func() bool { return h.w.model.Len() == want })
}

// walk visits every visible object under o, using the widgets' live renderers.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch c := o.(type) {
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			walk(ch, fn)
		}
	case *fyne.Container:
		for _, ch := range c.Objects {
			walk(ch, fn)
		}
	}
}

// rows returns the list rows on screen that show an event, top to bottom.
func (h *harness) rows() []*eventRow {
	var out []*eventRow
	walk(h.w.list, func(o fyne.CanvasObject) {
		if r, ok := o.(*eventRow); ok && r.loaded {
			out = append(out, r)
		}
	})
	// Pooled rows are not kept in screen order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].index < out[j-1].index; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// rowFor returns the row on screen whose path is path, or nil.
func (h *harness) rowFor(path string) *eventRow {
	for _, r := range h.rows() {
		if r.sum.Path == path {
			return r
		}
	}
	return nil
}

// button finds a visible button with the given text under o.
func button(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// dialogButton finds a button in the topmost dialog.
func (h *harness) dialogButton(text string) *widget.Button {
	h.t.Helper()
	top := h.w.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatalf("no dialog is open (looking for %q)", text)
	}
	b := button(top, text)
	if b == nil {
		h.t.Fatalf("the dialog has no %q button", text)
	}
	return b
}

// key sends a key press to the window as if nothing had focus.
func (h *harness) key(name fyne.KeyName) {
	h.w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name})
}

// selectPath taps the row showing path and waits for the detail to show it.
func (h *harness) selectPath(path string) {
	h.t.Helper()
	h.pumpUntil("a row for "+path, func() bool { return h.rowFor(path) != nil })
	test.Tap(h.rowFor(path))
	h.pumpUntil("the detail of "+path, func() bool {
		return h.w.detail.ev != nil && h.w.detail.ev.Path == path
	})
}

// widgets.BodyText waits for the Body tab to finish formatting and returns its text.
func (h *harness) bodyText() string {
	h.t.Helper()
	b := h.w.detail.body
	h.pumpUntil("the body to be formatted", func() bool { return b.bi != nil && b.view.Visible() })
	return b.view.Text()
}

// labels returns the texts of the visible labels under o.
func labels(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	})
	return out
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// openEndpoints taps Endpoints and waits for the list to be filled.
func (h *harness) openEndpoints() {
	h.t.Helper()
	test.Tap(h.w.top.endpointsBtn)
	h.pumpUntil("the endpoint list", func() bool { return h.w.ctl.epList != nil && h.w.ctl.epList.Loaded() })
}
