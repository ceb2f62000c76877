package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/dialogs"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// --- the window ----------------------------------------------------------------

// deliveriesView is the Deliveries window: every delivery newest first with
// its state, target, attempts and last status, live as they change; the
// selected one with each of its attempts.
type deliveriesView struct {
	w       *Window
	win     fyne.Window
	model   *pager[app.DeliverySummary]
	list    *widget.List
	pane    *dialogs.DeliveryPane
	count   *widget.Label
	errText *widget.Label
	empty   fyne.CanvasObject
	targets map[string]app.Target

	// The filter box (the delivery keys of the filter language).
	filter    *filterEntry
	filterErr *widget.Label
	complete  *completer
	applied   string
	noMatch   *widget.Label

	selID     uint64
	selGen    uint64
	kick      chan struct{}
	stop      chan struct{}
	cancelSub func()
	closed    bool
}

// showDeliveries opens the Deliveries window, or brings it forward.
func (c *controller) showDeliveries() *deliveriesView {
	w := c.w
	if w.d.Queue == nil || w.d.Deliveries == nil {
		return nil
	}
	if v := w.ctl.delivView; v != nil {
		v.win.RequestFocus()
		return v
	}
	v := &deliveriesView{w: w, targets: map[string]app.Target{},
		kick: make(chan struct{}, 1), stop: make(chan struct{})}
	v.model = deliveryPages(w.d.Deliveries, w.do)
	v.model.onLoaded = v.changed
	v.model.onGrow = func(int) { v.changed() }
	v.model.onReset = func(bool) { v.changed() }
	v.model.onError = func(err error) {
		v.errText.SetText(fmt.Sprintf("could not read the deliveries: %v", err))
		v.errText.Show()
	}
	v.win = w.app.NewWindow("Deliveries — Hooklens")
	v.win.SetContent(v.build())
	v.win.Resize(fyne.NewSize(1280, 820))
	v.win.SetOnClosed(v.onClosed)
	answerKeys(v.win, nil)
	w.ctl.delivView = v
	v.cancelSub = w.d.Queue.Subscribe(func(d *app.Delivery) {
		w.do(func() { v.deliveryChanged(d) })
		select {
		case v.kick <- struct{}{}:
		default:
		}
	})
	go v.refreshLoop()
	v.pane.OnCancel = func(id uint64) { c.paneAct(v.pane, c.d.Queue.Cancel, id) }
	v.pane.OnRetry = func(id uint64) { c.paneAct(v.pane, c.d.Queue.Retry, id) }
	v.win.Show()
	v.loadTargets()
	v.model.Reload()
	return v
}

func (v *deliveriesView) build() fyne.CanvasObject {
	w := v.w
	v.list = widget.NewList(v.model.Len, func() fyne.CanvasObject { return newDeliveryRow() },
		func(i int, o fyne.CanvasObject) {
			s, ok := v.model.Item(i)
			o.(*deliveryRow).set(s, ok, v.targetName(s.TargetID))
		})
	v.list.OnSelected = v.selected
	v.count = widget.NewLabel("")
	targets := widget.NewButtonWithIcon("Targets", theme.SettingsIcon(), func() { w.ctl.showTargets(v.win) })
	compose := widget.NewButtonWithIcon("Compose request", theme.DocumentCreateIcon(), func() { w.ctl.editAndResend(nil) })
	bar := container.NewBorder(nil, nil,
		container.NewHBox(widgets.Heading("Deliveries"), v.count),
		container.NewHBox(compose, targets))
	v.errText = widget.NewLabel("")
	v.errText.Importance = widget.DangerImportance
	v.errText.Wrapping = fyne.TextWrapWord
	v.errText.Hide()
	msg := widgets.Caption("No deliveries yet. Resend an event (the Resend button above its details) or compose a request:\nevery attempt, its request and response are kept here.")
	msg.Alignment = fyne.TextAlignCenter
	v.empty = container.NewCenter(msg)
	v.empty.Hide()
	v.pane = dialogs.NewDeliveryPane(w.do, true, "Select a delivery to see each attempt:\nthe request as sent, the response and how long it took.")
	v.pane.OnEvent = w.showEvent
	v.pane.Original = w.d.Events.Event
	split := container.NewHSplit(container.NewBorder(v.buildFilter(), nil, nil, nil,
		v.complete.float(container.NewStack(v.list, v.empty, v.noMatch))), v.pane.Root)
	split.Offset = 0.42
	top := container.NewVBox(widgets.Panel(container.NewPadded(bar)), v.errText, widget.NewSeparator())
	return container.NewBorder(top, nil, nil, nil, split)
}

