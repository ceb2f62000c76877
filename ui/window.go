// Package ui is Hooklens's window: the listener URL and capture switch on
// top, the live, virtualised list of captured events on the left and the
// selected event (overview, headers, body, query) on the right. It reaches
// the rest of Hooklens only through Deps: the store interfaces of package
// app, the Listener and the Sender it declares; package main hands it the
// concrete store, listener and delivery queue. Its parts live beside it:
// ui/theme (the look), ui/widgets (one widget a file) and ui/dialogs (the
// editors, which take values and report through callbacks; the controller
// here does their store and queue work).
package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/ui/dialogs"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Listener is the part of the capture server the window uses.
type Listener interface {
	URL() string
	Capturing() bool
	SetCapturing(on bool)
}

// Sender is the delivery queue as the window uses it: send and follow a
// delivery, queue one for the background, cancel or retry one.
type Sender interface {
	Send(ctx context.Context, d *app.Delivery) error
	Enqueue(d *app.Delivery) error
	Subscribe(fn func(*app.Delivery)) (cancel func())
	Cancel(id uint64) error
	Retry(id uint64) error
	RetryAllFailed(targetID string) (int, error)
}

// Events is what the window does with captured events: page through them,
// count them, read one whole, delete, and hear of new ones.
type Events interface {
	Event(id uint64) (*app.Event, error)
	Events(p app.Page) ([]app.EventSummary, error)
	// EventsCounted is Events with the count of the events the page's
	// filter matches, as of the same store state.
	EventsCounted(p app.Page) ([]app.EventSummary, int, error)
	Count() (int, error)
	Delete(id uint64) error
	DeleteAll() error
	Subscribe(fn func(*app.Event)) (cancel func())
}

// Deliveries is what the window does with targets, connections and the
// delivery log.
type Deliveries interface {
	Targets() ([]app.Target, error)
	PutTarget(t *app.Target) error
	DeleteTarget(id string) error
	Connection(name string) (app.Connection, error)
	Connections() ([]app.Connection, error)
	PutConnection(c app.Connection) error
	DeleteConnection(name string) error
	Delivery(id uint64) (*app.Delivery, error)
	Deliveries(p app.DeliveryPage) ([]app.DeliverySummary, error)
	CountDeliveries() (int, error)
}

// Deps is what the window needs from the rest of Hooklens: interfaces only,
// so it imports no store, listener or queue.
type Deps struct {
	Events   Events
	Settings app.SettingStore
	Listener Listener
	// Endpoints and Verdicts back the endpoint editor and the Signature
	// tab's live re-check; with Endpoints nil the editor is not offered and
	// the tab shows the verdicts as stored.
	Endpoints app.EndpointStore
	Verdicts  app.VerdictStore
	// Queue and Deliveries back resending, the Deliveries window and the
	// targets editor; with Queue nil those are not offered.
	Queue      Sender
	Deliveries Deliveries
	// PruneHeld says the data dir was over the retention cap at open and
	// nothing was pruned; the window shows it with a Prune now button that
	// calls PruneNow.
	PruneHeld string
	PruneNow  func()
	// Team follows a team stream from the window; nil hides the control.
	Team Team
	// Stats backs the Dashboard (kept counters); nil hides it.
	Stats app.StatsStore
	// Retention backs the Settings dialog's retention fields; nil hides them.
	Retention Retention
	// Compact backs Settings' Reclaim disk space; nil hides it.
	Compact Compactor
	// Keys are Hooklens's own signing keys, for firing templates as their
	// provider; nil offers only the target's signing or a secret.
	Keys   Keys
	Demo   bool   // title shows "Hooklens — demo data", the top bar a DEMO badge
	Notice string // shown under the top bar as a warning, e.g. why the port differs from the usual one

	// Tunnel backs the Public URL control in the top bar (nil: no control);
	// TunnelSecrets keeps its secrets (nil: used, not kept). See publicurl.go.
	Tunnel        Tunnel
	TunnelSecrets tunnel.Secrets

	// Exchange backs the Import box and support bundles (nil: no Import,
	// and Export offers no bundle). See exchange.go.
	Exchange Exchange

	// Do runs work handed over from other goroutines on the UI goroutine;
	// nil is fyne.Do. A caller driving its own UI goroutine (a test with
	// Fyne's test driver) passes its queue.
	Do func(func())
}

