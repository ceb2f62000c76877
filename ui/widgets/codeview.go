package widgets

import (
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// CodeView shows many lines of monospace text. Only the rows and columns in
// view are drawn, so 256 KiB of pretty JSON opens as fast as a short body
// (Fyne's Label and Entry re-measure the whole text per line and take seconds
// there). Text is selectable with the mouse, a double click (word) or Ctrl+A,
// and copied with Ctrl+C or the context menu.
type CodeView struct {
	widget.BaseWidget
	scroll  *container.Scroll
	content *codeContent

	// Highlight, when set, colours a line; it is called only for lines in
	// view, so it may be simple rather than fast.
	Highlight func(line []rune) []Span
	// Forward receives the shortcuts the view does not use (Ctrl+F), which
	// a focused widget would otherwise swallow.
	Forward func(fyne.Shortcut)
}

// Span colours columns [from, to) of a line.
type Span struct {
	From, To int
	Color    fyne.ThemeColorName
}

func NewCodeView() *CodeView {
	v := &CodeView{}
	v.content = &codeContent{view: v}
	v.content.ExtendBaseWidget(v.content)
	v.scroll = container.NewScroll(v.content)
	v.scroll.OnScrolled = func(fyne.Position) { v.content.Refresh() }
	v.ExtendBaseWidget(v)
	return v
}

// SetText replaces the text and scrolls back to the top.
func (v *CodeView) SetText(s string) {
	c := v.content
	s = strings.TrimSuffix(s, "\n")
	c.lines = c.lines[:0]
	c.maxCols = 0
	if s != "" {
		for _, l := range strings.Split(s, "\n") {
			r := []rune(strings.ReplaceAll(strings.TrimSuffix(l, "\r"), "\t", "    "))
			c.lines = append(c.lines, r)
			c.maxCols = max(c.maxCols, len(r))
		}
	}
	c.anchor, c.caret = textPos{}, textPos{}
	v.scroll.ScrollToOffset(fyne.Position{})
	c.Refresh()
	v.scroll.Refresh()
}

// Text returns all the text shown.
func (v *CodeView) Text() string {
	var sb strings.Builder
	for i, l := range v.content.lines {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(string(l))
	}
	return sb.String()
}

// Lines returns the number of lines.
func (v *CodeView) Lines() int { return len(v.content.lines) }

// Line returns line i.
func (v *CodeView) Line(i int) string { return string(v.content.lines[i]) }

// SelectedText returns the selection, or "".
func (v *CodeView) SelectedText() string { return v.content.selectedText() }

// SelectAll selects every line.
func (v *CodeView) SelectAll() { v.content.selectAll() }

func (v *CodeView) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	return &codeViewRenderer{v: v, bg: bg}
}

type codeViewRenderer struct {
	v  *CodeView
	bg *canvas.Rectangle
}

func (r *codeViewRenderer) Layout(s fyne.Size) {
	r.bg.Resize(s)
	r.v.scroll.Resize(s)
	r.v.content.Refresh()
}
func (r *codeViewRenderer) MinSize() fyne.Size { return fyne.NewSize(60, 40) }
func (r *codeViewRenderer) Refresh() {
	r.bg.FillColor = hltheme.Color(r.v.Theme(), theme.ColorNameInputBackground)
	r.bg.CornerRadius = r.v.Theme().Size(theme.SizeNameInputRadius)
	r.bg.Refresh()
	r.v.content.Refresh()
}
func (r *codeViewRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.v.scroll}
}
func (r *codeViewRenderer) Destroy() {}

// textPos is a place between characters: line and column.
type textPos struct{ row, col int }

func (a textPos) before(b textPos) bool { return a.row < b.row || a.row == b.row && a.col < b.col }

// codeContent is the scrolled surface: as big as the whole text, drawing only
// what the scroll container shows.
type codeContent struct {
	widget.BaseWidget
	view     *CodeView
	lines    [][]rune
	maxCols  int
	anchor   textPos
	caret    textPos
	dragging bool
	focused  bool
}

var (
	_ fyne.Draggable         = (*codeContent)(nil)
	_ fyne.Focusable         = (*codeContent)(nil)
	_ fyne.Shortcutable      = (*codeContent)(nil)
	_ fyne.DoubleTappable    = (*codeContent)(nil)
	_ fyne.SecondaryTappable = (*codeContent)(nil)
	_ desktop.Mouseable      = (*codeContent)(nil)
	_ desktop.Cursorable     = (*codeContent)(nil)
)

// metrics returns the character cell size and the padding around the text.
func (c *codeContent) metrics() (cw, lh, pad float32) {
	th := c.Theme()
	size := th.Size(theme.SizeNameText)
	m := fyne.MeasureText(strings.Repeat("M", 64), size, fyne.TextStyle{Monospace: true})
	return m.Width / 64, m.Height + 2, th.Size(theme.SizeNameInnerPadding)
}