// buildFilter is the box over the list: target:, state:, event:, kind:,
// status: and free text on the URL, with completion of keys, states and
// target names.
func (v *deliveriesView) buildFilter() fyne.CanvasObject {
	v.filter = newFilterEntry()
	v.filter.SetPlaceHolder("Filter: e.g. state:failed target:Shop event:7")
	v.filter.SetIcon(theme.SearchIcon())
	v.complete = newCompleter(v.filter, app.DeliveryFilterKeys, func() map[string][]string {
		var names []string
		for _, t := range v.targets {
			names = append(names, t.Name)
		}
		slices.Sort(names)
		return map[string][]string{"target": names}
	})
	v.filter.OnChanged = func(s string) {
		if v.win.Canvas().Focused() == v.filter {
			v.complete.update(s)
		}
	}
	v.filter.OnSubmitted = func(s string) {
		v.complete.hide()
		v.applyFilter(s)
	}
	v.complete.onPick = func(expr string) {
		if f, err := app.ParseDeliveryFilter(expr, v.targetList()); err == nil && !strings.HasSuffix(expr, ":") {
			_ = f
			v.applyFilter(expr)
		}
	}
	v.filter.onEscape = func() {
		v.filter.SetText("")
		v.applyFilter("")
	}
	v.filterErr = widgets.Caption("")
	v.filterErr.Importance = widget.DangerImportance
	v.filterErr.Wrapping = fyne.TextWrapWord
	v.filterErr.Hide()
	v.noMatch = widgets.Caption("")
	v.noMatch.Alignment = fyne.TextAlignCenter
	v.noMatch.Hide()
	return container.NewPadded(container.NewVBox(v.filter, v.filterErr))
}

func (v *deliveriesView) targetList() []app.Target {
	out := make([]app.Target, 0, len(v.targets))
	for _, t := range v.targets {
		out = append(out, t)
	}
	return out
}

// applyFilter shows the deliveries expr matches, or says why it cannot be
// read and keeps the last good filter.
func (v *deliveriesView) applyFilter(expr string) {
	expr = strings.TrimSpace(expr)
	f, err := app.ParseDeliveryFilter(expr, v.targetList())
	if err != nil {
		v.filterErr.SetText(err.Error())
		v.filterErr.Show()
		return
	}
	v.filterErr.Hide()
	if expr == v.applied {
		return
	}
	v.applied = expr
	v.model.Query(deliveryFetch(v.w.d.Deliveries, f))
}

// paneAct runs op (cancel or retry) on delivery id for pane p in the
// background and tells p how it went.
func (c *controller) paneAct(p *dialogs.DeliveryPane, op func(id uint64) error, id uint64) {
	go func() {
		err := op(id)
		c.w.do(func() { p.ActionDone(id, err) })
	}()
}

