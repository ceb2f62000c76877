package dialogs

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

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

// Signing choices in the editor.
const (
	signNone   = "Unsigned"
	signTarget = "As the target signs"
	signCustom = "Sign with a scheme and secret"
	noTarget   = "No target: the URL above"
)

var editorMethods = []string{"POST", "PUT", "PATCH", "GET", "DELETE", "HEAD", "OPTIONS"}

// ResendEditor is the content of the Edit and resend window: a captured
// request made editable (method, URL, headers, body), a choice of signing,
// and Send, which hands the delivery to OnSend and shows each attempt as
// the caller reports it, then the response. It reads no store and sends
// nothing itself. Root is the content; the form's parts are exported so
// tests can type into them.
type ResendEditor struct {
	Root fyne.CanvasObject

	do      func(func()) // runs fn on the UI goroutine
	lastURL string       // the URL typed last time, to start with
	ev      *app.Event   // the event being resent; nil for a request composed from nothing
	targets []app.Target
	loaded  bool   // targets read
	chosen  string // id of the target picked, "" for none

	Method       *widget.Select
	URL          *widgets.Entry
	URLErr       *widget.Label
	Target       *widget.Select
	Env          *widgets.Badge
	retry        *widget.Label
	headers      *widgets.HeaderEditor
	headErr      *widget.Label
	headTag      *widget.Label
	Body         *widgets.Entry
	bodyNote     *widget.Label
	Check        *widget.Label // JSON verdict, as you type
	FormatButton *widget.Button
	MinifyButton *widget.Button
	binary       []byte // a body that is not text: sent as captured, not editable

	signMode *widget.Select
	scheme   *widget.Select
	secret   *widget.Entry
	keepOrig *widget.Check
	signRow  fyne.CanvasObject
	signWarn *widget.Label

	SendButton   *widget.Button
	SendErr      *widget.Label
	progress     *widget.ProgressBarInfinite
	ProgText     *widget.Label
	ProgBox      fyne.CanvasObject
	CancelButton *widget.Button
	Detach       *widget.Button
	Pane         *DeliveryPane

	sending  bool
	unedited string // FormState once filled in, or when last sent
	autoType string // the Content-Type set from a composed body
	gen      uint64 // bumps per Send so late notifications of an earlier one are dropped
	curID    uint64 // the delivery being sent, once known
	stop     func() // gives the delivery being sent over to the background queue
	closed   bool

	// What the caller does for the editor: send a delivery (reporting each
	// stored change and the end, on the UI goroutine; stop hands it to the
	// background queue), cancel one, and learn that the window closed.
	OnSend   func(d *app.Delivery, changed func(*app.Delivery), done func(*app.Delivery, error)) (stop func())
	OnCancel func(id uint64)
	OnClosed func()
}

// NewResendEditor builds the editor on e (nil for a request composed from
// nothing), starting with lastURL. do runs a function on the UI goroutine.
func NewResendEditor(e *app.Event, lastURL string, do func(func())) *ResendEditor {
	ed := &ResendEditor{do: do, ev: e, lastURL: lastURL}
	ed.Root = ed.build()
	return ed
}

// Loaded reports whether SetTargets was called.
func (ed *ResendEditor) Loaded() bool { return ed.loaded }

// MarkLoaded says there are no targets to wait for.
func (ed *ResendEditor) MarkLoaded() {
	ed.loaded = true
	if ed.unedited == "" {
		ed.unedited = FormState(ed.Root)
	}
}

// Edited reports whether the request was changed since it was filled in
// (or last sent): closing then asks first.
func (ed *ResendEditor) Edited() bool { return ed.loaded && FormState(ed.Root) != ed.unedited }

// Sending reports whether a Send is under way.
func (ed *ResendEditor) Sending() bool { return ed.sending }

// Closed is told that the editor's window closed: a send still under way
// goes on in the background queue.
func (ed *ResendEditor) Closed() {
	ed.closed = true
	if ed.stop != nil {
		// A delivery still waiting for a retry stays pending; the
		// background queue finishes it.
		ed.stop()
	}
	if ed.OnClosed != nil {
		ed.OnClosed()
	}
}