func (c *codeContent) MinSize() fyne.Size {
	cw, lh, pad := c.metrics()
	return fyne.NewSize(float32(c.maxCols)*cw+2*pad, float32(len(c.lines))*lh+2*pad)
}

func (c *codeContent) posAt(p fyne.Position) textPos {
	cw, lh, pad := c.metrics()
	if len(c.lines) == 0 {
		return textPos{}
	}
	row := int(math.Floor(float64((p.Y - pad) / lh)))
	row = max(0, min(row, len(c.lines)-1))
	col := int(math.Round(float64((p.X - pad) / cw)))
	col = max(0, min(col, len(c.lines[row])))
	return textPos{row, col}
}

func (c *codeContent) selection() (from, to textPos, ok bool) {
	from, to = c.anchor, c.caret
	if to.before(from) {
		from, to = to, from
	}
	return from, to, from != to
}

func (c *codeContent) selectedText() string {
	from, to, ok := c.selection()
	if !ok {
		return ""
	}
	var sb strings.Builder
	for r := from.row; r <= to.row && r < len(c.lines); r++ {
		line := c.lines[r]
		a, b := 0, len(line)
		if r == from.row {
			a = min(from.col, len(line))
		}
		if r == to.row {
			b = min(to.col, len(line))
		}
		if a < b {
			sb.WriteString(string(line[a:b]))
		}
		if r < to.row {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

func (c *codeContent) selectAll() {
	if len(c.lines) == 0 {
		return
	}
	c.anchor = textPos{}
	c.caret = textPos{len(c.lines) - 1, len(c.lines[len(c.lines)-1])}
	c.Refresh()
}

func (c *codeContent) grabFocus() {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
		cv.Focus(c)
	}
}

func (c *codeContent) MouseDown(ev *desktop.MouseEvent) {
	c.grabFocus()
	if ev.Button == desktop.MouseButtonPrimary {
		c.anchor = c.posAt(ev.Position)
		c.caret = c.anchor
		c.Refresh()
	}
}

func (c *codeContent) MouseUp(*desktop.MouseEvent) {}

func (c *codeContent) Dragged(ev *fyne.DragEvent) {
	if !c.dragging {
		c.dragging = true
		c.anchor = c.posAt(ev.Position.Subtract(ev.Dragged))
	}
	c.caret = c.posAt(ev.Position)
	c.Refresh()
}

func (c *codeContent) DragEnd() { c.dragging = false }

func (c *codeContent) DoubleTapped(ev *fyne.PointEvent) {
	p := c.posAt(ev.Position)
	if p.row >= len(c.lines) {
		return
	}
	line := c.lines[p.row]
	word := func(r rune) bool { return r != ' ' && !strings.ContainsRune(`"',:;{}[]()<>=&?`, r) }
	a, b := p.col, p.col
	for a > 0 && word(line[a-1]) {
		a--
	}
	for b < len(line) && word(line[b]) {
		b++
	}
	c.anchor, c.caret = textPos{p.row, a}, textPos{p.row, b}
	c.Refresh()
}

func (c *codeContent) TappedSecondary(ev *fyne.PointEvent) {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c)
	if cv == nil {
		return
	}
	clip := fyne.CurrentApp().Clipboard()
	copySel := fyne.NewMenuItem("Copy", func() { clip.SetContent(c.selectedText()) })
	copySel.Disabled = c.selectedText() == ""
	copySel.Icon = theme.ContentCopyIcon()
	m := fyne.NewMenu("", copySel,
		fyne.NewMenuItem("Copy all", func() { clip.SetContent(c.view.Text()) }),
		fyne.NewMenuItem("Select all", c.selectAll))
	widget.ShowPopUpMenuAtPosition(m, cv, ev.AbsolutePosition)
}

func (c *codeContent) Cursor() desktop.Cursor { return desktop.TextCursor }

func (c *codeContent) FocusGained()   { c.focused = true; c.Refresh() }
func (c *codeContent) FocusLost()     { c.focused = false; c.Refresh() }
func (c *codeContent) TypedRune(rune) {}

func (c *codeContent) TypedKey(ev *fyne.KeyEvent) {
	s := c.view.scroll
	_, lh, _ := c.metrics()
	off := s.Offset
	switch ev.Name {
	case fyne.KeyUp:
		off.Y -= lh
	case fyne.KeyDown:
		off.Y += lh
	case fyne.KeyPageUp:
		off.Y -= s.Size().Height - lh
	case fyne.KeyPageDown:
		off.Y += s.Size().Height - lh
	case fyne.KeyHome:
		off.Y = 0
	case fyne.KeyEnd:
		off.Y = c.MinSize().Height
	case fyne.KeyEscape:
		c.caret = c.anchor
		c.Refresh()
		return
	default:
		return
	}
	off.Y = max(0, min(off.Y, c.MinSize().Height-s.Size().Height))
	s.ScrollToOffset(off)
	c.Refresh()
}

func (c *codeContent) TypedShortcut(sc fyne.Shortcut) {
	switch sc.(type) {
	case *fyne.ShortcutCopy:
		if t := c.selectedText(); t != "" {
			fyne.CurrentApp().Clipboard().SetContent(t)
		}
	case *fyne.ShortcutSelectAll:
		c.selectAll()
	default:
		if f := c.view.Forward; f != nil {
			f(sc)
		}
	}
}

func (c *codeContent) CreateRenderer() fyne.WidgetRenderer {
	return &codeContentRenderer{c: c}
}

type codeContentRenderer struct {
	c     *codeContent
	texts []*canvas.Text
	sels  []*canvas.Rectangle
	objs  []fyne.CanvasObject
}

func (r *codeContentRenderer) Layout(fyne.Size)             { r.Refresh() }
func (r *codeContentRenderer) MinSize() fyne.Size           { return r.c.MinSize() }
func (r *codeContentRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *codeContentRenderer) Destroy()                     {}

// Refresh lays out the rows that are in view, reusing canvas objects.
func (r *codeContentRenderer) Refresh() {
	c := r.c
	th := c.Theme()
	cw, lh, pad := c.metrics()
	size := th.Size(theme.SizeNameText)
	fg := hltheme.Color(th, theme.ColorNameForeground)
	selColor := hltheme.Color(th, theme.ColorNameSelection)
	if !c.focused {
		selColor = hltheme.Tint(selColor, 0x60)
	}

	view := c.view.scroll
	off, vs := view.Offset, view.Size()
	first := max(0, int((off.Y-pad)/lh))
	last := min(len(c.lines), int((off.Y+vs.Height-pad)/lh)+1)
	col0 := max(0, int((off.X-pad)/cw)-1)
	col1 := int((off.X+vs.Width-pad)/cw) + 2
	from, to, hasSel := c.selection()

	ns, nt := 0, 0
	r.objs = r.objs[:0]
	for row := first; row < last; row++ {
		line := c.lines[row]
		if hasSel && row >= from.row && row <= to.row {
			a, b := 0, len(line)+1 // +1 shows the selected line break
			if row == from.row {
				a = from.col
			}
			if row == to.row {
				b = to.col
			}
			if a < b {
				rect := r.sel(ns)
				ns++
				rect.FillColor = selColor
				rect.Move(fyne.NewPos(pad+float32(a)*cw, pad+float32(row)*lh))
				rect.Resize(fyne.NewSize(float32(b-a)*cw, lh))
				r.objs = append(r.objs, rect)
			}
		}
		a, b := min(col0, len(line)), min(col1, len(line))
		if a >= b {
			continue
		}
		spans := []Span{{0, len(line), theme.ColorNameForeground}}
		if hl := c.view.Highlight; hl != nil {
			spans = hl(line)
		}
		y := pad + float32(row)*lh + 1
		for _, sp := range spans {
			from, to := max(sp.From, a), min(sp.To, b)
			if from >= to {
				continue
			}
			t := r.text(nt)
			nt++
			t.Text = string(line[from:to])
			t.Color = fg
			if sp.Color != theme.ColorNameForeground {
				t.Color = hltheme.Color(th, sp.Color)
			}
			t.TextSize = size
			t.Move(fyne.NewPos(pad+float32(from)*cw, y))
			t.Resize(fyne.NewSize(float32(to-from)*cw, lh))
			r.objs = append(r.objs, t)
		}
	}
	for _, o := range r.objs {
		o.Refresh()
	}
}

func (r *codeContentRenderer) text(i int) *canvas.Text {
	for len(r.texts) <= i {
		t := canvas.NewText("", color.Black)
		t.TextStyle = fyne.TextStyle{Monospace: true}
		r.texts = append(r.texts, t)
	}
	return r.texts[i]
}

func (r *codeContentRenderer) sel(i int) *canvas.Rectangle {
	for len(r.sels) <= i {
		r.sels = append(r.sels, canvas.NewRectangle(color.Transparent))
	}
	return r.sels[i]
}

// Focusable is the part of the view that takes keyboard focus and
// shortcuts (to focus it or send it one).
func (v *CodeView) Focusable() interface {
	fyne.Focusable
	fyne.Shortcutable
} {
	return v.content
}
