package ui

import (
	"bytes"
	"fmt"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
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
// the text view receives one page of at most pageLimit bytes at a time, so
// a 10 MiB body never blocks the window and can still be read through.
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

	// View choices beside the modes.
	wrap      *widget.Check
	foldAll   *widget.Button
	unfoldAll *widget.Button
	// Paging through bodies longer than a page.
	pageBar  *fyne.Container
	prevPage *widget.Button
	nextPage *widget.Button
	pageInfo *widget.Label

	fields *kvTable   // a form's fields
	parts  *partsView // a multipart body's parts

	ev   *app.Event
	bi   *bodyInfo // nil until inspected
	mode string
	gen  uint64

	src        []byte // the whole text being paged (pretty JSON, text or the bytes for hex)
	pageStart  int
	pageEnd    int
	prevStarts []int // where the earlier pages started, for Previous
	pageLimit  int   // view text per page; widgets.ViewLimit (tests lower it)
}

func newBodyPane(d *detail) *bodyPane {
	b := &bodyPane{d: d, modes: map[string]*widget.Button{}, pageLimit: widgets.ViewLimit}
	modeBar := container.NewHBox()
	for _, m := range []string{modeFields, modeParts, modePretty, modeText, modeHex} {
		btn := widget.NewButton(m, func() { b.setMode(m) })
		b.modes[m] = btn
		modeBar.Add(btn)
	}
	b.info = widgets.Caption("")
	b.copyBtn = widget.NewButtonWithIcon("Copy body", theme.ContentCopyIcon(), b.copyAll)
	b.saveBtn = widget.NewButtonWithIcon("Save body…", theme.DocumentSaveIcon(), b.save)
	b.wrap = widget.NewCheck("Wrap", func(on bool) { b.view.SetWrap(on) })
	b.foldAll = widget.NewButtonWithIcon("Fold all", theme.MenuDropUpIcon(), func() { b.view.FoldAll() })
	b.unfoldAll = widget.NewButtonWithIcon("Unfold all", theme.MenuDropDownIcon(), func() { b.view.UnfoldAll() })
	b.foldAll.Importance = widget.LowImportance
	b.unfoldAll.Importance = widget.LowImportance
	// Two rows, so the bar fits a narrow window: the modes with Copy and
	// Save, then what the body is with the view's options and its pages.
	bar := container.NewBorder(nil, nil, modeBar, container.NewHBox(b.copyBtn, b.saveBtn))

	// Icon buttons keep the page row narrow; the label between says where.
	b.prevPage = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), b.previous)
	b.nextPage = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), b.next)
	b.pageInfo = widgets.Caption("")
	b.pageBar = container.NewHBox(b.prevPage, container.NewCenter(b.pageInfo), b.nextPage)
	b.pageBar.Hide()
	tools := container.NewHBox(container.NewCenter(b.info), b.wrap, b.foldAll, b.unfoldAll)

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
	b.fields = newKVTable(d.w, "field", "fields")
	b.fields.root.Hide()
	b.parts = newPartsView(b)
	b.parts.root.Hide()
	top := container.NewVBox(container.NewPadded(container.New(layout.NewCustomPaddedVBoxLayout(theme.Padding()), bar, tools)), b.pageBar, b.notes)
	b.root = container.NewBorder(top, nil, nil, nil, container.NewStack(b.view, b.fields.root, b.parts.root, b.busy, b.empty))
	return b
}

// stop forgets the shown body (another event is being selected).
func (b *bodyPane) stop() {
	b.gen++
	b.ev, b.bi, b.src = nil, nil, nil
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
	b.pageBar.Hide()
	b.setButtons(false)
	b.fields.root.Hide()
	b.parts.root.Hide()
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
		var src []byte
		switch m {
		case modePretty, modeText, modeHex:
			src = renderBody(bi.data, m)
		}
		b.d.w.do(func() {
			if gen != b.gen {
				return
			}
			b.shown(&bi, m, src)
		})
	}()
}

