package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// searchBar sits under the event list while a free-text filter is searched
// in the background: how far it got, what it found, and Cancel.
type searchBar struct {
	root     *fyne.Container
	label    *widget.Label
	progress *widget.ProgressBar
	cancel   *widget.Button
}

func newSearchBar(onCancel func()) *searchBar {
	b := &searchBar{label: widgets.Caption(""), progress: widget.NewProgressBar()}
	b.label.Wrapping = fyne.TextWrapWord
	b.progress.TextFormatter = func() string { return "" }
	b.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), onCancel)
	b.cancel.Importance = widget.LowImportance
	b.root = container.NewVBox(b.progress, container.NewBorder(nil, nil, nil, b.cancel, b.label))
	b.root.Hide()
	return b
}

// show says where search s stands.
func (b *searchBar) show(s searchStatus) {
	found := widgets.Plural(s.Found, "matching event")
	of := fmt.Sprintf("%s of %s", app.GroupDigits(s.Scanned), app.GroupDigits(s.Total))
	switch {
	case s.Err != nil:
		b.label.SetText(fmt.Sprintf("Search failed after %s events: %v", of, s.Err))
	case s.Capped:
		b.label.SetText(fmt.Sprintf("Showing the first %s (searched %s events): narrow the filter to see the rest", found, of))
	case s.Running:
		b.label.SetText(fmt.Sprintf("Searching… %s scanned · %s", of, found))
	case s.Cancelled:
		b.label.SetText(fmt.Sprintf("Search cancelled after %s events · %s", of, found))
	default:
		b.label.SetText(fmt.Sprintf("%s in %s events", found, app.GroupDigits(s.Total)))
	}
	if s.Total > 0 {
		b.progress.SetValue(float64(s.Scanned) / float64(s.Total))
	}
	if s.Running {
		b.progress.Show()
		b.cancel.Show()
	} else {
		b.progress.Hide()
		b.cancel.Hide()
	}
	b.root.Show()
}
