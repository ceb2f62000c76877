package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// topBar is the strip over the list: the name, LIVE or PAUSED, the
// listener URL, the Endpoints, Targets and Deliveries buttons, the count,
// Pause and Clear all; under it the paused notice, the last error, the
// banner that follows a quick resend and the dismissible notices.
type topBar struct {
	root fyne.CanvasObject

	urlLabel      *widget.Label
	urlCopy       *widget.Button
	liveBadge     *widgets.Badge
	captureBtn    *widget.Button
	countLabel    *widget.Label
	clearBtn      *widget.Button
	endpointsBtn  *widget.Button
	targetsBtn    *widget.Button
	deliveriesBtn *widget.Button
	fireBtn       *widget.Button // opens the Fire window
	paused        fyne.CanvasObject
	errText       *widget.Label
	flash         *flash          // follows the latest quick resend
	notices       *fyne.Container // dismissible warnings
	team          *fyne.Container // "team: N waiting to publish" while publishing
	teamText      *widget.Label

	// The actions right of the URL; those that do not fit join the More
	// menu, above its own items (menu).
	actions  *fyne.Container
	collapse *collapseLayout
	more     *widget.Button
	menu     []*fyne.MenuItem
}

// moreMenu is the More menu: the actions the bar had no room for, then
// its own items.
func (t *topBar) moreMenu() *fyne.Menu {
	items := t.collapse.overflowItems(t.actions.Objects)
	if len(items) > 0 {
		items = append(items, fyne.NewMenuItemSeparator())
	}
	return fyne.NewMenu("", append(items, t.menu...)...)
}

// newTopBar builds the bar for w.
func newTopBar(w *Window) *topBar {
	t := &topBar{}
	name := widget.NewLabelWithStyle("Hooklens", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.liveBadge = widgets.NewBadge("PAUSED")
	t.urlLabel = widget.NewLabelWithStyle(w.d.Listener.URL(), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	t.urlLabel.Selectable = true
	copyURL := w.newCopyButton("", func() string { return w.d.Listener.URL() })
	t.urlCopy = copyURL
	t.captureBtn = widget.NewButton("", w.toggleCapture)
	t.countLabel = widget.NewLabel("")
	t.clearBtn = widget.NewButtonWithIcon("Clear all", theme.DeleteIcon(), w.confirmClear)
	t.clearBtn.Importance = widget.LowImportance

	var logo fyne.CanvasObject = layout.NewSpacer()
	if icon := w.app.Icon(); icon != nil {
		logo = container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(22), widget.NewIcon(icon)))
	}
	left := container.NewHBox(logo, name, widget.NewSeparator(), container.NewCenter(t.liveBadge), t.urlLabel, copyURL)
	if w.d.Demo {
		demo := widgets.NewBadge("DEMO")
		demo.Set("DEMO", hltheme.Purple)
		left.Add(container.NewCenter(demo))
	}
	t.fireBtn = widget.NewButtonWithIcon("Fire", theme.MailSendIcon(), func() { w.ctl.showFire() })
	t.fireBtn.Importance = widget.HighImportance
	t.endpointsBtn = widget.NewButtonWithIcon("Endpoints", theme.SettingsIcon(), w.ctl.showEndpoints)
	if w.d.Endpoints == nil {
		t.endpointsBtn.Hide()
	}
	t.targetsBtn = widget.NewButtonWithIcon("Targets", theme.MailForwardIcon(), func() { w.ctl.showTargets(w.win) })
	t.deliveriesBtn = widget.NewButtonWithIcon("Deliveries", theme.ListIcon(), func() { w.ctl.showDeliveries() })
	if w.d.Queue == nil || w.d.Deliveries == nil {
		t.targetsBtn.Hide()
		t.deliveriesBtn.Hide()
	}
	if w.d.Queue == nil {
		t.fireBtn.Hide()
	}
	w.ctl.watchTeam()
	// Dashboard, Team and Settings share one menu; the actions that do not
	// fit the window's width join it (collapseLayout), so nothing is cut.
	t.menu = []*fyne.MenuItem{}
	if w.d.Stats != nil {
		t.menu = append(t.menu, fyne.NewMenuItemWithIcon("Dashboard", theme.GridIcon(), w.ctl.showDashboard))
	}
	if w.d.Team != nil {
		t.menu = append(t.menu, fyne.NewMenuItemWithIcon("Team", theme.AccountIcon(), w.ctl.showTeam))
	}
	if w.d.Exchange != nil {
		t.menu = append(t.menu, fyne.NewMenuItemWithIcon("Import…", theme.DownloadIcon(), w.ctl.showImport))
	}
	t.menu = append(t.menu, fyne.NewMenuItemWithIcon("Export…", theme.DocumentSaveIcon(), func() { w.ctl.showExport(w.exportScope()) }))
	t.menu = append(t.menu, fyne.NewMenuItemWithIcon("Settings", theme.SettingsIcon(), w.ctl.showSettings))
	t.more = widget.NewButtonWithIcon("More", theme.MoreVerticalIcon(), func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(t.more)
		widget.ShowPopUpMenuAtPosition(t.moreMenu(), w.win.Canvas(), pos.AddXY(0, t.more.Size().Height))
	})
	t.more.Importance = widget.LowImportance
	t.collapse = newCollapseLayout(t.captureBtn, t.fireBtn, t.endpointsBtn, t.deliveriesBtn, t.targetsBtn, t.countLabel, t.clearBtn)
	t.actions = container.New(t.collapse, t.fireBtn, t.endpointsBtn, t.targetsBtn, t.deliveriesBtn, t.countLabel, t.captureBtn, t.clearBtn, t.more)
	bar := w.addPublicURL(container.NewBorder(nil, nil, left, nil, t.actions))

	pausedText := widget.NewLabel("Capture is paused: the listener answers 503 and records nothing. Press Resume to capture again.")
	pausedText.Importance = widget.WarningImportance
	pausedText.Wrapping = fyne.TextWrapWord
	t.paused = container.NewStack(widgets.NewThemedRect(hltheme.Panel, 0),
		container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.MediaPauseIcon())), nil, pausedText))
	t.errText = widget.NewLabel("")
	t.errText.Importance = widget.DangerImportance
	t.errText.Wrapping = fyne.TextWrapWord
	t.errText.Hide()
	t.setCapturing(w.d.Listener.Capturing())
	t.flash = newFlash(w)
	t.teamText = widgets.Caption("")
	t.teamText.Wrapping = fyne.TextWrapWord
	t.team = container.NewBorder(nil, nil, widget.NewIcon(theme.UploadIcon()), nil, t.teamText)
	t.setTeam(w.ctl.pubStatus, w.ctl.pubTrouble)
	rows := container.NewVBox(widgets.Panel(container.NewPadded(bar)), t.paused, t.errText, t.flash.box, t.team)
	t.notices = container.NewVBox()
	rows.Add(t.notices)
	if w.d.Notice != "" {
		t.addNotice(w.d.Notice)
	}
	if w.d.PruneHeld != "" && w.d.PruneNow != nil {
		t.addHeldPrune(w, w.d.PruneHeld, w.d.PruneNow)
	}
	rows.Add(widget.NewSeparator())
	t.root = rows
	return t
}

