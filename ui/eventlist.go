package ui

import (
	"image/color"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// eventList is the virtualised list of events. It only changes how keys are
// handled: Up/Down move the selection (not just the keyboard highlight) and
// Delete asks to remove the selected event.
type eventList struct {
	widget.List
	onKey func(*fyne.KeyEvent) bool
}

func newEventList(length func() int, create func() fyne.CanvasObject, update func(int, fyne.CanvasObject)) *eventList {
	l := &eventList{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

func (l *eventList) TypedKey(ev *fyne.KeyEvent) {
	if l.onKey != nil && l.onKey(ev) {
		return
	}
	l.List.TypedKey(ev)
}

// eventRow draws one event in two lines:
//
//	[POST]  /hooks/stripe?x=1 ……………………………  [200]
//	        15:04:05.123 · 1.2 KiB · stripe    [✓ valid]
//
// It lays out its own canvas objects so hundreds of rows stay cheap, and
// truncates the monospace path by character count.
type eventRow struct {
	widget.BaseWidget
	sum    app.EventSummary
	index  int
	loaded bool
	onMenu func(id uint64, at fyne.Position)
	onTap  func(index int)

	method  *widgets.Badge
	status  *widgets.Badge
	verdict *widgets.Badge
	path    *canvas.Text
	meta    *monoLine
	ghost   *canvas.Rectangle // stands in for text while the page loads
}

func newEventRow() *eventRow {
	r := &eventRow{
		method:  widgets.NewBadge("DELETE"),
		status:  widgets.NewBadge("000"),
		verdict: widgets.NewBadge("unverified"),
		path:    canvas.NewText("", color.Black),
		meta:    newMonoLine(metaPieces),
		ghost:   canvas.NewRectangle(color.Transparent),
	}
	r.status.Mono = true
	r.path.TextStyle = fyne.TextStyle{Monospace: true}
	r.ExtendBaseWidget(r)
	return r
}

// set shows s at row index; loaded false draws a placeholder until the
// page arrives.
func (r *eventRow) set(index int, s app.EventSummary, loaded bool) {
	r.index, r.sum, r.loaded = index, s, loaded
	r.Refresh()
}

// Tapped selects the row. The row must handle it itself: being secondary
// tappable (for its menu) makes it the target of every click.
func (r *eventRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap(r.index)
	}
}

// TappedSecondary opens the row's context menu.
func (r *eventRow) TappedSecondary(ev *fyne.PointEvent) {
	if r.loaded && r.onMenu != nil {
		r.onMenu(r.sum.ID, ev.AbsolutePosition)
	}
}

func (r *eventRow) CreateRenderer() fyne.WidgetRenderer {
	objs := append([]fyne.CanvasObject{r.ghost, r.method, r.path, r.status, r.verdict}, r.meta.objects()...)
	return &eventRowRenderer{r: r, objs: objs}
}

// MinSize is measured without a renderer: Fyne's List makes a row only to
// measure it on every refresh, and a renderer would keep that row in
// Fyne's renderer cache for a minute or more.
func (r *eventRow) MinSize() fyne.Size { return eventRowMinSize(r.Theme()) }

func eventRowMinSize(th fyne.Theme) fyne.Size {
	text, small, pad := th.Size(theme.SizeNameText), th.Size(theme.SizeNameCaptionText), th.Size(theme.SizeNamePadding)
	l1 := fyne.MeasureText("M", text, fyne.TextStyle{Monospace: true}).Height
	l2 := fyne.MeasureText("M", small, fyne.TextStyle{Monospace: true}).Height
	return fyne.NewSize(220, pad*2+l1+l2+4)
}

type eventRowRenderer struct {
	r    *eventRow
	objs []fyne.CanvasObject // the same each time: Fyne asks for them every frame
}

func (rr *eventRowRenderer) Objects() []fyne.CanvasObject { return rr.objs }
func (rr *eventRowRenderer) Destroy()                     {}

func (rr *eventRowRenderer) sizes() (text, small, pad float32) {
	th := rr.r.Theme()
	return th.Size(theme.SizeNameText), th.Size(theme.SizeNameCaptionText), th.Size(theme.SizeNamePadding)
}

func (rr *eventRowRenderer) MinSize() fyne.Size { return eventRowMinSize(rr.r.Theme()) }

func (rr *eventRowRenderer) Layout(s fyne.Size) {
	r := rr.r
	text, small, pad := rr.sizes()
	x := pad * 2
	mono := fyne.TextStyle{Monospace: true}
	l1 := fyne.MeasureText("M", text, mono).Height
	l2 := fyne.MeasureText("M", small, mono).Height
	top := (s.Height - (l1 + l2 + 4)) / 2

	mb := r.method.MinSize()
	r.method.Move(fyne.NewPos(x, top+(l1-mb.Height)/2))
	r.method.Resize(mb)
	textX := x + mb.Width + pad*2

	right := s.Width - pad*2
	sb := r.status.MinSize()
	r.status.Move(fyne.NewPos(right-sb.Width, top+(l1-sb.Height)/2))
	r.status.Resize(sb)
	vb := r.verdict.MinSize()
	if r.verdict.Text == "" {
		vb.Width = 0
	}
	r.verdict.Move(fyne.NewPos(right-vb.Width, top+l1+4+(l2-vb.Height)/2))
	r.verdict.Resize(vb)

	pathW := right - sb.Width - pad*2 - textX
	r.path.Move(fyne.NewPos(textX, top))
	r.path.Resize(fyne.NewSize(pathW, l1))
	r.path.Text = fitMono(rr.pathText(), pathW, text)

	metaW := right - vb.Width - pad*2 - textX
	r.meta.layout(rr.metaParts(), fyne.NewPos(textX, top+l1+4), fyne.NewSize(metaW, l2), small)

	r.ghost.Move(fyne.NewPos(textX, top+l1/4))
	r.ghost.Resize(fyne.NewSize(min(pathW, 180), l1/2))
}

func (rr *eventRowRenderer) pathText() string { return rr.r.sum.RequestURI() }

// metaText is the row's second line as one string.
func (rr *eventRowRenderer) metaText() string { return strings.Join(rr.metaParts(), "") }

// metaParts is the second line in the pieces it is drawn in, which joined
// make the line: [kind · ][type · ]15:04:05|.123| · 1.2 KiB[ · endpoint].
// Fyne keeps a texture for each distinct text it draws (for a minute), so
// the part that differs from one event to the next, the milliseconds, is
// a piece of its own: every other piece repeats from row to row, and the
// milliseconds have only a thousand values. Drawn as one text, every event
// under a stream made a new line-wide texture.
func (rr *eventRowRenderer) metaParts() []string {
	s := rr.r.sum
	var lead string
	if kind, _, ok := strings.Cut(s.Origin, ":"); ok && kind != "" {
		// Followed (team) and imported events say so first.
		lead = kind + " · "
	}
	if s.Type != "" {
		// The provider's event name tells fired and captured events apart.
		lead += s.Type + " · "
	}
	clock, frac := widgets.RowTime(s.ReceivedAt, time.Now()), ""
	if i := strings.LastIndexByte(clock, '.'); i >= 0 {
		clock, frac = clock[:i], clock[i:]
	}
	tail := " · " + app.HumanSize(s.Size)
	if s.Truncated {
		tail += " (cut)"
	}
	if s.Endpoint != "" {
		tail += " · " + s.Endpoint
	}
	return []string{lead, clock, frac, tail}
}

// metaPieces is how many pieces metaParts gives.
const metaPieces = 4

func (rr *eventRowRenderer) Refresh() {
	r := rr.r
	th := r.Theme()
	text, small, _ := rr.sizes()
	loaded := r.loaded
	r.method.Hidden, r.status.Hidden, r.path.Hidden = !loaded, !loaded, !loaded
	r.ghost.Hidden = loaded
	r.ghost.FillColor = hltheme.Tint(hltheme.Color(th, theme.ColorNameForeground), 0x18)
	r.ghost.CornerRadius = 3
	if loaded {
		s := r.sum
		r.method.Set(strings.ToUpper(s.Method), hltheme.MethodColor(s.Method))
		if s.Status > 0 {
			r.status.Set(strconv.Itoa(s.Status), hltheme.StatusColor(s.Status))
		} else {
			r.status.Set("—", hltheme.Grey)
		}
		if s.Verdict.Result != "" {
			c, icon := hltheme.VerdictStyle(s.Verdict.Result)
			r.verdict.Icon = icon
			r.verdict.Set(s.Verdict.Result, c)
			r.verdict.Show()
		} else {
			r.verdict.Set("", hltheme.Grey)
			r.verdict.Hide()
		}
	} else {
		r.verdict.Hide()
	}
	r.path.Color = hltheme.Color(th, theme.ColorNameForeground)
	r.path.TextSize = text
	r.meta.style(hltheme.Color(th, theme.ColorNamePlaceHolder), small, !loaded)
	rr.Layout(r.Size())
	for _, o := range rr.Objects() {
		o.Refresh()
	}
}

// monoLine is one line of monospace text drawn as pieces side by side,
// each its own canvas.Text placed by its count of characters, so that
// the pieces shared by many lines are drawn once and reused. Cut to its
// width, it shows what fitMono would show of the joined line.
type monoLine struct {
	texts  []*canvas.Text
	hidden bool
}

func newMonoLine(pieces int) *monoLine {
	l := &monoLine{}
	for range pieces {
		t := canvas.NewText("", color.Black)
		t.TextStyle = fyne.TextStyle{Monospace: true}
		l.texts = append(l.texts, t)
	}
	return l
}

func (l *monoLine) objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(l.texts))
	for i, t := range l.texts {
		objs[i] = t
	}
	return objs
}

