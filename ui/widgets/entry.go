package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Entry is a widget.Entry that hands Esc, and Enter on a single line with
// no OnSubmitted, on to its window: the dialog or editor it sits in then
// answers them (cancel, confirm) while the field has the keyboard, as it
// does when nothing is focused.
type Entry struct{ widget.Entry }

// NewEntry is an empty single-line Entry.
func NewEntry() *Entry {
	e := &Entry{}
	e.ExtendBaseWidget(e)
	return e
}

// NewMultiLineEntry is an empty multi-line Entry (Enter is a new line).
func NewMultiLineEntry() *Entry {
	e := NewEntry()
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

func (e *Entry) TypedKey(ev *fyne.KeyEvent) {
	if passKey(e, &e.Entry, ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// passKey gives ev to the window of o (an entry, en its widget.Entry) when
// the entry has no use for it.
func passKey(o fyne.CanvasObject, en *widget.Entry, ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyEscape:
	case fyne.KeyReturn, fyne.KeyEnter:
		if en.MultiLine || en.OnSubmitted != nil {
			return false
		}
	default:
		return false
	}
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil || c.OnTypedKey() == nil {
		return false
	}
	c.OnTypedKey()(ev)
	return true
}