// Settings keys and defaults for the window's geometry.
const (
	keyWidth  = "window.width"
	keyHeight = "window.height"
	keySplit  = "window.split"

	defaultWidth  = 1280
	defaultHeight = 800
	defaultSplit  = 0.38

	// refreshInterval caps live refreshes of the Deliveries window at about
	// ten a second, so a burst of thousands of deliveries costs the UI a
	// handful of redraws.
	refreshInterval = 100 * time.Millisecond
	// listInterval caps live refreshes of the event list at twenty a
	// second: a refresh is one read of the newest page and a redraw of the
	// rows on screen, and a new row waits at most this long for one
	// (BenchmarkReceiveToRow: receive → row at 1,000 requests a second).
	listInterval = 50 * time.Millisecond
	// recheckInterval is how often the count is reread without a
	// notification, to notice events removed by retention or another tool.
	recheckInterval = 5 * time.Second
	filterDelay     = 150 * time.Millisecond
	// countInterval caps how often the top bar's count changes: four
	// times a second is as fast as it can be read, and Fyne keeps a
	// texture for a minute for every distinct text it draws (at twenty a
	// second, about 9 MB of them under a stream).
	countInterval = 250 * time.Millisecond
)

// Window is the main Hooklens window.
type Window struct {
	app fyne.App
	win fyne.Window
	d   Deps
	do  func(func()) // runs fn on the UI goroutine (fyne.Do; tests queue)
	ctl *controller  // what the dialogs ask of the backend
	top *topBar      // the bar, its notices and the resend banner

	model   *eventPages
	list    *eventList
	filter  *filterEntry
	applied string // filter text in effect
	fTimer  *time.Timer
	split   *container.Split
	detail  *detail
	welcome *welcome
	noMatch *noMatch
	body    *fyne.Container // split + welcome
	footer  *widget.Label
	search  *searchBar // a free-text filter's background search

	bulkBtn *widget.Button
	pub     *publicURL // the Public URL control, nil without a tunnel

	selID   uint64 // selected event, 0 for none; survives index shifts
	selIdx  int    // its row, -1 when not known; the list marks it only while on screen (markSelection)
	wantIdx int    // row to select once its page arrives, -1 for none
	syncing bool   // selection changes made by code, not the user
	// autoOpen: open the newest event when its row loads (leaving the
	// welcome screen with nothing selected).
	autoOpen bool

	keys        fyne.ShortcutHandler // window shortcuts, also reached from focused text views
	kick        chan struct{}
	stop        chan struct{}
	cancelSub   func()
	closed      bool
	countSeq    uint64        // numbers grownCount's background reads
	countAt     time.Time     // when the top bar's count last changed
	countDue    *time.Timer   // a later count change is waiting for countInterval
	countNext   int           // the total it will show
	filterErr   *widget.Label // why the filter cannot be read
	complete    *completer    // the filter box's completions
	chips       *chipBar      // quick filters above the list
	slugs       []string      // endpoint slugs, for completion and chips
	current     app.Filter    // the filter in effect
	pinned      bool          // the shown event stays while a filter hides it
	pinBtn      *widget.Button
	notes       *notifier // desktop notifications
	cancelDeliv func()
}

// New builds the main window on a. Call ShowAndRun or Show.
func New(a fyne.App, d Deps) *Window {
	do := d.Do
	if do == nil {
		do = fyne.Do
	}
	return newWindow(a, d, do)
}

