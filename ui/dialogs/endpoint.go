package dialogs

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/ui/widgets"
)

// EndpointEditor is the form that adds or edits one endpoint. Save checks
// the form with app.Endpoint.Problems (the check every door applies) and
// hands a valid endpoint to OnSave; the caller stores it and answers with
// Saved or Failed. The form's parts are exported so a caller can prefill
// or focus them and tests can type into them.
type EndpointEditor struct {
	// OnSave receives a valid endpoint; isNew when it is not stored yet.
	OnSave   func(ep app.Endpoint, isNew bool)
	OnClosed func()

	Slug, Options, PublicKey, Status, Body, Forward *widgets.Entry
	Pending                                         *widget.Entry
	Delay                                           *widgets.DurationEntry
	ForwardReply                                    *widget.Check
	Scheme                                          *widget.Select
	SaveButton                                      *widget.Button
	// URL says where senders post; the ...Err labels say what is wrong
	// with a field, SaveErr with the whole form or the save.
	URL                                               *widget.Label
	SlugErr, OptErr, KeyErr, RespErr, FwdErr, SaveErr *widget.Label
	// SecretList holds a row per secret.
	SecretList *fyne.Container

	isNew   bool
	orig    app.Endpoint
	baseURL string
	parent  fyne.Window
	do      func(func())
	dlg     *formDialog

	optRow                          fyne.CanvasObject
	optLabel, secretLabel, pubLabel *widget.Label
	secrets                         []*widgets.Secret
	secretBox                       fyne.CanvasObject
	pubBox                          fyne.CanvasObject
	schemeName                      string // the scheme chosen, "" for detect
}

// NewEndpointEditor builds the editor on ep over parent; isNew for an
// endpoint not yet saved (ep then holds whatever is known: a slug from the
// path, a detected scheme). baseURL is the listener's; do runs a function
// on the UI goroutine.
func NewEndpointEditor(ep app.Endpoint, isNew bool, baseURL string, parent fyne.Window, do func(func())) *EndpointEditor {
	ed := &EndpointEditor{isNew: isNew, orig: ep, baseURL: baseURL, parent: parent, do: do}
	title := "Edit endpoint " + ep.Slug
	if isNew {
		title = "New endpoint"
	}
	ed.dlg, ed.SaveButton = editorDialog(title, ed.build(), ed.save, fyne.NewSize(720, 680), parent)
	ed.dlg.SetOnClosed(func() {
		if ed.OnClosed != nil {
			ed.OnClosed()
		}
	})
	return ed
}

// Show opens the editor with the field to fill first focused.
func (ed *EndpointEditor) Show() {
	ed.dlg.Show()
	switch {
	case ed.isNew && ed.orig.Slug == "":
		ed.parent.Canvas().Focus(ed.Slug)
	case verify.UsesPublicKey(ed.schemeName):
		ed.parent.Canvas().Focus(ed.PublicKey)
	default:
		ed.parent.Canvas().Focus(ed.Pending)
	}
}

// Saved closes the editor after the caller stored the endpoint.
func (ed *EndpointEditor) Saved() { ed.dlg.Hide() }

// Failed says why the endpoint could not be stored and lets the user try again.
func (ed *EndpointEditor) Failed(err error) { showFailure(ed.SaveErr, ed.SaveButton, err) }

// Secrets are the secret rows, in order.
func (ed *EndpointEditor) Secrets() []*widgets.Secret { return ed.secrets }