// setTeam shows the team publisher's status line, or hides it for "";
// in the warning colour while something keeps events waiting.
func (t *topBar) setTeam(s string, trouble bool) {
	if t == nil || t.team == nil {
		return
	}
	t.teamText.Importance = widget.LowImportance
	if trouble {
		t.teamText.Importance = widget.WarningImportance
	}
	t.teamText.SetText(s)
	if s == "" {
		t.team.Hide()
	} else {
		t.team.Show()
	}
}

// addNotice shows msg as a warning with a button that dismisses it.
func (t *topBar) addNotice(msg string) {
	if t.notices == nil {
		return
	}
	notice := widget.NewLabel(msg)
	notice.Importance = widget.WarningImportance
	notice.Wrapping = fyne.TextWrapWord
	var row *fyne.Container
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { t.notices.Remove(row) })
	dismiss.Importance = widget.LowImportance
	row = container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), dismiss, notice)
	t.notices.Add(row)
}

// addHeldPrune says the data dir is over the retention cap and nothing was
// removed; Prune now lets retention run, Settings raises the cap.
func (t *topBar) addHeldPrune(w *Window, msg string, pruneNow func()) {
	notice := widget.NewLabel(msg)
	notice.Importance = widget.WarningImportance
	notice.Wrapping = fyne.TextWrapWord
	var row *fyne.Container
	prune := widget.NewButtonWithIcon("Prune now", theme.DeleteIcon(), func() {
		t.notices.Remove(row)
		go pruneNow()
	})
	prune.Importance = widget.WarningImportance
	settings := widget.NewButton("Settings…", w.ctl.showSettings)
	row = container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())),
		container.NewHBox(settings, prune), notice)
	t.notices.Add(row)
}

// setCapturing shows whether the listener captures (LIVE) or not (PAUSED).
func (t *topBar) setCapturing(on bool) {
	if on {
		t.liveBadge.Set("● LIVE", hltheme.Green)
		t.captureBtn.SetText("Pause")
		t.captureBtn.SetIcon(theme.MediaPauseIcon())
		t.captureBtn.Importance = widget.MediumImportance
		t.paused.Hide()
	} else {
		t.liveBadge.Set("PAUSED", hltheme.Orange)
		t.captureBtn.SetText("Resume")
		t.captureBtn.SetIcon(theme.MediaPlayIcon())
		t.captureBtn.Importance = widget.WarningImportance
		t.paused.Show()
	}
	t.captureBtn.Refresh()
}

// showError shows err under the bar until the window closes.
func (t *topBar) showError(err error) {
	t.errText.SetText(err.Error())
	t.errText.Show()
}
