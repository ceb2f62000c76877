package widgets

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// RateChart is a small bar chart of counts per step (events per minute),
// oldest on the left, in the theme's blue.
type RateChart struct {
	widget.BaseWidget
	counts []int64
	height float32
}

// NewRateChart is an empty chart height tall.
func NewRateChart(height float32) *RateChart {
	c := &RateChart{height: height}
	c.ExtendBaseWidget(c)
	return c
}

// Set shows counts.
func (c *RateChart) Set(counts []int64) {
	c.counts = append(c.counts[:0], counts...)
	c.Refresh()
}

// Max is the tallest bar's count.
func (c *RateChart) Max() int64 {
	var m int64
	for _, n := range c.counts {
		m = max(m, n)
	}
	return m
}

func (c *RateChart) CreateRenderer() fyne.WidgetRenderer {
	r := &rateRenderer{c: c, base: canvas.NewRectangle(color.Transparent), label: canvas.NewText("", color.Gray{})}
	r.label.TextSize = theme.CaptionTextSize()
	return r
}

type rateRenderer struct {
	c     *RateChart
	base  *canvas.Rectangle
	label *canvas.Text
	bars  []*canvas.Rectangle
}

func (r *rateRenderer) MinSize() fyne.Size { return fyne.NewSize(120, r.c.height) }

func (r *rateRenderer) Layout(s fyne.Size) {
	r.base.Resize(s)
	n := len(r.c.counts)
	for len(r.bars) < n {
		r.bars = append(r.bars, canvas.NewRectangle(color.Transparent))
	}
	r.bars = r.bars[:n]
	top := r.label.MinSize().Height + 2
	m := r.c.Max()
	if n == 0 {
		return
	}
	w := s.Width / float32(n)
	fill := hltheme.Color(r.c.Theme(), hltheme.Blue)
	for i, b := range r.bars {
		h := float32(0)
		if m > 0 {
			h = (s.Height - top) * float32(r.c.counts[i]) / float32(m)
		}
		if r.c.counts[i] > 0 && h < 1 {
			h = 1
		}
		b.FillColor = fill
		b.Move(fyne.NewPos(float32(i)*w, s.Height-h))
		b.Resize(fyne.NewSize(max(w-1, 1), h))
	}
	r.label.Move(fyne.NewPos(0, 0))
}

func (r *rateRenderer) Refresh() {
	r.base.FillColor = hltheme.Color(r.c.Theme(), hltheme.Panel)
	r.label.Color = hltheme.Color(r.c.Theme(), theme.ColorNamePlaceHolder)
	r.label.Text = fmt.Sprintf("peak %d", r.c.Max())
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *rateRenderer) Objects() []fyne.CanvasObject {
	out := []fyne.CanvasObject{r.base}
	for _, b := range r.bars {
		out = append(out, b)
	}
	return append(out, r.label)
}

func (r *rateRenderer) Destroy() {}
