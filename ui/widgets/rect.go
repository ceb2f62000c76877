package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// ThemedRect is a rectangle filled with a theme colour that follows the
// variant when the system switches between light and dark.
type ThemedRect struct {
	widget.BaseWidget
	Stroke fyne.ThemeColorName // optional border
	rect   *canvas.Rectangle
	name   fyne.ThemeColorName
	radius float32
}

// NewThemedRect fills with colour name, corners rounded by radius.
func NewThemedRect(name fyne.ThemeColorName, radius float32) *ThemedRect {
	r := &ThemedRect{rect: canvas.NewRectangle(color.Transparent), name: name, radius: radius}
	r.ExtendBaseWidget(r)
	return r
}

func (t *ThemedRect) CreateRenderer() fyne.WidgetRenderer {
	t.ExtendBaseWidget(t)
	r := &themedRectRenderer{t: t}
	r.Refresh()
	return r
}

type themedRectRenderer struct{ t *ThemedRect }

func (r *themedRectRenderer) Layout(s fyne.Size) { r.t.rect.Resize(s) }
func (r *themedRectRenderer) MinSize() fyne.Size { return fyne.Size{} }
func (r *themedRectRenderer) Destroy()           {}
func (r *themedRectRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.rect}
}
func (r *themedRectRenderer) Refresh() {
	r.t.rect.FillColor = hltheme.Color(r.t.Theme(), r.t.name)
	r.t.rect.CornerRadius = r.t.radius
	if r.t.Stroke != "" {
		r.t.rect.StrokeColor = hltheme.Color(r.t.Theme(), r.t.Stroke)
		r.t.rect.StrokeWidth = 1
	}
	r.t.rect.Refresh()
}

// Panel puts content on the slightly tinted panel background.
func Panel(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(NewThemedRect(hltheme.Panel, 0), content)
}

// Card is a rounded panel with a coloured border holding rows.
func Card(border fyne.ThemeColorName, rows ...fyne.CanvasObject) fyne.CanvasObject {
	bg := NewThemedRect(hltheme.Panel, 6)
	if border != hltheme.Panel {
		bg.Stroke = border
	}
	return container.NewStack(bg, container.NewPadded(container.NewVBox(rows...)))
}
