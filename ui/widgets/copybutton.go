package widgets

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// NewCopyButton is a copy icon (with an optional label) that puts get() on
// the clipboard; after a click it shows a check for a moment so the user
// knows the clipboard changed. do runs a function on the UI goroutine
// (fyne.Do in the app).
func NewCopyButton(label string, get func() string, do func(func())) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon(label, theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(get())
		b.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		time.AfterFunc(1200*time.Millisecond, func() {
			do(func() { b.SetIcon(theme.ContentCopyIcon()) })
		})
	})
	if label == "" {
		b.Importance = widget.LowImportance
	}
	return b
}
