package ui

import (
	"errors"
	"fmt"
	"net/url"
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

// detectScheme is the scheme choice that stores no scheme: each request's
// scheme is then detected from its headers.
const detectScheme = "detect from headers"

// maxDelay bounds a response rule's delay: longer ones would run into the
// sender's own timeout long before the listener's.
const maxDelay = 5 * time.Minute

// --- the list -----------------------------------------------------------------

// endpointList is the Endpoints dialog: every endpoint with its scheme,
// secrets and response, and Add / Edit / Delete.
type endpointList struct {
	listBody
	w      *Window
	dlg    *dialog.CustomDialog
	eps    []app.Endpoint
	loaded bool
}

// showEndpoints opens the Endpoints dialog.
func (w *Window) showEndpoints() {
	if w.d.Endpoints == nil {
		return
	}
	l := &endpointList{w: w, listBody: newListBody()}
	intro := fmt.Sprintf("An endpoint is a path on the listener, %s/<slug>/…, with its own signature scheme and secrets, "+
		"response and forward target. Requests to other paths are captured too; their signature scheme is detected from the headers.",
		strings.TrimSuffix(w.d.Listener.URL(), "/"))
	add := widget.NewButtonWithIcon("Add endpoint", theme.ContentAddIcon(), func() {
		w.editEndpoint(app.Endpoint{}, true)
	})
	add.Importance = widget.HighImportance
	l.dlg = listDialog("Endpoints", intro, []fyne.CanvasObject{add}, l.status, l.rows, w.win)
	l.dlg.SetOnClosed(func() {
		if w.epList == l {
			w.epList = nil
		}
	})
	l.dlg.Resize(fitSize(w.win, fyne.NewSize(760, 540)))
	w.epList = l
	l.dlg.Show()
	l.load()
}

// listBody is what the Endpoints and Targets dialogs share: a status line
// for the outcome of the last action, over the rows.
type listBody struct {
	rows   *fyne.Container
	status *widget.Label
}

func newListBody() listBody {
	p := listBody{rows: container.NewVBox(), status: widgets.Caption("")}
	p.status.Wrapping = fyne.TextWrapWord
	p.status.Hide()
	return p
}

// setStatus shows text in the status line, in red when failed.
func (p listBody) setStatus(text string, failed bool) {
	p.status.SetText(text)
	p.status.Importance = widget.LowImportance
	if failed {
		p.status.Importance = widget.DangerImportance
	}
	p.status.Refresh()
	p.status.Show()
}

// fillRows replaces rows with row(item) for each item, each followed by a
// separator, or with the empty message when there are none.
func fillRows[T any](rows *fyne.Container, items []T, empty string, row func(T) fyne.CanvasObject) {
	rows.Objects = nil
	if len(items) == 0 {
		msg := widgets.Caption(empty)
		msg.Wrapping = fyne.TextWrapWord
		rows.Add(msg)
	}
	for _, it := range items {
		rows.Add(row(it))
		rows.Add(widget.NewSeparator())
	}
	rows.Refresh()
}

// listDialog lays out a list dialog over parent: the intro, the buttons and
// the status line on top, the rows scrolling below.
func listDialog(title, intro string, buttons []fyne.CanvasObject, status *widget.Label, rows *fyne.Container, parent fyne.Window) *dialog.CustomDialog {
	in := widget.NewLabel(intro)
	in.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(in, container.NewHBox(buttons...), status, widget.NewSeparator())
	return dialog.NewCustom(title, "Close", container.NewBorder(top, nil, nil, nil, container.NewVScroll(rows)), parent)
}

// fitSize is want, shrunk to fit inside the window.
func fitSize(win fyne.Window, want fyne.Size) fyne.Size {
	have := win.Canvas().Size()
	if have.Width > 0 {
		want.Width = min(want.Width, have.Width-40)
	}
	if have.Height > 0 {
		want.Height = min(want.Height, have.Height-40)
	}
	return want
}

// load reads the endpoints in a goroutine and lists them.
func (l *endpointList) load() {
	st := l.w.d.Endpoints
	go func() {
		eps, err := st.Endpoints()
		l.w.do(func() {
			if err != nil {
				l.setStatus(fmt.Sprintf("could not read the endpoints: %v", err), true)
				return
			}
			l.eps, l.loaded = eps, true
			l.fill()
		})
	}()
}

func (l *endpointList) fill() {
	fillRows(l.rows, l.eps, "No endpoints yet. Add one to check signatures with a secret, or to answer requests with a chosen status and body.", l.row)
}

func (l *endpointList) row(ep app.Endpoint) fyne.CanvasObject {
	w := l.w
	name := widget.NewLabelWithStyle("/"+ep.Slug+"/", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: true})
	sum := widgets.Caption(endpointSummary(ep))
	sum.Wrapping = fyne.TextWrapWord
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { w.editEndpoint(ep, false) })
	del := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { w.confirmDeleteEndpoint(ep.Slug) })
	del.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(edit, del)),
		container.New(layout.NewCustomPaddedVBoxLayout(0), name, sum))
}