func (ed *EndpointEditor) build() fyne.CanvasObject {
	ep := ed.orig
	ed.SlugErr, ed.OptErr, ed.KeyErr, ed.RespErr, ed.FwdErr, ed.SaveErr = widgets.ErrorLabel(), widgets.ErrorLabel(),
		widgets.ErrorLabel(), widgets.ErrorLabel(), widgets.ErrorLabel(), widgets.ErrorLabel()
	ed.optLabel, ed.secretLabel, ed.pubLabel = widgets.FormLabel("Options"), widgets.FormLabel("Secrets"), widgets.FormLabel("Public key")

	// Slug and the URL it gives.
	ed.Slug = widgets.NewEntry()
	ed.Slug.SetPlaceHolder("e.g. stripe or shop-orders")
	ed.Slug.SetText(ep.Slug)
	ed.URL = widgets.Caption("")
	ed.URL.Truncation = fyne.TextTruncateEllipsis
	ed.Slug.OnChanged = func(string) { ed.checkSlug(false) }
	if !ed.isNew {
		ed.Slug.Disable()
	}
	ed.checkSlug(false)

	// Scheme and its options.
	name, opts := SplitScheme(ep.Scheme)
	ed.Options = widgets.NewEntry()
	ed.Options.SetText(opts)
	ed.Scheme = widget.NewSelect(append([]string{DetectScheme}, verify.Schemes()...), nil)
	ed.optRow = container.NewVBox(ed.Options, widgets.Caption("Options change the scheme's defaults, separated by ';' (key=value)."), ed.OptErr)

	// Secrets, masked until revealed.
	ed.SecretList = container.NewVBox()
	for _, s := range ep.Secrets {
		ed.addSecret(s, false)
	}
	ed.Pending = widget.NewPasswordEntry()
	ed.Pending.SetPlaceHolder("Paste a secret, then Add")
	ed.Pending.OnSubmitted = func(string) { ed.addPending() }
	addBtn := widget.NewButtonWithIcon("Add secret", theme.ContentAddIcon(), ed.addPending)
	gen := widget.NewButtonWithIcon("Generate secret", theme.ViewRefreshIcon(), ed.generate)
	rotate := widgets.Caption("Several secrets are all accepted (for rotation); the verdict says which one matched.")
	rotate.Wrapping = fyne.TextWrapWord
	ed.secretBox = container.NewVBox(ed.SecretList,
		container.NewBorder(nil, nil, nil, container.NewHBox(addBtn, gen), ed.Pending), ed.KeyErr, rotate)

	// Public key for the asymmetric schemes.
	ed.PublicKey = widgets.NewMultiLineEntry()
	ed.PublicKey.SetText(ep.PublicKey)
	ed.PublicKey.SetMinRowsVisible(3)
	ed.PublicKey.TextStyle = fyne.TextStyle{Monospace: true}
	ed.PublicKey.Wrapping = fyne.TextWrapBreak
	ed.PublicKey.SetPlaceHolder("SalesIQ: base64 DER or PEM, as the keys API returns it; Discord: hex, as the developer portal shows it")
	genPair := widget.NewButtonWithIcon("Generate key pair", theme.ViewRefreshIcon(), ed.generate)
	genPair.Importance = widget.LowImportance
	ed.pubBox = container.NewVBox(ed.PublicKey, container.NewHBox(genPair))

	ed.Scheme.OnChanged = ed.schemeChanged
	sel := name
	if sel == "" {
		sel = DetectScheme
	}
	ed.Scheme.SetSelected(sel)
	ed.Options.SetText(opts) // schemeChanged clears it on a real change

	// Response rule.
	ed.Status = widgets.NewEntry()
	ed.Status.SetPlaceHolder("200")
	if ep.Response.Status != 0 {
		ed.Status.SetText(strconv.Itoa(ep.Response.Status))
	}
	ed.Delay = widgets.NewDurationEntry("delay")
	ed.Delay.SetPlaceHolder("none, e.g. 2s or 500ms")
	ed.Delay.SetDuration(ep.Response.Delay)
	ed.Body = widgets.NewMultiLineEntry()
	ed.Body.SetMinRowsVisible(3)
	ed.Body.TextStyle = fyne.TextStyle{Monospace: true}
	ed.Body.SetPlaceHolder(`default: {"ok":true,"id":"{{id}}"} — {{id}} becomes the event id`)
	ed.Body.SetText(ep.Response.Body)
	statusRow := container.NewBorder(nil, nil, nil,
		container.NewHBox(widget.NewLabel("Delay"), widgets.FixedWidth(190, ed.Delay)), widgets.FixedWidth(90, ed.Status))

	// Forward target.
	ed.Forward = widgets.NewEntry()
	ed.Forward.SetPlaceHolder("http://localhost:3000/webhooks (optional)")
	ed.Forward.SetText(ep.ForwardTo)
	ed.ForwardReply = widget.NewCheck("Answer the sender with the app's response (wait for it)", nil)
	ed.ForwardReply.SetChecked(ep.ForwardReply)

	form := container.New(layout.NewFormLayout(),
		widgets.FormLabel("Slug"), container.NewVBox(ed.Slug, ed.URL, ed.SlugErr),
		widgets.FormLabel("Scheme"), container.NewVBox(ed.Scheme),
		ed.optLabel, ed.optRow,
		ed.secretLabel, ed.secretBox,
		ed.pubLabel, ed.pubBox,
		widgets.FormLabel("Respond with"), container.NewVBox(statusRow, ed.Body, ed.RespErr),
		widgets.FormLabel("Forward to"), container.NewVBox(ed.Forward, ed.ForwardReply, ed.FwdErr),
	)
	return container.NewBorder(nil, ed.SaveErr, nil, nil, container.NewVScroll(container.NewPadded(form)))
}