// refreshLoop turns delivery notifications into at most one reread of the
// list every refreshInterval.
func (v *deliveriesView) refreshLoop() {
	t := time.NewTimer(0)
	<-t.C
	for {
		select {
		case <-v.stop:
			return
		case <-v.kick:
		}
		v.w.do(func() {
			if !v.closed {
				v.model.Reread()
			}
		})
		t.Reset(refreshInterval)
		select {
		case <-v.stop:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (v *deliveriesView) onClosed() {
	if v.closed {
		return
	}
	v.closed = true
	close(v.stop)
	v.cancelSub()
	if v.w.ctl.delivView == v {
		v.w.ctl.delivView = nil
	}
}

func (v *deliveriesView) loadTargets() {
	st := v.w.d.Deliveries
	go func() {
		ts, err := st.Targets()
		v.w.do(func() {
			if err != nil || v.closed {
				return
			}
			v.targets = map[string]app.Target{}
			for _, t := range ts {
				v.targets[t.ID] = t
			}
			v.list.Refresh()
		})
	}()
}

func (v *deliveriesView) targetName(id string) string {
	if id == "" {
		return ""
	}
	if t, ok := v.targets[id]; ok {
		return t.Name
	}
	return "deleted target"
}

func (v *deliveriesView) target(id string) *app.Target {
	if t, ok := v.targets[id]; ok {
		return &t
	}
	return nil
}

// changed runs when the model's rows or count changed.
func (v *deliveriesView) changed() {
	if v.closed {
		return
	}
	n := v.model.Len()
	v.count.SetText(widgets.Plural(n, "delivery"))
	v.empty.Hide()
	v.noMatch.Hide()
	switch {
	case n > 0 || !v.model.counted:
	case v.applied != "":
		v.count.SetText(widgets.Plural(n, "delivery") + " match")
		v.noMatch.SetText(fmt.Sprintf("No deliveries match '%s'.", v.applied))
		v.noMatch.Show()
	default:
		v.empty.Show()
	}
	v.list.Refresh()
	if v.selID != 0 {
		if i := v.model.IndexOf(v.selID); i >= 0 {
			v.list.OnSelected = nil
			v.list.Select(i)
			v.list.OnSelected = v.selected
		}
	}
}

// deliveryChanged shows a new state of the selected delivery at once, and
// notices targets disabled by a 410.
func (v *deliveriesView) deliveryChanged(d *app.Delivery) {
	if v.closed {
		return
	}
	if d.State == app.Gone && d.TargetID != "" {
		v.loadTargets()
	}
	if d.ID == v.selID {
		v.pane.Show(d, v.target(d.TargetID))
	}
}

func (v *deliveriesView) selected(i int) {
	s, ok := v.model.Item(i)
	if !ok {
		return
	}
	v.selectID(s.ID)
}

// selectID shows delivery id, read whole from the store.
func (v *deliveriesView) selectID(id uint64) {
	v.selID = id
	v.selGen++
	gen := v.selGen
	st := v.w.d.Deliveries
	go func() {
		d, err := st.Delivery(id)
		v.w.do(func() {
			if gen != v.selGen || v.closed {
				return
			}
			if err != nil {
				v.pane.Clear(fmt.Sprintf("could not read delivery %d: %v", id, err))
				return
			}
			v.pane.Show(d, v.target(d.TargetID))
		})
	}()
	if i := v.model.IndexOf(id); i >= 0 {
		v.list.OnSelected = nil
		v.list.Select(i)
		v.list.OnSelected = v.selected
	}
}

// --- a row --------------------------------------------------------------------

// deliveryRow draws one delivery in two lines:
//
//	[delivered] [POST] http://localhost:3000/hooks …   [200]
//	#12 · 15:04:05 · 2 attempts · to Shop · resend of event #4
type deliveryRow struct {
	widget.BaseWidget
	sum    app.DeliverySummary
	loaded bool

	state  *widgets.Badge
	method *widgets.Badge
	status *widgets.Badge
	url    *widget.Label
	meta   *widget.Label
	box    fyne.CanvasObject
}

func newDeliveryRow() *deliveryRow {
	r := &deliveryRow{state: widgets.NewStateBadge(), method: widgets.NewBadge("DELETE"), status: widgets.NewBadge("000")}
	r.status.Mono = true
	r.url = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	r.url.Truncation = fyne.TextTruncateEllipsis
	r.meta = widgets.Caption("")
	r.meta.Truncation = fyne.TextTruncateEllipsis
	line1 := container.NewBorder(nil, nil,
		container.NewHBox(container.NewCenter(widgets.FixedWidth(r.state.MinSize().Width, r.state)), container.NewCenter(r.method)),
		container.NewCenter(r.status), r.url)
	r.box = container.New(layout.NewCustomPaddedVBoxLayout(0), line1, r.meta)
	r.ExtendBaseWidget(r)
	return r
}

func (r *deliveryRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (r *deliveryRow) set(s app.DeliverySummary, loaded bool, target string) {
	r.sum, r.loaded = s, loaded
	if !loaded {
		r.state.Set("", hltheme.Grey)
		r.method.Set("", hltheme.Grey)
		r.status.Set("", hltheme.Grey)
		r.url.SetText("…")
		r.meta.SetText("")
		return
	}
	widgets.SetState(r.state, s.State)
	r.method.Set(strings.ToUpper(s.Method), hltheme.MethodColor(s.Method))
	if s.Attempts == 0 {
		r.status.Set("—", hltheme.Grey)
	} else {
		widgets.SetStatus(r.status, s.LastStatus)
	}
	r.url.SetText(app.RedactURL(s.URL))
	meta := []string{"#" + app.FormatID(s.ID), widgets.ClockTime(s.CreatedAt), widgets.Plural(s.Attempts, "attempt")}
	if target != "" {
		meta = append(meta, "to "+target)
	}
	switch s.Kind {
	case app.KindResend:
		meta = append(meta, "resend of event #"+app.FormatID(s.EventID))
	case app.KindForward:
		meta = append(meta, "forward of event #"+app.FormatID(s.EventID))
	default:
		meta = append(meta, s.Kind)
	}
	if s.State == app.Pending && !s.NextAttemptAt.IsZero() && s.Attempts > 0 {
		meta = append(meta, "next "+s.NextAttemptAt.Local().Format("15:04:05"))
	}
	r.meta.SetText(strings.Join(slices.DeleteFunc(meta, func(x string) bool { return x == "" }), " · "))
}
