package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// detail is the right pane: the selected event's header and its tabs.
type detail struct {
	w   *Window
	ev  *app.Event
	gen uint64 // bumps per shown event so late loads are dropped

	root        *fyne.Container
	placeholder fyne.CanvasObject
	content     fyne.CanvasObject
	failed      *widget.Label

	method  *widgets.Badge
	url     *widget.Label
	status  *widgets.Badge
	verdict *widgets.Badge
	meta    *widget.Label
	del     *widget.Button
	resend  *widget.Button
	edit    *widget.Button
	curl    *widget.Button // Copy as curl

	tabs       *container.AppTabs
	overview   *container.Scroll
	headersTab *container.TabItem
	queryTab   *container.TabItem
	sigTab     *container.TabItem
	bodyTab    *container.TabItem
	sig        *sigTab
	headers    *kvTable
	query      *kvTable
	body       *bodyPane
}

func newDetail(w *Window) *detail {
	d := &detail{w: w}
	d.method = widgets.NewBadge("DELETE")
	d.status = widgets.NewBadge("000")
	d.status.Mono = true
	d.verdict = widgets.NewBadge("unverified")
	d.url = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	d.url.Truncation = fyne.TextTruncateEllipsis
	d.url.Selectable = true
	d.meta = widgets.Caption("")
	d.meta.Truncation = fyne.TextTruncateEllipsis
	d.del = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		if d.ev != nil {
			w.confirmDelete(d.ev.ID)
		}
	})
	d.del.Importance = widget.LowImportance
	copyURL := w.newCopyButton("", func() string {
		if d.ev == nil {
			return ""
		}
		return fullURL(w.d.Listener.URL(), d.ev)
	})

	head := container.NewBorder(nil, nil,
		container.NewCenter(d.method),
		container.NewHBox(copyURL, container.NewCenter(d.status), container.NewCenter(d.verdict), d.del),
		d.url)
	d.resend = widget.NewButtonWithIcon("Resend", theme.MailForwardIcon(), nil)
	d.resend.OnTapped = func() {
		if d.ev == nil {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.resend)
		w.ctl.resendMenu(d.ev, pos.AddXY(0, d.resend.Size().Height))
	}
	d.edit = widget.NewButtonWithIcon("Edit and resend", theme.DocumentCreateIcon(), func() {
		if d.ev != nil {
			w.ctl.editAndResend(d.ev)
		}
	})
	d.resend.Importance = widget.LowImportance
	d.edit.Importance = widget.LowImportance
	// Copy as curl: a command that sends this request again, exactly.
	curl := w.newCopyButton("Copy as curl", func() string {
		if d.ev == nil {
			return ""
		}
		return exchange.Curl(d.ev, "")
	})
	curl.Importance = widget.LowImportance
	d.curl = curl
	actions := container.NewHBox(curl)
	if w.d.Queue != nil && w.d.Deliveries != nil {
		actions.Add(d.resend)
		actions.Add(d.edit)
	}
	metaRow := container.NewBorder(nil, nil, nil, actions, d.meta)
	header := container.New(layout.NewCustomPaddedVBoxLayout(0), head, metaRow)

	d.overview = widgets.NewVScroll(container.NewVBox())
	d.headers = newKVTable(w, "header", "headers")
	d.query = newKVTable(w, "parameter", "parameters")
	d.body = newBodyPane(d)
	d.sig = newSigTab(d)
	d.headersTab = container.NewTabItem("Headers", d.headers.root)
	d.queryTab = container.NewTabItem("Query", d.query.root)
	d.sigTab = container.NewTabItem("Signature", d.sig.root)
	d.bodyTab = container.NewTabItem("Body", d.body.root)
	d.tabs = container.NewAppTabs(
		container.NewTabItem("Overview", d.overview),
		d.sigTab,
		d.headersTab,
		d.bodyTab,
		d.queryTab,
	)
	d.content = container.NewBorder(container.NewPadded(header), nil, nil, nil, d.tabs)

	d.failed = widget.NewLabel("")
	d.failed.Importance = widget.DangerImportance
	d.failed.Wrapping = fyne.TextWrapWord
	d.failed.Hide()

	title := widget.NewLabelWithStyle("No event selected", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	hint := widgets.Caption("Pick a request on the left to see its headers, body and signature verdict.\nUp/Down moves · Delete removes · Ctrl+F filters")
	hint.Alignment = fyne.TextAlignCenter
	icon := widget.NewIcon(theme.NewDisabledResource(theme.MailSendIcon()))
	d.placeholder = container.NewCenter(container.NewVBox(
		container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSquareSize(48)), icon)),
		title, hint, d.failed))
	d.root = container.NewStack(d.placeholder, d.content)
	d.content.Hide()
	return d
}