func (ed *EndpointEditor) schemeChanged(sel string) {
	name := sel
	if sel == DetectScheme {
		name = ""
	}
	if name != ed.schemeName {
		ed.Options.SetText("")
	}
	ed.schemeName = name
	ed.OptErr.Hide()
	hint, ok := optionHints[name]
	ed.Options.SetPlaceHolder(hint)
	widgets.ShowRow(ok, ed.optLabel, ed.optRow)
	asym := verify.UsesPublicKey(name)
	widgets.ShowRow(!asym || len(ed.secrets) > 0, ed.secretLabel, ed.secretBox)
	widgets.ShowRow(asym || strings.TrimSpace(ed.PublicKey.Text) != "", ed.pubLabel, ed.pubBox)
}

// checkSlug shows the URL the slug gives, or why it cannot be used.
func (ed *EndpointEditor) checkSlug(saving bool) bool {
	s := strings.TrimSpace(ed.Slug.Text)
	base := strings.TrimSuffix(ed.baseURL, "/")
	var err error
	switch {
	case s == "" && saving:
		err = errors.New("enter a slug: the first part of the path senders post to")
	case s != "":
		err = app.ValidateSlug(s)
	}
	if err != nil {
		ed.SlugErr.SetText(err.Error())
		ed.SlugErr.Show()
		ed.URL.Hide()
		return false
	}
	ed.SlugErr.Hide()
	if s == "" {
		ed.URL.SetText("Senders post to " + base + "/<slug>/…")
	} else {
		ed.URL.SetText("Senders post to " + base + "/" + s + "/…")
	}
	ed.URL.Show()
	return s != ""
}

// addPending moves the typed secret into the list.
func (ed *EndpointEditor) addPending() {
	s := strings.TrimSpace(ed.Pending.Text)
	if s == "" {
		return
	}
	for _, r := range ed.secrets {
		if r.Value() == s {
			ed.KeyErr.SetText("this secret is already in the list")
			ed.KeyErr.Show()
			return
		}
	}
	ed.KeyErr.Hide()
	ed.addSecret(s, false)
	ed.Pending.SetText("")
}

// generate makes a new key from crypto/rand shaped as the scheme's provider
// issues them.
func (ed *EndpointEditor) generate() {
	name := ed.schemeName
	if name == "" {
		name = "hmac" // 32 random bytes in hex suit any HMAC scheme
	}
	k, err := verify.GenerateKey(name)
	if err != nil {
		ed.KeyErr.SetText(err.Error())
		ed.KeyErr.Show()
		return
	}
	if verify.UsesPublicKey(name) {
		ed.PublicKey.SetText(k.PublicKey)
		ed.showPrivateKey(k.Secret)
		return
	}
	// Shown at once: it must be copied into the sender's settings.
	ed.addSecret(k.Secret, true)
}

// showPrivateKey hands over the private half of a generated pair, which
// Hooklens does not keep.
func (ed *EndpointEditor) showPrivateKey(priv string) {
	t := widgets.NewMultiLineEntry()
	t.SetText(priv)
	t.TextStyle = fyne.TextStyle{Monospace: true}
	t.SetMinRowsVisible(8)
	msg := widget.NewLabel("Hooklens keeps only the public key. Sign test requests with this private key: copy it now, it is not saved.")
	msg.Wrapping = fyne.TextWrapWord
	cp := widgets.NewCopyButton("Copy private key", func() string { return priv }, ed.do)
	d := dialog.NewCustom("Private key", "Done", container.NewBorder(msg, container.NewHBox(cp), nil, nil, t), ed.parent)
	d.Resize(FitSize(ed.parent, fyne.NewSize(620, 420)))
	d.Show()
	Answer(ed.parent, d.Hide, d.Hide)
}

