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
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Where the composer sends a signal.
const (
	SignalToFunction = "The topping's custom function (REST API URL)"
	SignalToAPI      = "The signals notification API"
	SignalToURL      = "Any URL"
	SignalToSelf     = "This Hooklens"
)

// signalSelfPath is where This Hooklens receives signals, as the bigin.signal
// template sends them.
const signalSelfPath = "/bigin/signals"

// maxActions is how many link actions the composer offers.
const maxActions = 3

// SignalAction is one action row of the composer.
type SignalAction struct {
	Name, URL *widget.Entry
	OpenIn    *widget.Select
	NameErr   *widget.Label
	URLErr    *widget.Label
	Fix       *widget.Button // "Use https://…" when the URL lacks its scheme
}

// SignalComposer is the content of the Bigin signal composer: the fields
// of a signal.Signal with each field's problem under it (signal.Validate),
// a preview card showing the signal as a Bigin user sees it, where to send
// it (the topping's function URL, the signals API with a connection's
// Zoho-oauthtoken, any URL or This Hooklens) and Send, which hands the
// delivery to OnSend. It reads no store and sends nothing itself.
type SignalComposer struct {
	Root fyne.CanvasObject

	do        func(func())
	listenURL string
	conns     []app.Connection

	Namespace, Email, RecordID, Subject *widget.Entry
	Message                             *widget.Entry
	Errs                                map[string]*widget.Label // by signal.FieldError.Field
	Actions                             []*SignalAction
	ActionsErr                          *widget.Label
	Card                                *widgets.SignalCard

	Target     *widget.Select
	DC         *widget.Select
	Topping    *widget.Entry
	Function   *widget.Entry
	ZAPIKey    *widget.Entry
	FuncBox    *fyne.Container
	Masked     *widget.Label // the function URL with the zapikey masked
	APIURL     *widget.Entry
	Connection *widget.Select
	APIBox     *fyne.Container
	URL        *widget.Entry
	TargetErr  *widget.Label
	sendBar    // Status and SendBtn

	// OnSend receives the delivery to queue; the caller reports back with
	// Sent or Failed. OnOpen receives an action URL clicked in the preview.
	OnSend func(d *app.Delivery)
	OnOpen func(raw string)
}

// NewSignalComposer builds the composer, starting from the seed's sample
// signal; listenURL is this Hooklens's listener.
func NewSignalComposer(listenURL string, do func(func())) *SignalComposer {
	c := &SignalComposer{do: do, listenURL: strings.TrimSuffix(listenURL, "/"), Errs: map[string]*widget.Label{}}
	c.Root = c.build()
	c.Set(signal.Signal{Namespace: "zylkersurveys_survey_viewed", Email: "support@bigin.com", Subject: "Bigin Signals",
		Message: "Detailed description of Signals in Bigin",
		Actions: []signal.Action{{DisplayName: "Bigin Website Link", URL: "www.bigin.com", OpenIn: "tab"}}})
	return c
}

func (c *SignalComposer) entry(field, placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { c.changed() }
	c.Errs[field] = widgets.ErrorLabel()
	return e
}

