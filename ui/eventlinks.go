package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Events and the deliveries made from them (forwards, resends) link to each
// other: a delivery's "resend of event #7" selects event 7 in the main
// window, and an event's Overview lists its deliveries, each opening in the
// Deliveries window.

// maxEventDeliveries is how many of an event's deliveries its Overview lists.
const maxEventDeliveries = 10

// showEvent brings the main window forward with event id selected, clearing
// a filter that hides it.
func (w *Window) showEvent(id uint64) {
	w.win.RequestFocus()
	events := w.d.Events
	go func() {
		e, err := events.Event(id)
		w.do(func() {
			if w.closed {
				return
			}
			if err != nil {
				w.top.showError(fmt.Errorf("showing event %d: %w", id, err))
				return
			}
			if !w.current.IsZero() && !w.current.Match(app.EventCandidate{E: e}) {
				w.clearFilter()
			}
			if w.selID != id && w.pinned {
				w.setPinned(false)
			}
			w.selID, w.selIdx = id, -1
			w.syncing = true
			w.list.UnselectAll()
			w.syncing = false
			w.pinBtn.Show()
			w.detail.show(id)
			w.findSelection()
		})
	}()
}

// showDeliveriesOf opens the Deliveries window filtered to event id's.
func (w *Window) showDeliveriesOf(id uint64) {
	v := w.ctl.showDeliveries()
	if v == nil {
		return
	}
	expr := "event:" + app.FormatID(id)
	v.filter.SetText(expr)
	v.applyFilter(expr)
}

// deliveriesSection is the Overview's list of the deliveries made from e,
// filled in once read; empty (no heading) when there are none.
func (d *detail) deliveriesSection(e *app.Event) fyne.CanvasObject {
	box := container.NewVBox()
	w := d.w
	if w.d.Deliveries == nil || w.d.Queue == nil {
		return box
	}
	st := w.d.Deliveries
	id, gen := e.ID, d.gen
	go func() {
		list, err := st.Deliveries(app.DeliveryPage{EventID: id, Limit: maxEventDeliveries + 1})
		w.do(func() {
			if w.closed || d.gen != gen || err != nil || len(list) == 0 {
				return
			}
			box.Add(widgets.Heading("Deliveries"))
			rows := container.New(layout.NewFormLayout())
			for i, s := range list {
				if i == maxEventDeliveries {
					break
				}
				s := s
				link := widget.NewHyperlink(fmt.Sprintf("%s #%s", s.Kind, app.FormatID(s.ID)), nil)
				link.OnTapped = func() {
					if v := w.ctl.showDeliveries(); v != nil {
						v.selectID(s.ID)
					}
				}
				what := app.StateText(s.State, s.Reason)
				if s.LastStatus > 0 && !strings.Contains(what, fmt.Sprint(s.LastStatus)) {
					what += fmt.Sprintf(" · %d", s.LastStatus)
				}
				line := widgets.Caption(widgets.ClockTime(s.CreatedAt) + " · " + app.RedactURL(s.URL) + " · " + what)
				line.Wrapping = fyne.TextWrapWord
				state := widgets.NewStateBadge()
				widgets.SetState(state, s.State)
				rows.Add(container.NewHBox(container.NewCenter(state), link))
				rows.Add(line)
			}
			box.Add(rows)
			all := widget.NewButtonWithIcon("All of them in Deliveries", theme.ListIcon(), func() { w.showDeliveriesOf(id) })
			all.Importance = widget.LowImportance
			if len(list) > maxEventDeliveries {
				box.Add(container.NewHBox(all))
			}
			box.Add(widget.NewSeparator())
			box.Refresh()
		})
	}()
	return box
}
