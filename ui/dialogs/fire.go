package dialogs

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Target choices in the Fire window.
const (
	FireToSelf = "This Hooklens"
	FireToURL  = "Any URL"
)

// Signing choices in the Fire window.
const (
	FireSignNone    = "Unsigned"
	FireSignOwn     = "As the provider, with Hooklens's own key"
	FireSignSecret  = "As the provider, with a secret"
	FireSignTarget  = "As the target signs"
	noTemplateLabel = "Compose without a template"
)

// FireRow is one row of the template picker: a provider heading or a
// template under it.
type FireRow struct {
	Heading  string // the provider, for a heading row
	Template *signal.Template
}

// Fire is the content of the Fire window: pick a template (searchable,
// grouped by provider), fill its variables, edit the body (checked as JSON
// as it is typed), choose where it goes (This Hooklens, any URL or a saved
// target) and how it is signed (the target's way, as the provider with
// Hooklens's own key or a secret, or not at all), and Send, which hands the
// delivery to OnSend. It reads no store and sends nothing itself.
type Fire struct {
	Root fyne.CanvasObject

	do        func(func())
	listenURL string
	tpls      []signal.Template
	rows      []FireRow
	cur       *signal.Template // nil: compose without a template
	targets   []app.Target
	ownKeys   map[string]verify.Key // by scheme name: salesiq, signalzen
	vars      map[string]*widget.Entry

	Search  *widget.Entry
	List    *widget.List
	Title   *widget.Label
	About   *widget.Label
	VarForm *fyne.Container
	Method  *widget.Select
	Target  *widget.Select
	URL     *widget.Entry
	URLErr  *widget.Label
	Headers *widgets.HeaderEditor
	Body    *widget.Entry
	Check   *widget.Label
	Signing *widget.Select
	Secret  *widget.Entry
	KeyBox  *fyne.Container // the SalesIQ public key and its copy button
	KeyText *widget.Label
	KeyCopy *widget.Button // copies the public key itself
	sendBar                // Status and SendBtn

	// OnSend receives the delivery to queue; the caller reports back with
	// Sent or Failed.
	OnSend func(d *app.Delivery)
	// OnComposeSignal opens the Bigin signal composer.
	OnComposeSignal func()
}

// NewFire builds the Fire window's content over tpls; listenURL is this
// Hooklens's listener (This Hooklens is it plus the template's path).
func NewFire(tpls []signal.Template, listenURL string, do func(func())) *Fire {
	f := &Fire{do: do, listenURL: strings.TrimSuffix(listenURL, "/"), tpls: tpls, vars: map[string]*widget.Entry{}}
	f.Root = f.build()
	f.filter("")
	return f
}