func (c *SignalComposer) build() fyne.CanvasObject {
	c.Namespace = c.entry("namespace", "zylkersurveys_survey_viewed")
	c.Email = c.entry("email", "lena.fischer@example.com")
	c.RecordID = c.entry("record_id", "or the contact's record id")
	c.Subject = c.entry("subject", "at most 100 characters")
	c.Message = widget.NewMultiLineEntry()
	c.Message.Wrapping = fyne.TextWrapWord
	c.Message.SetMinRowsVisible(3)
	c.Message.SetPlaceHolder("at most 1,000 characters")
	c.Message.OnChanged = func(string) { c.changed() }
	c.Errs["message"] = widgets.ErrorLabel()
	c.ActionsErr = widgets.ErrorLabel()
	c.Errs["actions"] = c.ActionsErr

	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	with := func(o fyne.CanvasObject, field string) fyne.CanvasObject { return container.NewVBox(o, c.Errs[field]) }
	form := container.New(layout.NewFormLayout(),
		label("Namespace"), with(c.Namespace, "namespace"),
		label("Email"), with(c.Email, "email"),
		label("Record id"), with(c.RecordID, "record_id"),
		label("Subject"), with(c.Subject, "subject"),
		label("Message"), with(c.Message, "message"),
	)
	actions := container.NewVBox(widgets.Heading("Link actions"), c.ActionsErr)
	for i := range maxActions {
		a := &SignalAction{Name: widget.NewEntry(), URL: widget.NewEntry(), OpenIn: widget.NewSelect([]string{"tab", "popup"}, nil),
			NameErr: widgets.ErrorLabel(), URLErr: widgets.ErrorLabel()}
		a.Name.SetPlaceHolder(fmt.Sprintf("link %d text", i+1))
		a.URL.SetPlaceHolder("https://…")
		a.OpenIn.SetSelected("tab")
		a.Name.OnChanged = func(string) { c.changed() }
		a.URL.OnChanged = func(string) { c.changed() }
		a.OpenIn.OnChanged = func(string) { c.changed() }
		a.Fix = widget.NewButtonWithIcon("", theme.ConfirmIcon(), nil)
		a.Fix.Importance = widget.WarningImportance
		a.Fix.Hide()
		c.Errs[fmt.Sprintf("actions[%d].display_name", i)] = a.NameErr
		c.Errs[fmt.Sprintf("actions[%d].url", i)] = a.URLErr
		c.Actions = append(c.Actions, a)
		row := container.NewGridWithColumns(2, a.Name, container.NewBorder(nil, nil, nil, widgets.FixedWidth(90, a.OpenIn), a.URL))
		actions.Add(container.NewVBox(row, a.NameErr, container.NewBorder(nil, nil, nil, a.Fix, a.URLErr)))
	}

	// Where it goes.
	c.Target = widget.NewSelect([]string{SignalToFunction, SignalToAPI, SignalToURL, SignalToSelf}, func(string) { c.targetChanged() })
	var dcs []string
	for _, d := range signal.DataCentres {
		dcs = append(dcs, d.Domain+" — "+d.Name)
	}
	c.DC = widget.NewSelect(dcs, func(string) { c.targetChanged() })
	c.DC.SetSelected(dcs[0])
	c.Topping = widget.NewEntry()
	c.Topping.SetPlaceHolder("topping namespace, e.g. zylkersurveys")
	c.Function = widget.NewEntry()
	c.Function.SetPlaceHolder("function name, e.g. relaysignal")
	c.ZAPIKey = widget.NewPasswordEntry()
	c.ZAPIKey.SetPlaceHolder("zapikey")
	for _, e := range []*widget.Entry{c.Topping, c.Function, c.ZAPIKey} {
		e.OnChanged = func(string) { c.targetChanged() }
	}
	c.Masked = widgets.Mono("")
	c.Masked.Wrapping = fyne.TextWrapBreak
	c.FuncBox = container.NewVBox(c.DC, container.NewGridWithColumns(3, c.Topping, c.Function, c.ZAPIKey), c.Masked)
	c.APIURL = widget.NewEntry()
	c.APIURL.SetPlaceHolder("the signals notification API URL of your data centre")
	c.Connection = widget.NewSelect(nil, nil)
	c.Connection.PlaceHolder = "connection with a Zoho-oauthtoken"
	c.APIBox = container.NewVBox(c.APIURL, c.Connection)
	c.URL = widget.NewEntry()
	c.URL.SetPlaceHolder("https://example.com/signals")
	c.TargetErr = widgets.ErrorLabel()
	c.Target.SetSelected(SignalToSelf)

	c.sendBar = newSendBar("Send signal", func() { c.start(c.Delivery, c.OnSend) })
	to := container.NewVBox(widgets.Heading("Send to"), c.Target, c.FuncBox, c.APIBox, c.URL, c.TargetErr)

	left := container.NewVBox(form, widget.NewSeparator(), actions, widget.NewSeparator(), to)
	c.Card = widgets.NewSignalCard()
	c.Card.OnOpen = func(raw string) {
		if c.OnOpen != nil {
			c.OnOpen(raw)
		}
	}
	right := container.NewVBox(widgets.Heading("Preview"), widgets.Caption("As a Bigin user sees it in the Signals panel."), c.Card.Root)
	bottom := c.sendBar.root()
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.Offset = 0.6
	return container.NewBorder(nil, bottom, nil, nil, split)
}

// SetConnections offers the saved connections for the signals API.
func (c *SignalComposer) SetConnections(cs []app.Connection) {
	c.conns = cs
	var names []string
	for _, x := range cs {
		names = append(names, x.Name+" — "+x.Describe())
	}
	c.Connection.Options = names
	c.Connection.Refresh()
}

// Set fills the fields with s.
func (c *SignalComposer) Set(s signal.Signal) {
	c.Namespace.SetText(s.Namespace)
	c.Email.SetText(s.Email)
	c.RecordID.SetText(s.RecordID)
	c.Subject.SetText(s.Subject)
	c.Message.SetText(s.Message)
	for i, a := range c.Actions {
		var x signal.Action
		if i < len(s.Actions) {
			x = s.Actions[i]
		}
		a.Name.SetText(x.DisplayName)
		a.URL.SetText(x.URL)
		if x.OpenIn == "" {
			x.OpenIn = "tab"
		}
		a.OpenIn.SetSelected(x.OpenIn)
	}
	c.changed()
}

// Signal is the signal as the fields hold it; action rows left empty are
// not part of it.
func (c *SignalComposer) Signal() signal.Signal {
	s := signal.Signal{Namespace: c.Namespace.Text, Email: c.Email.Text, RecordID: c.RecordID.Text,
		Subject: c.Subject.Text, Message: c.Message.Text}
	for _, a := range c.Actions {
		if strings.TrimSpace(a.Name.Text) == "" && strings.TrimSpace(a.URL.Text) == "" {
			continue
		}
		s.Actions = append(s.Actions, signal.Action{DisplayName: a.Name.Text, URL: a.URL.Text, OpenIn: a.OpenIn.Selected})
	}
	return s
}

