package widgets

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
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
	wrap    bool

	// Highlight, when set, colours a line; it is called only for lines in
	// view, so it may be simple rather than fast.
	Highlight func(line []rune) []Span
	// Forward receives the shortcuts the view does not use (Ctrl+F), which
	// a focused widget would otherwise swallow.
	Forward func(fyne.Shortcut)

	// LineNumbers draws a gutter with line numbers counted from FirstLine
	// (1 when 0), and the fold markers when Folding is set.
	LineNumbers bool
	FirstLine   int
	// Folding offers to fold each bracketed block of pretty JSON (a line
	// ending in { or [ up to its closing line); a tap on the marker toggles.
	Folding bool
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

// SetText replaces the text, unfolds everything and scrolls back to the top.
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
	c.folds, c.folded = nil, map[int]bool{}
	if v.Folding {
		c.folds = foldRanges(c.lines)
	}
	c.anchor, c.caret = textPos{}, textPos{}
	c.layoutRows()
	v.scroll.ScrollToOffset(fyne.Position{})
	c.Refresh()
	v.scroll.Refresh()
}

// SetWrap turns wrapping of long lines at the view's width on or off.
func (v *CodeView) SetWrap(on bool) {
	if v.wrap == on {
		return
	}
	v.wrap = on
	v.content.layoutRows()
	v.scroll.ScrollToOffset(fyne.Position{})
	v.content.Refresh()
	v.scroll.Refresh()
}

// Wrapped reports whether long lines wrap.
func (v *CodeView) Wrapped() bool { return v.wrap }

// Rows is how many rows are drawn: lines, less the folded ones, plus the
// extra rows of wrapped lines.
func (v *CodeView) Rows() int { return len(v.content.rows) }

// RowText is the text drawn on row i (without line number or fold note).
func (v *CodeView) RowText(i int) string {
	r := v.content.rows[i]
	return string(v.content.lines[r.line][r.from:r.to])
}

// Foldable reports whether line i (0-based) starts a block that folds.
func (v *CodeView) Foldable(i int) bool { _, ok := v.content.folds[i]; return ok }

// Folded reports whether the block starting at line i is folded.
func (v *CodeView) Folded(i int) bool { return v.content.folded[i] }

// ToggleFold folds or unfolds the block starting at line i.
func (v *CodeView) ToggleFold(i int) {
	c := v.content
	if _, ok := c.folds[i]; !ok {
		return
	}
	c.folded[i] = !c.folded[i]
	c.layoutRows()
	c.Refresh()
	v.scroll.Refresh()
}

// FoldAll folds every block below the outermost one; UnfoldAll opens all.
func (v *CodeView) FoldAll() {
	c := v.content
	for i, end := range c.folds {
		inner := false
		for j, e2 := range c.folds {
			if j < i && e2 > end {
				inner = true
				break
			}
		}
		c.folded[i] = inner
	}
	c.layoutRows()
	c.Refresh()
	v.scroll.Refresh()
}

func (v *CodeView) UnfoldAll() {
	v.content.folded = map[int]bool{}
	v.content.layoutRows()
	v.content.Refresh()
	v.scroll.Refresh()
}

// foldRanges pairs each line ending in { or [ with the line that closes it,
// by bracket depth over line ends (strings never end a line of pretty
// JSON, so their brackets do not count). Unclosed blocks do not fold.
func foldRanges(lines [][]rune) map[int]int {
	out := map[int]int{}
	var open []int
	for i, l := range lines {
		t := strings.TrimSpace(string(l))
		if t == "" {
			continue
		}
		if c := t[0]; (c == '}' || c == ']') && len(open) > 0 {
			out[open[len(open)-1]] = i
			open = open[:len(open)-1]
		}
		if c := t[len(t)-1]; (c == '{' || c == '[') && i+1 < len(lines) {
			open = append(open, i)
		}
	}
	return out
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
	if r.v.wrap {
		r.v.content.layoutRows()
	}
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
	rows     []visRow
	folds    map[int]int // first line of a block -> its closing line
	folded   map[int]bool
	wrapCols int // columns a wrapped row holds; 0 when not wrapping
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
	_ fyne.Tappable          = (*codeContent)(nil)
	_ fyne.Scrollable        = (*codeContent)(nil)
	_ fyne.SecondaryTappable = (*codeContent)(nil)
	_ desktop.Mouseable      = (*codeContent)(nil)
	_ desktop.Cursorable     = (*codeContent)(nil)
)