// newWindow lets tests run UI callbacks on their own goroutine.
func newWindow(a fyne.App, d Deps, do func(func())) *Window {
	a.Settings().SetTheme(hltheme.New())
	w := &Window{app: a, d: d, do: do, selIdx: -1, wantIdx: -1,
		kick: make(chan struct{}, 1), stop: make(chan struct{})}
	w.ctl = &controller{w: w, d: d}
	title := "Hooklens"
	if d.Demo {
		title = "Hooklens — demo data"
	}
	w.win = a.NewWindow(title)

	w.model = newEventPages(d.Events, do)
	w.model.onGrow = w.grown
	w.model.onReset = w.modelReset
	w.model.onLoaded = w.loaded
	w.model.onError = func(err error) { w.top.showError(fmt.Errorf("reading events: %w", err)) }

	w.detail = newDetail(w)
	w.welcome = newWelcome(w)
	listPane := w.buildListPane()
	w.split = container.NewHSplit(listPane, w.detail.root)
	w.split.Offset = w.setting(keySplit, defaultSplit, 0.15, 0.85)
	w.body = container.NewStack(w.split, w.welcome.root)
	w.split.Hide()

	w.top = newTopBar(w)
	content := container.NewBorder(w.top.root, nil, nil, nil, w.body)
	w.win.SetContent(container.New(atLeast{minWindowSize}, content))
	w.win.Resize(fyne.NewSize(
		float32(w.setting(keyWidth, defaultWidth, float64(minWindowSize.Width), 10000)),
		float32(w.setting(keyHeight, defaultHeight, float64(minWindowSize.Height), 10000))))
	w.bindKeys()
	w.win.SetOnClosed(w.closedWindow)

	w.notes = newNotifier(a, w.do, func(key string, def bool) bool {
		v, err := w.d.Settings.Setting(key)
		if err != nil {
			return def
		}
		return v == "on"
	})
	if d.Queue != nil {
		w.cancelDeliv = d.Queue.Subscribe(w.notes.delivery)
	}
	w.cancelSub = d.Events.Subscribe(func(e *app.Event) {
		w.notes.event(e)
		select {
		case w.kick <- struct{}{}:
		default: // a refresh is already due; it will see this event too
		}
	})
	go w.refreshLoop()
	w.loadSlugs()
	w.model.SetFilter(app.Filter{})
	w.restoreView()
	w.updateCount()
	return w
}

// loadSlugs reads the endpoint slugs for the filter's completion and chips.
func (w *Window) loadSlugs() {
	if w.d.Endpoints == nil {
		return
	}
	eps := w.d.Endpoints
	go func() {
		list, err := eps.Endpoints()
		if err != nil {
			return // the Endpoints dialog reports a store that cannot be read
		}
		slugs := make([]string, len(list))
		for i, ep := range list {
			slugs[i] = ep.Slug
		}
		w.do(func() {
			if w.closed {
				return
			}
			w.slugs = slugs
			w.chips.setEndpoints(slugs)
		})
	}()
}

// ShowAndRun shows the window and runs the app until it closes.
func (w *Window) ShowAndRun() { w.win.ShowAndRun() }

// Show shows the window on an app whose run loop is already going.
func (w *Window) Show() { w.win.Show() }