// changed validates the fields, shows each problem under its field and
// redraws the preview.
func (c *SignalComposer) changed() {
	if c.Card == nil || len(c.Actions) < maxActions {
		return // during build
	}
	for _, l := range c.Errs {
		l.Hide()
	}
	for _, a := range c.Actions {
		a.Fix.Hide()
	}
	s := c.Signal()
	// Validate numbers actions as sent; map them back to their rows.
	rows := []int{}
	for i, a := range c.Actions {
		if strings.TrimSpace(a.Name.Text) != "" || strings.TrimSpace(a.URL.Text) != "" {
			rows = append(rows, i)
		}
	}
	for _, fe := range s.Validate() {
		field := fe.Field
		var n int
		if _, err := fmt.Sscanf(field, "actions[%d]", &n); err == nil && n < len(rows) {
			field = fmt.Sprintf("actions[%d]", rows[n]) + field[strings.IndexByte(field, ']')+1:]
			n = rows[n]
		}
		l, ok := c.Errs[field]
		if !ok {
			l = c.ActionsErr
		}
		l.SetText(widgets.UpperFirst(fe.Message))
		l.Show()
		if fe.Fix != "" && strings.HasSuffix(field, ".url") {
			a, fix := c.Actions[n], fe.Fix
			a.Fix.SetText("Use " + fix)
			a.Fix.OnTapped = func() { a.URL.SetText(fix) }
			a.Fix.Show()
		}
		if fe.Fix != "" && field == "namespace" {
			c.Errs[field].SetText(widgets.UpperFirst(fe.Message) + " — did you mean " + fe.Fix + "?")
		}
	}
	c.Card.Set(s)
}

// Problems are the fields' problems as shown, by field.
func (c *SignalComposer) Problems() map[string]string {
	out := map[string]string{}
	for f, l := range c.Errs {
		if l.Visible() && l.Text != "" {
			out[f] = l.Text
		}
	}
	return out
}

func (c *SignalComposer) dc() string {
	d, _, _ := strings.Cut(c.DC.Selected, " ")
	return d
}

func (c *SignalComposer) functionURL() signal.FunctionURL {
	return signal.FunctionURL{DC: c.dc(), Topping: strings.TrimSpace(c.Topping.Text), Function: strings.TrimSpace(c.Function.Text), ZAPIKey: c.ZAPIKey.Text}
}

func (c *SignalComposer) targetChanged() {
	if c.FuncBox == nil || c.APIBox == nil || c.URL == nil || c.TargetErr == nil {
		return
	}
	c.FuncBox.Hide()
	c.APIBox.Hide()
	c.URL.Hide()
	c.TargetErr.Hide()
	switch c.Target.Selected {
	case SignalToFunction:
		c.FuncBox.Show()
		c.Masked.SetText(c.functionURL().Masked())
	case SignalToAPI:
		c.APIBox.Show()
	case SignalToURL:
		c.URL.Show()
	case SignalToSelf:
		c.URL.SetText(c.listenURL + signalSelfPath)
	}
}

// Delivery builds what Send hands to OnSend, or says what is wrong.
func (c *SignalComposer) Delivery() (*app.Delivery, error) {
	c.changed()
	s := c.Signal()
	if errs := s.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("the signal is not ready: %s", errs[0].Error())
	}
	d := &app.Delivery{Kind: app.KindSignal, Request: app.Request{Method: "POST",
		Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}, Body: s.Body()}}
	switch c.Target.Selected {
	case SignalToFunction:
		f := c.functionURL()
		if err := f.Validate(); err != nil {
			return nil, err
		}
		d.Request.URL = f.URL()
	case SignalToAPI:
		u := strings.TrimSpace(c.APIURL.Text)
		if err := app.CheckURL(u); err != nil {
			return nil, fmt.Errorf("the signals API URL: %w", err)
		}
		i := c.Connection.SelectedIndex()
		if i < 0 || i >= len(c.conns) {
			return nil, fmt.Errorf("choose the connection holding your Zoho-oauthtoken (add one in Targets › Connections)")
		}
		d.Request.URL, d.Request.Body, d.Connection = u, s.Payload(), c.conns[i].Name
	case SignalToURL:
		u := strings.TrimSpace(c.URL.Text)
		if err := app.CheckURL(u); err != nil {
			return nil, err
		}
		d.Request.URL = u
	default:
		d.Request.URL = c.listenURL + signalSelfPath
	}
	return d, nil
}

// Sent says the delivery was queued; the URL is shown redacted, the
// zapikey masked.
func (c *SignalComposer) Sent(d *app.Delivery) {
	where := app.RedactURL(d.Request.URL)
	if c.Target.Selected == SignalToFunction {
		where = c.functionURL().Masked()
	}
	c.queued(d.ID, where)
}
