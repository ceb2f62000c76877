package dialogs

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// diffContext is how many unchanged lines a body diff keeps around each change.
const diffContext = 3

// ChangesView shows what a delivery's request changed against the captured
// event it came from (app.RequestChanges): the method, each header added,
// removed or changed, and a coloured unified diff of the body.
//
// Summary says it in one line; HeaderRows holds one row per changed header
// (its Kind, Name, Old and New); Body is the diff as text, one line per row:
// old and new line numbers, the operation (+, - or space) and the line.
type ChangesView struct {
	Root       fyne.CanvasObject
	Summary    *widget.Label
	HeaderRows []app.HeaderChange
	headers    *fyne.Container
	Body       *widgets.CodeView
	bodyNote   *widget.Label
	wrap       *widget.Check
	// marks holds, per changed row of Body, the columns that differ from
	// the row it replaces (or is replaced by).
	marks map[string][2]int

	eventID uint64
	event   *app.Event
	gen     uint64
	key     string // the delivery, event and attempt compared last
}

func newChangesView() *ChangesView {
	v := &ChangesView{}
	v.Summary = widget.NewLabel("")
	v.Summary.Wrapping = fyne.TextWrapWord
	v.headers = container.NewVBox()
	v.bodyNote = widgets.Caption("")
	v.bodyNote.Wrapping = fyne.TextWrapWord
	v.Body = widgets.NewCodeView()
	v.Body.Highlight = v.highlight
	v.wrap = widget.NewCheck("Wrap", func(on bool) { v.Body.SetWrap(on) })
	top := container.NewVBox(v.Summary, v.headers, container.NewBorder(nil, nil, nil, v.wrap, v.bodyNote))
	v.Root = container.NewBorder(container.NewPadded(top), nil, nil, nil, v.Body)
	return v
}

// clear says why there is nothing to compare.
func (v *ChangesView) clear(text string) {
	v.Summary.SetText(text)
	v.HeaderRows = nil
	v.headers.RemoveAll()
	v.bodyNote.SetText("")
	v.wrap.Hide()
	v.Body.SetText("")
	v.Body.Hide()
}

// comparison is a delivery's request compared with its event, worked out
// off the UI goroutine: a 10 MiB body takes a while to diff.
type comparison struct {
	c     app.Changes
	diff  string            // UnifiedDiff of the body, "" when not diffed
	marks map[string][2]int // changedColumns of diff
}

func compare(e *app.Event, r app.Request) comparison {
	c := app.RequestChanges(e, r)
	out := comparison{c: c}
	if !c.BodySame && !c.BodyBinary {
		out.diff = UnifiedDiff(c.Body, diffContext)
		out.marks = changedColumns(out.diff)
	}
	return out
}

