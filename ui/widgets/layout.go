package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// FixedWidth gives o a minimum width of exactly w, whatever o asks for (the
// column widths of list rows and form rows).
func FixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&widthLayout{w: w, exact: true}, o)
}

// MinWidth gives o a minimum width of at least w (so a card keeps a
// readable line length however little its text asks for).
func MinWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&widthLayout{w: w}, o)
}

// widthLayout fills its cell with its objects and sets the minimum width:
// exactly w, or at least w.
type widthLayout struct {
	w     float32
	exact bool
}

func (l *widthLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Resize(s)
		o.Move(fyne.Position{})
	}
}

func (l *widthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	if l.exact {
		s.Width = l.w
	} else {
		s.Width = max(s.Width, l.w)
	}
	return s
}

// ShowRow shows or hides a form row: its label and its field.
func ShowRow(show bool, objs ...fyne.CanvasObject) {
	for _, o := range objs {
		if show {
			o.Show()
		} else {
			o.Hide()
		}
	}
}

// Enable enables or disables each of ws.
func Enable(on bool, ws ...fyne.Disableable) {
	for _, w := range ws {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}