// visRow is one drawn row: columns [from, to) of a line. fold > 0 marks a
// folded block's first line, hiding the lines up to line+fold.
type visRow struct{ line, from, to, fold int }

// metrics returns the character cell size and the padding around the text.
func (c *codeContent) metrics() (cw, lh, pad float32) {
	th := c.Theme()
	size := th.Size(theme.SizeNameText)
	m := fyne.MeasureText(strings.Repeat("M", 64), size, fyne.TextStyle{Monospace: true})
	return m.Width / 64, m.Height + 2, th.Size(theme.SizeNameInnerPadding)
}

// gutterCols is the width of the line-number gutter in characters: the
// digits, a fold marker and a space.
func (c *codeContent) gutterCols() int {
	if !c.view.LineNumbers || len(c.lines) == 0 {
		return 0
	}
	return len(strconv.Itoa(c.firstLine()+len(c.lines)-1)) + 2
}

func (c *codeContent) firstLine() int { return max(1, c.view.FirstLine) }

// layoutRows works out the drawn rows from the lines, the folds and, when
// wrapping, the width of the view.
func (c *codeContent) layoutRows() {
	c.rows = c.rows[:0]
	c.wrapCols = 0
	if c.view.wrap {
		cw, _, pad := c.metrics()
		w := c.view.scroll.Size().Width - 2*pad - float32(c.gutterCols())*cw - theme.ScrollBarSize()
		c.wrapCols = max(20, int(w/cw))
	}
	for i := 0; i < len(c.lines); i++ {
		line := c.lines[i]
		fold := 0
		if end, ok := c.folds[i]; ok && c.folded[i] {
			fold = end - i
		}
		if c.wrapCols == 0 || len(line) <= c.wrapCols {
			c.rows = append(c.rows, visRow{i, 0, len(line), fold})
		} else {
			for from := 0; from < len(line); {
				to := wrapEnd(line, from, c.wrapCols)
				c.rows = append(c.rows, visRow{i, from, to, 0})
				from = to
			}
			c.rows[len(c.rows)-1].fold = fold
		}
		i += fold
	}
}

// wrapEnd is where a wrapped row starting at from ends: after the last space
// within width columns when there is one in its second half, else at width.
func wrapEnd(line []rune, from, width int) int {
	end := from + width
	if end >= len(line) {
		return len(line)
	}
	for j := end; j > from+width/2; j-- {
		if line[j-1] == ' ' {
			return j
		}
	}
	return end
}

func (c *codeContent) MinSize() fyne.Size {
	cw, lh, pad := c.metrics()
	cols := c.maxCols
	if c.wrapCols > 0 {
		cols = 20
	}
	return fyne.NewSize(float32(cols+c.gutterCols()+8)*cw+2*pad, float32(len(c.rows))*lh+2*pad)
}

func (c *codeContent) posAt(p fyne.Position) textPos {
	cw, lh, pad := c.metrics()
	if len(c.rows) == 0 {
		return textPos{}
	}
	i := int(math.Floor(float64((p.Y - pad) / lh)))
	r := c.rows[max(0, min(i, len(c.rows)-1))]
	col := r.from + int(math.Round(float64((p.X-pad)/cw))) - c.gutterCols()
	col = max(r.from, min(col, r.to))
	return textPos{r.line, col}
}

// Scrolled moves the view WheelSpeed times the driver's wheel step, as
// the other scrolled panes of the window do.
func (c *codeContent) Scrolled(ev *fyne.ScrollEvent) {
	e := *ev
	e.Scrolled = fyne.NewDelta(ev.Scrolled.DX*WheelSpeed, ev.Scrolled.DY*WheelSpeed)
	c.view.scroll.Scrolled(&e)
}

