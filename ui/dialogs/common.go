// Package dialogs holds Hooklens's editors and the views they share: the
// endpoint, target and connection editors and their lists, the Edit and
// resend editor, the delivery pane (a delivery's attempts, request and
// response) and the questions asked before deleting. A dialog takes values,
// lets the user change them and reports what they chose through its On...
// callbacks; it never reads or writes a store or the delivery queue. The
// window's controller (package ui) does that and tells the dialog how it
// went (Saved, Failed, Set, SetTargets, ActionDone...).
package dialogs

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/ui/widgets"
)

// FitSize is want, shrunk to fit inside the window.
func FitSize(win fyne.Window, want fyne.Size) fyne.Size {
	have := win.Canvas().Size()
	if have.Width > 0 {
		want.Width = min(want.Width, have.Width-40)
	}
	if have.Height > 0 {
		want.Height = min(want.Height, have.Height-40)
	}
	return want
}

// listBody is what the list dialogs share: an intro and buttons on top, a
// status line for the outcome of the last action, and a row per item
// scrolling below, each followed by a separator.
type listBody[T any] struct {
	// Rows holds a row per item; Status says how the last action went.
	Rows   *fyne.Container
	Status *widget.Label
	// OnClosed runs when the dialog closes.
	OnClosed func()

	dlg    *dialog.CustomDialog
	items  []T
	loaded bool
	empty  string // what Rows says while there are no items
	row    func(T) fyne.CanvasObject
	parent fyne.Window
}

// init lays the dialog out over parent.
func (p *listBody[T]) init(title, intro, empty string, buttons []fyne.CanvasObject, size fyne.Size, row func(T) fyne.CanvasObject, parent fyne.Window) {
	p.Rows, p.Status, p.empty, p.row, p.parent = container.NewVBox(), widgets.Caption(""), empty, row, parent
	p.Status.Wrapping = fyne.TextWrapWord
	p.Status.Hide()
	in := widget.NewLabel(intro)
	in.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(in, container.NewHBox(buttons...), p.Status, widget.NewSeparator())
	p.dlg = dialog.NewCustom(title, "Close", container.NewBorder(top, nil, nil, nil, container.NewVScroll(p.Rows)), parent)
	p.dlg.SetOnClosed(func() { call(p.OnClosed) })
	p.dlg.Resize(FitSize(parent, size))
}

// Show opens the dialog.
func (p *listBody[T]) Show() {
	p.dlg.Show()
	Answer(p.parent, nil, p.dlg.Hide)
}

// Items are the items listed.
func (p *listBody[T]) Items() []T { return p.items }

// Set lists items, or says there are none.
func (p *listBody[T]) Set(items []T) {
	p.items, p.loaded = items, true
	p.Rows.Objects = nil
	if len(items) == 0 {
		msg := widgets.Caption(p.empty)
		msg.Wrapping = fyne.TextWrapWord
		p.Rows.Add(msg)
	}
	for _, it := range items {
		p.Rows.Add(p.row(it))
		p.Rows.Add(widget.NewSeparator())
	}
	p.Rows.Refresh()
}

// SetStatus shows text in the status line, in red when failed.
func (p *listBody[T]) SetStatus(text string, failed bool) {
	p.Status.SetText(text)
	p.Status.Importance = widget.LowImportance
	if failed {
		p.Status.Importance = widget.DangerImportance
	}
	p.Status.Refresh()
	p.Status.Show()
}

// Loaded reports whether the list has been filled at least once.
func (p *listBody[T]) Loaded() bool { return p.loaded }

// listRow is a list row: lines on the left, the row's buttons on the right.
func listRow(lines []fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(buttons...)),
		container.New(layout.NewCustomPaddedVBoxLayout(0), lines...))
}

// call runs fn when it is set.
func call(fn func()) {
	if fn != nil {
		fn()
	}
}

// editorDialog is a form dialog with Cancel and a Save button that runs
// save; Enter saves, Esc cancels, and Cancel asks before discarding edits.
func editorDialog(title string, content fyne.CanvasObject, save func(), size fyne.Size, parent fyne.Window) (*formDialog, *widget.Button) {
	d := dialog.NewCustomWithoutButtons(title, content, parent)
	f := &formDialog{CustomDialog: d, title: title, content: content, parent: parent, save: save}
	cancel := widget.NewButton("Cancel", f.cancel)
	saveBtn := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), save)
	saveBtn.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{cancel, saveBtn})
	d.Resize(FitSize(parent, size))
	return f, saveBtn
}

// showFailure shows err under a form as a sentence and re-enables save.
func showFailure(l *widget.Label, save *widget.Button, err error) {
	if save != nil {
		save.Enable()
	}
	l.SetText(widgets.UpperFirst(err.Error()) + ".")
	l.Show()
}
