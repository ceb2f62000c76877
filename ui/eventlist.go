package ui

import (
	"image/color"
	"strconv"
	"strings"
	"time"

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
	meta    *canvas.Text
	ghost   *canvas.Rectangle // stands in for text while the page loads
}

func newEventRow() *eventRow {
	r := &eventRow{
		method:  widgets.NewBadge("DELETE"),
		status:  widgets.NewBadge("000"),
		verdict: widgets.NewBadge("unverified"),
		path:    canvas.NewText("", color.Black),
		meta:    canvas.NewText("", color.Black),
		ghost:   canvas.NewRectangle(color.Transparent),
	}
	r.status.Mono = true
	r.path.TextStyle = fyne.TextStyle{Monospace: true}
	r.meta.TextStyle = fyne.TextStyle{Monospace: true}
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
	return &eventRowRenderer{r: r}
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

type eventRowRenderer struct{ r *eventRow }

func (rr *eventRowRenderer) Objects() []fyne.CanvasObject {
	r := rr.r
	return []fyne.CanvasObject{r.ghost, r.method, r.path, r.meta, r.status, r.verdict}
}
func (rr *eventRowRenderer) Destroy() {}

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
	r.meta.Move(fyne.NewPos(textX, top+l1+4))
	r.meta.Resize(fyne.NewSize(metaW, l2))
	r.meta.Text = fitMono(rr.metaText(), metaW, small)

	r.ghost.Move(fyne.NewPos(textX, top+l1/4))
	r.ghost.Resize(fyne.NewSize(min(pathW, 180), l1/2))
}

func (rr *eventRowRenderer) pathText() string { return rr.r.sum.RequestURI() }

func (rr *eventRowRenderer) metaText() string {
	s := rr.r.sum
	parts := []string{widgets.RowTime(s.ReceivedAt, time.Now()), app.HumanSize(s.Size)}
	if s.Truncated {
		parts[1] += " (cut)"
	}
	if s.Type != "" {
		// The provider's event name tells fired and captured events apart.
		parts = append([]string{s.Type}, parts...)
	}
	if kind, _, ok := strings.Cut(s.Origin, ":"); ok && kind != "" {
		// Followed (team) and imported events say so first.
		parts = append([]string{kind}, parts...)
	}
	if s.Endpoint != "" {
		parts = append(parts, s.Endpoint)
	}
	return strings.Join(parts, " · ")
}

func (rr *eventRowRenderer) Refresh() {
	r := rr.r
	th := r.Theme()
	text, small, _ := rr.sizes()
	loaded := r.loaded
	r.method.Hidden, r.status.Hidden, r.path.Hidden, r.meta.Hidden = !loaded, !loaded, !loaded, !loaded
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
	r.meta.Color = hltheme.Color(th, theme.ColorNamePlaceHolder)
	r.meta.TextSize = small
	rr.Layout(r.Size())
	for _, o := range rr.Objects() {
		o.Refresh()
	}
}

// fitMono cuts s to the characters a monospace line of width w can show,
// ending with an ellipsis when cut.
func fitMono(s string, w, size float32) string {
	cw := fyne.MeasureText(strings.Repeat("M", 16), size, fyne.TextStyle{Monospace: true}).Width / 16
	n := int(w / cw)
	rs := []rune(s)
	if n <= 0 {
		return ""
	}
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
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
