package dialogs

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/ui/widgets"
)

// Keys for dialogs: Enter confirms and Esc cancels the dialog on top of a
// window. A dialog registers what those mean with Answer when it shows; a
// dialog that did not (an error message) is closed by either. The window
// passes its keys through AnswerKey first, so a key meant for a dialog never
// reaches the list behind it.

type answer struct{ confirm, cancel func() }

// answers are the registered dialogs by their overlay; touched only on the
// UI goroutine.
var answers = map[fyne.CanvasObject]answer{}

// Answer makes Enter run confirm and Esc run cancel while the dialog just
// shown over parent is on top (call it right after Show). A nil confirm
// leaves Enter to do nothing.
func Answer(parent fyne.Window, confirm, cancel func()) {
	top := parent.Canvas().Overlays().Top()
	if top == nil {
		return
	}
	answers[top] = answer{confirm, cancel}
}

// AnswerKey gives ev to the dialog on top of c, if any, and reports whether
// a dialog was there (then the key is the dialog's, whatever it is).
func AnswerKey(c fyne.Canvas, ev *fyne.KeyEvent) bool {
	ov := c.Overlays()
	top := ov.Top()
	// Forget dialogs that have closed.
	for o := range answers {
		if !onCanvas(ov.List(), o) || !o.Visible() {
			delete(answers, o)
		}
	}
	if top == nil {
		return false
	}
	if _, menu := top.(*widget.PopUpMenu); menu {
		return false // a menu has the keys itself
	}
	a, ok := answers[top]
	switch ev.Name {
	case fyne.KeyEscape:
		if ok && a.cancel != nil {
			a.cancel()
		} else if !ok {
			top.Hide() // a message: either key closes it
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if ok && a.confirm != nil {
			a.confirm()
		} else if !ok {
			top.Hide() // a message: either key closes it
		}
	}
	return true
}

func onCanvas(list []fyne.CanvasObject, o fyne.CanvasObject) bool {
	for _, x := range list {
		if x == o {
			return true
		}
	}
	return false
}

// ShowConfirm shows a question with a confirm and a cancel button; Enter
// confirms, Esc cancels. imp styles the confirm button.
func ShowConfirm(title, message, confirm, cancel string, imp widget.Importance, onConfirm func(), parent fyne.Window) dialog.Dialog {
	d := dialog.NewConfirm(title, message, func(ok bool) {
		if ok && onConfirm != nil {
			onConfirm()
		}
	}, parent)
	d.SetConfirmText(confirm)
	d.SetDismissText(cancel)
	d.SetConfirmImportance(imp)
	d.Show()
	Answer(parent, d.Confirm, d.Hide)
	return d
}

// --- editors ----------------------------------------------------------------------

// formDialog is an editor dialog: Save (Enter) and Cancel (Esc), and Cancel
// asks before throwing away edits.
type formDialog struct {
	*dialog.CustomDialog
	title   string
	content fyne.CanvasObject
	parent  fyne.Window
	save    func()
	shown   string // the form's values when it opened
}

// Show opens the editor and remembers its values to tell edits later.
func (f *formDialog) Show() {
	f.CustomDialog.Show()
	f.shown = FormState(f.content)
	Answer(f.parent, f.save, f.cancel)
}

// Edited reports whether a field differs from when the editor opened.
func (f *formDialog) Edited() bool { return FormState(f.content) != f.shown }

// cancel closes the editor, asking first when something was edited.
func (f *formDialog) cancel() {
	if !f.Edited() {
		f.Hide()
		return
	}
	AskDiscard(f.title, f.Hide, f.parent)
}

// AskDiscard asks whether to throw away the edits made in what; discard
// runs when the user says so.
func AskDiscard(what string, discard func(), parent fyne.Window) {
	ShowConfirm("Discard changes?", fmt.Sprintf("%s has changes that are not saved.\nDiscard them?", what),
		"Discard", "Keep editing", widget.DangerImportance, discard, parent)
}

// FormState is the values of the fields under o (entries, selects, checks,
// radio groups) as one string, to compare before and after.
func FormState(o fyne.CanvasObject) string {
	var sb strings.Builder
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case nil:
		case *widget.Entry:
			fmt.Fprintf(&sb, "e%q;", v.Text)
		case *widget.SelectEntry:
			fmt.Fprintf(&sb, "e%q;", v.Text)
		case *widget.Select:
			fmt.Fprintf(&sb, "s%q;", v.Selected)
		case *widget.Check:
			fmt.Fprintf(&sb, "c%v;", v.Checked)
		case *widget.RadioGroup:
			fmt.Fprintf(&sb, "r%q;", v.Selected)
		case interface{ Value() string }:
			fmt.Fprintf(&sb, "v%q;", v.Value())
		case *widgets.Entry:
			fmt.Fprintf(&sb, "e%q;", v.Text)
		case *widgets.DurationEntry:
			fmt.Fprintf(&sb, "e%q;", v.Text)
		case *fyne.Container:
			for _, ch := range v.Objects {
				visit(ch)
			}
		case *container.Scroll:
			visit(v.Content)
		case *container.Split:
			visit(v.Leading)
			visit(v.Trailing)
		case *container.AppTabs:
			for _, it := range v.Items {
				visit(it.Content)
			}
		case *widget.Card:
			visit(v.Content)
		}
	}
	visit(o)
	return sb.String()
}