func (l *monoLine) style(c color.Color, size float32, hidden bool) {
	l.hidden = hidden
	for _, t := range l.texts {
		t.Color, t.TextSize, t.Hidden = c, size, hidden
	}
}

// Text is the line as shown, the pieces joined.
func (l *monoLine) Text() string {
	var b strings.Builder
	for _, t := range l.texts {
		if !t.Hidden {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// layout shows parts (at most one per text) from pos in a line of size,
// cut as fitPieces cuts them.
func (l *monoLine) layout(parts []string, pos fyne.Position, size fyne.Size, textSize float32) {
	cw := monoWidth(textSize)
	shown := fitPieces(parts, int(size.Width/cw))
	x := pos.X
	for i, t := range l.texts {
		text := ""
		if i < len(shown) {
			text = shown[i]
		}
		w := float32(utf8.RuneCountInString(text)) * cw
		t.Text, t.Hidden = text, l.hidden || text == ""
		t.Move(fyne.NewPos(x, pos.Y))
		t.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

// monoWidth is the advance of one monospace character at size.
func monoWidth(size float32) float32 {
	return fyne.MeasureText(strings.Repeat("M", 16), size, fyne.TextStyle{Monospace: true}).Width / 16
}

// fitMono cuts s to the characters a monospace line of width w can show,
// ending with an ellipsis when cut.
func fitMono(s string, w, size float32) string {
	return fitPieces([]string{s}, int(w/monoWidth(size)))[0]
}

// fitPieces cuts the line parts make, joined, to n characters, ending
// with an ellipsis when cut, and gives it back in the same pieces (those
// after the cut empty).
func fitPieces(parts []string, n int) []string {
	out := make([]string, len(parts))
	total := 0
	for _, p := range parts {
		total += utf8.RuneCountInString(p)
	}
	switch {
	case n <= 0:
		return out
	case total <= n:
		copy(out, parts)
		return out
	}
	room := n - 1 // for the ellipsis
	for i, p := range parts {
		rs := []rune(p)
		if len(rs) >= room {
			out[i] = string(rs[:room]) + "…"
			break
		}
		out[i], room = p, room-len(rs)
	}
	return out
}

// filterEntry is the search box: Escape clears it, Down moves into the list;
// while completions show (complete) those keys work them instead.
type filterEntry struct {
	widget.Entry
	onEscape func()
	onDown   func()
	complete *completer
}

func newFilterEntry() *filterEntry {
	e := &filterEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func (e *filterEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.complete != nil && e.complete.key(ev) {
		return
	}
	switch ev.Name {
	case fyne.KeyEscape:
		if e.onEscape != nil {
			e.onEscape()
			return
		}
	case fyne.KeyDown:
		if e.onDown != nil {
			e.onDown()
			return
		}
	}
	e.Entry.TypedKey(ev)
}

// FocusLost closes the completions.
func (e *filterEntry) FocusLost() {
	if e.complete != nil {
		e.complete.hide()
	}
	e.Entry.FocusLost()
}

// TypedShortcut keeps Ctrl+F working while the box has focus (it selects
// what was typed, ready to be replaced).
func (e *filterEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*fyne.ShortcutSelectAll); ok {
		e.Entry.TypedShortcut(cs)
		return
	}
	if cs, ok := s.(interface{ ShortcutName() string }); ok && strings.HasSuffix(cs.ShortcutName(), "+F") {
		e.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
		return
	}
	e.Entry.TypedShortcut(s)
}