// show draws a comparison of a request with event e.
func (v *ChangesView) show(e *app.Event, r app.Request, cmp comparison) app.Changes {
	c := cmp.c
	id := "#" + e.IDString()
	var parts []string
	if c.OldMethod != "" {
		parts = append(parts, fmt.Sprintf("method %s → %s", c.OldMethod, c.NewMethod))
	}
	if len(c.Headers) > 0 {
		count := map[string]int{}
		for _, h := range c.Headers {
			count[h.Kind]++
		}
		var hs []string
		for _, k := range []string{app.HeaderAdded, app.HeaderRemoved, app.HeaderChanged} {
			if n := count[k]; n > 0 {
				hs = append(hs, fmt.Sprintf("%d %s", n, k))
			}
		}
		parts = append(parts, "headers: "+strings.Join(hs, ", "))
	}
	var del, ins int
	for _, l := range c.Body {
		switch l.Op {
		case app.DiffDelete:
			del++
		case app.DiffInsert:
			ins++
		}
	}
	switch {
	case c.BodySame:
	case c.BodyBinary:
		parts = append(parts, fmt.Sprintf("body changed (binary: %s → %s)", app.HumanSize(int64(c.BodyOld)), app.HumanSize(int64(c.BodyNew))))
	default:
		parts = append(parts, fmt.Sprintf("body: %s removed, %s added", widgets.Plural(del, "line"), widgets.Plural(ins, "line")))
	}
	if c.None() {
		v.Summary.SetText("Sent as captured in event " + id + ": same method, headers and body (a relay leaves out Host, Content-Length and hop-by-hop headers).")
	} else {
		v.Summary.SetText("Against event " + id + " as captured: " + strings.Join(parts, "; ") + ".")
	}

	v.HeaderRows = c.Headers
	v.headers.RemoveAll()
	if len(c.Headers) > 0 {
		v.headers.Add(widgets.Heading("Headers"))
		grid := container.New(layout.NewFormLayout())
		for _, h := range c.Headers {
			b := widgets.NewBadge("")
			var col fyne.ThemeColorName
			var text string
			old, nw := maskValue(h.Name, h.Old), maskValue(h.Name, h.New)
			switch h.Kind {
			case app.HeaderAdded:
				col, text = hltheme.Green, nw
			case app.HeaderRemoved:
				col, text = hltheme.Red, old
			default:
				col, text = hltheme.Orange, old+"  →  "+nw
			}
			b.Set(h.Kind, col)
			name := widget.NewLabelWithStyle(h.Name, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			name.Importance = widget.HighImportance
			val := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			val.Wrapping = fyne.TextWrapBreak
			val.Selectable = true
			grid.Add(container.NewHBox(widgets.FixedWidth(80, container.NewCenter(b)), name))
			grid.Add(val)
		}
		v.headers.Add(grid)
	}
	v.headers.Refresh()

	v.bodyNote.SetText("")
	v.wrap.Hide()
	switch {
	case c.BodySame:
		v.Body.SetText("")
		v.Body.Hide()
		if len(r.Body) > 0 {
			v.bodyNote.SetText("The body is byte for byte the one captured.")
		}
	case c.BodyBinary:
		v.Body.SetText("")
		v.Body.Hide()
	default:
		if c.BodyPretty {
			v.bodyNote.SetText("Both bodies are JSON: compared pretty-printed, keys in the order sent.")
		}
		v.marks = cmp.marks
		v.Body.SetText(cmp.diff)
		v.Body.Show()
		v.wrap.Show()
	}
	return c
}

// maskValue masks a credential in a header's value as the request views do.
func maskValue(name, value string) string {
	if value == "" {
		return ""
	}
	return app.MaskHeaders(app.Headers{{Name: name, Value: value}})[0].Value
}

// UnifiedDiff renders a line diff with context lines around each change:
// old and new line numbers, then "+", "-" or " " and the line; the unchanged
// stretches between are one "⋯ N unchanged lines" row.
func UnifiedDiff(lines []app.DiffLine, context int) string {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if l.Op == app.DiffEqual {
			continue
		}
		for j := max(0, i-context); j <= min(len(lines)-1, i+context); j++ {
			keep[j] = true
		}
	}
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return fmt.Sprint(n)
	}
	var sb strings.Builder
	skipped := 0
	flush := func() {
		if skipped > 0 {
			fmt.Fprintf(&sb, "%5s %5s ⋯ %s\n", "", "", widgets.Plural(skipped, "unchanged line"))
			skipped = 0
		}
	}
	for i, l := range lines {
		if !keep[i] {
			skipped++
			continue
		}
		flush()
		fmt.Fprintf(&sb, "%5s %5s %c %s\n", num(l.Old), num(l.New), l.Op, l.Text)
	}
	flush()
	return sb.String()
}

