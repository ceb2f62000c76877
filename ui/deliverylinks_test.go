//go:build ci

package ui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// deliverEvent resends event e to url (through target t when set) with the
// real queue and returns the stored delivery.
func (h *harness) deliverEvent(e *app.Event, url string, t *app.Target) *app.Delivery {
	h.t.Helper()
	d := &app.Delivery{Kind: app.KindResend, EventID: e.ID, Request: app.Request{Method: "POST", URL: url, Body: e.Body}}
	if t != nil {
		d.TargetID = t.ID
	}
	if err := h.dq.Send(context.Background(), d); err != nil && d.ID == 0 {
		h.t.Fatalf("sending: %v", err)
	}
	got, err := h.st.Delivery(d.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

// The Deliveries window reads the filter language's delivery keys; its
// "resend of event #N" selects that event in the main window, and an
// event's Overview lists its deliveries as links.
func TestDeliveriesFilterAndLinks(t *testing.T) {
	h := newDeliveryHarness(t)
	ok := newReceiver(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	t.Cleanup(bad.Close)
	shop := app.Target{Name: "Shop", URL: ok.URL, Enabled: true}
	if err := h.st.PutTarget(&shop); err != nil {
		t.Fatal(err)
	}
	h.send("POST", "/first", "application/json", []byte(`{"n":1}`))
	h.send("POST", "/second", "application/json", []byte(`{"n":2}`))
	h.pumpUntil("two rows", func() bool { return len(h.rows()) == 2 })
	first, _ := h.st.Event(h.rowFor("/first").sum.ID)
	second, _ := h.st.Event(h.rowFor("/second").sum.ID)
	d1 := h.deliverEvent(first, ok.URL+"/in", &shop)
	d2 := h.deliverEvent(second, bad.URL+"/in", nil)
	if d1.State != app.Delivered || d2.State != app.Failed {
		t.Fatalf("deliveries ended %s and %s", d1.State, d2.State)
	}

	v := h.w.ctl.showDeliveries()
	h.pumpUntil("both deliveries", func() bool { return v.model.Len() == 2 && len(v.targets) == 1 })
	shownIDs := func() []uint64 {
		var out []uint64
		for i := 0; i < v.model.Len(); i++ {
			if s, ok := v.model.Peek(i); ok {
				out = append(out, s.ID)
			}
		}
		return out
	}
	for expr, want := range map[string][]uint64{
		"state:failed":                    {d2.ID},
		"target:shop":                     {d1.ID},
		"event:" + app.FormatID(first.ID): {d1.ID},
		"-state:failed kind:resend":       {d1.ID},
		"status:5xx":                      {d2.ID},
		"":                                {d2.ID, d1.ID},
		`"` + strings.TrimPrefix(bad.URL, "http://") + `"`: {d2.ID},
	} {
		v.filter.SetText(expr)
		v.applyFilter(expr)
		h.pumpUntil("the filter "+expr, func() bool { return v.model.counted && slices.Equal(shownIDs(), want) })
	}
	v.filter.SetText("state:lost")
	v.applyFilter("state:lost")
	if !v.filterErr.Visible() || !strings.Contains(v.filterErr.Text, "use pending, delivered, failed, gone, cancelled") {
		t.Errorf("bad state: %q", v.filterErr.Text)
	}
	v.filter.SetText("nothing-like-this")
	v.applyFilter("nothing-like-this")
	h.pumpUntil("no match", func() bool { return v.noMatch.Visible() })

	// Completion offers target names and states.
	v.filter.SetText("")
	v.win.Canvas().Focus(v.filter)
	test.Type(v.filter, "target:S")
	if len(v.complete.items) != 1 || v.complete.items[0].Label != "target:Shop" {
		t.Errorf("target:S offers %+v", v.complete.items)
	}

	// The delivery's event link selects the event in the main window, even
	// when the window's filter hides it.
	h.w.filter.SetText("/second")
	h.w.applyFilter("/second")
	h.pumpUntil("the main list filtered", func() bool { return len(h.rows()) == 1 })
	v.selectID(d1.ID)
	h.pumpUntil("the delivery shown", func() bool { return v.pane.Delivery() != nil && v.pane.EventLink.Visible() })
	if want := "Resend of event #" + app.FormatID(first.ID); v.pane.EventLink.Text != want {
		t.Errorf("link %q, want %q", v.pane.EventLink.Text, want)
	}
	tapLink(v.pane.EventLink)
	h.pumpUntil("event 1 selected", func() bool {
		return h.w.detail.ev != nil && h.w.detail.ev.ID == first.ID && h.w.selIdx >= 0
	})
	if h.w.filter.Text != "" {
		t.Errorf("the filter that hid the event is still %q", h.w.filter.Text)
	}

	// The event's Overview lists its delivery; its link opens it.
	var link *widget.Hyperlink
	h.pumpUntil("the Overview's deliveries", func() bool {
		link = nil
		walk(h.w.detail.overview.Content, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Hyperlink); ok && l.Text == "resend #"+app.FormatID(d1.ID) {
				link = l
			}
		})
		return link != nil
	})
	v.selectID(d2.ID)
	h.pumpUntil("the other delivery", func() bool { return v.pane.Delivery() != nil && v.pane.Delivery().ID == d2.ID })
	tapLink(link)
	h.pumpUntil("the linked delivery", func() bool { return v.pane.Delivery() != nil && v.pane.Delivery().ID == d1.ID })
}

// tapLink does what tapping a hyperlink's text does (the test canvas does
// not measure the text a tap position is checked against).
func tapLink(l *widget.Hyperlink) {
	if !l.Visible() || l.OnTapped == nil {
		panic("the link is hidden or does nothing")
	}
	l.OnTapped()
}
