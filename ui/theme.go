package ui

import (
	"image/color"
	"net/http"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/hooklens/hooklens/app"
)

// Colour names Hooklens adds to the theme. Each has a light and a dark value
// so badges stay readable whichever variant the system asks for.
const (
	colorBlue   fyne.ThemeColorName = "hooklens.blue"
	colorGreen  fyne.ThemeColorName = "hooklens.green"
	colorOrange fyne.ThemeColorName = "hooklens.orange"
	colorRed    fyne.ThemeColorName = "hooklens.red"
	colorGrey   fyne.ThemeColorName = "hooklens.grey"
	colorPurple fyne.ThemeColorName = "hooklens.purple"
	// colorPanel is the slightly tinted background of bars and cards.
	colorPanel fyne.ThemeColorName = "hooklens.panel"
)

// hlTheme is Fyne's default theme with Hooklens's semantic colours added and
// the status colours aligned with them. The variant is never forced: Color
// receives whatever the system prefers.
type hlTheme struct{ fyne.Theme }

func newTheme() fyne.Theme { return &hlTheme{Theme: theme.DefaultTheme()} }

type pair struct{ light, dark color.NRGBA }

var palette = map[fyne.ThemeColorName]pair{
	colorBlue:   {rgb(0x1f, 0x6f, 0xd6), rgb(0x6c, 0xaa, 0xff)},
	colorGreen:  {rgb(0x16, 0x8a, 0x46), rgb(0x4c, 0xc9, 0x7c)},
	colorOrange: {rgb(0xc0, 0x64, 0x00), rgb(0xf2, 0xa3, 0x3a)},
	colorRed:    {rgb(0xcc, 0x2b, 0x2b), rgb(0xff, 0x6f, 0x6f)},
	colorGrey:   {rgb(0x66, 0x6d, 0x78), rgb(0x9d, 0xa4, 0xae)},
	colorPurple: {rgb(0x7a, 0x3f, 0xc4), rgb(0xb8, 0x8c, 0xff)},
	colorPanel:  {rgb(0xf3, 0xf4, 0xf6), rgb(0x23, 0x25, 0x2a)},
	// Fyne's disabled grey nearly vanishes on both backgrounds; captions
	// and hints use it, so it is raised to a readable secondary tone.
	theme.ColorNameDisabled: {rgb(0x8a, 0x8f, 0x98), rgb(0x7e, 0x83, 0x8c)},
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: 0xff} }

func (t *hlTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameSuccess:
		n = colorGreen
	case theme.ColorNameWarning:
		n = colorOrange
	case theme.ColorNameError:
		n = colorRed
	}
	if p, ok := palette[n]; ok {
		if v == theme.VariantLight {
			return p.light
		}
		return p.dark
	}
	return t.Theme.Color(n, v)
}

// themeColor looks a colour up in th, falling back to the Hooklens palette
// when the app runs another theme (so badges never turn invisible).
func themeColor(th fyne.Theme, n fyne.ThemeColorName) color.Color {
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

// tint returns c at the given opacity, for badge backgrounds.
func tint(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// methodColor is the colour of a method badge: the colours most HTTP tools
// use, so a user reads them without a legend.
func methodColor(m string) fyne.ThemeColorName {
	switch strings.ToUpper(m) {
	case http.MethodGet, http.MethodHead:
		return colorBlue
	case http.MethodPost:
		return colorGreen
	case http.MethodPut, http.MethodPatch:
		return colorOrange
	case http.MethodDelete:
		return colorRed
	}
	return colorGrey
}

// statusColor is the colour of the status the listener answered.
func statusColor(code int) fyne.ThemeColorName {
	switch {
	case code >= 200 && code < 300:
		return colorGreen
	case code >= 300 && code < 400:
		return colorBlue
	case code >= 400 && code < 500:
		return colorOrange
	case code >= 500:
		return colorRed
	}
	return colorGrey
}

// verdictStyle is the colour and icon of a verdict result.
func verdictStyle(result string) (fyne.ThemeColorName, fyne.Resource) {
	switch result {
	case app.VerdictValid:
		return colorGreen, theme.ConfirmIcon()
	case app.VerdictInvalid:
		return colorRed, theme.ErrorIcon()
	case app.VerdictUnverified:
		return colorOrange, theme.WarningIcon()
	case app.VerdictUnsigned:
		return colorGrey, theme.ContentRemoveIcon()
	}
	return colorGrey, theme.QuestionIcon()
}

// verdictIcon is the verdict's icon drawn in its colour.
func verdictIcon(result string) fyne.Resource {
	c, icon := verdictStyle(result)
	return theme.NewColoredResource(icon, c)
}
