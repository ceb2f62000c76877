// Package dialogs holds Hooklens's editors and confirmations: the endpoint,
// target and connection editors and their lists, and the questions asked
// before deleting. A dialog takes values, lets the user change them and
// reports what they chose through its On... callbacks; it never reads or
// writes a store or the delivery queue. The window's controller does that
// and tells the dialog how it went (Saved, Failed, Set...).
package dialogs

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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

// listBody is what the list dialogs share: a status line for the outcome
// of the last action, over the rows.
type listBody struct {
	// Rows holds a row per item; Status says how the last action went.
	Rows   *fyne.Container
	Status *widget.Label
	loaded bool
}

func newListBody() listBody {
	p := listBody{Rows: container.NewVBox(), Status: widgets.Caption("")}
	p.Status.Wrapping = fyne.TextWrapWord
	p.Status.Hide()
	return p
}

// SetStatus shows text in the status line, in red when failed.
func (p *listBody) SetStatus(text string, failed bool) {
	p.Status.SetText(text)
	p.Status.Importance = widget.LowImportance
	if failed {
		p.Status.Importance = widget.DangerImportance
	}
	p.Status.Refresh()
	p.Status.Show()
}

// Loaded reports whether the list has been filled at least once.
func (p *listBody) Loaded() bool { return p.loaded }

// fillRows replaces rows with row(item) for each item, each followed by a
// separator, or with the empty message when there are none.
func fillRows[T any](rows *fyne.Container, items []T, empty string, row func(T) fyne.CanvasObject) {
	rows.Objects = nil
	if len(items) == 0 {
		msg := widgets.Caption(empty)
		msg.Wrapping = fyne.TextWrapWord
		rows.Add(msg)
	}
	for _, it := range items {
		rows.Add(row(it))
		rows.Add(widget.NewSeparator())
	}
	rows.Refresh()
}

// listDialog lays out a list dialog over parent: the intro, the buttons and
// the status line on top, the rows scrolling below.
func listDialog(title, intro string, buttons []fyne.CanvasObject, status *widget.Label, rows *fyne.Container, parent fyne.Window) *dialog.CustomDialog {
	in := widget.NewLabel(intro)
	in.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(in, container.NewHBox(buttons...), status, widget.NewSeparator())
	return dialog.NewCustom(title, "Close", container.NewBorder(top, nil, nil, nil, container.NewVScroll(rows)), parent)
}

// editorDialog is a form dialog with Cancel and a Save button that runs save.
func editorDialog(title string, content fyne.CanvasObject, save func(), size fyne.Size, parent fyne.Window) (*dialog.CustomDialog, *widget.Button) {
	d := dialog.NewCustomWithoutButtons(title, content, parent)
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	saveBtn := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), save)
	saveBtn.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{cancel, saveBtn})
	d.Resize(FitSize(parent, size))
	return d, saveBtn
}

// showFailure shows err under a form as a sentence and re-enables save.
func showFailure(l *widget.Label, save *widget.Button, err error) {
	if save != nil {
		save.Enable()
	}
	l.SetText(widgets.UpperFirst(err.Error()) + ".")
	l.Show()
}