func (f *Fire) build() fyne.CanvasObject {
	f.Search = widget.NewEntry()
	f.Search.SetPlaceHolder("Search templates: provider, event or name")
	f.Search.SetIcon(theme.SearchIcon())
	f.Search.OnChanged = f.filter
	f.List = widget.NewList(func() int { return len(f.rows) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.MailSendIcon()), widget.NewLabel("template.name.placeholder"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			icon, l := box.Objects[0].(*widget.Icon), box.Objects[1].(*widget.Label)
			r := f.rows[i]
			if r.Template == nil {
				icon.Hide()
				l.TextStyle = fyne.TextStyle{Bold: true}
				l.SetText(r.Heading)
				return
			}
			icon.Show()
			l.TextStyle = fyne.TextStyle{}
			l.SetText(r.Template.Name)
		})
	f.List.OnSelected = func(i widget.ListItemID) {
		if i >= len(f.rows) || f.rows[i].Template == nil {
			f.List.Unselect(i)
			return
		}
		f.Choose(f.rows[i].Template.Name)
	}
	compose := widget.NewButtonWithIcon(noTemplateLabel, theme.DocumentCreateIcon(), func() { f.Choose("") })
	compose.Importance = widget.LowImportance
	bigin := widget.NewButtonWithIcon("Compose a Bigin signal…", theme.InfoIcon(), func() { call(f.OnComposeSignal) })
	left := container.NewBorder(container.NewVBox(f.Search, compose), bigin, nil, nil, f.List)

	f.Title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.Title.SizeName = theme.SizeNameSubHeadingText
	f.About = widgets.Caption("")
	f.About.Wrapping = fyne.TextWrapWord
	f.VarForm = container.New(layout.NewFormLayout())

	f.Method = widget.NewSelect(editorMethods, nil)
	f.Method.SetSelected("POST")
	f.Target = widget.NewSelect([]string{FireToSelf, FireToURL}, func(string) { f.targetChanged() })
	f.URL = widget.NewEntry()
	f.URL.TextStyle = fyne.TextStyle{Monospace: true}
	f.URL.SetPlaceHolder("https://example.com/webhooks")
	f.URL.OnChanged = func(string) { f.URLErr.Hide() }
	f.URLErr = widgets.ErrorLabel()

	f.Headers = widgets.NewHeaderEditor(nil, "Add header")
	f.Body = widget.NewMultiLineEntry()
	f.Body.TextStyle = fyne.TextStyle{Monospace: true}
	f.Body.Wrapping = fyne.TextWrapOff
	f.Body.SetMinRowsVisible(12)
	f.Body.OnChanged = func(string) { f.checkBody() }
	f.Check = widget.NewLabel("")
	f.Check.Truncation = fyne.TextTruncateEllipsis
	format := widget.NewButtonWithIcon("Format", theme.MenuIcon(), func() {
		if s, err := widgets.PrettyJSON([]byte(f.Body.Text)); err == nil {
			f.Body.SetText(s)
		}
	})
	format.Importance = widget.LowImportance

	f.Signing = widget.NewSelect([]string{FireSignNone}, func(string) { f.signingChanged() })
	f.Secret = widget.NewPasswordEntry()
	f.Secret.SetPlaceHolder("the receiver's signing secret (or private key PEM)")
	f.Secret.Hide()
	f.KeyText = widgets.Mono("")
	f.KeyText.Truncation = fyne.TextTruncateEllipsis
	f.KeyCopy = widgets.NewCopyButton("Copy public key", func() string { return f.publicKey() }, f.do)
	f.KeyBox = container.NewBorder(nil, nil, widgets.Caption("Hooklens's SalesIQ public key"), f.KeyCopy, f.KeyText)
	f.KeyBox.Hide()

	f.sendBar = newSendBar("Send", func() { f.start(f.Delivery, f.OnSend) })

	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	form := container.New(layout.NewFormLayout(),
		label("Method"), widgets.FixedWidth(120, f.Method),
		label("Send to"), container.NewVBox(f.Target, f.URL, f.URLErr),
		label("Signing"), container.NewVBox(f.Signing, f.Secret, f.KeyBox),
	)
	varsBox := container.NewVBox(widgets.Heading("Variables"), f.VarForm)
	bodyBar := container.NewBorder(nil, nil, widgets.Heading("Body"), format, f.Check)
	top := container.NewVBox(f.Title, f.About, varsBox, widget.NewSeparator(), form, widget.NewSeparator(),
		widgets.Heading("Headers"), f.Headers.Root, f.Headers.Add, widget.NewSeparator(), bodyBar)
	right := container.NewBorder(top, f.sendBar.root(), nil, nil, f.Body)

	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(container.NewVScroll(right)))
	split.Offset = 0.3
	f.Target.SetSelected(FireToSelf)
	f.Choose("")
	return split
}