func (ed *ResendEditor) build() fyne.CanvasObject {
	e := ed.ev
	req := app.Request{Method: http.MethodPost}
	if e != nil {
		req = app.RequestFrom(e)
	}

	// Method and URL.
	methods := editorMethods
	if !slices.Contains(methods, strings.ToUpper(req.Method)) {
		methods = append([]string{req.Method}, methods...)
	}
	ed.Method = widget.NewSelect(methods, nil)
	ed.Method.SetSelected(strings.ToUpper(req.Method))
	if ed.Method.Selected == "" {
		ed.Method.SetSelected(req.Method)
	}
	ed.URL = widgets.NewEntry()
	ed.URL.TextStyle = fyne.TextStyle{Monospace: true}
	ed.URL.SetPlaceHolder("e.g. http://localhost:3000/webhooks")
	ed.URL.SetText(ed.lastURL)
	ed.URLErr = widgets.ErrorLabel()
	ed.URL.OnChanged = func(string) { ed.checkURL(false) }

	// Target.
	ed.Target = widget.NewSelect([]string{noTarget}, ed.targetChosen)
	ed.Target.SetSelected(noTarget)
	ed.Env = widgets.NewEnvBadge()
	ed.Env.Hide()
	ed.retry = widgets.Caption("")
	ed.retry.Wrapping = fyne.TextWrapWord

	// Headers.
	ed.headers = widgets.NewHeaderEditor(req.Headers, "Add header")
	ed.headers.OnChange = ed.headersChanged
	ed.headErr = widgets.ErrorLabel()
	ed.headTag = widgets.Heading("")

	// Body.
	ed.Body = widgets.NewMultiLineEntry()
	ed.Body.TextStyle = fyne.TextStyle{Monospace: true}
	ed.Body.Wrapping = fyne.TextWrapOff
	ed.Body.SetMinRowsVisible(12)
	ed.Body.SetPlaceHolder("Request body (empty for none)")
	ed.bodyNote = widgets.Caption("")
	ed.bodyNote.Wrapping = fyne.TextWrapWord
	ed.bodyNote.Hide()
	ed.Check = widget.NewLabel("")
	ed.Check.Truncation = fyne.TextTruncateEllipsis
	ed.FormatButton = widget.NewButtonWithIcon("Format", theme.MenuIcon(), ed.formatBody)
	ed.MinifyButton = widget.NewButtonWithIcon("Minify", theme.ContentRemoveIcon(), ed.minifyBody)
	ed.FormatButton.Importance = widget.LowImportance
	ed.MinifyButton.Importance = widget.LowImportance
	ed.loadBody(req)
	ed.Body.OnChanged = func(string) {
		ed.composeContentType()
		ed.checkBody()
	}

	// Signing.
	ed.signMode = widget.NewSelect([]string{signNone, signCustom}, func(string) { ed.signChanged() })
	ed.scheme = widget.NewSelect(verify.Schemes(), func(string) { ed.signChanged() })
	ed.scheme.PlaceHolder = "(pick a scheme)"
	ed.secret = widget.NewPasswordEntry()
	ed.secret.SetPlaceHolder("signing secret (or private key for salesiq, discord)")
	ed.signRow = container.NewBorder(nil, nil, widgets.FixedWidth(190, ed.scheme), nil, ed.secret)
	ed.keepOrig = widget.NewCheck("Keep the original headers byte-for-byte (replay exactly what was received; no re-signing)",
		func(bool) { ed.signChanged() })
	ed.signWarn = widgets.Caption("")
	ed.signWarn.Importance = widget.WarningImportance
	ed.signWarn.Wrapping = fyne.TextWrapWord
	ed.signMode.SetSelected(signNone)
	if e == nil {
		ed.keepOrig.Hide() // there is no original to keep
	}
	if e != nil {
		if c, ok := verify.Detect(e.Headers); ok {
			ed.scheme.SetSelected(c.Scheme)
		}
	}

	// Send.
	ed.SendButton = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), ed.doSend)
	ed.SendButton.Importance = widget.HighImportance
	ed.SendErr = widgets.ErrorLabel()

	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	form := container.New(layout.NewFormLayout(),
		label("Request"), container.NewVBox(container.NewBorder(nil, nil, widgets.FixedWidth(110, ed.Method), nil, ed.URL), ed.URLErr),
		label("Target"), container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(ed.Env), ed.Target), ed.retry),
		label("Signing"), container.NewVBox(ed.signMode, ed.signRow, ed.keepOrig, ed.signWarn),
	)
	headBar := container.NewBorder(nil, nil, ed.headTag, ed.headers.Add)
	headScroll := container.NewVScroll(ed.headers.Root)
	headScroll.SetMinSize(fyne.NewSize(0, 150))
	bodyBar := container.NewBorder(nil, nil, widgets.Heading("Body"), container.NewHBox(ed.FormatButton, ed.MinifyButton), ed.Check)
	sendBar := container.NewBorder(nil, nil, nil, ed.SendButton, ed.SendErr)
	top := container.NewVBox(form, widget.NewSeparator(), headBar, headScroll, ed.headErr, widget.NewSeparator(), bodyBar, ed.bodyNote)
	left := container.NewBorder(top, container.NewVBox(widget.NewSeparator(), sendBar), nil, nil, ed.Body)

	// Response side.
	ed.progress = widget.NewProgressBarInfinite()
	ed.progress.Stop()
	ed.ProgText = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	ed.ProgText.Wrapping = fyne.TextWrapWord
	ed.CancelButton = widget.NewButtonWithIcon("Cancel delivery", theme.CancelIcon(), ed.doCancel)
	ed.Detach = widget.NewButtonWithIcon("Leave it to the background queue", theme.LogoutIcon(), func() {
		if ed.stop != nil {
			ed.stop()
		}
	})
	ed.Detach.Importance = widget.LowImportance
	ed.ProgBox = container.NewVBox(ed.progress, ed.ProgText, container.NewHBox(ed.CancelButton, ed.Detach), widget.NewSeparator())
	ed.ProgBox.Hide()
	ed.Pane = NewDeliveryPane(ed.do, false, "Press Send to deliver the request.\nThe response — status, headers, body and time — and every attempt show here.")
	if ev := ed.ev; ev != nil {
		ed.Pane.Original = func(uint64) (*app.Event, error) { return ev, nil }
	}
	right := container.NewBorder(container.NewVBox(widgets.Heading("Response"), ed.ProgBox), nil, nil, nil, ed.Pane.Root)

	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.52
	ed.headersChanged()
	ed.checkBody()
	return split
}