// clear shows the "no event selected" state.
func (d *detail) clear() {
	d.gen++
	d.ev = nil
	d.body.stop()
	d.content.Hide()
	d.failed.Hide()
	d.placeholder.Show()
}

// reload reads the shown event again (its verdict changed) and redraws it.
func (d *detail) reload() {
	if d.ev == nil {
		return
	}
	id := d.ev.ID
	d.ev = nil
	d.show(id)
}

// show loads event id in a goroutine and shows it.
func (d *detail) show(id uint64) {
	if d.ev != nil && d.ev.ID == id {
		return
	}
	d.gen++
	gen := d.gen
	store := d.w.d.Events
	go func() {
		e, err := store.Event(id)
		d.w.do(func() {
			if gen != d.gen {
				return
			}
			if err != nil {
				d.ev = nil
				d.content.Hide()
				d.placeholder.Show()
				d.failed.SetText(fmt.Sprintf("could not read event %d: %v", id, err))
				d.failed.Show()
				return
			}
			d.render(e)
		})
	}()
}

func (d *detail) render(e *app.Event) {
	d.ev = e
	base := d.w.d.Listener.URL()
	d.method.Set(strings.ToUpper(e.Method), hltheme.MethodColor(e.Method))
	d.url.SetText(fullURL(base, e))
	if e.Response.Status > 0 {
		d.status.Set(strconv.Itoa(e.Response.Status), hltheme.StatusColor(e.Response.Status))
		d.status.Show()
	} else {
		d.status.Hide()
	}
	if r := e.Verdict.Result; r != "" {
		c, icon := hltheme.VerdictStyle(r)
		d.verdict.Icon = icon
		d.verdict.Set(r, c)
		d.verdict.Refresh()
		d.verdict.Show()
	} else {
		d.verdict.Hide()
	}
	meta := []string{widgets.FullTime(e.ReceivedAt)}
	if e.RemoteAddr != "" {
		meta = append(meta, "from "+e.RemoteAddr)
	}
	meta = append(meta, app.HumanSize(e.Size), "#"+e.IDString())
	if e.Endpoint != "" {
		meta = append(meta, "endpoint "+e.Endpoint)
	}
	d.meta.SetText(strings.Join(meta, "  ·  "))

	widgets.SetScrollContent(d.overview, d.buildOverview(e, base))
	d.overview.ScrollToTop()

	rows := make([][2]string, len(e.Headers))
	for i, h := range e.Headers {
		rows[i] = [2]string{h.Name, h.Value}
	}
	d.headers.head = requestLine(e)
	d.headers.set(rows)
	d.headersTab.Text = fmt.Sprintf("Headers (%d)", len(rows))

	var qs [][2]string
	for _, p := range app.ParseForm(e.Query) {
		qs = append(qs, [2]string{p.Name, p.Value})
	}
	d.query.set(qs)
	d.queryTab.Text = fmt.Sprintf("Query (%d)", len(qs))
	d.tabs.Refresh()

	d.body.load(e)
	d.sig.load(e)
	d.failed.Hide()
	d.placeholder.Hide()
	d.content.Show()
}