// filter lists the templates matching q (every word in the name, provider,
// event or description), grouped under their provider.
func (f *Fire) filter(q string) {
	words := strings.Fields(strings.ToLower(q))
	groups := map[string][]*signal.Template{}
	var providers []string
	for i := range f.tpls {
		t := &f.tpls[i]
		hay := strings.ToLower(t.Name + " " + t.Provider + " " + t.Event + " " + t.Description)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(hay, w)
		}
		if !ok {
			continue
		}
		if _, seen := groups[t.Provider]; !seen {
			providers = append(providers, t.Provider)
		}
		groups[t.Provider] = append(groups[t.Provider], t)
	}
	sort.SliceStable(providers, func(i, j int) bool {
		// The user's own templates come last.
		if (providers[i] == signal.SavedProvider) != (providers[j] == signal.SavedProvider) {
			return providers[j] == signal.SavedProvider
		}
		return providers[i] < providers[j]
	})
	f.rows = f.rows[:0]
	for _, p := range providers {
		f.rows = append(f.rows, FireRow{Heading: p})
		for _, t := range groups[p] {
			f.rows = append(f.rows, FireRow{Template: t})
		}
	}
	if f.List != nil {
		f.List.UnselectAll()
		f.List.Refresh()
	}
}

// AddTemplates adds tpls (the user's own, read later) to the picker.
func (f *Fire) AddTemplates(tpls []signal.Template) {
	cur := ""
	if f.cur != nil {
		cur = f.cur.Name
	}
	f.tpls = append(f.tpls, tpls...)
	f.filter(f.Search.Text)
	if cur != "" {
		for i := range f.tpls {
			if f.tpls[i].Name == cur {
				f.cur = &f.tpls[i] // the slice may have moved
			}
		}
	}
}

// Rows are the picker's rows as shown now.
func (f *Fire) Rows() []FireRow { return f.rows }

// Current is the chosen template, nil when composing without one.
func (f *Fire) Current() *signal.Template { return f.cur }

// Choose picks template name ("" to compose without a template): its
// variables become the form, its headers and rendered body fill the editor.
func (f *Fire) Choose(name string) {
	f.cur = nil
	for i := range f.tpls {
		if f.tpls[i].Name == name {
			f.cur = &f.tpls[i]
		}
	}
	f.vars = map[string]*widget.Entry{}
	f.VarForm.RemoveAll()
	f.Status.Hide()
	if f.cur == nil {
		f.Title.SetText(noTemplateLabel)
		f.About.SetText("Type any body: Content-Type is set from what it holds (JSON, XML, a form, text) when sent.")
		f.Headers.Set(nil)
		f.Body.SetText("")
		f.Method.SetSelected("POST")
		f.VarForm.Add(widgets.Caption(""))
		f.VarForm.Add(widgets.Caption("No variables without a template."))
		f.updateSigning()
		f.targetChanged()
		return
	}
	t := f.cur
	f.Title.SetText(t.Name)
	about := t.Provider + " · " + t.Event
	if t.Description != "" {
		about += " — " + t.Description
	}
	f.About.SetText(about)
	f.Method.SetSelected(t.Method)
	var builtins []string
	for _, v := range t.Variables() {
		if v.Builtin {
			builtins = append(builtins, "{{"+v.Name+"}}")
			continue
		}
		e := widget.NewEntry()
		e.SetText(v.Default)
		if v.Number {
			e.SetPlaceHolder("a number")
		}
		e.OnChanged = func(string) { f.render() }
		f.vars[v.Name] = e
		f.VarForm.Add(widget.NewLabelWithStyle(v.Name, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}))
		f.VarForm.Add(e)
	}
	if len(builtins) > 0 {
		f.VarForm.Add(widgets.Caption("filled in"))
		c := widgets.Caption(strings.Join(builtins, " ") + " get fresh values each time the body is rendered")
		c.Wrapping = fyne.TextWrapWord
		f.VarForm.Add(c)
	}
	if len(f.vars) == 0 && len(builtins) == 0 {
		f.VarForm.Add(widgets.Caption(""))
		f.VarForm.Add(widgets.Caption("This template has no variables."))
	}
	f.render()
	f.updateSigning()
	f.targetChanged()
}

// Vars are the variable values as typed.
func (f *Fire) Vars() map[string]string {
	out := map[string]string{}
	for k, e := range f.vars {
		out[k] = e.Text
	}
	return out
}