// Tapped on a fold marker folds or unfolds its block.
func (c *codeContent) Tapped(ev *fyne.PointEvent) {
	cw, lh, pad := c.metrics()
	g := c.gutterCols()
	if g == 0 || len(c.rows) == 0 || ev.Position.X > pad+float32(g)*cw {
		return
	}
	i := int(math.Floor(float64((ev.Position.Y - pad) / lh)))
	if i < 0 || i >= len(c.rows) || c.rows[i].from != 0 {
		return
	}
	c.view.ToggleFold(c.rows[i].line)
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
	dim := hltheme.Color(th, theme.ColorNamePlaceHolder)
	selColor := hltheme.Color(th, theme.ColorNameSelection)
	if !c.focused {
		selColor = hltheme.Tint(selColor, 0x60)
	}
	g := c.gutterCols()
	left := pad + float32(g)*cw // where text starts

	view := c.view.scroll
	off, vs := view.Offset, view.Size()
	first := max(0, int((off.Y-pad)/lh))
	last := min(len(c.rows), int((off.Y+vs.Height-pad)/lh)+1)
	col0 := max(0, int((off.X-left)/cw)-1)
	col1 := int((off.X+vs.Width-left)/cw) + 2
	from, to, hasSel := c.selection()

	ns, nt := 0, 0
	r.objs = r.objs[:0]
	put := func(text string, col color.Color, x, y float32) {
		t := r.text(nt)
		nt++
		t.Text, t.Color, t.TextSize = text, col, size
		t.Move(fyne.NewPos(x, y))
		t.Resize(fyne.NewSize(float32(len([]rune(text)))*cw, lh))
		r.objs = append(r.objs, t)
	}
	for ri := first; ri < last; ri++ {
		vr := c.rows[ri]
		row := vr.line
		line := c.lines[row]
		y := pad + float32(ri)*lh
		if hasSel && row >= from.row && row <= to.row {
			a, b := 0, len(line)+1 // +1 shows the selected line break
			if row == from.row {
				a = from.col
			}
			if row == to.row {
				b = to.col
			}
			end := vr.to
			if vr.to == len(line) {
				end++
			}
			a, b = max(a, vr.from), min(b, end)
			if a < b {
				rect := r.sel(ns)
				ns++
				rect.FillColor = selColor
				rect.Move(fyne.NewPos(left+float32(a-vr.from)*cw, y))
				rect.Resize(fyne.NewSize(float32(b-a)*cw, lh))
				r.objs = append(r.objs, rect)
			}
		}
		if g > 0 && vr.from == 0 {
			num := strconv.Itoa(c.firstLine() + row)
			put(num, dim, pad+float32(g-2-len(num))*cw, y+1)
			if _, ok := c.folds[row]; ok {
				mark := "▾"
				if c.folded[row] {
					mark = "▸"
				}
				put(mark, dim, pad+float32(g-2)*cw, y+1)
			}
		}
		a, b := min(vr.from+col0, vr.to), min(vr.from+col1, vr.to)
		if c.wrapCols > 0 {
			a, b = vr.from, vr.to
		}
		if a < b {
			spans := []Span{{0, len(line), theme.ColorNameForeground}}
			if hl := c.view.Highlight; hl != nil {
				spans = hl(line)
			}
			for _, sp := range spans {
				f, t := max(sp.From, a), min(sp.To, b)
				if f >= t {
					continue
				}
				col := fg
				if sp.Color != theme.ColorNameForeground {
					col = hltheme.Color(th, sp.Color)
				}
				put(string(line[f:t]), col, left+float32(f-vr.from)*cw, y+1)
			}
		}
		if vr.fold > 0 {
			end := strings.TrimSpace(string(c.lines[row+vr.fold]))
			note := fmt.Sprintf(" … %s  (%d lines folded)", end, vr.fold-1)
			put(note, dim, left+float32(vr.to-vr.from)*cw, y+1)
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

// MarkerPos is where row i's fold marker is drawn, in the coordinates of
// Focusable (the scrolled surface): a tap there folds or unfolds its block.
func (v *CodeView) MarkerPos(i int) fyne.Position {
	cw, lh, pad := v.content.metrics()
	return fyne.NewPos(pad+float32(v.content.gutterCols()-2)*cw+cw/2, pad+float32(i)*lh+lh/2)
}

// Offset is how far the view is scrolled.
func (v *CodeView) Offset() fyne.Position { return v.scroll.Offset }