// refreshLoop turns store notifications into at most one list refresh per
// listInterval: the first event of a burst shows at once, the rest of the
// burst is picked up by the next refresh.
func (w *Window) refreshLoop() {
	t := time.NewTimer(0)
	<-t.C
	recheck := time.NewTicker(recheckInterval)
	defer recheck.Stop()
	for {
		recount := false
		select {
		case <-w.stop:
			return
		case <-w.kick:
		case <-recheck.C:
			recount = true
		}
		w.do(func() {
			switch {
			case w.closed:
			case recount:
				w.model.Recount()
			default:
				w.model.Refresh()
			}
		})
		t.Reset(listInterval)
		select {
		case <-w.stop:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Notify shows msg under the top bar as a warning the user can dismiss
// (what retention removed, why the port differs). Safe from any goroutine.
func (w *Window) Notify(msg string) {
	w.do(func() { w.top.addNotice(msg) })
}

func (w *Window) buildListPane() fyne.CanvasObject {
	w.filter = newFilterEntry()
	w.filter.SetPlaceHolder("Filter: text or key:value, e.g. status:5xx")
	w.filter.SetIcon(theme.SearchIcon())
	clear := widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { w.clearFilter() })
	clear.Importance = widget.LowImportance
	clear.Hide()
	w.filter.ActionItem = clear
	w.complete = newCompleter(w.filter, app.EventFilterKeys, func() map[string][]string {
		return map[string][]string{"endpoint": append(append([]string{}, w.slugs...), "_")}
	})
	w.complete.onPick = func(expr string) { w.chips.sync(expr) }
	w.chips = newChipBar(w)
	w.filter.OnChanged = func(s string) {
		clear.Hidden = s == ""
		clear.Refresh()
		if w.win.Canvas().Focused() == w.filter {
			w.complete.update(s)
		}
		w.chips.sync(s)
		if w.fTimer != nil {
			w.fTimer.Stop()
		}
		w.fTimer = time.AfterFunc(filterDelay, func() { w.do(func() { w.applyFilter(w.filter.Text) }) })
	}
	w.filter.OnSubmitted = func(s string) {
		w.complete.hide()
		w.applyFilter(s)
	}
	w.filter.onEscape = w.clearFilter
	w.filter.onDown = func() {
		w.win.Canvas().Unfocus()
		w.moveSelection(+1)
	}

	w.list = newEventList(w.model.Len, func() fyne.CanvasObject {
		r := newEventRow()
		r.onMenu = w.rowMenu
		r.onTap = w.rowSelected
		return r
	}, func(i int, o fyne.CanvasObject) {
		s, ok := w.model.Item(i)
		o.(*eventRow).set(i, s, ok)
		if i == w.selIdx && !w.syncing {
			// The selected event's row came into view (new rows push it
			// out of view unmarked): mark it once this layout is done.
			w.do(w.markSelection)
		}
	})
	w.list.onKey = w.handleKey
	w.list.OnSelected = w.rowSelected
	w.noMatch = newNoMatch(w.clearFilter)
	w.noMatch.root.Hide()
	w.footer = widgets.Caption("")
	w.footer.Hide()
	w.pinBtn = w.newPinButton()
	w.pinBtn.Hide()
	w.search = newSearchBar(func() { w.model.CancelSearch() })
	w.model.onSearch = func(st searchStatus) {
		w.search.show(st)
		w.updateCount()
	}

	w.bulkBtn = widget.NewButtonWithIcon("Resend…", theme.MailForwardIcon(), nil)
	w.bulkBtn.OnTapped = func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.bulkBtn)
		w.ctl.bulkMenu(pos.AddXY(0, w.bulkBtn.Size().Height))
	}
	// A filter the language cannot read says why under the box.
	w.filterErr = widgets.Caption("")
	w.filterErr.Importance = widget.DangerImportance
	w.filterErr.Wrapping = fyne.TextWrapWord
	w.filterErr.Hide()
	var box fyne.CanvasObject = w.filter
	if w.d.Queue != nil && w.d.Deliveries != nil {
		box = container.NewBorder(nil, nil, nil, w.bulkBtn, w.filter)
	}
	top := container.NewPadded(container.NewVBox(box, w.filterErr, w.chips.root))
	bottom := container.NewVBox(w.search.root, container.NewBorder(nil, nil, nil, w.pinBtn, w.footer))
	return container.NewBorder(top, bottom, nil, nil, w.complete.float(container.NewStack(w.list, w.noMatch.root)))
}

// --- live updates -----------------------------------------------------------

// rowPitch is the distance between the tops of two list rows.
func (w *Window) rowPitch() float32 {
	th := w.list.Theme()
	return eventRowMinSize(th).Height + th.Size(theme.SizeNamePadding)
}

// grown runs when delta new events arrived above every row.
func (w *Window) grown(delta int) {
	off := w.list.GetScrollOffset()
	atTop := off < 1
	if w.selIdx >= 0 {
		w.selIdx += delta
	}
	if w.wantIdx >= 0 {
		w.wantIdx += delta
	}
	w.list.Refresh()
	if atTop {
		w.list.ScrollToTop()
	} else {
		// Keep the rows the user is reading where they are.
		w.list.ScrollToOffset(off + float32(delta)*w.rowPitch())
	}
	w.markSelection()
	w.grownCount()
	w.settle()
}