// buildOverview lays the event out in sections: the verdict in one line,
// the response sent, the request, the body's start and its links. Copy
// buttons sit on the values worth pasting elsewhere; every value is
// selectable.
func (d *detail) buildOverview(e *app.Event, base string) fyne.CanvasObject {
	box := container.NewVBox()
	section := func(title string, rows ...fyne.CanvasObject) {
		if len(rows) == 0 {
			return
		}
		box.Add(widgets.Heading(title))
		box.Add(container.New(layout.NewFormLayout(), rows...))
		box.Add(widget.NewSeparator())
	}
	// The verdict, said once; the Signature tab explains it.
	if v := e.Verdict; v.Result != "" {
		c, icon := hltheme.VerdictStyle(v.Result)
		msg := "Signature " + v.Result
		if v.Scheme != "" {
			msg += " (" + v.Scheme + ")"
		}
		if v.Reason != "" {
			msg += ": " + v.Reason
		}
		explain := widget.NewButtonWithIcon("Explain", theme.InfoIcon(), func() { d.tabs.Select(d.sigTab) })
		explain.Importance = widget.LowImportance
		line := container.NewBorder(nil, nil, nil, container.NewCenter(explain), widgets.Notice(icon, c, msg))
		box.Add(container.NewStack(widgets.NewThemedRect(hltheme.Panel, 6), container.NewPadded(line)))
	} else {
		box.Add(widgets.Caption("Signature not checked: no endpoint with a signing scheme matches this path."))
	}
	if o := e.OriginVerdict; o != nil && o.Result != "" {
		// Judged here now (above), and judged where it came from at the time.
		when := "At the original time"
		if _, _, ok := e.FollowedFrom(); ok {
			when = "At the publisher"
		}
		c, icon := hltheme.VerdictStyle(o.Result)
		msg := when + ": " + o.Result
		if o.Reason != "" {
			msg += ": " + o.Reason
		}
		box.Add(container.NewPadded(widgets.Notice(icon, c, msg)))
	}
	add := func(rows *[]fyne.CanvasObject, key, value string, monospace bool) {
		*rows = append(*rows, d.field(key, value, monospace)...)
	}
	show := func(rows *[]fyne.CanvasObject, key, value string, monospace bool) {
		*rows = append(*rows, d.keyLabel(key), d.value(value, monospace))
	}

	resp := []fyne.CanvasObject{}
	if r := e.Response; r.Status > 0 {
		st := widgets.NewBadge("")
		st.Mono = true
		st.Set(fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status)), hltheme.StatusColor(r.Status))
		resp = append(resp, d.keyLabel("Status"), container.NewHBox(st))
		if len(r.Headers) > 0 {
			add(&resp, "Headers", strings.TrimSuffix(widgets.HeaderLines(r.Headers), "\n"), true)
		}
		if len(r.Body) > 0 {
			if !app.IsText(r.Body) {
				show(&resp, "Body", fmt.Sprintf("(%s of binary data)", app.HumanSize(int64(len(r.Body)))), false)
			} else {
				shown := string(r.Body)
				if len(shown) > 4096 {
					shown = widgets.CutText(r.Body, 4096) + "…"
				}
				resp = append(resp, d.keyLabel("Body"), d.copyValue(shown, string(r.Body), true))
			}
		}
	} else {
		resp = append(resp, d.keyLabel("Status"), widgets.Caption("no response recorded"))
	}
	section("Response sent", resp...)

	req := []fyne.CanvasObject{}
	show(&req, "Method", e.Method, true)
	add(&req, "URL", fullURL(base, e), true)
	show(&req, "Received", widgets.FullTime(e.ReceivedAt), false)
	if e.RemoteAddr != "" {
		add(&req, "Remote address", e.RemoteAddr, true)
	}
	show(&req, "Size", fmt.Sprintf("%s (%s bytes)", app.HumanSize(e.Size), app.GroupDigits(int(e.Size))), false)
	if e.Truncated {
		req = append(req, d.keyLabel("Truncated"), widgets.Notice(theme.WarningIcon(), hltheme.Orange,
			fmt.Sprintf("the body was larger than the listener's cap: only the first %s of %s were kept",
				app.HumanSize(int64(len(e.Body))), app.HumanSize(e.Size))))
	}
	if e.Endpoint != "" {
		show(&req, "Endpoint", e.Endpoint, true)
	} else {
		show(&req, "Endpoint", "none (no endpoint matches this path)", false)
	}
	if ct := e.Headers.Get("Content-Type"); ct != "" {
		show(&req, "Content type", ct, true)
	}
	if e.Proto != "" {
		show(&req, "Protocol", e.Proto, true)
	}
	if e.Host != "" {
		show(&req, "Host", e.Host, true)
	}
	add(&req, "Event ID", e.IDString(), true)
	if src, ok := e.ImportedFrom(); ok {
		show(&req, "Imported from", src, false)
	} else if inst, remote, ok := e.FollowedFrom(); ok {
		show(&req, "Followed from", fmt.Sprintf("%s (its event %s)", inst, remote), false)
	}
	section("Request", req...)
	section("Body", d.bodyPreview(e)...)
	section("Links in the body", d.linkRows(e)...)
	box.Add(d.deliveriesSection(e)) // its forwards and resends, as links (eventlinks.go)
	return container.NewPadded(box)
}

