package ui

import (
	"fmt"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// busyThreshold is the body size above which formatting shows progress; below
// it the result arrives within a frame and a flashing bar would only distract.
const busyThreshold = 64 << 10

// bodyPane is the Body tab. Decoding and formatting run in a goroutine and
// the text view receives at most widgets.ViewLimit bytes, so a 10 MiB body never
// blocks the window.
type bodyPane struct {
	d    *detail
	root fyne.CanvasObject

	modes    map[string]*widget.Button
	info     *widget.Label
	notes    *fyne.Container
	view     *widgets.CodeView
	busy     *fyne.Container
	busyText *widget.Label
	progress *widget.ProgressBarInfinite
	empty    fyne.CanvasObject
	copyBtn  *widget.Button
	saveBtn  *widget.Button

	ev   *app.Event
	bi   *bodyInfo // nil until inspected
	mode string
	gen  uint64
}

func newBodyPane(d *detail) *bodyPane {
	b := &bodyPane{d: d, modes: map[string]*widget.Button{}}
	modeBar := container.NewHBox()
	for _, m := range []string{modePretty, modeText, modeHex} {
		m := m
		btn := widget.NewButton(m, func() { b.setMode(m) })
		b.modes[m] = btn
		modeBar.Add(btn)
	}
	b.info = widgets.Caption("")
	b.copyBtn = widget.NewButtonWithIcon("Copy body", theme.ContentCopyIcon(), b.copyAll)
	b.saveBtn = widget.NewButtonWithIcon("Save body…", theme.DocumentSaveIcon(), b.save)
	bar := container.NewBorder(nil, nil, container.NewHBox(modeBar, container.NewCenter(b.info)),
		container.NewHBox(b.copyBtn, b.saveBtn))
	b.notes = container.NewVBox()
	b.view = widgets.NewCodeView()
	b.view.Forward = d.w.keys.TypedShortcut
	b.progress = widget.NewProgressBarInfinite()
	b.busyText = widgets.Caption("")
	b.busyText.Alignment = fyne.TextAlignCenter
	b.busy = container.NewCenter(container.NewVBox(container.NewGridWrap(fyne.NewSize(260, b.progress.MinSize().Height), b.progress), b.busyText))
	b.busy.Hide()
	b.progress.Stop()
	msg := widgets.Caption("This request has no body.")
	b.empty = container.NewCenter(msg)
	b.empty.Hide()
	top := container.NewVBox(container.NewPadded(bar), b.notes)
	b.root = container.NewBorder(top, nil, nil, nil, container.NewStack(b.view, b.busy, b.empty))
	return b
}

// stop forgets the shown body (another event is being selected).
func (b *bodyPane) stop() {
	b.gen++
	b.ev, b.bi = nil, nil
	b.progress.Stop()
}

// load inspects and formats e's body off the UI goroutine.
func (b *bodyPane) load(e *app.Event) {
	b.stop()
	b.ev = e
	b.mode = ""
	b.view.SetText("")
	b.notes.RemoveAll()
	b.info.SetText("")
	b.setButtons(false)
	if len(e.Body) == 0 {
		b.busy.Hide()
		b.view.Hide()
		b.empty.Show()
		return
	}
	b.empty.Hide()
	b.view.Show()
	b.run(e, "")
}

// run formats e's body in mode ("" picks the natural one) in a goroutine.
func (b *bodyPane) run(e *app.Event, mode string) {
	b.gen++
	gen := b.gen
	known := b.bi
	if len(e.Body) > busyThreshold {
		b.busyText.SetText(fmt.Sprintf("Formatting %s…", app.HumanSize(int64(len(e.Body)))))
		b.view.Hide()
		b.busy.Show()
		b.progress.Start()
	}
	go func() {
		var bi bodyInfo
		if known != nil {
			bi = *known
		} else {
			bi = inspectBody(e)
		}
		m := mode
		if m == "" {
			m = bi.defaultMode()
		}
		text, full := formatBody(bi.data, m, widgets.ViewLimit)
		b.d.w.do(func() {
			if gen != b.gen {
				return
			}
			b.shown(&bi, m, text, full)
		})
	}()
}

// shown puts a formatted body on screen.
func (b *bodyPane) shown(bi *bodyInfo, mode, text string, full int) {
	e := b.ev
	b.bi, b.mode = bi, mode
	b.progress.Stop()
	b.busy.Hide()
	b.view.Show()
	b.view.Highlight = nil
	switch {
	case mode == modePretty && bi.isJSON:
		b.view.Highlight = widgets.HighlightJSON
	case mode == modeHex:
		b.view.Highlight = widgets.HighlightHex
	}
	b.view.SetText(text)
	b.setButtons(true)

	kind := "binary"
	switch {
	case bi.isJSON:
		kind = "JSON"
	case bi.isText:
		kind = "text"
	}
	b.info.SetText(fmt.Sprintf("%s · %s", kind, app.HumanSize(int64(len(bi.data)))))

	b.notes.RemoveAll()
	if bi.encoding != "" && bi.decodeErr == nil {
		b.notes.Add(widgets.Notice(theme.InfoIcon(), hltheme.Blue,
			fmt.Sprintf("decoded from %s (%s bytes on the wire)", bi.encoding, widgets.GroupDigits(bi.wire))))
	}
	if bi.decodeErr != nil {
		b.notes.Add(widgets.Notice(theme.WarningIcon(), hltheme.Orange, bi.decodeErr.Error()))
	}
	if e.Truncated {
		b.notes.Add(widgets.Notice(theme.WarningIcon(), hltheme.Orange,
			fmt.Sprintf("only the first %s of %s were captured (the body was larger than the listener's cap)",
				app.HumanSize(int64(len(e.Body))), app.HumanSize(e.Size))))
	}
	if len(text) < full {
		var msg string
		switch mode {
		case modeHex:
			shown := int64(strings.Count(text, "\n") * 16)
			msg = fmt.Sprintf("showing the first %s of %s as hex", app.HumanSize(shown), app.HumanSize(int64(len(bi.data))))
		case modePretty:
			msg = fmt.Sprintf("showing the first %s of %s pretty-printed", app.HumanSize(int64(len(text))), app.HumanSize(int64(full)))
		default:
			msg = fmt.Sprintf("showing the first %s of %s", app.HumanSize(int64(len(text))), app.HumanSize(int64(full)))
		}
		b.notes.Add(widgets.Notice(theme.InfoIcon(), hltheme.Grey, msg+" — Copy/Save for all"))
	}
	b.notes.Refresh()
}

func (b *bodyPane) setButtons(ready bool) {
	for m, btn := range b.modes {
		btn.Importance = widget.LowImportance
		if b.mode == m {
			btn.Importance = widget.HighImportance
		}
		enabled := ready
		if ready && m == modePretty && !b.bi.isJSON {
			enabled = false
		}
		if ready && m == modeText && !b.bi.isText {
			enabled = false
		}
		if enabled {
			btn.Enable()
		} else {
			btn.Disable()
		}
		btn.Refresh()
	}
	if ready {
		b.copyBtn.Enable()
		b.saveBtn.Enable()
	} else {
		b.copyBtn.Disable()
		b.saveBtn.Disable()
	}
}

func (b *bodyPane) setMode(m string) {
	if b.ev == nil || b.bi == nil || m == b.mode {
		return
	}
	b.mode = m
	b.setButtons(false)
	b.run(b.ev, m)
}

// copyAll puts the whole body, in the current view, on the clipboard.
func (b *bodyPane) copyAll() {
	if b.bi == nil {
		return
	}
	data, mode, gen := b.bi.data, b.mode, b.gen
	b.copyBtn.Disable()
	go func() {
		text, _ := formatBody(data, mode, math.MaxInt)
		b.d.w.do(func() {
			b.d.w.app.Clipboard().SetContent(text)
			if gen == b.gen {
				b.copyBtn.Enable()
				b.copyBtn.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
				b.d.w.after(1200, func() { b.copyBtn.SetIcon(theme.ContentCopyIcon()) })
			}
		})
	}()
}

// save writes the (decoded) body to a file the user picks.
func (b *bodyPane) save() {
	if b.bi == nil || b.ev == nil {
		return
	}
	name := fmt.Sprintf("event-%s-body%s", b.ev.IDString(), fileExt(b.ev.Headers, *b.bi))
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not open the file to save the body: %w", err), b.d.w.win)
			return
		}
		if wc == nil {
			return // cancelled
		}
		b.saveTo(wc)
	}, b.d.w.win)
	fd.SetFileName(name)
	fd.Show()
}

// saveTo writes the shown body (decoded) to wc in a goroutine and reports a
// failure in a dialog.
func (b *bodyPane) saveTo(wc fyne.URIWriteCloser) {
	data := b.bi.data
	go func() {
		_, err := wc.Write(data)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		b.d.w.do(func() {
			if err != nil {
				dialog.ShowError(fmt.Errorf("saving the body to %s failed: %w; pick another folder", wc.URI().Path(), err), b.d.w.win)
			}
		})
	}()
}