// loadBody puts the request's body in the editor: decoded when it was sent
// compressed, read-only when it is binary.
func (ed *ResendEditor) loadBody(req app.Request) {
	body := req.Body
	if dec, enc, err := app.DecodedBody(req.Headers, body, app.MaxDecodedBody); enc != "" && err == nil {
		body = dec
		var kept app.Headers
		for _, h := range req.Headers {
			if !strings.EqualFold(h.Name, "Content-Encoding") {
				kept = append(kept, h)
			}
		}
		ed.headers.Set(kept)
		ed.bodyNote.SetText(fmt.Sprintf("The captured body was %s-encoded: it is shown and sent decoded, without Content-Encoding.", enc))
		ed.bodyNote.Show()
	}
	if len(body) > 0 && !app.IsText(body) {
		ed.binary = body
		ed.Body.SetText(widgets.HexDump(body, widgets.ViewLimit))
		ed.Body.Disable()
		ed.bodyNote.SetText(fmt.Sprintf("The body is binary (%s): it is sent exactly as captured and cannot be edited here.", app.HumanSize(int64(len(body)))))
		ed.bodyNote.Show()
		return
	}
	ed.Body.SetText(string(body))
}

// bodyBytes is the body to send.
func (ed *ResendEditor) bodyBytes() []byte {
	if ed.binary != nil {
		return ed.binary
	}
	return []byte(ed.Body.Text)
}

func (ed *ResendEditor) contentType() string { return ed.headers.Value("Content-Type") }