// bodyPreview is the start of the body as sent, so the Overview answers
// "what arrived" at a glance; the Body tab has all of it, formatted.
func (d *detail) bodyPreview(e *app.Event) []fyne.CanvasObject {
	const previewBytes = 2048
	switch {
	case len(e.Body) == 0:
		return []fyne.CanvasObject{d.keyLabel("Preview"), widgets.Caption("empty body")}
	case !app.IsText(e.Body):
		return []fyne.CanvasObject{d.keyLabel("Preview"), widgets.Caption(fmt.Sprintf("%s of binary or encoded data: see the Body tab", app.HumanSize(int64(len(e.Body)))))}
	}
	text := widgets.CutText(e.Body, previewBytes)
	if len(text) < len(e.Body) {
		text += "…"
	}
	// The copy button copies the whole body as sent, not the preview.
	return []fyne.CanvasObject{d.keyLabel("Preview"), d.copyValue(text, string(e.Body), true)}
}

// keyLabel is a dim field name; every section shares one column width so
// the values line up down the whole tab.
func (d *detail) keyLabel(key string) fyne.CanvasObject {
	l := widget.NewLabel(key)
	l.Importance = widget.LowImportance
	w := widget.NewLabel("Remote address").MinSize().Width + theme.Padding()
	return widgets.FixedWidth(w, l)
}

// field is a form row: dim key, selectable value, copy button.
func (d *detail) field(key, value string, monospace bool) []fyne.CanvasObject {
	return []fyne.CanvasObject{d.keyLabel(key), d.copyValue(value, value, monospace)}
}

// value is a selectable value without a copy button, for values nobody
// pastes elsewhere (a method, a size, a time).
func (d *detail) value(value string, monospace bool) *widget.Label {
	v := widget.NewLabelWithStyle(value, fyne.TextAlignLeading, fyne.TextStyle{Monospace: monospace})
	v.Selectable = true
	v.Wrapping = fyne.TextWrapBreak
	return v
}

// copyValue shows shown with a copy button that copies exact.
func (d *detail) copyValue(shown, exact string, monospace bool) fyne.CanvasObject {
	cp := d.w.newCopyButton("", func() string { return exact })
	return container.NewBorder(nil, nil, nil, container.NewVBox(cp), d.value(shown, monospace))
}

// kvTable shows name/value pairs (headers, query parameters) in order, each
// copyable, with "Copy all" and a raw text view for long values.
type kvTable struct {
	w      *Window
	rows   [][2]string
	nameW  float32
	root   *fyne.Container
	list   *widget.List
	raw    *widgets.CodeView
	count  *widget.Label
	toggle *widget.Button
	empty  fyne.CanvasObject
	noun   string
	nouns  string
	sep    string // between name and value in the raw view: ": " or "="
	// head is the first line of the raw view (the request line above the
	// headers), "" for none.
	head string
}

func newKVTable(w *Window, noun, nouns string) *kvTable {
	t := &kvTable{w: w, noun: noun, nouns: nouns, sep: ": "}
	if noun != "header" {
		t.sep = "="
	}
	t.list = widget.NewList(func() int { return len(t.rows) }, t.createRow, t.updateRow)
	t.list.OnSelected = func(i int) { t.list.Unselect(i) } // rows are not selectable, only copyable
	t.raw = widgets.NewCodeView()
	t.raw.Forward = w.keys.TypedShortcut
	t.raw.Hide()
	t.count = widgets.Caption("")
	copyAll := w.newCopyButton("Copy all", func() string { return t.text() })
	t.toggle = widget.NewButtonWithIcon("Raw", theme.ListIcon(), t.toggleRaw)
	t.toggle.Importance = widget.LowImportance
	bar := container.NewBorder(nil, nil, t.count, container.NewHBox(t.toggle, copyAll))
	msg := widgets.Caption("")
	switch noun {
	case "parameter":
		msg.SetText("This request has no query string.")
	case "header":
		msg.SetText("This request has no headers.")
	default:
		msg.SetText("This body has no " + nouns + ".")
	}
	t.empty = container.NewCenter(msg)
	t.root = container.NewBorder(container.NewPadded(bar), nil, nil, nil,
		container.NewStack(t.list, t.raw, t.empty))
	return t
}

