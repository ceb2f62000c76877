package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// WheelSpeed multiplies the driver's wheel step (25 pixels a notch on Linux
// and Windows, less than one line of a form) so one notch moves about three
// lines, as browsers and editors scroll.
const WheelSpeed = 3

// NewVScroll is a vertical scroll whose wheel steps are WheelSpeed times
// the driver's.
func NewVScroll(content fyne.CanvasObject) *container.Scroll {
	s := container.NewVScroll(nil)
	SetScrollContent(s, content)
	return s
}

// SetScrollContent replaces what s scrolls, keeping the faster wheel.
func SetScrollContent(s *container.Scroll, content fyne.CanvasObject) {
	w := &wheel{scroll: s, child: content}
	w.ExtendBaseWidget(w)
	s.Content = w
	s.Refresh()
}

// wheel wraps a scroll's content: the driver gives wheel events to the
// innermost scrollable under the pointer, which is this, and it passes them
// on to the scroll, scaled.
type wheel struct {
	widget.BaseWidget
	scroll *container.Scroll
	child  fyne.CanvasObject
}

var _ fyne.Scrollable = (*wheel)(nil)

func (w *wheel) Scrolled(ev *fyne.ScrollEvent) {
	e := *ev
	e.Scrolled = fyne.NewDelta(ev.Scrolled.DX*WheelSpeed, ev.Scrolled.DY*WheelSpeed)
	w.scroll.Scrolled(&e)
}

func (w *wheel) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(w.child) }

// ScrollIntoView scrolls s, as little as it takes, so that obj (inside s)
// is wholly in view, or its top is when it is taller than the view.
func ScrollIntoView(s *container.Scroll, obj fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(s.Content).Y
	h, view := obj.Size().Height, s.Size().Height
	off := s.Offset
	switch {
	case top < off.Y || h > view:
		off.Y = top
	case top+h > off.Y+view:
		off.Y = top + h - view
	default:
		return
	}
	s.ScrollToOffset(off)
}
