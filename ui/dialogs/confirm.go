package dialogs

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// ConfirmDelete asks before deleting: onConfirm runs only if the user
// presses the red confirm button (or Enter); Esc cancels.
func ConfirmDelete(title, message, confirm string, onConfirm func(), parent fyne.Window) {
	ShowConfirm(title, message, confirm, "Cancel", widget.DangerImportance, onConfirm, parent)
}