// addSecret adds a row for value: masked (or shown), its fingerprint, and
// reveal, copy and remove buttons.
func (ed *EndpointEditor) addSecret(value string, shown bool) {
	s := widgets.NewSecret(value, ed.do)
	s.Lead(container.NewCenter(widgets.Caption(verify.Fingerprint(value))))
	rm := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { ed.removeSecret(s) })
	rm.Importance = widget.LowImportance
	s.Trail(rm)
	s.SetShown(shown)
	ed.secrets = append(ed.secrets, s)
	ed.SecretList.Add(s.Root)
	if ed.secretBox != nil {
		widgets.ShowRow(true, ed.secretLabel, ed.secretBox)
	}
}

func (ed *EndpointEditor) removeSecret(s *widgets.Secret) {
	ed.secrets = slices.DeleteFunc(ed.secrets, func(x *widgets.Secret) bool { return x == s })
	ed.SecretList.Remove(s.Root)
}

// collect reads the form into an endpoint, marks every field that is wrong
// and reports whether none is. What the form alone can get wrong (a status
// that is not a number, a delay that is not a duration, a missing slug) is
// checked here; every rule is app.Endpoint.Problems, as the command line,
// the local API and the listener apply it.
func (ed *EndpointEditor) collect() (app.Endpoint, bool) {
	ok := ed.checkSlug(true)
	ep := ed.orig
	ep.Slug = strings.TrimSpace(ed.Slug.Text)
	if ep.CreatedAt.IsZero() {
		ep.CreatedAt = time.Now()
	}
	ep.Scheme = joinScheme(ed.schemeName, ed.Options.Text)
	if c, err := app.ParseScheme(ep.Scheme); ep.Scheme != "" && err == nil {
		ep.Scheme = c.String()
	}

	ed.addPending() // a secret typed but not added is meant to be kept
	ep.Secrets = nil
	for _, s := range ed.secrets {
		ep.Secrets = append(ep.Secrets, s.Value())
	}
	ep.PublicKey = strings.TrimSpace(ed.PublicKey.Text)

	problems := map[string][]string{}
	ep.Response.Status = 0
	if s := strings.TrimSpace(ed.Status.Text); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			problems[app.FieldResponse] = append(problems[app.FieldResponse],
				fmt.Sprintf("status %q is not a number: use 200-599, or leave it empty for 200", s))
		} else {
			ep.Response.Status = n
		}
	}
	d, delayErr := ed.Delay.Duration(0)
	ep.Response.Delay = d
	ep.Response.Body = ed.Body.Text
	ep.ForwardTo = strings.TrimSpace(ed.Forward.Text)
	ep.ForwardReply = ed.ForwardReply.Checked && ep.ForwardTo != ""

	for _, p := range ep.Problems() {
		if p.Field == app.FieldSlug && !ok {
			continue // checkSlug already says what is wrong with it
		}
		problems[p.Field] = append(problems[p.Field], p.Msg)
	}
	if delayErr != nil { // after the status, as the form reads
		problems[app.FieldResponse] = append(problems[app.FieldResponse], delayErr.Error())
	}
	mark := func(l *widget.Label, field string) {
		if msgs := problems[field]; len(msgs) > 0 {
			l.SetText(strings.Join(msgs, "\n"))
			l.Show()
			ok = false
		} else if field != app.FieldKeys { // addPending's own message stays
			l.Hide()
		}
	}
	if len(problems[app.FieldSlug]) > 0 {
		mark(ed.SlugErr, app.FieldSlug)
		ed.URL.Hide()
	}
	mark(ed.OptErr, app.FieldScheme)
	mark(ed.KeyErr, app.FieldKeys)
	mark(ed.RespErr, app.FieldResponse)
	mark(ed.FwdErr, app.FieldForward)
	return ep, ok
}

func (ed *EndpointEditor) save() {
	ep, ok := ed.collect()
	if !ok {
		ed.SaveErr.SetText("Fix the fields marked in red, then save again.")
		ed.SaveErr.Show()
		return
	}
	ed.SaveErr.Hide()
	if ed.OnSave == nil {
		return
	}
	ed.SaveButton.Disable()
	ed.OnSave(ep, ed.isNew)
}