// markSelection puts the list's highlight on the selected event's row
// while that row is on screen, and takes it off otherwise, never
// scrolling. (The list marks a row by index, so when new rows push the
// selected one down, the mark must move; but Fyne's List.Select scrolls to
// the row it marks: marking one out of view would scroll there and back on
// every update, making rows and reading their pages each time.) The row
// is marked again when it is scrolled back into view.
func (w *Window) markSelection() {
	if w.closed {
		return
	}
	if i := w.selIdx; i >= 0 && w.rowOnScreen(i) {
		off := w.list.GetScrollOffset()
		w.selectRow(i) // nothing when it is marked already
		// A row cut by the list's edge is scrolled fully into view by
		// Select: keep the scroll where it was.
		w.list.ScrollToOffset(off)
		return
	}
	w.syncing = true
	w.list.UnselectAll() // nothing when no row is marked
	w.syncing = false
}

// rowOnScreen says whether any of row i is within the list's view.
func (w *Window) rowOnScreen(i int) bool {
	pitch := w.rowPitch()
	top, off := float32(i)*pitch, w.list.GetScrollOffset()
	return top+pitch > off && top < off+w.list.Size().Height
}

// modelReset runs when rows were reread from scratch: a new filter starts
// at the top; a reload (events removed elsewhere) keeps the scroll position.
func (w *Window) modelReset(newFilter bool) {
	w.selIdx = -1
	w.wantIdx = -1
	w.syncing = true
	w.list.UnselectAll()
	w.syncing = false
	w.list.Refresh()
	if newFilter {
		w.list.ScrollToTop()
	}
	w.findSelection()
	w.updateCount()
}

// openNewest selects the newest event once its row is loaded, if autoOpen
// is still wanted: nothing selected meanwhile and the list not scrolled away
// from the top (Select would scroll it back).
func (w *Window) openNewest() {
	if !w.autoOpen {
		return
	}
	if w.selID != 0 || w.list.GetScrollOffset() >= 1 {
		w.autoOpen = false
		return
	}
	if s, ok := w.model.Peek(0); ok {
		w.autoOpen = false
		w.selectEvent(s.ID, 0)
	}
}

// loaded runs when a page of rows arrived.
func (w *Window) loaded() {
	w.list.Refresh()
	if w.model.search != nil {
		w.updateCount() // the search's matches arrived: leave the no-match state
	}
	w.settle()
}

// settle does what waited for rows to arrive: open the newest event, select
// a row the user picked before its page came, mark the selection's row.
func (w *Window) settle() {
	w.openNewest()
	if w.wantIdx >= 0 {
		if s, ok := w.model.Peek(w.wantIdx); ok {
			i := w.wantIdx
			w.wantIdx = -1
			w.selectEvent(s.ID, i)
			return
		}
	}
	w.findSelection()
}

// findSelection re-marks the selected event's row once it is loaded, without
// scrolling.
func (w *Window) findSelection() {
	if w.selID == 0 || w.selIdx >= 0 {
		return
	}
	if i := w.model.IndexOf(w.selID); i >= 0 {
		w.selIdx = i
		w.markSelection()
	}
}

// selectRow marks row i selected without treating it as a user choice.
func (w *Window) selectRow(i int) {
	w.syncing = true
	w.list.Select(i)
	w.syncing = false
}

func (w *Window) updateCount() {
	total, err := w.d.Events.Count()
	if err != nil {
		w.top.showError(fmt.Errorf("counting events: %w", err))
		return
	}
	w.showCount(total)
}

// setCountLabel shows total in the top bar now, or, when it changed less
// than countInterval ago, once the interval is over (the latest total).
func (w *Window) setCountLabel(total int) {
	w.countNext = total
	if w.countDue != nil {
		return
	}
	if wait := countInterval - time.Since(w.countAt); wait > 0 {
		w.countDue = time.AfterFunc(wait, func() {
			w.do(func() {
				w.countDue = nil
				if !w.closed {
					w.setCountLabel(w.countNext)
				}
			})
		})
		return
	}
	text := widgets.Plural(total, "event")
	if text != w.top.countLabel.Text {
		w.countAt = time.Now()
		w.top.countLabel.SetText(text)
	}
}

