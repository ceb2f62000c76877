package ui

import (
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/ui/widgets"
)

// newCopyButton is widgets.NewCopyButton with the window's UI goroutine.
func (w *Window) newCopyButton(label string, get func() string) *widget.Button {
	return widgets.NewCopyButton(label, get, w.do)
}
