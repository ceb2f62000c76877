package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// What the window remembers between runs besides its geometry: the event
// shown, the detail tab and the view choices (Pretty/Text/Hex on the Body
// tab, Table/Raw on Headers and Query), and whether the shown event is pinned.
const (
	keySelected   = "window.selected"
	keyTab        = "window.tab"
	keyBodyMode   = "window.body_mode"
	keyHeadersRaw = "window.headers_raw"
	keyQueryRaw   = "window.query_raw"
	keyPinned     = "window.pinned"
	keyBodyWrap   = "window.body_wrap"
)

// saveView remembers the shown event, the tab and the views.
func (w *Window) saveView() {
	d := w.detail
	set := func(key, v string) {
		if err := w.d.Settings.SetSetting(key, v); err != nil {
			fyne.LogError("saving "+key, err)
		}
	}
	sel := ""
	if w.selID != 0 {
		sel = app.FormatID(w.selID)
	}
	set(keySelected, sel)
	set(keyTab, strconv.Itoa(d.tabs.SelectedIndex()))
	if d.body.mode != "" {
		set(keyBodyMode, d.body.mode)
	}
	set(keyHeadersRaw, strconv.FormatBool(d.headers.raw.Visible()))
	set(keyQueryRaw, strconv.FormatBool(d.query.raw.Visible()))
	set(keyPinned, strconv.FormatBool(w.pinned))
	set(keyBodyWrap, strconv.FormatBool(d.body.wrap.Checked))
}

// restoreView shows what saveView kept: the tab and table views at once, the
// event when it still exists, and its body view once the body is read.
func (w *Window) restoreView() {
	d := w.detail
	get := func(key string) string {
		v, err := w.d.Settings.Setting(key)
		if err != nil {
			return ""
		}
		return v
	}
	if i, err := strconv.Atoi(get(keyTab)); err == nil && i >= 0 && i < len(d.tabs.Items) {
		d.tabs.SelectIndex(i)
	}
	if get(keyHeadersRaw) == "true" && !d.headers.raw.Visible() {
		d.headers.toggleRaw()
	}
	if get(keyQueryRaw) == "true" && !d.query.raw.Visible() {
		d.query.toggleRaw()
	}
	if get(keyBodyWrap) == "true" {
		d.body.wrap.SetChecked(true)
	}
	id, err := app.ParseID(get(keySelected))
	if err != nil || id == 0 {
		return
	}
	// Claimed now, so the newest event does not open first; checked off the
	// UI goroutine, and given up when it was deleted or pruned since.
	w.selID, w.selIdx = id, -1
	w.setPinned(get(keyPinned) == "true")
	w.pinBtn.Show()
	mode := get(keyBodyMode)
	events := w.d.Events
	go func() {
		_, err := events.Event(id)
		w.do(func() {
			if w.closed || w.selID != id {
				return
			}
			if err != nil {
				w.selID = 0
				w.setPinned(false)
				w.pinBtn.Hide()
				w.autoOpen = true
				w.openNewest()
				return
			}
			d.show(id)
			w.findSelection()
			switch mode {
			case modePretty, modeText, modeHex, modeFields, modeParts:
				w.restoreBodyMode(id, mode, 100)
			}
		})
	}()
}

// restoreBodyMode switches the Body tab to mode once event id's body has
// been read (tries more checks, 50 ms apart), unless another event was
// chosen meanwhile.
func (w *Window) restoreBodyMode(id uint64, mode string, tries int) {
	b := w.detail.body
	if w.detail.ev != nil && w.detail.ev.ID != id || tries == 0 {
		return
	}
	if b.ev == nil || b.ev.ID != id || b.bi == nil {
		w.after(50, func() { w.restoreBodyMode(id, mode, tries-1) })
		return
	}
	if mode == modePretty && !b.bi.isJSON || mode == modeText && !b.bi.isText ||
		(mode == modeFields || mode == modeParts) && !b.bi.has(mode) {
		return
	}
	b.setMode(mode)
}

// --- pin ------------------------------------------------------------------------

// newPinButton is the list footer's toggle that keeps the shown event in
// the detail pane while a filter hides it.
func (w *Window) newPinButton() *widget.Button {
	b := widget.NewButtonWithIcon("Pin", theme.RadioButtonIcon(), func() { w.setPinned(!w.pinned) })
	b.Importance = widget.LowImportance
	return b
}

// setPinned pins the shown event (a filter that hides it leaves it shown)
// or unpins it (a filter that hides it closes it).
func (w *Window) setPinned(on bool) {
	w.pinned = on
	if on {
		w.pinBtn.SetText("Pinned")
		w.pinBtn.SetIcon(theme.RadioButtonCheckedIcon())
		w.pinBtn.Importance = widget.HighImportance
	} else {
		w.pinBtn.SetText("Pin")
		w.pinBtn.SetIcon(theme.RadioButtonIcon())
		w.pinBtn.Importance = widget.LowImportance
		w.followFilter(w.current)
	}
	w.pinBtn.Refresh()
}

// followFilter closes the shown event when f hides it and it is not pinned,
// so the detail pane never shows what the list does not; the newest event
// that matches opens instead.
func (w *Window) followFilter(f app.Filter) {
	ev := w.detail.ev
	if w.pinned || ev == nil || f.IsZero() || f.Match(app.EventCandidate{E: ev}) {
		return
	}
	w.selID, w.selIdx, w.wantIdx = 0, -1, -1
	w.syncing = true
	w.list.UnselectAll()
	w.syncing = false
	w.detail.clear()
	w.pinBtn.Hide()
	w.autoOpen = true
	w.openNewest()
}