// grownCount shows the count after new rows arrived without reading the
// store on the UI goroutine: a read waits for the capture log to be
// copied into bbolt, a copy per read under a stream of requests. Without a
// filter the list's length is the count; with one it is read in the
// background.
func (w *Window) grownCount() {
	if w.current.IsZero() && w.model.search == nil {
		w.showCount(w.model.Len())
		return
	}
	w.countSeq++
	seq, events := w.countSeq, w.d.Events
	go func() {
		total, err := events.Count()
		w.do(func() {
			if w.closed || seq != w.countSeq {
				return // a later count is coming
			}
			if err != nil {
				w.top.showError(fmt.Errorf("counting events: %w", err))
				return
			}
			w.showCount(total)
		})
	}()
}

// showCount shows total, the number of events stored, and what follows
// from it: the footer's match count, the welcome screen, the no-match state.
func (w *Window) showCount(total int) {
	w.setCountLabel(total)
	w.top.clearBtn.Disable()
	if total > 0 {
		w.top.clearBtn.Enable()
	}
	if w.model.search == nil {
		w.search.root.Hide()
	}
	if w.applied != "" && w.model.counted && w.model.search == nil {
		w.footer.SetText(fmt.Sprintf("%s of %s match '%s'", app.GroupDigits(w.model.Len()), app.GroupDigits(total), w.applied))
		w.footer.Show()
	} else {
		w.footer.Hide()
	}
	welcome := total == 0 && w.applied == "" && w.filter.Text == ""
	if welcome != w.welcome.root.Visible() || welcome == w.split.Visible() {
		if welcome {
			w.split.Hide()
			w.welcome.refresh()
			w.welcome.root.Show()
		} else {
			w.welcome.root.Hide()
			w.split.Show()
			// Leaving the welcome screen (the first request arrived, or the
			// window opened on stored events): open the newest one, so a new
			// user sees what arrived without another click.
			w.autoOpen = w.selID == 0
			w.openNewest()
		}
	}
	searching := w.model.search != nil && w.model.search.running()
	empty := w.model.counted && w.model.Len() == 0 && w.applied != "" && !searching
	if empty {
		w.noMatch.set(w.applied)
		w.noMatch.root.Show()
		w.list.Hide()
	} else {
		w.noMatch.root.Hide()
		w.list.Show()
	}
}

// --- selection and keys -----------------------------------------------------

func (w *Window) rowSelected(i int) {
	if w.syncing {
		return
	}
	s, ok := w.model.Peek(i)
	if !ok {
		w.wantIdx = i
		w.model.Item(i)
		return
	}
	w.selectEvent(s.ID, i)
}

// selectEvent makes event id (at row i) the selection and shows it.
func (w *Window) selectEvent(id uint64, i int) {
	if id != w.selID && w.pinned {
		w.setPinned(false) // a pin holds the event it was set on
	}
	w.selID, w.selIdx = id, i
	w.pinBtn.Show()
	w.selectRow(i)
	w.detail.show(id)
}

func (w *Window) moveSelection(step int) {
	n := w.model.Len()
	if n == 0 {
		return
	}
	next := 0
	if w.selIdx >= 0 {
		next = w.selIdx + step
	}
	if next < 0 || next >= n {
		return
	}
	w.list.ScrollTo(next)
	if s, ok := w.model.Item(next); ok {
		w.selectEvent(s.ID, next)
		return
	}
	w.wantIdx = next
}

// handleKey implements the window's keys; it reports whether it used ev.
func (w *Window) handleKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyUp:
		w.moveSelection(-1)
	case fyne.KeyDown:
		w.moveSelection(+1)
	case fyne.KeyDelete, fyne.KeyBackspace:
		if w.selID != 0 {
			w.confirmDelete(w.selID)
		}
	case fyne.KeyEscape:
		if w.filter.Text != "" {
			w.clearFilter()
		}
	default:
		return false
	}
	return true
}

func (w *Window) bindKeys() {
	c := w.win.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if !dialogs.AnswerKey(c, ev) {
			w.handleKey(ev)
		}
	})
	find := &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	w.keys.AddShortcut(find, func(fyne.Shortcut) { w.focusFilter() })
	c.AddShortcut(find, w.keys.TypedShortcut)
}

