package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Minimum window size: the layout is checked down to it (see
// TestNarrowWindowCutsNothing).
var minWindowSize = fyne.NewSize(800, 560)

// collapseLayout lays out a row of actions aligned to the right, and moves
// the ones that do not fit into an overflow menu instead of cutting them:
// the last object is the menu's button (always shown), the others are the
// actions in screen order, and keep says which go last (first in keep,
// last to collapse; objects not in keep collapse first).
type collapseLayout struct {
	keep      []fyne.CanvasObject
	collapsed map[fyne.CanvasObject]bool
	onChange  func() // the set of collapsed objects changed
}

func newCollapseLayout(keep ...fyne.CanvasObject) *collapseLayout {
	return &collapseLayout{keep: keep, collapsed: map[fyne.CanvasObject]bool{}}
}

func (l *collapseLayout) rank(o fyne.CanvasObject) int {
	for i, k := range l.keep {
		if k == o {
			return i
		}
	}
	return len(l.keep)
}

// wanted reports whether o is meant to show: visible, or hidden only
// because it did not fit.
func (l *collapseLayout) wanted(o fyne.CanvasObject) bool { return o.Visible() || l.collapsed[o] }

// MinSize is the menu button's: everything else can collapse into it.
func (l *collapseLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if len(objects) == 0 {
		return fyne.Size{}
	}
	h := float32(0)
	for _, o := range objects {
		if l.wanted(o) {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(objects[len(objects)-1].MinSize().Width, h)
}

func (l *collapseLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	if len(objects) == 0 {
		return
	}
	pad := theme.Padding()
	more := objects[len(objects)-1]
	items := objects[:len(objects)-1]
	var want []fyne.CanvasObject
	for _, o := range items {
		if l.wanted(o) {
			want = append(want, o)
		}
	}
	width := func(show map[fyne.CanvasObject]bool) float32 {
		w := float32(0)
		for _, o := range want {
			if show[o] {
				w += o.MinSize().Width + pad
			}
		}
		return w + more.MinSize().Width
	}
	show := map[fyne.CanvasObject]bool{}
	for _, o := range want {
		show[o] = true
	}
	// Collapse the least kept first until the row fits.
	for width(show) > size.Width {
		var drop fyne.CanvasObject
		for _, o := range want {
			if show[o] && (drop == nil || l.rank(o) >= l.rank(drop)) {
				drop = o
			}
		}
		if drop == nil {
			break
		}
		show[drop] = false
	}
	changed := false
	for _, o := range want {
		if show[o] == l.collapsed[o] {
			changed = true
		}
		if show[o] {
			delete(l.collapsed, o)
			o.Show()
		} else {
			l.collapsed[o] = true
			o.Hide()
		}
	}
	x := size.Width
	place := func(o fyne.CanvasObject) {
		ms := o.MinSize()
		x -= ms.Width
		o.Resize(fyne.NewSize(ms.Width, ms.Height))
		o.Move(fyne.NewPos(x, (size.Height-ms.Height)/2))
		x -= pad
	}
	place(more)
	for i := len(want) - 1; i >= 0; i-- {
		if show[want[i]] {
			place(want[i])
		}
	}
	if changed && l.onChange != nil {
		l.onChange()
	}
}

// overflowItems are menu items for the collapsed objects, in screen order:
// a button becomes an item with its text, icon and action; a label a
// disabled item showing its text.
func (l *collapseLayout) overflowItems(objects []fyne.CanvasObject) []*fyne.MenuItem {
	var out []*fyne.MenuItem
	for _, o := range objects {
		if !l.collapsed[o] {
			continue
		}
		switch v := o.(type) {
		case *widget.Button:
			b := v
			it := fyne.NewMenuItemWithIcon(b.Text, b.Icon, func() {
				if b.OnTapped != nil && !b.Disabled() {
					b.OnTapped()
				}
			})
			it.Disabled = b.Disabled()
			out = append(out, it)
		case *widget.Label:
			it := fyne.NewMenuItem(v.Text, nil)
			it.Disabled = true
			out = append(out, it)
		}
	}
	return out
}

// atLeast keeps its content no smaller than min, which makes min the
// window's minimum size when it holds the window's content.
type atLeast struct{ min fyne.Size }

func (a atLeast) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := a.min
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (a atLeast) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}
