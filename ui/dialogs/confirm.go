package dialogs

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// ConfirmDelete asks before deleting: onConfirm runs only if the user
// presses the red confirm button.
func ConfirmDelete(title, message, confirm string, onConfirm func(), parent fyne.Window) {
	d := dialog.NewConfirm(title, message, func(ok bool) {
		if ok {
			onConfirm()
		}
	}, parent)
	d.SetConfirmText(confirm)
	d.SetDismissText("Cancel")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}