// endpointSummary is one line about an endpoint: scheme, keys, response, forward.
func endpointSummary(ep app.Endpoint) string {
	scheme := ep.Scheme
	name, _ := splitScheme(scheme)
	if scheme == "" {
		scheme = "scheme " + detectScheme
	}
	parts := []string{scheme}
	switch n := len(ep.Secrets); {
	case n > 0:
		parts = append(parts, widgets.Plural(n, "secret"))
	case ep.PublicKey == "" && verify.UsesPublicKey(name):
		parts = append(parts, "no public key")
	case ep.PublicKey == "":
		parts = append(parts, "no secret")
	}
	if ep.PublicKey != "" {
		parts = append(parts, "public key "+verify.Fingerprint(ep.PublicKey))
	}
	status := ep.Response.Status
	if status == 0 {
		status = 200
	}
	r := "responds " + strconv.Itoa(status)
	if ep.Response.Delay > 0 {
		r += " after " + ep.Response.Delay.String()
	}
	parts = append(parts, r)
	if ep.ForwardTo != "" {
		fwd := "forwards to " + ep.ForwardTo
		if ep.ForwardReply {
			fwd += " and answers with its response"
		}
		parts = append(parts, fwd)
	}
	return strings.Join(parts, " · ")
}

// confirmDeleteEndpoint asks, deletes the endpoint and re-checks its events
// as requests to no endpoint.
func (w *Window) confirmDeleteEndpoint(slug string) {
	askDelete("Delete endpoint?", fmt.Sprintf(
		"Delete endpoint %s?\nIts captured events stay. New requests to /%s/ get the default answer\nand their signature scheme is detected from the headers.", slug, slug), "Delete",
		func() {
			eps, vs := w.d.Endpoints, w.d.Verdicts
			done := w.busy("Deleting endpoint " + slug + " and re-checking its events…")
			go func() {
				changed, err := deleteEndpoint(eps, vs, slug)
				w.do(func() {
					done()
					if err != nil {
						dialog.ShowError(err, w.win)
						return
					}
					w.endpointsChanged(fmt.Sprintf("Deleted endpoint %s; %s.", slug, changed))
				})
			}()
		}, w.win)
}

// endpointsChanged refreshes everything that shows verdicts after an
// endpoint was saved or deleted.
func (w *Window) endpointsChanged(msg string) {
	if w.closed {
		return
	}
	w.model.Reload()
	w.detail.reload()
	if w.epList != nil {
		w.epList.setStatus(msg, false)
		w.epList.load()
	}
}

// --- saving -----------------------------------------------------------------

// saveEndpoint stores ep and re-checks the stored events it applies to:
// those filed under it, and those that arrived on its path before it
// existed (the Signature tab judges those with it too). It runs off the UI
// goroutine and says how many were re-checked and how many changed result.
func saveEndpoint(eps app.EndpointStore, vs app.VerdictStore, ep app.Endpoint, isNew bool) (recheck, error) {
	if isNew {
		_, err := eps.Endpoint(ep.Slug)
		if err == nil {
			return recheck{}, fmt.Errorf("an endpoint named %s already exists: edit it from the list, or pick another name", ep.Slug)
		}
		if !errors.Is(err, app.ErrNotFound) {
			return recheck{}, fmt.Errorf("checking whether endpoint %s exists: %w", ep.Slug, err)
		}
	}
	if err := eps.PutEndpoint(ep); err != nil {
		return recheck{}, fmt.Errorf("could not save endpoint %s: %w", ep.Slug, err)
	}
	return reverify(eps, vs, ep.Slug, &ep)
}