// changedColumns pairs each run of removed rows with the run of added rows
// after it and finds, for each pair, the columns between their common start
// and common end: the part of a line that was edited.
func changedColumns(text string) map[string][2]int {
	rows := strings.Split(text, "\n")
	out := map[string][2]int{}
	op := func(r string) rune {
		rr := []rune(r)
		if len(rr) > 12 {
			return rr[12]
		}
		return 0
	}
	for i := 0; i < len(rows); {
		if op(rows[i]) != '-' {
			i++
			continue
		}
		j := i
		for j < len(rows) && op(rows[j]) == '-' {
			j++
		}
		k := j
		for k < len(rows) && op(rows[k]) == '+' {
			k++
		}
		for n := 0; n < j-i && n < k-j; n++ {
			a, b := []rune(rows[i+n]), []rune(rows[j+n])
			const text = 14 // where the line itself starts
			if len(a) < text || len(b) < text {
				continue
			}
			pre := 0
			for text+pre < len(a) && text+pre < len(b) && a[text+pre] == b[text+pre] {
				pre++
			}
			suf := 0
			for suf < len(a)-text-pre && suf < len(b)-text-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
				suf++
			}
			out[rows[i+n]] = [2]int{text + pre, len(a) - suf}
			out[rows[j+n]] = [2]int{text + pre, len(b) - suf}
		}
		i = k
	}
	return out
}

// highlight is highlightDiff with the edited part of a changed line shown
// in the foreground colour, so a one-word edit in a long line stands out.
func (v *ChangesView) highlight(line []rune) []widgets.Span {
	spans := highlightDiff(line)
	m, ok := v.marks[string(line)]
	if !ok || m[0] >= m[1] || len(spans) != 2 {
		return spans
	}
	rest := spans[1]
	return []widgets.Span{spans[0],
		{From: rest.From, To: m[0], Color: rest.Color},
		{From: m[0], To: m[1], Color: theme.ColorNameForeground},
		{From: m[1], To: rest.To, Color: rest.Color}}
}

// highlightDiff colours a UnifiedDiff row: removed lines red, added green,
// line numbers and skipped stretches dim.
func highlightDiff(line []rune) []widgets.Span {
	const opCol = 12
	if len(line) <= opCol {
		return []widgets.Span{{From: 0, To: len(line), Color: theme.ColorNamePlaceHolder}}
	}
	col := theme.ColorNameForeground
	switch line[opCol] {
	case '+':
		col = hltheme.Green
	case '-':
		col = hltheme.Red
	case '⋯':
		col = theme.ColorNamePlaceHolder
	}
	return []widgets.Span{{From: 0, To: opCol, Color: theme.ColorNamePlaceHolder}, {From: opCol, To: len(line), Color: col}}
}

// showChanges compares r (the request of the attempt shown, or the
// delivery's before its first attempt) with the event the delivery came
// from. The event is read once per delivery and the comparison made once
// per attempt shown, both off the UI goroutine.
func (p *DeliveryPane) showChanges(r app.Request) {
	v, d := p.Changes, p.d
	if p.Original == nil || d == nil || d.EventID == 0 {
		v.key = ""
		p.changesTab.Text = "Changes"
		v.clear("Nothing to compare: this delivery was not made from a captured event.")
		if p.tabs.Selected() == p.changesTab {
			p.tabs.Select(p.reqTab)
		}
		return
	}
	key := fmt.Sprintf("%d/%d/%d/%d", d.ID, d.EventID, p.sel, len(d.Attempts))
	if key == v.key {
		return // shown, or on its way
	}
	v.key = key
	v.gen++
	gen, id, load := v.gen, d.EventID, p.Original
	known := v.event
	if v.eventID != id {
		known = nil
		v.clear(fmt.Sprintf("Reading event #%s…", app.FormatID(id)))
	}
	go func() {
		e, err := known, error(nil)
		if e == nil {
			e, err = load(id)
		}
		var cmp comparison
		if err == nil {
			cmp = compare(e, r)
		}
		p.do(func() {
			if gen != v.gen {
				return
			}
			if err != nil {
				v.clear(fmt.Sprintf("Event #%s cannot be read (%v), so its changes cannot be shown; it may have been deleted.", app.FormatID(id), err))
				p.changesTab.Text = "Changes"
				p.tabs.Refresh()
				return
			}
			v.event, v.eventID = e, id
			p.changesTab.Text = changesTitle(v.show(e, r, cmp))
			p.tabs.Refresh()
		})
	}()
}

func changesTitle(c app.Changes) string {
	if c.None() {
		return "Changes (none)"
	}
	n := len(c.Headers)
	if c.OldMethod != "" {
		n++
	}
	if !c.BodySame {
		n++
	}
	return fmt.Sprintf("Changes (%d)", n)
}