// checkBody validates the body as JSON as it is typed, pointing at the line
// and column of the first error.
func (ed *ResendEditor) checkBody() {
	ed.FormatButton.Disable()
	ed.MinifyButton.Disable()
	if ed.binary != nil {
		ed.setCheck(widget.LowImportance, "binary body, sent as captured")
		return
	}
	b := []byte(ed.Body.Text)
	switch {
	case len(strings.TrimSpace(ed.Body.Text)) == 0:
		ed.setCheck(widget.LowImportance, "no body")
	case !widgets.LooksJSON(ed.contentType(), b):
		ed.setCheck(widget.LowImportance, fmt.Sprintf("text, %s · not JSON, so not checked", app.HumanSize(int64(len(b)))))
	default:
		if je := widgets.CheckJSON(b); je != nil {
			ed.setCheck(widget.DangerImportance, "✗ Invalid JSON at "+je.Error())
			return
		}
		ed.setCheck(widget.SuccessImportance, fmt.Sprintf("✓ valid JSON · %s", app.HumanSize(int64(len(b)))))
		ed.FormatButton.Enable()
		ed.MinifyButton.Enable()
	}
	ed.checkSignature()
}

// composeContentType keeps a composed request's Content-Type in step with
// its body (JSON, a form, XML, text) until the user sets one by hand.
func (ed *ResendEditor) composeContentType() {
	if ed.ev != nil || ed.binary != nil {
		return // a resend keeps the captured Content-Type
	}
	cur := ed.contentType()
	if cur != "" && cur != ed.autoType {
		return // typed by the user
	}
	if strings.TrimSpace(ed.Body.Text) == "" {
		return
	}
	ct := signal.ContentType([]byte(ed.Body.Text))
	if ct != cur {
		ed.autoType = ct
		ed.headers.SetValue("Content-Type", ct)
	}
}

// SignAs signs the request with scheme and secret by default: the
// endpoint the event came through checks with them. Schemes signed with a
// private key the endpoint does not hold are left unsigned.
func (ed *ResendEditor) SignAs(scheme, secret string) {
	if scheme == "" || secret == "" || verify.UsesPublicKey(scheme) || !slices.Contains(ed.scheme.Options, scheme) {
		return
	}
	ed.scheme.SetSelected(scheme)
	ed.secret.SetText(secret)
	ed.signMode.SetSelected(signCustom)
	ed.signChanged()
}

// SignChoice is the signing picked: the choice, the scheme and whether a
// secret is filled in.
func (ed *ResendEditor) SignChoice() (mode, scheme string, secret bool) {
	return ed.signMode.Selected, ed.scheme.Selected, strings.TrimSpace(ed.secret.Text) != ""
}

// OffersKeepOriginal reports whether "keep the original headers" is offered
// (only for a captured event).
func (ed *ResendEditor) OffersKeepOriginal() bool { return ed.keepOrig.Visible() }

// Header is the value of the first header row named name.
func (ed *ResendEditor) Header(name string) string { return ed.headers.Value(name) }

// SetHeader sets the first header row named name, or adds one.
func (ed *ResendEditor) SetHeader(name, value string) { ed.headers.SetValue(name, value) }

func (ed *ResendEditor) setCheck(imp widget.Importance, text string) {
	ed.Check.Importance = imp
	ed.Check.SetText(text)
}

func (ed *ResendEditor) formatBody() {
	if s, err := widgets.PrettyJSON([]byte(ed.Body.Text)); err == nil {
		ed.Body.SetText(s)
	}
}

func (ed *ResendEditor) minifyBody() {
	if s, err := widgets.MinifyJSON([]byte(ed.Body.Text)); err == nil {
		ed.Body.SetText(s)
	}
}

func (ed *ResendEditor) headersChanged() {
	ed.headTag.SetText(fmt.Sprintf("Headers (%d)", ed.headers.Len()))
	if ed.Check != nil {
		ed.checkBody() // Content-Type decides whether the body is checked as JSON
	}
}