func (w *Window) focusFilter() {
	if !w.split.Visible() {
		return
	}
	w.win.Canvas().Focus(w.filter)
	w.filter.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// --- filter -----------------------------------------------------------------

func (w *Window) applyFilter(s string) {
	if w.fTimer != nil {
		w.fTimer.Stop()
	}
	s = strings.TrimSpace(s)
	if s == w.applied || w.closed {
		return
	}
	f, err := parseFilter(s)
	if err != nil && w.complete.shown() {
		return // a word still being typed, with completions offered for it
	}
	if err != nil {
		w.filterErr.SetText(err.Error())
		w.filterErr.Show()
		return
	}
	w.filterErr.Hide()
	w.chips.sync(s)
	w.applied = s
	w.current = f
	w.model.SetFilter(f)
	w.followFilter(f)
	w.updateCount()
}

func (w *Window) clearFilter() {
	w.filter.SetText("")
	w.applyFilter("")
}

// --- actions ----------------------------------------------------------------

func (w *Window) toggleCapture() {
	w.d.Listener.SetCapturing(!w.d.Listener.Capturing())
	w.top.setCapturing(w.d.Listener.Capturing())
}

// confirmDelete asks before deleting event id.
func (w *Window) confirmDelete(id uint64) {
	what := "this event"
	if w.detail.ev != nil && w.detail.ev.ID == id {
		e := w.detail.ev
		what = fmt.Sprintf("%s %s received at %s", e.Method, e.RequestURI(), widgets.ClockTime(e.ReceivedAt))
	}
	dialogs.ConfirmDelete("Delete event?", fmt.Sprintf("Delete %s?\nThis cannot be undone.", what), "Delete", func() { w.ctl.deleteEvent(id) }, w.win)
}

// removed updates the list after event id was deleted and selects the event
// that took its place, as mail clients do.
func (w *Window) removed(id uint64) {
	i := w.model.IndexOf(id)
	wasSelected := w.selID == id
	if i >= 0 {
		w.model.Removed(i)
		if w.selIdx > i {
			w.selIdx--
		}
	} else {
		w.model.Reload()
	}
	if wasSelected {
		w.selID, w.selIdx = 0, -1
		w.syncing = true
		w.list.UnselectAll()
		w.syncing = false
		w.detail.clear()
		w.setPinned(false)
		w.pinBtn.Hide()
		if n := w.model.Len(); n > 0 && i >= 0 {
			next := min(i, n-1)
			if s, ok := w.model.Peek(next); ok {
				w.selectEvent(s.ID, next)
			}
		}
	}
	w.list.Refresh()
	w.updateCount()
}

func (w *Window) confirmClear() {
	total, _ := w.d.Events.Count()
	title, what, button := "Clear all events?", "Delete all "+widgets.Plural(total, "event"), "Delete all"
	if total == 1 {
		title, what, button = "Clear the event?", "Delete the only event", "Delete"
	}
	dialogs.ConfirmDelete(title, what+" captured by Hooklens?\nThis cannot be undone.", button,
		func() { w.ctl.deleteAll(total) }, w.win)
}

func (w *Window) cleared() {
	w.model.Cleared()
	w.selID, w.selIdx, w.wantIdx = 0, -1, -1
	w.syncing = true
	w.list.UnselectAll()
	w.syncing = false
	w.detail.clear()
	w.setPinned(false)
	w.pinBtn.Hide()
	w.list.Refresh()
	w.updateCount()
}

// reveal selects event id and shows it, scrolling to its row when the
// list holds it (an event just imported, a link followed).
func (w *Window) reveal(id uint64) {
	w.selID, w.selIdx = id, -1
	if i := w.model.IndexOf(id); i >= 0 {
		w.list.ScrollTo(i)
		w.selectEvent(id, i)
		return
	}
	w.detail.show(id)
	w.findSelection()
}

// copyAsCurl puts a curl command that sends event id again, exactly, on
// the clipboard.
func (w *Window) copyAsCurl(id uint64) {
	fetch(w.ctl, func() (*app.Event, error) { return w.d.Events.Event(id) }, func(e *app.Event, err error) {
		if err != nil {
			w.top.showError(fmt.Errorf("copying event %s as curl: %w", app.FormatID(id), err))
			return
		}
		w.app.Clipboard().SetContent(exchange.Curl(e, ""))
	})
}

// exportScope is what Export offers first: the filter's matches while a
// filter is in effect, else every event.
func (w *Window) exportScope() exportScope {
	if w.applied != "" {
		return scopeFiltered
	}
	return scopeAll
}

// imported rereads the list after an import stored events.
func (w *Window) imported() {
	w.model.Reload()
	w.updateCount()
}

// rowMenu is a row's context menu.
func (w *Window) rowMenu(id uint64, at fyne.Position) {
	i := w.model.IndexOf(id)
	s, ok := w.model.Peek(i)
	if !ok {
		return
	}
	url := strings.TrimSuffix(w.d.Listener.URL(), "/") + s.Path
	if s.Query != "" {
		url += "?" + s.Query
	}
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Copy URL", func() { w.app.Clipboard().SetContent(url) }),
		fyne.NewMenuItem("Copy event ID", func() { w.app.Clipboard().SetContent(app.FormatID(id)) }),
		fyne.NewMenuItem("Copy as curl", func() { w.copyAsCurl(id) }),
		fyne.NewMenuItem("Export…", func() { w.selectEvent(id, i); w.ctl.showExport(scopeSelected) }),
		fyne.NewMenuItem("Save as template…", func() { w.ctl.saveAsTemplate(id) }),
	}
	if w.d.Queue != nil && w.d.Deliveries != nil {
		items = append(items, fyne.NewMenuItem("Show its deliveries", func() { w.showDeliveriesOf(id) }))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem("Delete…", func() { w.confirmDelete(id) }))
	m := fyne.NewMenu("", items...)
	widget.ShowPopUpMenuAtPosition(m, w.win.Canvas(), at)
}