// deleteEndpoint removes endpoint slug and re-checks its events without it.
func deleteEndpoint(eps app.EndpointStore, vs app.VerdictStore, slug string) (recheck, error) {
	if err := eps.DeleteEndpoint(slug); err != nil && !errors.Is(err, app.ErrNotFound) {
		return recheck{}, fmt.Errorf("could not delete endpoint %s: %w", slug, err)
	}
	return reverify(eps, vs, slug, nil)
}

// recheck counts what a re-check did: events judged again, and those
// whose result (not only its wording) changed.
type recheck struct{ checked, flipped int }

func (r recheck) String() string {
	switch {
	case r.checked == 0:
		return "no stored event to re-check"
	case r.flipped == 0:
		return fmt.Sprintf("re-checked %s, no result changed", widgets.Plural(r.checked, "event"))
	}
	return fmt.Sprintf("re-checked %s, %s now %s a different result", widgets.Plural(r.checked, "event"),
		widgets.GroupDigits(r.flipped), map[bool]string{true: "has", false: "have"}[r.flipped == 1])
}

// reverify judges again the stored events of endpoint slug with ep (nil:
// the endpoint is gone, so the scheme is detected), with verify.Rejudge: the
// same events whichever door the endpoint changed through.
func reverify(eps app.EndpointStore, vs app.VerdictStore, slug string, ep *app.Endpoint) (recheck, error) {
	if vs == nil {
		return recheck{}, nil
	}
	rj, err := verify.Rejudge(rejudgeStore{eps, vs}, slug, ep, "")
	if err != nil {
		return recheck{}, fmt.Errorf("endpoint %s is saved, but re-checking its events failed: %w", slug, err)
	}
	return recheck{checked: rj.Checked, flipped: rj.Changed}, nil
}

// rejudgeStore joins the window's two stores into what verify.Rejudge needs.
type rejudgeStore struct {
	app.EndpointStore
	app.VerdictStore
}

// --- the editor ---------------------------------------------------------------

// endpointEditor is the form that adds or edits one endpoint.
type endpointEditor struct {
	w     *Window
	isNew bool
	orig  app.Endpoint
	dlg   *dialog.CustomDialog

	slug, options, pending, pubKey, status, body, delay, forward *widget.Entry

	forwardReply *widget.Check

	slugErr, optErr, keyErr, respErr, fwdErr, saveErr *widget.Label
	url                                               *widget.Label
	scheme                                            *widget.Select
	optRow                                            fyne.CanvasObject
	optLabel, secretLabel, pubLabel                   *widget.Label

	secrets    []*secretRow
	secretList *fyne.Container
	secretBox  fyne.CanvasObject
	pubBox     fyne.CanvasObject
	save       *widget.Button
	schemeName string // the scheme chosen, "" for detect
}

// editEndpoint opens the editor on ep; isNew for an endpoint not yet saved
// (ep then holds whatever is known: a slug from the path, a detected scheme).
func (w *Window) editEndpoint(ep app.Endpoint, isNew bool) *endpointEditor {
	if w.d.Endpoints == nil {
		return nil
	}
	ed := &endpointEditor{w: w, isNew: isNew, orig: ep}
	content := ed.build()
	title := "Edit endpoint " + ep.Slug
	if isNew {
		title = "New endpoint"
	}
	ed.dlg = dialog.NewCustomWithoutButtons(title, content, w.win)
	cancel := widget.NewButton("Cancel", func() { ed.dlg.Hide() })
	ed.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), ed.doSave)
	ed.save.Importance = widget.HighImportance
	ed.dlg.SetButtons([]fyne.CanvasObject{cancel, ed.save})
	ed.dlg.Resize(fitSize(w.win, fyne.NewSize(720, 680)))
	ed.dlg.Show()
	w.editor = ed
	ed.dlg.SetOnClosed(func() {
		if w.editor == ed {
			w.editor = nil
		}
	})
	switch {
	case isNew && ep.Slug == "":
		w.win.Canvas().Focus(ed.slug)
	case verify.UsesPublicKey(ed.schemeName):
		w.win.Canvas().Focus(ed.pubKey)
	default:
		w.win.Canvas().Focus(ed.pending)
	}
	return ed
}

