package main

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/store"
	"github.com/hooklens/hooklens/ui/widgets"
)

// windowStart opens the assembly behind the window on a goroutine of its
// own while the app's run loop goes on: Fyne's loop must run on the main
// goroutine, and opening an older data file upgrades it first, which takes
// tens of seconds at a million events. Meanwhile the upgrade shows in a small
// window, made at the store's first report, so no window appears when there
// is no upgrade.
type windowStart struct {
	a    fyne.App
	path string         // the data file, shown in the upgrade window
	do   func(func())   // runs a function on the UI goroutine (fyne.Do)
	up   *upgradeWindow // nil until the first report; UI goroutine only

	mu       sync.Mutex
	stopped  bool // the app quit or is quitting: no more UI work
	gone     bool // result was asked before open returned: close what it opens
	finished bool
	h        *Hooklens
	err      error
}

// startWindow runs open on its own goroutine, handing it the function that
// shows the upgrade reports it gets (Config.OnUpgrade). Once open returns,
// show gets its result on the UI goroutine (the main window, or why Hooklens
// could not start), and the upgrade window, if any, closes after it, so the
// screen is never without a Hooklens window. An open that fails after
// starting some of the assembly may return it along with the error.
func startWindow(a fyne.App, path string, do func(func()), open func(progress func(store.UpgradeProgress)) (*Hooklens, error), show func(*Hooklens, error)) *windowStart {
	s := &windowStart{a: a, path: path, do: do}
	go func() {
		h, err := open(s.progress)
		s.mu.Lock()
		gone, stopped := s.gone, s.stopped
		s.h, s.err, s.finished = h, err, true
		s.mu.Unlock()
		if gone {
			h.Close()
			return
		}
		if stopped {
			return // closed during the upgrade: result hands h back to be closed
		}
		s.do(func() {
			if s.isStopped() {
				return
			}
			show(h, err)
			if s.up != nil {
				s.up.win.SetOnClosed(nil)
				s.up.win.Close()
				s.up = nil
			}
		})
	}()
	return s
}

// progress shows p in the upgrade window, made and shown at the first
// report. The store calls it on its own goroutine.
func (s *windowStart) progress(p store.UpgradeProgress) {
	if s.isStopped() {
		return
	}
	s.do(func() {
		if s.isStopped() {
			return
		}
		if s.up == nil {
			s.up = newUpgradeWindow(s.a, s.path, s.do)
			// Closing it quits (it is the only window): the open
			// goes on in the background until the process ends,
			// and an upgrade cut short goes on at the next start.
			s.up.win.SetOnClosed(s.stop)
			s.up.win.Show()
		}
		s.up.set(p)
	})
}

func (s *windowStart) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

func (s *windowStart) stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

// result is what open returned, once the app's run loop has ended. ok is
// false when open has not returned yet (the window was closed during an
// upgrade): what it opens is then closed when it returns, if the process
// is still running.
func (s *windowStart) result() (h *Hooklens, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if !s.finished {
		s.gone = true
		return nil, false, nil
	}
	return s.h, true, s.err
}

// upgradeWindow shows how an upgrade of an older data file at open goes:
// the step the store is at, in its own words (a step added to the store
// shows without a change here), a bar of its Done of Total, the store's line
// for it ("140,000 of 300,000 events (46%)"), and the steps finished so far.
type upgradeWindow struct {
	win      fyne.Window
	finished *fyne.Container // a check and the words of each finished step
	step     *widget.Label
	bar      *widget.ProgressBar
	line     *widget.Label
	current  string // the step shown
}

func newUpgradeWindow(a fyne.App, path string, do func(func())) *upgradeWindow {
	u := &upgradeWindow{win: a.NewWindow("Hooklens")}
	heading := container.NewHBox(widget.NewIcon(theme.StorageIcon()),
		widget.NewLabelWithStyle("Upgrading the data file", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	about := widget.NewLabel("This version of Hooklens brings an older data file up to date once, before it opens. A copy of the file as it was is kept beside it.")
	about.Wrapping = fyne.TextWrapWord
	file := widget.NewLabelWithStyle(path, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	file.Truncation = fyne.TextTruncateEllipsis
	fileRow := container.NewBorder(nil, nil, nil, widgets.NewCopyButton("", func() string { return path }, do), file)

	u.finished = container.NewVBox()
	u.step = widget.NewLabel("")
	u.step.Wrapping = fyne.TextWrapWord
	u.bar = widget.NewProgressBar()
	u.line = widget.NewLabel("")
	u.line.Wrapping = fyne.TextWrapWord

	u.win.SetContent(container.NewPadded(container.NewVBox(
		heading, about, fileRow, widget.NewSeparator(),
		u.finished, u.step, u.bar, u.line)))
	u.win.Resize(fyne.NewSize(620, 1)) // as tall as its content
	u.win.CenterOnScreen()
	return u
}

// set shows p; a new step moves the one before it to the finished ones.
func (u *upgradeWindow) set(p store.UpgradeProgress) {
	if p.Step != u.current {
		if u.current != "" {
			done := widget.NewLabel(u.current)
			done.Wrapping = fyne.TextWrapWord
			u.finished.Add(container.NewBorder(nil, nil,
				widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon())), nil, done))
		}
		u.current = p.Step
		u.step.SetText(p.Step)
	}
	v := 1.0 // nothing to do is done, as UpgradeProgress.String says
	if p.Total > 0 {
		v = float64(min(max(p.Done, 0), p.Total)) / float64(p.Total)
	}
	u.bar.SetValue(v)
	// The store's line for it, without the step it starts with, shown above.
	u.line.SetText(strings.TrimPrefix(p.String(), p.Step+": "))
}
