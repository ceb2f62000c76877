package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// Caption is small dim text for secondary information.
func Caption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	l.Importance = widget.LowImportance
	return l
}

// Mono is a selectable monospace label.
func Mono(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Selectable = true
	return l
}

// Heading is a bold section title.
func Heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// FormLabel is the bold, right-aligned name of a form row.
func FormLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
}

// ErrorLabel is a hidden red caption that says what is wrong with a field.
func ErrorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	l.Hide()
	return l
}

// Notice is an icon and a line of text, both in colour c.
func Notice(icon fyne.Resource, c fyne.ThemeColorName, text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	switch c {
	case hltheme.Orange:
		l.Importance = widget.WarningImportance
	case hltheme.Red:
		l.Importance = widget.DangerImportance
	case hltheme.Green:
		l.Importance = widget.SuccessImportance
	default:
		l.Importance = widget.LowImportance
	}
	ic := widget.NewIcon(theme.NewColoredResource(icon, c))
	// Align the icon with the first line of (possibly wrapped) text.
	top := (widget.NewLabel("X").MinSize().Height - theme.IconInlineSize()) / 2
	return container.NewBorder(nil, nil,
		container.New(layout.NewCustomPaddedLayout(top, 0, theme.Padding(), 0), ic), nil, l)
}