func (ed *endpointEditor) build() fyne.CanvasObject {
	w, ep := ed.w, ed.orig
	errLabel := func() *widget.Label {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		l.Hide()
		return l
	}
	ed.slugErr, ed.optErr, ed.keyErr, ed.respErr, ed.fwdErr, ed.saveErr = errLabel(), errLabel(), errLabel(), errLabel(), errLabel(), errLabel()

	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	ed.optLabel, ed.secretLabel, ed.pubLabel = label("Options"), label("Secrets"), label("Public key")

	// Slug and the URL it gives.
	ed.slug = widget.NewEntry()
	ed.slug.SetPlaceHolder("e.g. stripe or shop-orders")
	ed.slug.SetText(ep.Slug)
	ed.url = widgets.Caption("")
	ed.url.Truncation = fyne.TextTruncateEllipsis
	ed.slug.OnChanged = func(string) { ed.checkSlug(false) }
	if !ed.isNew {
		ed.slug.Disable()
	}
	ed.checkSlug(false)

	// Scheme and its options.
	name, opts := splitScheme(ep.Scheme)
	ed.options = widget.NewEntry()
	ed.options.SetText(opts)
	ed.scheme = widget.NewSelect(append([]string{detectScheme}, verify.Schemes()...), nil)
	ed.optRow = container.NewVBox(ed.options, widgets.Caption("Options change the scheme's defaults, separated by ';' (key=value)."), ed.optErr)

	// Secrets, masked until revealed.
	ed.secretList = container.NewVBox()
	for _, s := range ep.Secrets {
		ed.addSecret(s, false)
	}
	ed.pending = widget.NewPasswordEntry()
	ed.pending.SetPlaceHolder("Paste a secret, then Add")
	ed.pending.OnSubmitted = func(string) { ed.addPending() }
	addBtn := widget.NewButtonWithIcon("Add secret", theme.ContentAddIcon(), ed.addPending)
	gen := widget.NewButtonWithIcon("Generate secret", theme.ViewRefreshIcon(), ed.generate)
	rotate := widgets.Caption("Several secrets are all accepted (for rotation); the verdict says which one matched.")
	rotate.Wrapping = fyne.TextWrapWord
	ed.secretBox = container.NewVBox(ed.secretList,
		container.NewBorder(nil, nil, nil, container.NewHBox(addBtn, gen), ed.pending), ed.keyErr, rotate)

	// Public key for the asymmetric schemes.
	ed.pubKey = widget.NewMultiLineEntry()
	ed.pubKey.SetText(ep.PublicKey)
	ed.pubKey.SetMinRowsVisible(3)
	ed.pubKey.TextStyle = fyne.TextStyle{Monospace: true}
	ed.pubKey.Wrapping = fyne.TextWrapBreak
	ed.pubKey.SetPlaceHolder("SalesIQ: base64 DER or PEM, as the keys API returns it; Discord: hex, as the developer portal shows it")
	genPair := widget.NewButtonWithIcon("Generate key pair", theme.ViewRefreshIcon(), ed.generate)
	genPair.Importance = widget.LowImportance
	ed.pubBox = container.NewVBox(ed.pubKey, container.NewHBox(genPair))

	ed.scheme.OnChanged = ed.schemeChanged
	sel := name
	if sel == "" {
		sel = detectScheme
	}
	ed.scheme.SetSelected(sel)
	ed.options.SetText(opts) // schemeChanged clears it on a real change

	// Response rule.
	ed.status = widget.NewEntry()
	ed.status.SetPlaceHolder("200")
	if ep.Response.Status != 0 {
		ed.status.SetText(strconv.Itoa(ep.Response.Status))
	}
	ed.delay = widget.NewEntry()
	ed.delay.SetPlaceHolder("none, e.g. 2s or 500ms")
	if ep.Response.Delay > 0 {
		ed.delay.SetText(ep.Response.Delay.String())
	}
	ed.body = widget.NewMultiLineEntry()
	ed.body.SetMinRowsVisible(3)
	ed.body.TextStyle = fyne.TextStyle{Monospace: true}
	ed.body.SetPlaceHolder(`default: {"ok":true,"id":"{{id}}"} — {{id}} becomes the event id`)
	ed.body.SetText(ep.Response.Body)
	statusRow := container.NewBorder(nil, nil, nil,
		container.NewHBox(widget.NewLabel("Delay"), widgets.FixedWidth(190, ed.delay)), widgets.FixedWidth(90, ed.status))

	// Forward target.
	ed.forward = widget.NewEntry()
	ed.forward.SetPlaceHolder("http://localhost:3000/webhooks (optional)")
	ed.forward.SetText(ep.ForwardTo)
	ed.forwardReply = widget.NewCheck("Answer the sender with the app's response (wait for it)", nil)
	ed.forwardReply.SetChecked(ep.ForwardReply)

	form := container.New(layout.NewFormLayout(),
		label("Slug"), container.NewVBox(ed.slug, ed.url, ed.slugErr),
		label("Scheme"), container.NewVBox(ed.scheme),
		ed.optLabel, ed.optRow,
		ed.secretLabel, ed.secretBox,
		ed.pubLabel, ed.pubBox,
		label("Respond with"), container.NewVBox(statusRow, ed.body, ed.respErr),
		label("Forward to"), container.NewVBox(ed.forward, ed.forwardReply, ed.fwdErr),
	)
	_ = w
	return container.NewBorder(nil, ed.saveErr, nil, nil, container.NewVScroll(container.NewPadded(form)))
}

