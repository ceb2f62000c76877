package dialogs

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/ui/widgets"
)

// SaveTemplate asks for the name to save a captured event as a template
// under, starting with suggest; check says what is wrong with a name (nil
// when it can be saved) and onSave gets the name.
type SaveTemplate struct {
	Name *widget.Entry
	Err  *widget.Label
	dlg  dialog.Dialog
}

// NewSaveTemplate builds the question over parent; Show shows it.
func NewSaveTemplate(suggest string, check func(string) error, onSave func(name string), parent fyne.Window) *SaveTemplate {
	s := &SaveTemplate{Name: widget.NewEntry(), Err: widgets.ErrorLabel()}
	s.Name.SetText(suggest)
	s.Name.Validator = check
	s.Name.OnChanged = func(v string) {
		if err := check(v); err != nil {
			s.Err.SetText(widgets.UpperFirst(err.Error()) + ".")
			s.Err.Show()
			return
		}
		s.Err.Hide()
	}
	items := []*widget.FormItem{
		{Text: "Name", Widget: s.Name, HintText: "like my.order.created: it is listed under My templates in Fire"},
		{Text: "", Widget: s.Err},
	}
	s.dlg = dialog.NewForm("Save as template", "Save", "Cancel", items, func(ok bool) {
		if ok {
			onSave(s.Name.Text)
		}
	}, parent)
	s.dlg.Resize(fyne.NewSize(560, 0))
	return s
}

// Show shows the question.
func (s *SaveTemplate) Show() { s.dlg.Show() }