// busy shows a progress dialog if an action is still running after a
// moment (quick ones finish without a flash); call the result when done.
func (w *Window) busy(what string) (done func()) {
	finished := false
	var d dialog.Dialog
	w.after(300, func() {
		if finished {
			return
		}
		bar := widget.NewProgressBarInfinite()
		d = dialog.NewCustomWithoutButtons(what, container.NewPadded(bar), w.win)
		d.Show()
	})
	return func() {
		finished = true
		if d != nil {
			d.Hide()
		}
	}
}

// after runs fn on the UI goroutine after ms milliseconds.
func (w *Window) after(ms int, fn func()) {
	time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
		w.do(func() {
			if !w.closed {
				fn()
			}
		})
	})
}

// --- settings ---------------------------------------------------------------

// setting reads a number from Settings, or def when unset or out of range.
func (w *Window) setting(key string, def, lo, hi float64) float64 {
	s, err := w.d.Settings.Setting(key)
	if err != nil {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < lo || v > hi {
		return def
	}
	return v
}

// closedWindow remembers the geometry and stops the live updates.
func (w *Window) closedWindow() {
	if w.closed {
		return
	}
	w.closed = true
	w.model.CancelSearch()
	if w.countDue != nil {
		w.countDue.Stop()
	}
	size := w.win.Canvas().Size()
	save := func(key string, v float64) {
		if err := w.d.Settings.SetSetting(key, strconv.FormatFloat(v, 'f', -1, 64)); err != nil {
			fyne.LogError("saving window "+key, err)
		}
	}
	if size.Width > 0 && size.Height > 0 {
		save(keyWidth, float64(size.Width))
		save(keyHeight, float64(size.Height))
	}
	save(keySplit, w.split.Offset)
	w.saveView()
	close(w.stop)
	// The editor and the Deliveries window belong to this one.
	for _, win := range w.ctl.editors {
		win.Close()
	}
	if w.ctl.delivView != nil {
		w.ctl.delivView.win.Close()
	}
	if w.ctl.dash != nil {
		w.ctl.dash.win.Close()
	}
	if w.cancelSub != nil {
		w.cancelSub()
	}
	if w.cancelDeliv != nil {
		w.cancelDeliv()
	}
	w.notes.stop()
	if w.fTimer != nil {
		w.fTimer.Stop()
	}
}
