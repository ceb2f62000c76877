// Package theme is Hooklens's look in one file: Fyne's default theme with the
// semantic colours Hooklens adds (method, status, verdict and delivery-state
// badges, panels) and the mapping from what a value means to its colour.
package theme

import (
	"image/color"
	"net/http"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// Colour names Hooklens adds to the theme. Each has a light and a dark value
// so badges stay readable whichever variant the system asks for.
const (
	Blue   fyne.ThemeColorName = "hooklens.blue"
	Green  fyne.ThemeColorName = "hooklens.green"
	Orange fyne.ThemeColorName = "hooklens.orange"
	Red    fyne.ThemeColorName = "hooklens.red"
	Grey   fyne.ThemeColorName = "hooklens.grey"
	Purple fyne.ThemeColorName = "hooklens.purple"
	// Panel is the slightly tinted background of bars and cards.
	Panel fyne.ThemeColorName = "hooklens.panel"
)

// hlTheme is Fyne's default theme with Hooklens's semantic colours added and
// the status colours aligned with them. The variant is never forced: Color
// receives whatever the system prefers.
type hlTheme struct{ fyne.Theme }

// New is the Hooklens theme.
func New() fyne.Theme { return &hlTheme{Theme: theme.DefaultTheme()} }

type pair struct{ light, dark color.NRGBA }

var palette = map[fyne.ThemeColorName]pair{
	Blue:   {rgb(0x1f, 0x6f, 0xd6), rgb(0x6c, 0xaa, 0xff)},
	Green:  {rgb(0x16, 0x8a, 0x46), rgb(0x4c, 0xc9, 0x7c)},
	Orange: {rgb(0xc0, 0x64, 0x00), rgb(0xf2, 0xa3, 0x3a)},
	Red:    {rgb(0xcc, 0x2b, 0x2b), rgb(0xff, 0x6f, 0x6f)},
	Grey:   {rgb(0x66, 0x6d, 0x78), rgb(0x9d, 0xa4, 0xae)},
	Purple: {rgb(0x7a, 0x3f, 0xc4), rgb(0xb8, 0x8c, 0xff)},
	Panel:  {rgb(0xf3, 0xf4, 0xf6), rgb(0x23, 0x25, 0x2a)},
	// Fyne's disabled grey nearly vanishes on both backgrounds; captions
	// and hints use it, so it is raised to a readable secondary tone.
	theme.ColorNameDisabled: {rgb(0x8a, 0x8f, 0x98), rgb(0x7e, 0x83, 0x8c)},
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: 0xff} }

func (t *hlTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameSuccess:
		n = Green
	case theme.ColorNameWarning:
		n = Orange
	case theme.ColorNameError:
		n = Red
	}
	if p, ok := palette[n]; ok {
		if v == theme.VariantLight {
			return p.light
		}
		return p.dark
	}
	return t.Theme.Color(n, v)
}

// Color looks a colour up in th, falling back to the Hooklens palette when
// the app runs another theme (so badges never turn invisible).
func Color(th fyne.Theme, n fyne.ThemeColorName) color.Color {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	if _, ok := th.(*hlTheme); !ok {
		if p, ok := palette[n]; ok {
			if v == theme.VariantLight {
				return p.light
			}
			return p.dark
		}
	}
	return th.Color(n, v)
}

// Tint returns c at the given opacity, for badge backgrounds.
func Tint(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// Importance maps a Hooklens colour to the label importance drawn in it.
func Importance(c fyne.ThemeColorName) widget.Importance {
	switch c {
	case Orange:
		return widget.WarningImportance
	case Red:
		return widget.DangerImportance
	case Green:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

// MethodColor is the colour of a method badge: the colours most HTTP tools
// use, so a user reads them without a legend.
func MethodColor(m string) fyne.ThemeColorName {
	switch strings.ToUpper(m) {
	case http.MethodGet, http.MethodHead:
		return Blue
	case http.MethodPost:
		return Green
	case http.MethodPut, http.MethodPatch:
		return Orange
	case http.MethodDelete:
		return Red
	}
	return Grey
}

// StatusColor is the colour of an HTTP status.
func StatusColor(code int) fyne.ThemeColorName {
	switch {
	case code >= 200 && code < 300:
		return Green
	case code >= 300 && code < 400:
		return Blue
	case code >= 400 && code < 500:
		return Orange
	case code >= 500:
		return Red
	}
	return Grey
}

// VerdictStyle is the colour and icon of a verdict result.
func VerdictStyle(result string) (fyne.ThemeColorName, fyne.Resource) {
	switch result {
	case app.VerdictValid:
		return Green, theme.ConfirmIcon()
	case app.VerdictInvalid:
		return Red, theme.ErrorIcon()
	case app.VerdictUnverified:
		return Orange, theme.WarningIcon()
	case app.VerdictUnsigned:
		return Grey, theme.ContentRemoveIcon()
	}
	return Grey, theme.QuestionIcon()
}

// StateStyle is the colour and icon of a delivery state.
func StateStyle(s app.State) (fyne.ThemeColorName, fyne.Resource) {
	switch s {
	case app.Delivered:
		return Green, theme.ConfirmIcon()
	case app.Pending:
		return Blue, theme.HistoryIcon()
	case app.Failed:
		return Red, theme.ErrorIcon()
	case app.Gone:
		return Orange, theme.ContentRemoveIcon()
	case app.Cancelled:
		return Grey, theme.CancelIcon()
	}
	return Grey, theme.QuestionIcon()
}