// SetVar types value into variable name's field.
func (f *Fire) SetVar(name, value string) {
	if e, ok := f.vars[name]; ok {
		e.SetText(value)
	}
}

// render fills the headers and body from the template and the variables.
func (f *Fire) render() {
	if f.cur == nil {
		return
	}
	body, headers, err := f.cur.Render(f.Vars())
	if err != nil {
		f.setCheck(widget.DangerImportance, "✗ "+widgets.UpperFirst(err.Error()))
		return
	}
	f.Headers.Set(headers)
	if f.cur.IsJSON() {
		if s, err := widgets.PrettyJSON(body); err == nil {
			body = []byte(s)
		}
	}
	f.Body.SetText(string(body))
}

func (f *Fire) setCheck(imp widget.Importance, text string) {
	f.Check.Importance = imp
	f.Check.SetText(text)
}

// checkBody says as it is typed whether the body is JSON, and where not.
func (f *Fire) checkBody() {
	b := []byte(f.Body.Text)
	switch {
	case strings.TrimSpace(f.Body.Text) == "":
		f.setCheck(widget.LowImportance, "no body")
	case !widgets.LooksJSON(f.Headers.Value("Content-Type"), b):
		f.setCheck(widget.LowImportance, fmt.Sprintf("%s · not JSON, so not checked", signal.ContentType(b)))
	default:
		if je := widgets.CheckJSON(b); je != nil {
			f.setCheck(widget.DangerImportance, "✗ Invalid JSON at "+je.Error())
			return
		}
		f.setCheck(widget.SuccessImportance, fmt.Sprintf("✓ valid JSON · %s", app.HumanSize(int64(len(b)))))
	}
}

// --- targets and signing ------------------------------------------------------

// SetTargets offers the saved targets beside This Hooklens and any URL.
func (f *Fire) SetTargets(ts []app.Target) {
	f.targets = ts
	opts := []string{FireToSelf, FireToURL}
	for _, t := range ts {
		opts = append(opts, TargetOption(t))
	}
	sel := f.Target.Selected
	f.Target.Options = opts
	f.Target.Refresh()
	if sel == "" {
		sel = FireToSelf
	}
	f.Target.SetSelected(sel)
}

// SetOwnKeys gives the keys Hooklens signs with when it plays the provider,
// by scheme name (salesiq, signalzen).
func (f *Fire) SetOwnKeys(keys map[string]verify.Key) {
	f.ownKeys = keys
	f.updateSigning()
}

func (f *Fire) chosenTarget() *app.Target {
	for i := range f.targets {
		if TargetOption(f.targets[i]) == f.Target.Selected {
			return &f.targets[i]
		}
	}
	return nil
}

// SelfURL is where This Hooklens receives the chosen template: the
// listener's URL and the template's path.
func (f *Fire) SelfURL() string {
	if f.cur == nil {
		return f.listenURL + "/fired"
	}
	return signal.SelfURL(f.listenURL, *f.cur)
}

func (f *Fire) targetChanged() {
	if f.URL == nil || f.Signing == nil {
		return
	}
	switch sel := f.Target.Selected; sel {
	case FireToSelf, "":
		f.URL.SetText(f.SelfURL())
		f.URL.Disable()
	case FireToURL:
		if f.URL.Disabled() {
			f.URL.SetText("")
		}
		f.URL.Enable()
	default:
		if t := f.chosenTarget(); t != nil {
			u, _ := t.ActiveURL()
			f.URL.SetText(u)
		}
		f.URL.Disable()
	}
	f.updateSigning()
}

// scheme is the chosen template's signing scheme name ("" for none).
func (f *Fire) scheme() string {
	if f.cur == nil || f.cur.Scheme == "" {
		return ""
	}
	c, err := verify.ParseConfig(f.cur.Scheme)
	if err != nil {
		return ""
	}
	return c.Scheme
}