// checkURL shows what is wrong with the URL; with sending, an empty one too.
func (ed *ResendEditor) checkURL(sending bool) bool {
	u := strings.TrimSpace(ed.URL.Text)
	var err error
	switch {
	case u == "" && sending:
		err = errors.New("enter the URL to send to, e.g. http://localhost:3000/webhooks, or pick a target")
	case u != "":
		err = app.CheckURL(u)
	}
	if err != nil {
		ed.URLErr.SetText(widgets.UpperFirst(err.Error()))
		ed.URLErr.Show()
		return false
	}
	ed.URLErr.Hide()
	return u != ""
}

// --- targets ----------------------------------------------------------------

// SetTargets offers ts (or says why they could not be read).
func (ed *ResendEditor) SetTargets(ts []app.Target, err error) {
	ed.loaded = true
	if err != nil {
		ed.retry.SetText(fmt.Sprintf("could not read the targets: %v", err))
		return
	}
	ed.targets = ts
	opts := []string{noTarget}
	for _, t := range ts {
		opts = append(opts, TargetOption(t))
	}
	ed.Target.Options = opts
	// Keep the pick across a reread (its label may have changed:
	// disabled by a 410).
	ed.Target.Selected = noTarget
	if t := ed.ChosenTarget(); t != nil {
		ed.Target.Selected = TargetOption(*t)
	}
	ed.Target.Refresh()
	ed.targetChosen(ed.Target.Selected)
	if ed.unedited == "" {
		ed.unedited = FormState(ed.Root)
	}
}

// TargetOption is how a target is offered in a picker: name, where sends
// go now, and whether it is switched off.
func TargetOption(t app.Target) string {
	s := t.Name + " — " + strings.ToUpper(t.Environment())
	if !t.Enabled {
		s += " (disabled)"
	}
	return s
}

func (ed *ResendEditor) ChosenTarget() *app.Target {
	for i := range ed.targets {
		if ed.targets[i].ID == ed.chosen {
			return &ed.targets[i]
		}
	}
	return nil
}

// targetChosen fills the URL, the target's extra headers and its signing
// when the user picks another target; for the same one (reread) it only
// updates what is said about it.
func (ed *ResendEditor) targetChosen(sel string) {
	if ed.Env == nil {
		return // during build
	}
	var t *app.Target
	for i := range ed.targets {
		if TargetOption(ed.targets[i]) == sel {
			t = &ed.targets[i]
		}
	}
	picked := t == nil && ed.chosen != "" || t != nil && t.ID != ed.chosen
	ed.chosen = ""
	if t != nil {
		ed.chosen = t.ID
	}
	opts := []string{signNone, signCustom}
	if t == nil {
		ed.Env.Hide()
		ed.retry.SetText("No retries: the answer shows as soon as it comes.")
		ed.setSignOptions(opts)
		return
	}
	widgets.SetEnv(ed.Env, *t)
	ed.Env.Show()
	if picked {
		if u, err := t.ActiveURL(); err == nil {
			ed.URL.SetText(u)
		}
		for _, h := range t.Headers {
			ed.headers.SetValue(h.Name, h.Value)
		}
	}
	var parts []string
	if !t.Enabled {
		why := t.DisabledReason
		if why == "" {
			why = "turned off"
		}
		parts = append(parts, fmt.Sprintf("This target is disabled (%s): enable it in Targets to send to it.", why))
	}
	parts = append(parts, RetryText(t.Retry, t.Timeout))
	if t.Connection != "" {
		parts = append(parts, "Credentials from connection "+t.Connection+".")
	}
	ed.retry.SetText(strings.Join(parts, " "))
	if t.Scheme != "" {
		opts = []string{signNone, signTarget + " (" + t.Scheme + ")", signCustom}
	}
	ed.setSignOptions(opts)
	if t.Scheme != "" && picked {
		ed.signMode.SetSelected(opts[1])
	}
}

// RetryText says what a retry policy and timeout mean for a send.
func RetryText(p app.RetryPolicy, timeout time.Duration) string {
	if timeout <= 0 {
		timeout = app.DefaultTimeout
	}
	if p.Retries == 0 {
		return fmt.Sprintf("No retries; each attempt may take %s.", app.FormatDuration(timeout))
	}
	var waits []string
	for _, d := range p.Schedule() {
		waits = append(waits, app.FormatDuration(d))
	}
	s := fmt.Sprintf("Retries up to %d times, after %s", p.Retries, strings.Join(waits, ", "))
	if p.Backoff {
		s += " (±20% jitter)"
	}
	return s + fmt.Sprintf("; each attempt may take %s.", app.FormatDuration(timeout))
}