// splitScheme parts a stored scheme setting into its name and options.
func splitScheme(s string) (name, opts string) {
	name, opts, _ = strings.Cut(s, ";")
	return strings.TrimSpace(name), strings.TrimSpace(opts)
}

// optionHints say which options each scheme takes, as placeholders.
var optionHints = map[string]string{
	"standard-webhooks": "none needed; e.g. tolerance=10m (default 5m)",
	"stripe":            "none needed; e.g. tolerance=10m (default 5m)",
	"slack":             "none needed; e.g. tolerance=10m (default 5m)",
	"discord":           "none needed; e.g. tolerance=10m (default 5m)",
	"signalzen":         "none needed; e.g. header=X-Custom-Signature",
	"hmac":              "e.g. header=X-Signature;algorithm=sha256;encoding=hex;prefix=sha256=;content={timestamp}.{body};timestamp-header=X-Timestamp",
}

func (ed *endpointEditor) schemeChanged(sel string) {
	name := sel
	if sel == detectScheme {
		name = ""
	}
	if name != ed.schemeName {
		ed.options.SetText("")
	}
	ed.schemeName = name
	ed.optErr.Hide()
	hint, ok := optionHints[name]
	ed.options.SetPlaceHolder(hint)
	widgets.ShowRow(ok, ed.optLabel, ed.optRow)
	asym := verify.UsesPublicKey(name)
	widgets.ShowRow(!asym || len(ed.secrets) > 0, ed.secretLabel, ed.secretBox)
	widgets.ShowRow(asym || strings.TrimSpace(ed.pubKey.Text) != "", ed.pubLabel, ed.pubBox)
}

// checkSlug shows the URL the slug gives, or why it cannot be used.
func (ed *endpointEditor) checkSlug(saving bool) bool {
	s := strings.TrimSpace(ed.slug.Text)
	base := strings.TrimSuffix(ed.w.d.Listener.URL(), "/")
	var err error
	switch {
	case s == "" && saving:
		err = errors.New("enter a slug: the first part of the path senders post to")
	case s != "":
		err = app.ValidateSlug(s)
	}
	if err != nil {
		ed.slugErr.SetText(err.Error())
		ed.slugErr.Show()
		ed.url.Hide()
		return false
	}
	ed.slugErr.Hide()
	if s == "" {
		ed.url.SetText("Senders post to " + base + "/<slug>/…")
	} else {
		ed.url.SetText("Senders post to " + base + "/" + s + "/…")
	}
	ed.url.Show()
	return s != ""
}

// addPending moves the typed secret into the list.
func (ed *endpointEditor) addPending() {
	s := strings.TrimSpace(ed.pending.Text)
	if s == "" {
		return
	}
	for _, r := range ed.secrets {
		if r.value == s {
			ed.keyErr.SetText("this secret is already in the list")
			ed.keyErr.Show()
			return
		}
	}
	ed.keyErr.Hide()
	ed.addSecret(s, false)
	ed.pending.SetText("")
}