func (f *Fire) updateSigning() {
	if f.Signing == nil {
		return
	}
	opts := []string{FireSignNone}
	def := FireSignNone
	if t := f.chosenTarget(); t != nil && t.Scheme != "" {
		o := FireSignTarget + " (" + t.Scheme + ")"
		opts = append(opts, o)
		def = o
	}
	if s := f.scheme(); s != "" {
		if _, ok := f.ownKeys[s]; ok {
			o := FireSignOwn + " (" + s + ")"
			opts = append(opts, o)
			if def == FireSignNone {
				def = o
			}
		}
		o := FireSignSecret + " (" + s + ")"
		opts = append(opts, o)
		if def == FireSignNone && f.ownKeys != nil {
			def = o
		}
	}
	sel := f.Signing.Selected
	f.Signing.Options = opts
	keep := false
	for _, o := range opts {
		keep = keep || o == sel
	}
	if !keep || sel == FireSignNone {
		sel = def
	}
	f.Signing.Selected = ""
	f.Signing.SetSelected(sel)
	f.Signing.Refresh()
}

func (f *Fire) signingChanged() {
	if f.Secret == nil || f.KeyBox == nil {
		return
	}
	f.Secret.Hide()
	f.KeyBox.Hide()
	switch sel := f.Signing.Selected; {
	case strings.HasPrefix(sel, FireSignSecret):
		f.Secret.Show()
	case strings.HasPrefix(sel, FireSignOwn) && f.scheme() == "salesiq":
		f.KeyText.SetText(f.publicKey())
		f.KeyBox.Show()
	}
}

func (f *Fire) publicKey() string { return f.ownKeys["salesiq"].PublicKey }

// --- sending --------------------------------------------------------------------

// Delivery builds what Send hands to OnSend, or says what is wrong.
func (f *Fire) Delivery() (*app.Delivery, error) {
	u := strings.TrimSpace(f.URL.Text)
	if u == "" {
		return nil, fmt.Errorf("enter the URL to send to, or choose This Hooklens")
	}
	if err := app.CheckURL(u); err != nil {
		return nil, err
	}
	headers, err := f.Headers.Headers()
	if err != nil {
		return nil, err
	}
	body := []byte(f.Body.Text)
	if f.cur != nil && f.cur.IsJSON() {
		// The editor shows JSON indented; send it as compact as the
		// provider does (signatures cover these exact bytes).
		if s, err := widgets.MinifyJSON(body); err == nil {
			body = []byte(s)
		}
	}
	if f.cur == nil && headers.Get("Content-Type") == "" {
		headers = headers.With(app.Headers{{Name: "Content-Type", Value: signal.ContentType(body)}})
	}
	d := &app.Delivery{Kind: app.KindSignal, Request: app.Request{Method: f.Method.Selected, URL: u, Headers: headers, Body: body},
		Retry: app.RetryPolicy{}}
	if f.cur == nil {
		d.Kind = app.KindSend
	}
	if t := f.chosenTarget(); t != nil {
		td, err := t.NewDelivery(d.Request)
		if err != nil {
			return nil, err
		}
		td.Kind, td.Sign = d.Kind, app.Signing{}
		d = td
	}
	switch sel := f.Signing.Selected; {
	case strings.HasPrefix(sel, FireSignTarget):
		sg, err := f.chosenTarget().Signing()
		if err != nil {
			return nil, err
		}
		d.Sign = sg
	case strings.HasPrefix(sel, FireSignOwn):
		k := f.ownKeys[f.scheme()]
		d.Sign = app.Signing{Scheme: f.cur.Scheme, Secret: k.Secret}
	case strings.HasPrefix(sel, FireSignSecret):
		s := strings.TrimSpace(f.Secret.Text)
		if s == "" {
			return nil, fmt.Errorf("paste the secret the receiver checks %s signatures with, or choose another signing", f.scheme())
		}
		d.Sign = app.Signing{Scheme: f.cur.Scheme, Secret: s}
	}
	return d, nil
}

// Sent says the delivery was queued.
func (f *Fire) Sent(d *app.Delivery) { f.queued(d.ID, app.RedactURL(d.Request.URL)) }