// text is what the view shows as text: in the raw view the request line
// first, then one "name: value" line per row.
func (t *kvTable) text() string {
	var sb strings.Builder
	if t.head != "" && t.raw.Visible() {
		sb.WriteString(t.head + "\n")
	}
	for _, r := range t.rows {
		sb.WriteString(r[0] + t.sep + r[1] + "\n")
	}
	return sb.String()
}

// highlight colours the names in the raw view as the table does, and the
// request line as the Request views do.
func (t *kvTable) highlight(line []rune) []widgets.Span {
	if t.head != "" && string(line) == t.head {
		sp := strings.IndexRune(t.head, ' ')
		if sp < 0 {
			return []widgets.Span{{From: 0, To: len(line), Color: theme.ColorNameForeground}}
		}
		m := len([]rune(t.head[:sp]))
		return []widgets.Span{{From: 0, To: m, Color: hltheme.MethodColor(t.head[:sp])}, {From: m, To: len(line), Color: theme.ColorNameForeground}}
	}
	sep := rune(t.sep[0])
	for i, r := range line {
		if r == sep {
			return []widgets.Span{{From: 0, To: i, Color: hltheme.Blue}, {From: i, To: len(line), Color: theme.ColorNameForeground}}
		}
	}
	return []widgets.Span{{From: 0, To: len(line), Color: theme.ColorNameForeground}}
}

func (t *kvTable) toggleRaw() {
	if t.raw.Visible() {
		t.raw.Hide()
		t.list.Show()
		t.toggle.SetText("Raw")
		t.toggle.SetIcon(theme.ListIcon())
		return
	}
	t.raw.Highlight = t.highlight
	t.list.Hide()
	t.raw.Show()
	t.raw.SetText(t.text())
	t.toggle.SetText("Table")
	t.toggle.SetIcon(theme.GridIcon())
}

func (t *kvTable) set(rows [][2]string) {
	t.rows = rows
	cw := fyne.MeasureText(strings.Repeat("M", 16), theme.TextSize(), fyne.TextStyle{Monospace: true}).Width / 16
	longest := 4
	for _, r := range rows {
		longest = max(longest, len(r[0]))
	}
	// Label text sits inside inner padding on both sides.
	t.nameW = float32(min(longest, 32))*cw + 2*theme.InnerPadding() + theme.Padding()
	t.count.SetText(fmt.Sprintf("%d %s in the order received", len(rows), map[bool]string{true: t.noun, false: t.nouns}[len(rows) == 1]))
	if len(rows) == 0 {
		t.empty.Show()
		t.list.Hide()
		t.raw.Hide()
	} else {
		t.empty.Hide()
		if t.raw.Visible() {
			t.raw.SetText(t.text())
		} else {
			t.list.Show()
		}
	}
	t.list.ScrollToTop()
	t.list.Refresh()
}

func (t *kvTable) createRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	name.Truncation = fyne.TextTruncateEllipsis
	name.Importance = widget.HighImportance
	value := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	value.Truncation = fyne.TextTruncateEllipsis
	value.Selectable = true
	var row *fyne.Container
	cp := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), nil)
	cp.Importance = widget.LowImportance
	row = container.New(&kvLayout{t: t}, name, value, cp)
	return row
}

func (t *kvTable) updateRow(i int, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	r := t.rows[i]
	c.Objects[0].(*widget.Label).SetText(r[0])
	c.Objects[1].(*widget.Label).SetText(r[1])
	b := c.Objects[2].(*widget.Button)
	b.SetIcon(theme.ContentCopyIcon())
	b.OnTapped = func() {
		t.w.app.Clipboard().SetContent(r[1])
		b.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	}
	c.Refresh()
}

// kvLayout places name (fixed column), value (the rest) and copy button.
type kvLayout struct{ t *kvTable }

func (l *kvLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	bw := objs[2].MinSize().Width
	nw := min(l.t.nameW, s.Width*0.45)
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(nw, s.Height))
	objs[1].Move(fyne.NewPos(nw, 0))
	objs[1].Resize(fyne.NewSize(max(0, s.Width-nw-bw), s.Height))
	objs[2].Move(fyne.NewPos(s.Width-bw, (s.Height-objs[2].MinSize().Height)/2))
	objs[2].Resize(objs[2].MinSize())
}

func (l *kvLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := max(objs[0].MinSize().Height, objs[2].MinSize().Height)
	return fyne.NewSize(l.t.nameW+objs[2].MinSize().Width+40, h)
}