func (ed *ResendEditor) setSignOptions(opts []string) {
	sel := ed.signMode.Selected
	ed.signMode.Options = opts
	if !slices.Contains(opts, sel) {
		sel = signNone
		if strings.HasPrefix(ed.signMode.Selected, signCustom) {
			sel = signCustom
		}
	}
	ed.signMode.Selected = ""
	ed.signMode.SetSelected(sel)
	ed.signMode.Refresh()
}

// --- signing ----------------------------------------------------------------

func (ed *ResendEditor) signChanged() {
	if ed.keepOrig == nil || ed.signRow == nil {
		return // during build
	}
	if ed.keepOrig.Checked {
		ed.signMode.Disable()
		ed.signRow.Hide()
	} else {
		ed.signMode.Enable()
		if ed.signMode.Selected == signCustom {
			ed.signRow.Show()
		} else {
			ed.signRow.Hide()
		}
	}
	ed.checkSignature()
}

// signatureHeaders are headers that carry a captured signature.
func signatureHeaders(h app.Headers) []string {
	var out []string
	for _, x := range h {
		n := strings.ToLower(x.Name)
		if strings.Contains(n, "signature") || n == "x-hub-signature-256" || n == "x-siq-signature" {
			out = append(out, x.Name)
		}
	}
	return out
}

// checkSignature warns when a captured signature is sent over a body it
// no longer matches.
func (ed *ResendEditor) checkSignature() {
	if ed.signWarn == nil || ed.keepOrig == nil {
		return
	}
	ed.signWarn.Hide()
	if ed.ev == nil || ed.binary != nil {
		return
	}
	h, _ := ed.headers.Headers()
	sigs := signatureHeaders(h)
	edited := ed.Body.Text != string(ed.ev.Body)
	resign := !ed.keepOrig.Checked && ed.signMode.Selected != signNone
	switch {
	case len(sigs) > 0 && edited && !resign:
		ed.signWarn.SetText(fmt.Sprintf("The body was edited but %s still holds the captured signature, which will not match: re-sign, or remove the header.",
			strings.Join(sigs, ", ")))
		ed.signWarn.Importance = widget.WarningImportance
		ed.signWarn.Show()
	case len(sigs) > 0 && resign:
		ed.signWarn.SetText(fmt.Sprintf("Signed afresh on each attempt: the captured %s is replaced.", strings.Join(sigs, ", ")))
		ed.signWarn.Importance = widget.LowImportance
		ed.signWarn.Show()
	}
}

// --- sending ----------------------------------------------------------------

// delivery builds what Send sends from the form, or says what is wrong.
func (ed *ResendEditor) delivery() (*app.Delivery, error) {
	var problems []string
	if !ed.checkURL(true) {
		problems = append(problems, "the URL")
	}
	headers, err := ed.headers.Headers()
	if err != nil {
		ed.headErr.SetText(widgets.UpperFirst(err.Error()))
		ed.headErr.Show()
		problems = append(problems, "the headers")
	} else {
		ed.headErr.Hide()
	}
	r := app.Request{Method: ed.Method.Selected, URL: strings.TrimSpace(ed.URL.Text), Headers: headers, Body: ed.bodyBytes()}
	d := &app.Delivery{Request: r, Kind: app.KindSend}
	if ed.ev != nil {
		d.EventID, d.Kind = ed.ev.ID, app.KindResend
	}
	if t := ed.ChosenTarget(); t != nil {
		if !t.Enabled {
			why := t.DisabledReason
			if why == "" {
				why = "turned off"
			}
			problems = append(problems, fmt.Sprintf("target %s is disabled (%s): enable it in Targets, or pick no target", t.Name, why))
		}
		d.TargetID, d.Connection, d.Timeout, d.Retry = t.ID, t.Connection, t.Timeout, t.Retry
	}
	switch mode := ed.signMode.Selected; {
	case ed.keepOrig.Checked:
		d.Sign = app.Signing{KeepOriginal: true}
	case strings.HasPrefix(mode, signTarget):
		t := ed.ChosenTarget()
		if t == nil {
			problems = append(problems, "signing: pick a target, or another signing choice")
			break
		}
		sg, err := t.Signing()
		if err != nil {
			problems = append(problems, err.Error())
		}
		d.Sign = sg
	case mode == signCustom:
		if ed.scheme.Selected == "" {
			problems = append(problems, "signing: pick a scheme")
		}
		if strings.TrimSpace(ed.secret.Text) == "" {
			problems = append(problems, "signing: paste the secret the receiver checks with")
		}
		d.Sign = app.Signing{Scheme: ed.scheme.Selected, Secret: strings.TrimSpace(ed.secret.Text)}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("cannot send yet: fix %s", strings.Join(problems, "; "))
	}
	return d, nil
}

