//go:build ci

package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// menuLabels are the labels of m's items.
func menuLabels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if !it.IsSeparator {
			out = append(out, it.Label)
		}
	}
	return out
}

// cut lists the visible objects under root whose right or bottom edge lies
// outside the window.
func cut(w *Window, root fyne.CanvasObject) []string {
	size := w.win.Canvas().Size()
	drv := fyne.CurrentApp().Driver()
	var out []string
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if _, ok := o.(fyne.Widget); ok {
			p := drv.AbsolutePositionForObject(o)
			s := o.Size()
			if p.X+s.Width > size.Width+0.5 || p.Y+s.Height > size.Height+0.5 || p.X < -0.5 {
				out = append(out, fmt.Sprintf("%T %q at %v size %v", o, text(o), p, s))
			}
		}
		switch c := o.(type) {
		case *container.Scroll, *widget.List, *widget.Entry, *filterEntry, *eventList:
			// Scrolled content is meant to reach past the view.
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				visit(ch)
			}
		case *fyne.Container:
			for _, ch := range c.Objects {
				visit(ch)
			}
		}
	}
	visit(root)
	return out
}

func text(o fyne.CanvasObject) string {
	switch v := o.(type) {
	case *widget.Button:
		return v.Text
	case *widget.Label:
		return v.Text
	}
	return ""
}

// At 800 × 560 (the minimum) the top bar collapses into its More menu
// instead of cutting anything: every action is on the bar, inside the
// window, or in the menu, and the one in the menu works.
func TestNarrowWindowCutsNothing(t *testing.T) {
	h := newDeliveryHarness(t)
	h.send("POST", "/a", "application/json", []byte(`{"a":1}`))
	h.pumpUntil("a row", func() bool { return len(h.rows()) == 1 })
	h.selectPath("/a")
	top := h.w.top
	actions := map[string]*widget.Button{"Fire": top.fireBtn, "Endpoints": top.endpointsBtn, "Targets": top.targetsBtn,
		"Deliveries": top.deliveriesBtn, "Pause": top.captureBtn, "Clear all": top.clearBtn}

	for _, size := range []fyne.Size{fyne.NewSize(1400, 900), minWindowSize, fyne.NewSize(1000, 700)} {
		h.w.win.Resize(size)
		h.q.pump()
		if got := h.w.win.Canvas().Size(); got != size {
			t.Fatalf("window %v, want %v", got, size)
		}
		if min := h.w.win.Content().MinSize(); min.Width > size.Width || min.Height > size.Height {
			t.Errorf("at %v the content needs %v", size, min)
		}
		if c := cut(h.w, h.w.win.Content()); len(c) > 0 {
			t.Errorf("at %v cut: %v", size, c)
		}
		menu := menuLabels(top.moreMenu())
		collapsed := 0
		for name, b := range actions {
			onBar := b.Visible()
			inMenu := contains(menu, name)
			if onBar == inMenu {
				t.Errorf("at %v %s: on the bar %v, in the menu %v; want exactly one", size, name, onBar, inMenu)
			}
			if inMenu {
				collapsed++
			}
		}
		for _, name := range []string{"Dashboard", "Settings"} {
			if !contains(menu, name) {
				t.Errorf("at %v the More menu lacks %s: %v", size, name, menu)
			}
		}
		switch size {
		case minWindowSize:
			if collapsed == 0 {
				t.Errorf("at %v nothing collapsed; the bar is wider than the window", size)
			}
			if !top.captureBtn.Visible() {
				t.Error("Pause collapsed before less used actions")
			}
		case fyne.NewSize(1400, 900):
			if collapsed != 0 {
				t.Errorf("at %v %d actions collapsed; all fit", size, collapsed)
			}
		}
	}

	// A collapsed action works from the menu.
	h.w.win.Resize(minWindowSize)
	h.q.pump()
	m := top.moreMenu()
	var deliveries *fyne.MenuItem
	for _, it := range m.Items {
		if it.Label == "Deliveries" {
			deliveries = it
		}
	}
	if deliveries == nil {
		t.Fatalf("Deliveries is not in the menu at 800 px: %v", menuLabels(m))
	}
	deliveries.Action()
	h.pumpUntil("the Deliveries window", func() bool { return h.w.ctl.delivView != nil })
}
