package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// TapRow is a row that can be tapped and shows when it is the one selected.
type TapRow struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	bg       *canvas.Rectangle
	onTap    func()
	selected bool
}

// NewTapRow shows content; onTap runs when it is tapped.
func NewTapRow(content fyne.CanvasObject, onTap func()) *TapRow {
	r := &TapRow{content: content, onTap: onTap, bg: canvas.NewRectangle(color.Transparent)}
	r.ExtendBaseWidget(r)
	return r
}

func (r *TapRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

// SetSelected marks the row as the selected one, or not.
func (r *TapRow) SetSelected(on bool) {
	if r.selected != on {
		r.selected = on
		r.Refresh()
	}
}

func (r *TapRow) CreateRenderer() fyne.WidgetRenderer {
	return &tapRowRenderer{r: r, box: container.New(layout.NewStackLayout(), r.bg, r.content)}
}

type tapRowRenderer struct {
	r   *TapRow
	box *fyne.Container
}

func (rr *tapRowRenderer) Layout(s fyne.Size)           { rr.box.Resize(s) }
func (rr *tapRowRenderer) MinSize() fyne.Size           { return rr.box.MinSize() }
func (rr *tapRowRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{rr.box} }
func (rr *tapRowRenderer) Destroy()                     {}
func (rr *tapRowRenderer) Refresh() {
	rr.r.bg.FillColor = color.Transparent
	if rr.r.selected {
		rr.r.bg.FillColor = hltheme.Color(rr.r.Theme(), theme.ColorNameSelection)
	}
	rr.r.bg.CornerRadius = 4
	rr.r.bg.Refresh()
	rr.box.Refresh()
}