func (ed *ResendEditor) doSend() {
	if ed.sending {
		return
	}
	d, err := ed.delivery()
	if err != nil {
		ed.SendErr.SetText(widgets.UpperFirst(err.Error()) + ".")
		ed.SendErr.Show()
		return
	}
	ed.SendErr.Hide()
	ed.unedited = FormState(ed.Root) // what was sent is not lost by closing

	ed.gen++
	gen := ed.gen
	ed.sending, ed.curID = true, 0
	ed.SendButton.Disable()
	ed.ProgText.SetText("Sending… attempt 1")
	ed.CancelButton.Disable()
	ed.Detach.Hide()
	ed.progress.Start()
	ed.ProgBox.Show()
	ed.Pane.Clear("Sending…")
	ed.stop = ed.OnSend(d, func(x *app.Delivery) { ed.progressed(gen, x) },
		func(x *app.Delivery, err error) { ed.finished(gen, x, err) })
}

// progressed shows a change to the delivery being sent.
func (ed *ResendEditor) progressed(gen uint64, x *app.Delivery) {
	if gen != ed.gen || !ed.sending || ed.closed {
		return
	}
	ed.curID = x.ID
	if x.State != app.Pending {
		return // finished shows the end
	}
	ed.CancelButton.Enable()
	n := len(x.Attempts)
	if n > 0 && time.Until(x.NextAttemptAt) > 100*time.Millisecond {
		ed.ProgText.SetText(fmt.Sprintf("Attempt %d: %s. Attempt %d at %s.", n, widgets.UpperFirst(x.Reason), n+1,
			x.NextAttemptAt.Local().Format("15:04:05")))
		ed.Detach.Show()
	} else {
		ed.ProgText.SetText(fmt.Sprintf("Sending… attempt %d", n+1))
		ed.Detach.Hide()
	}
	ed.Pane.Show(x, ed.targetOf(x))
}

// finished shows how Send ended.
func (ed *ResendEditor) finished(gen uint64, d *app.Delivery, err error) {
	if gen != ed.gen || ed.closed {
		return
	}
	ed.sending = false
	ed.stop = nil
	ed.progress.Stop()
	ed.ProgBox.Hide()
	ed.SendButton.Enable()
	if err != nil {
		ed.SendErr.SetText(widgets.UpperFirst(err.Error()) + ".")
		ed.SendErr.Show()
		if d.ID == 0 {
			ed.Pane.Clear("Not sent.")
			return
		}
	}
	ed.Pane.Show(d, ed.targetOf(d))
}

func (ed *ResendEditor) targetOf(d *app.Delivery) *app.Target {
	for i := range ed.targets {
		if ed.targets[i].ID == d.TargetID {
			return &ed.targets[i]
		}
	}
	return nil
}

func (ed *ResendEditor) doCancel() {
	if ed.curID == 0 || ed.OnCancel == nil {
		return
	}
	ed.CancelButton.Disable()
	ed.OnCancel(ed.curID)
}

// CancelFailed says why the delivery could not be cancelled.
func (ed *ResendEditor) CancelFailed(err error) {
	ed.SendErr.SetText(widgets.UpperFirst(err.Error()) + ".")
	ed.SendErr.Show()
}