// shown puts a formatted body on screen.
func (b *bodyPane) shown(bi *bodyInfo, mode string, src []byte) {
	e := b.ev
	b.bi, b.mode, b.src = bi, mode, src
	b.progress.Stop()
	b.busy.Hide()
	b.view.Hide()
	b.fields.root.Hide()
	b.parts.root.Hide()
	switch mode {
	case modeFields:
		rows := make([][2]string, len(bi.fields))
		for i, f := range bi.fields {
			rows[i] = [2]string{f.Name, f.Value}
		}
		b.fields.root.Show()
		b.fields.set(rows)
		b.fields.count.SetText(widgets.Plural(len(rows), "form field") + " in the order sent, decoded")
	case modeParts:
		b.parts.set(bi.parts)
		b.parts.root.Show()
	default:
		b.view.Show()
		b.view.Highlight = nil
		b.view.LineNumbers = mode == modePretty
		b.view.Folding = mode == modePretty && bi.isJSON
		switch {
		case mode == modePretty && bi.isJSON:
			b.view.Highlight = widgets.HighlightJSON
		case mode == modeHex:
			b.view.Highlight = widgets.HighlightHex
		}
		b.view.SetWrap(mode != modeHex && b.wrap.Checked)
		b.prevStarts = b.prevStarts[:0]
		b.showPage(0)
	}
	b.setButtons(true)

	kind := "binary"
	switch {
	case bi.fields != nil:
		kind = "form"
	case bi.formKind == app.FormMultipart:
		kind = "multipart"
	case bi.isJSON:
		kind = "JSON"
	case bi.isText:
		kind = "text"
	}
	b.info.SetText(fmt.Sprintf("%s · %s", kind, app.HumanSize(int64(len(bi.data)))))

	b.notes.RemoveAll()
	if bi.encoding != "" && bi.decodeErr == nil {
		b.notes.Add(widgets.Notice(theme.InfoIcon(), hltheme.Blue,
			fmt.Sprintf("decoded from %s (%s bytes on the wire)", bi.encoding, app.GroupDigits(bi.wire))))
	}
	if bi.decodeErr != nil {
		b.notes.Add(widgets.Notice(theme.WarningIcon(), hltheme.Orange, bi.decodeErr.Error()))
	}
	if bi.partsErr != nil && mode == modeParts {
		b.notes.Add(widgets.Notice(theme.WarningIcon(), hltheme.Orange, bi.partsErr.Error()))
	}
	if e.Truncated {
		b.notes.Add(widgets.Notice(theme.WarningIcon(), hltheme.Orange,
			fmt.Sprintf("only the first %s of %s were captured (the body was larger than the listener's cap)",
				app.HumanSize(int64(len(e.Body))), app.HumanSize(e.Size))))
	}
	b.notes.Refresh()
}

// showPage shows the page of b.src that starts at byte start.
func (b *bodyPane) showPage(start int) {
	text, end := bodyPage(b.src, b.mode, start, b.pageLimit)
	b.pageStart, b.pageEnd = start, end
	b.view.FirstLine = 1
	if b.view.LineNumbers {
		b.view.FirstLine = 1 + bytes.Count(b.src[:start], []byte{'\n'})
	}
	b.view.SetText(text)
	if start == 0 && end >= len(b.src) {
		b.pageBar.Hide()
		return
	}
	what := ""
	if b.mode == modePretty && b.bi != nil && b.bi.isJSON {
		what = " pretty-printed"
	}
	b.pageInfo.SetText(fmt.Sprintf("bytes %s–%s of %s%s", app.GroupDigits(start+1), app.GroupDigits(end), app.GroupDigits(len(b.src)), what))
	widgets.Enable(start > 0, b.prevPage)
	widgets.Enable(end < len(b.src), b.nextPage)
	b.pageBar.Show()
}

func (b *bodyPane) next() {
	if b.src == nil || b.pageEnd >= len(b.src) {
		return
	}
	b.prevStarts = append(b.prevStarts, b.pageStart)
	b.showPage(b.pageEnd)
}

func (b *bodyPane) previous() {
	if len(b.prevStarts) == 0 {
		return
	}
	start := b.prevStarts[len(b.prevStarts)-1]
	b.prevStarts = b.prevStarts[:len(b.prevStarts)-1]
	b.showPage(start)
}

func (b *bodyPane) setButtons(ready bool) {
	for m, btn := range b.modes {
		btn.Importance = widget.LowImportance
		if b.mode == m {
			btn.Importance = widget.HighImportance
		}
		enabled := ready && b.bi.has(m)
		// Fields and Parts are offered only for the bodies they read.
		widgets.ShowRow(m != modeFields && m != modeParts || b.bi != nil && b.bi.has(m), btn)
		widgets.Enable(enabled, btn)
		btn.Refresh()
	}
	text := ready && (b.mode == modePretty || b.mode == modeText)
	widgets.ShowRow(text, b.wrap)
	widgets.ShowRow(ready && b.mode == modePretty && b.bi.isJSON, b.foldAll, b.unfoldAll)
	widgets.Enable(ready, b.copyBtn, b.saveBtn)
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
	if mode == modeFields || mode == modeParts {
		mode = modeText
	}
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
	b.saveBytes(name, "the body", b.bi.data)
}

// saveBytes asks where to save data (what names it in errors) and writes it.
func (b *bodyPane) saveBytes(name, what string, data []byte) {
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not open the file to save %s: %w", what, err), b.d.w.win)
			return
		}
		if wc == nil {
			return // cancelled
		}
		b.writeTo(wc, what, data)
	}, b.d.w.win)
	fd.SetFileName(name)
	fd.Show()
}

// writeTo writes data to wc in a goroutine and reports a failure in a dialog.
func (b *bodyPane) writeTo(wc fyne.URIWriteCloser, what string, data []byte) {
	go func() {
		_, err := wc.Write(data)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		b.d.w.do(func() {
			if err != nil {
				dialog.ShowError(fmt.Errorf("saving %s to %s failed: %w; pick another folder", what, wc.URI().Path(), err), b.d.w.win)
			}
		})
	}()
}

// saveTo writes the shown body (decoded) to wc.
func (b *bodyPane) saveTo(wc fyne.URIWriteCloser) { b.writeTo(wc, "the body", b.bi.data) }