// generate makes a new key from crypto/rand shaped as the scheme's provider
// issues them.
func (ed *endpointEditor) generate() {
	name := ed.schemeName
	if name == "" {
		name = "hmac" // 32 random bytes in hex suit any HMAC scheme
	}
	k, err := verify.GenerateKey(name)
	if err != nil {
		ed.keyErr.SetText(err.Error())
		ed.keyErr.Show()
		return
	}
	if verify.UsesPublicKey(name) {
		ed.pubKey.SetText(k.PublicKey)
		ed.showPrivateKey(k.Secret)
		return
	}
	// Shown at once: it must be copied into the sender's settings.
	ed.addSecret(k.Secret, true)
}

// showPrivateKey hands over the private half of a generated pair, which
// Hooklens does not keep.
func (ed *endpointEditor) showPrivateKey(priv string) {
	t := widget.NewMultiLineEntry()
	t.SetText(priv)
	t.TextStyle = fyne.TextStyle{Monospace: true}
	t.SetMinRowsVisible(8)
	msg := widget.NewLabel("Hooklens keeps only the public key. Sign test requests with this private key: copy it now, it is not saved.")
	msg.Wrapping = fyne.TextWrapWord
	cp := ed.w.newCopyButton("Copy private key", func() string { return priv })
	d := dialog.NewCustom("Private key", "Done", container.NewBorder(msg, container.NewHBox(cp), nil, nil, t), ed.w.win)
	d.Resize(fitSize(ed.w.win, fyne.NewSize(620, 420)))
	d.Show()
}

func (ed *endpointEditor) addSecret(value string, shown bool) {
	r := newSecretRow(ed, value, shown)
	ed.secrets = append(ed.secrets, r)
	ed.secretList.Add(r.root)
	if ed.secretBox != nil {
		widgets.ShowRow(true, ed.secretLabel, ed.secretBox)
	}
}

func (ed *endpointEditor) removeSecret(r *secretRow) {
	ed.secrets = slices.DeleteFunc(ed.secrets, func(x *secretRow) bool { return x == r })
	ed.secretList.Remove(r.root)
}

// collect validates the form, marks what is wrong, and returns the endpoint.
func (ed *endpointEditor) collect() (app.Endpoint, bool) {
	ok := ed.checkSlug(true)
	ep := ed.orig
	ep.Slug = strings.TrimSpace(ed.slug.Text)
	if ep.CreatedAt.IsZero() {
		ep.CreatedAt = time.Now()
	}

	ed.optErr.Hide()
	ep.Scheme = ed.schemeName
	if opts := strings.Trim(strings.TrimSpace(ed.options.Text), ";"); ep.Scheme != "" && opts != "" {
		ep.Scheme += ";" + opts
	}
	if ep.Scheme != "" {
		c, err := verify.ParseConfig(ep.Scheme)
		if err != nil {
			ed.optErr.SetText(err.Error())
			ed.optErr.Show()
			ok = false
		} else {
			ep.Scheme = c.String()
		}
	}

	ed.addPending() // a secret typed but not added is meant to be kept
	ep.Secrets = nil
	for _, r := range ed.secrets {
		ep.Secrets = append(ep.Secrets, r.value)
	}
	ep.PublicKey = strings.TrimSpace(ed.pubKey.Text)

	var resp []string
	ep.Response.Status = 0
	if s := strings.TrimSpace(ed.status.Text); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 200 || n > 599 {
			resp = append(resp, fmt.Sprintf("status %q is not a final HTTP status: use 200-599, or leave it empty for 200", s))
		} else {
			ep.Response.Status = n
		}
	}
	ep.Response.Delay = 0
	if s := strings.TrimSpace(ed.delay.Text); s != "" {
		d, err := parseDelay(s)
		if err != nil {
			resp = append(resp, err.Error())
		} else {
			ep.Response.Delay = d
		}
	}
	ep.Response.Body = ed.body.Text
	if len(resp) > 0 {
		ed.respErr.SetText(strings.Join(resp, "\n"))
		ed.respErr.Show()
		ok = false
	} else {
		ed.respErr.Hide()
	}

	ep.ForwardTo = strings.TrimSpace(ed.forward.Text)
	ep.ForwardReply = ed.forwardReply.Checked && ep.ForwardTo != ""
	if err := checkForward(ep.ForwardTo); err != nil {
		ed.fwdErr.SetText(err.Error())
		ed.fwdErr.Show()
		ok = false
	} else {
		ed.fwdErr.Hide()
	}
	return ep, ok
}

