package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// maxSuggestions is how many completions show under a filter box at once.
const maxSuggestions = 6

// completer offers completions of the filter language under a filter box:
// the keys from app's one table while a key is typed, then the key's values
// (verdicts, states) and the values the window knows (endpoint slugs, target
// names). It floats over the list (see float) rather than being a pop-up,
// so the box keeps the keyboard: Up/Down pick, Enter takes, Esc closes.
type completer struct {
	entry  *filterEntry
	keys   []app.FilterKey
	values func() map[string][]string

	box   *fyne.Container // the rows, inside panel
	panel fyne.CanvasObject
	items []app.FilterCompletion
	rows  []*widgets.TapRow
	hi    int // highlighted row, -1 for none
	// onPick runs after a completion replaced the box's text.
	onPick func(expr string)
}

func newCompleter(e *filterEntry, keys []app.FilterKey, values func() map[string][]string) *completer {
	c := &completer{entry: e, keys: keys, values: values, hi: -1}
	c.box = container.NewVBox()
	c.panel = container.NewStack(widgets.NewThemedRect(hltheme.Panel, 6), container.NewPadded(c.box))
	c.panel.Hide()
	e.complete = c
	return c
}

// float places the suggestions over the top of content.
func (c *completer) float(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(content, container.NewVBox(c.panel))
}

// update offers what completes text (the whole box; completion works on
// its last word).
func (c *completer) update(text string) {
	var vals map[string][]string
	if c.values != nil {
		vals = c.values()
	}
	items := app.CompleteFilter(text, c.keys, vals)
	if len(items) > maxSuggestions {
		items = items[:maxSuggestions]
	}
	c.items = items
	c.hi = -1
	c.box.RemoveAll()
	c.rows = c.rows[:0]
	if len(items) == 0 {
		c.panel.Hide()
		return
	}
	for i, it := range items {
		i := i
		name := widget.NewLabelWithStyle(it.Label, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		var content fyne.CanvasObject = name
		if it.Hint != "" {
			hint := widgets.Caption(it.Hint)
			hint.Truncation = fyne.TextTruncateEllipsis
			content = container.NewBorder(nil, nil, name, nil, hint)
		}
		row := widgets.NewTapRow(content, func() { c.pick(i) })
		c.rows = append(c.rows, row)
		c.box.Add(row)
	}
	c.panel.Show()
	c.panel.Refresh()
}

// shown reports whether suggestions are on screen.
func (c *completer) shown() bool { return c.panel.Visible() && len(c.items) > 0 }

// hide closes the suggestions. They stay pickable: a tap on one unfocuses
// the box (which hides them) before the tap arrives.
func (c *completer) hide() {
	c.hi = -1
	c.panel.Hide()
}

// move changes the highlighted suggestion by step.
func (c *completer) move(step int) {
	if !c.shown() {
		return
	}
	c.hi = (c.hi + step + len(c.items)) % len(c.items)
	if c.hi < 0 {
		c.hi = len(c.items) - 1
	}
	for i, r := range c.rows {
		r.SetSelected(i == c.hi)
	}
}

// pick puts suggestion i into the box, the cursor at its end.
func (c *completer) pick(i int) {
	if i < 0 || i >= len(c.items) {
		return
	}
	expr := c.items[i].Expr
	c.entry.SetText(expr)
	c.entry.CursorColumn = len([]rune(expr))
	c.entry.Refresh()
	if fyne.CurrentApp() != nil {
		if cv := fyne.CurrentApp().Driver().CanvasForObject(c.entry); cv != nil {
			cv.Focus(c.entry)
		}
	}
	// A finished value (verdict:invalid) closes the list; a key (verdict:)
	// leaves it open with the key's values.
	c.update(expr)
	if c.onPick != nil {
		c.onPick(expr)
	}
}

// key handles the box's keys while suggestions show; it reports whether it
// used ev.
func (c *completer) key(ev *fyne.KeyEvent) bool {
	if !c.shown() {
		return false
	}
	switch ev.Name {
	case fyne.KeyDown:
		c.move(+1)
	case fyne.KeyUp:
		c.move(-1)
	case fyne.KeyReturn, fyne.KeyEnter:
		if c.hi < 0 {
			c.hide()
			return false // Enter without a pick applies the filter
		}
		c.pick(c.hi)
	case fyne.KeyEscape:
		c.hide()
	default:
		return false
	}
	return true
}

// --- quick chips --------------------------------------------------------------

// chip is a quick filter above the list: a term toggled into or out of the
// filter expression.
type chip struct {
	term      string
	exclusive bool // one term of its key at a time (endpoints)
	btn       *widget.Button
}

// chipBar is the row of quick chips: failures, unsigned and one per
// endpoint. Toggling one edits the box's expression; the chips show which
// terms the expression holds, whoever typed them.
type chipBar struct {
	w     *Window
	row   *fyne.Container
	root  fyne.CanvasObject
	chips []*chip
}

func newChipBar(w *Window) *chipBar {
	b := &chipBar{w: w, row: container.NewHBox()}
	b.root = container.NewHScroll(b.row)
	b.setEndpoints(nil)
	return b
}

// setEndpoints rebuilds the chips for the endpoints slugs.
func (b *chipBar) setEndpoints(slugs []string) {
	b.row.RemoveAll()
	b.chips = nil
	add := func(label, term string, icon fyne.Resource, exclusive bool) {
		ch := &chip{term: term, exclusive: exclusive}
		ch.btn = widget.NewButtonWithIcon(label, icon, func() { b.toggle(ch) })
		b.chips = append(b.chips, ch)
		b.row.Add(ch.btn)
	}
	add("failures", "is:failure", theme.ErrorIcon(), false)
	add("unsigned", "verdict:unsigned", theme.QuestionIcon(), false)
	for _, s := range slugs {
		add(s, "endpoint:"+s, nil, true)
	}
	b.sync(b.w.filter.Text)
}

func (b *chipBar) toggle(ch *chip) {
	expr := app.ToggleFilterTerm(b.w.filter.Text, ch.term, ch.exclusive)
	b.w.filter.SetText(expr)
	b.w.applyFilter(expr)
}

// sync shows each chip on when expr holds its term.
func (b *chipBar) sync(expr string) {
	for _, ch := range b.chips {
		imp := widget.LowImportance
		if app.HasFilterTerm(expr, ch.term) {
			imp = widget.HighImportance
		}
		if ch.btn.Importance != imp {
			ch.btn.Importance = imp
			ch.btn.Refresh()
		}
	}
}

// chip returns the chip for term, or nil.
func (b *chipBar) chip(term string) *chip {
	for _, ch := range b.chips {
		if ch.term == term {
			return ch
		}
	}
	return nil
}
