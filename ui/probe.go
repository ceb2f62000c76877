//go:build ci

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

// What the event list shows, for tests and benchmarks outside this package
// (the receive → row benchmark in package main) that build the real window
// with Fyne's test driver. Each runs on the UI goroutine.

// ListLen is the number of rows the event list has.
func (w *Window) ListLen() int { return w.model.Len() }

// ListedRows calls fn with every row of the event list that holds its
// event: the rows within the list's length whose page has arrived, which
// the list draws as soon as they are scrolled into view. It reads the
// list's cache without touching it.
func (w *Window) ListedRows(fn func(i int, s app.EventSummary)) {
	n := w.model.Len()
	for _, s := range w.model.segs {
		for j, it := range s.items {
			if i := s.start + j; i < n {
				fn(i, it)
			}
		}
	}
}

// ScreenRows calls fn with every row on screen that shows an event (not a
// placeholder waiting for its page), as the list widget last drew it.
func (w *Window) ScreenRows(fn func(i int, s app.EventSummary)) {
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch c := o.(type) {
		case *eventRow:
			if c.loaded {
				fn(c.index, c.sum)
			}
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
	visit(w.list)
}

// Close closes the window as the user would.
func (w *Window) Close() { w.win.Close() }