// parseDelay reads "2s", "500ms", "1m" or a bare number of milliseconds.
func parseDelay(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		n, nerr := strconv.Atoi(s)
		if nerr != nil {
			return 0, fmt.Errorf("delay %q is not a duration: write it like 2s, 500ms or 1m", s)
		}
		d = time.Duration(n) * time.Millisecond
	}
	if d < 0 || d > maxDelay {
		return 0, fmt.Errorf("delay %s is out of range: use 0 to %s", d, maxDelay)
	}
	return d, nil
}

// checkForward accepts "" or an absolute http(s) URL with a host.
func checkForward(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("forward-to %q is not an http:// or https:// URL with a host, e.g. http://localhost:3000/webhooks", s)
	}
	return nil
}

func (ed *endpointEditor) doSave() {
	ep, ok := ed.collect()
	if !ok {
		ed.saveErr.SetText("Fix the fields marked in red, then save again.")
		ed.saveErr.Show()
		return
	}
	ed.saveErr.Hide()
	ed.save.Disable()
	w := ed.w
	eps, vs, isNew := w.d.Endpoints, w.d.Verdicts, ed.isNew
	done := w.busy("Saving endpoint " + ep.Slug + " and re-checking its events…")
	go func() {
		changed, err := saveEndpoint(eps, vs, ep, isNew)
		w.do(func() {
			done()
			if err != nil {
				ed.save.Enable()
				ed.saveErr.SetText(widgets.UpperFirst(err.Error()) + ".")
				ed.saveErr.Show()
				return
			}
			ed.dlg.Hide()
			w.endpointsChanged(fmt.Sprintf("Saved endpoint %s; %s.", ep.Slug, changed))
		})
	}()
}

// --- one secret ---------------------------------------------------------------

// secretRow shows one secret masked (its prefix, dots, the last four
// characters) with its fingerprint; the eye button reveals it.
type secretRow struct {
	value string
	shown bool
	text  *widget.Label
	eye   *widget.Button
	root  fyne.CanvasObject
}

func newSecretRow(ed *endpointEditor, value string, shown bool) *secretRow {
	r := &secretRow{value: value, shown: shown}
	r.text = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	r.text.Wrapping = fyne.TextWrapBreak
	r.text.Selectable = true
	r.eye = widget.NewButtonWithIcon("", theme.VisibilityIcon(), r.toggle)
	r.eye.Importance = widget.LowImportance
	cp := ed.w.newCopyButton("", func() string { return r.value })
	rm := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { ed.removeSecret(r) })
	rm.Importance = widget.LowImportance
	fp := widgets.Caption(verify.Fingerprint(value))
	r.root = container.NewBorder(nil, nil, nil,
		container.NewHBox(container.NewCenter(fp), r.eye, cp, rm), r.text)
	r.update()
	return r
}

func (r *secretRow) toggle() {
	r.shown = !r.shown
	r.update()
}

func (r *secretRow) update() {
	if r.shown {
		r.text.SetText(r.value)
		r.eye.SetIcon(theme.VisibilityOffIcon())
	} else {
		r.text.SetText(maskSecret(r.value))
		r.eye.SetIcon(theme.VisibilityIcon())
	}
}

// maskSecret hides a secret but for what tells secrets apart at a glance:
// a provider prefix such as whsec_ and, for long secrets, the last four
// characters.
func maskSecret(s string) string {
	prefix := ""
	if i := strings.IndexByte(s, '_'); i > 0 && i <= 8 {
		prefix = s[:i+1]
	}
	rest := []rune(s[len(prefix):])
	const dots = "••••••••"
	if len(rest) < 16 {
		return prefix + dots
	}
	return prefix + dots + string(rest[len(rest)-4:])
}
