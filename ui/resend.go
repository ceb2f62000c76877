package ui

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
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/ui/dialogs"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Signing choices in the editor.
const (
	signNone   = "Unsigned"
	signTarget = "As the target signs"
	signCustom = "Sign with a scheme and secret"
	noTarget   = "No target: the URL above"
)

// keyResendURL remembers the last URL typed into the editor, for the next.
const keyResendURL = "resend.url"

var editorMethods = []string{"POST", "PUT", "PATCH", "GET", "DELETE", "HEAD", "OPTIONS"}

// resendEditor is the Edit and resend window: a captured request made
// editable (method, URL, headers, body), a choice of signing, and Send,
// which shows each attempt as it happens and then the response.
type resendEditor struct {
	do      func(func()) // runs fn on the UI goroutine
	win     fyne.Window
	lastURL string     // the URL typed last time, to start with
	ev      *app.Event // the event being resent; nil for a request composed from nothing
	targets []app.Target
	loaded  bool   // targets read
	chosen  string // id of the target picked, "" for none

	method   *widget.Select
	url      *widget.Entry
	urlErr   *widget.Label
	target   *widget.Select
	env      *widgets.Badge
	retry    *widget.Label
	headers  *widgets.HeaderEditor
	headErr  *widget.Label
	headTag  *widget.Label
	body     *widget.Entry
	bodyNote *widget.Label
	check    *widget.Label // JSON verdict, as you type
	format   *widget.Button
	minify   *widget.Button
	binary   []byte // a body that is not text: sent as captured, not editable

	signMode *widget.Select
	scheme   *widget.Select
	secret   *widget.Entry
	keepOrig *widget.Check
	signRow  fyne.CanvasObject
	signWarn *widget.Label

	send     *widget.Button
	sendErr  *widget.Label
	progress *widget.ProgressBarInfinite
	progText *widget.Label
	progBox  fyne.CanvasObject
	cancel   *widget.Button
	detach   *widget.Button
	pane     *dialogs.DeliveryPane

	sending bool
	gen     uint64 // bumps per Send so late notifications of an earlier one are dropped
	curID   uint64 // the delivery being sent, once known
	stop    func() // gives the delivery being sent over to the background queue
	closed  bool

	// What the caller does for the editor: send a delivery (reporting each
	// stored change and the end, on the UI goroutine; stop hands it to the
	// background queue), cancel one, and learn that the window closed.
	onSend   func(d *app.Delivery, changed func(*app.Delivery), done func(*app.Delivery, error)) (stop func())
	onCancel func(id uint64)
	onClosed func()
}

// editAndResend opens the editor on e (nil for an empty request).
func (c *controller) editAndResend(e *app.Event) *resendEditor {
	if c.d.Queue == nil {
		return nil
	}
	last, _ := c.d.Settings.Setting(keyResendURL)
	ed := &resendEditor{do: c.w.do, ev: e, lastURL: last}
	ed.onSend = func(d *app.Delivery, changed func(*app.Delivery), done func(*app.Delivery, error)) func() {
		if d.TargetID == "" {
			if err := c.d.Settings.SetSetting(keyResendURL, d.Request.URL); err != nil {
				fyne.LogError("remembering the resend URL", err)
			}
		}
		return c.sendTracked(d, changed, done)
	}
	ed.onCancel = func(id uint64) {
		q := c.d.Queue
		go func() {
			if err := q.Cancel(id); err != nil {
				c.w.do(func() { ed.cancelFailed(err) })
			}
		}()
	}
	ed.onClosed = func() {
		delete(c.editors, ed)
		if c.resendEd == ed {
			c.resendEd = nil
		}
	}
	title := "Compose a request — Hooklens"
	if e != nil {
		title = fmt.Sprintf("Edit and resend event #%s — %s %s — Hooklens", e.IDString(), e.Method, e.RequestURI())
	}
	ed.win = c.w.app.NewWindow(title)
	ed.win.SetContent(ed.build())
	ed.win.Resize(fyne.NewSize(1280, 840))
	ed.win.SetOnClosed(ed.closedWindow)
	ed.win.Show()
	c.resendEd = ed
	if c.editors == nil {
		c.editors = map[*resendEditor]struct{}{}
	}
	c.editors[ed] = struct{}{}
	ed.win.Canvas().Focus(ed.url)
	c.loadResendTargets(ed)
	return ed
}

// loadResendTargets reads the targets ed offers.
func (c *controller) loadResendTargets(ed *resendEditor) {
	st := c.d.Deliveries
	if st == nil {
		ed.loaded = true
		return
	}
	go func() {
		ts, err := st.Targets()
		c.w.do(func() { ed.setTargets(ts, err) })
	}()
}

func (ed *resendEditor) closedWindow() {
	ed.closed = true
	if ed.stop != nil {
		// A delivery still waiting for a retry stays pending; the
		// background queue finishes it.
		ed.stop()
	}
	if ed.onClosed != nil {
		ed.onClosed()
	}
}

func (ed *resendEditor) build() fyne.CanvasObject {
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
	ed.method = widget.NewSelect(methods, nil)
	ed.method.SetSelected(strings.ToUpper(req.Method))
	if ed.method.Selected == "" {
		ed.method.SetSelected(req.Method)
	}
	ed.url = widget.NewEntry()
	ed.url.TextStyle = fyne.TextStyle{Monospace: true}
	ed.url.SetPlaceHolder("http://localhost:3000/webhooks")
	ed.url.SetText(ed.lastURL)
	ed.urlErr = widgets.ErrorLabel()
	ed.url.OnChanged = func(string) { ed.checkURL(false) }

	// Target.
	ed.target = widget.NewSelect([]string{noTarget}, ed.targetChosen)
	ed.target.SetSelected(noTarget)
	ed.env = widgets.NewEnvBadge()
	ed.env.Hide()
	ed.retry = widgets.Caption("")
	ed.retry.Wrapping = fyne.TextWrapWord

	// Headers.
	ed.headers = widgets.NewHeaderEditor(req.Headers, "Add header")
	ed.headers.OnChange = ed.headersChanged
	ed.headErr = widgets.ErrorLabel()
	ed.headTag = widgets.Heading("")

	// Body.
	ed.body = widget.NewMultiLineEntry()
	ed.body.TextStyle = fyne.TextStyle{Monospace: true}
	ed.body.Wrapping = fyne.TextWrapOff
	ed.body.SetMinRowsVisible(12)
	ed.body.SetPlaceHolder("Request body (empty for none)")
	ed.bodyNote = widgets.Caption("")
	ed.bodyNote.Wrapping = fyne.TextWrapWord
	ed.bodyNote.Hide()
	ed.check = widget.NewLabel("")
	ed.check.Truncation = fyne.TextTruncateEllipsis
	ed.format = widget.NewButtonWithIcon("Format", theme.MenuIcon(), ed.formatBody)
	ed.minify = widget.NewButtonWithIcon("Minify", theme.ContentRemoveIcon(), ed.minifyBody)
	ed.format.Importance = widget.LowImportance
	ed.minify.Importance = widget.LowImportance
	ed.loadBody(req)
	ed.body.OnChanged = func(string) { ed.checkBody() }

	// Signing.
	ed.signMode = widget.NewSelect([]string{signNone, signCustom}, func(string) { ed.signChanged() })
	ed.scheme = widget.NewSelect(verify.Schemes(), func(string) { ed.signChanged() })
	ed.scheme.PlaceHolder = "scheme"
	ed.secret = widget.NewPasswordEntry()
	ed.secret.SetPlaceHolder("signing secret (or private key for salesiq, discord)")
	ed.signRow = container.NewBorder(nil, nil, widgets.FixedWidth(190, ed.scheme), nil, ed.secret)
	ed.keepOrig = widget.NewCheck("Keep the original headers byte-for-byte (replay exactly what was received; no re-signing)",
		func(bool) { ed.signChanged() })
	ed.signWarn = widgets.Caption("")
	ed.signWarn.Importance = widget.WarningImportance
	ed.signWarn.Wrapping = fyne.TextWrapWord
	ed.signMode.SetSelected(signNone)
	if e != nil {
		if c, ok := verify.Detect(e.Headers); ok {
			ed.scheme.SetSelected(c.Scheme)
		}
	}

	// Send.
	ed.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), ed.doSend)
	ed.send.Importance = widget.HighImportance
	ed.sendErr = widgets.ErrorLabel()

	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	form := container.New(layout.NewFormLayout(),
		label("Request"), container.NewVBox(container.NewBorder(nil, nil, widgets.FixedWidth(110, ed.method), nil, ed.url), ed.urlErr),
		label("Target"), container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(ed.env), ed.target), ed.retry),
		label("Signing"), container.NewVBox(ed.signMode, ed.signRow, ed.keepOrig, ed.signWarn),
	)
	headBar := container.NewBorder(nil, nil, ed.headTag, ed.headers.Add)
	headScroll := container.NewVScroll(ed.headers.Root)
	headScroll.SetMinSize(fyne.NewSize(0, 150))
	bodyBar := container.NewBorder(nil, nil, widgets.Heading("Body"), container.NewHBox(ed.format, ed.minify), ed.check)
	sendBar := container.NewBorder(nil, nil, nil, ed.send, ed.sendErr)
	top := container.NewVBox(form, widget.NewSeparator(), headBar, headScroll, ed.headErr, widget.NewSeparator(), bodyBar, ed.bodyNote)
	left := container.NewBorder(top, container.NewVBox(widget.NewSeparator(), sendBar), nil, nil, ed.body)

	// Response side.
	ed.progress = widget.NewProgressBarInfinite()
	ed.progress.Stop()
	ed.progText = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	ed.progText.Wrapping = fyne.TextWrapWord
	ed.cancel = widget.NewButtonWithIcon("Cancel delivery", theme.CancelIcon(), ed.doCancel)
	ed.detach = widget.NewButtonWithIcon("Leave it to the background queue", theme.LogoutIcon(), func() {
		if ed.stop != nil {
			ed.stop()
		}
	})
	ed.detach.Importance = widget.LowImportance
	ed.progBox = container.NewVBox(ed.progress, ed.progText, container.NewHBox(ed.cancel, ed.detach), widget.NewSeparator())
	ed.progBox.Hide()
	ed.pane = dialogs.NewDeliveryPane(ed.do, false, "Press Send to deliver the request.\nThe response — status, headers, body and time — and every attempt show here.")
	right := container.NewBorder(container.NewVBox(widgets.Heading("Response"), ed.progBox), nil, nil, nil, ed.pane.Root)

	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.52
	ed.headersChanged()
	ed.checkBody()
	return split
}

// loadBody puts the request's body in the editor: decoded when it was sent
// compressed, read-only when it is binary.
func (ed *resendEditor) loadBody(req app.Request) {
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
		ed.body.SetText(widgets.HexDump(body, widgets.ViewLimit))
		ed.body.Disable()
		ed.bodyNote.SetText(fmt.Sprintf("The body is binary (%s): it is sent exactly as captured and cannot be edited here.", app.HumanSize(int64(len(body)))))
		ed.bodyNote.Show()
		return
	}
	ed.body.SetText(string(body))
}

// bodyBytes is the body to send.
func (ed *resendEditor) bodyBytes() []byte {
	if ed.binary != nil {
		return ed.binary
	}
	return []byte(ed.body.Text)
}

func (ed *resendEditor) contentType() string { return ed.headers.Value("Content-Type") }

// checkBody validates the body as JSON as it is typed, pointing at the line
// and column of the first error.
func (ed *resendEditor) checkBody() {
	ed.format.Disable()
	ed.minify.Disable()
	if ed.binary != nil {
		ed.setCheck(widget.LowImportance, "binary body, sent as captured")
		return
	}
	b := []byte(ed.body.Text)
	switch {
	case len(strings.TrimSpace(ed.body.Text)) == 0:
		ed.setCheck(widget.LowImportance, "no body")
	case !widgets.LooksJSON(ed.contentType(), b):
		ed.setCheck(widget.LowImportance, fmt.Sprintf("text, %s · not JSON, so not checked", app.HumanSize(int64(len(b)))))
	default:
		if je := widgets.CheckJSON(b); je != nil {
			ed.setCheck(widget.DangerImportance, "✗ Invalid JSON at "+je.Error())
			return
		}
		ed.setCheck(widget.SuccessImportance, fmt.Sprintf("✓ valid JSON · %s", app.HumanSize(int64(len(b)))))
		ed.format.Enable()
		ed.minify.Enable()
	}
	ed.checkSignature()
}

func (ed *resendEditor) setCheck(imp widget.Importance, text string) {
	ed.check.Importance = imp
	ed.check.SetText(text)
}

func (ed *resendEditor) formatBody() {
	if s, err := widgets.PrettyJSON([]byte(ed.body.Text)); err == nil {
		ed.body.SetText(s)
	}
}

func (ed *resendEditor) minifyBody() {
	if s, err := widgets.MinifyJSON([]byte(ed.body.Text)); err == nil {
		ed.body.SetText(s)
	}
}

func (ed *resendEditor) headersChanged() {
	ed.headTag.SetText(fmt.Sprintf("Headers (%d)", ed.headers.Len()))
	if ed.check != nil {
		ed.checkBody() // Content-Type decides whether the body is checked as JSON
	}
}

// checkURL shows what is wrong with the URL; with sending, an empty one too.
func (ed *resendEditor) checkURL(sending bool) bool {
	u := strings.TrimSpace(ed.url.Text)
	var err error
	switch {
	case u == "" && sending:
		err = errors.New("enter the URL to send to, e.g. http://localhost:3000/webhooks, or pick a target")
	case u != "":
		err = app.CheckURL(u)
	}
	if err != nil {
		ed.urlErr.SetText(widgets.UpperFirst(err.Error()))
		ed.urlErr.Show()
		return false
	}
	ed.urlErr.Hide()
	return u != ""
}

// --- targets ----------------------------------------------------------------

// setTargets offers ts (or says why they could not be read).
func (ed *resendEditor) setTargets(ts []app.Target, err error) {
	ed.loaded = true
	if err != nil {
		ed.retry.SetText(fmt.Sprintf("could not read the targets: %v", err))
		return
	}
	ed.targets = ts
	opts := []string{noTarget}
	for _, t := range ts {
		opts = append(opts, targetOption(t))
	}
	ed.target.Options = opts
	// Keep the pick across a reread (its label may have changed:
	// disabled by a 410).
	ed.target.Selected = noTarget
	if t := ed.chosenTarget(); t != nil {
		ed.target.Selected = targetOption(*t)
	}
	ed.target.Refresh()
	ed.targetChosen(ed.target.Selected)
}

// targetOption is how a target is offered in a picker: name, where sends
// go now, and whether it is switched off.
func targetOption(t app.Target) string {
	s := t.Name + " — " + strings.ToUpper(t.Environment())
	if !t.Enabled {
		s += " (disabled)"
	}
	return s
}

func (ed *resendEditor) chosenTarget() *app.Target {
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
func (ed *resendEditor) targetChosen(sel string) {
	if ed.env == nil {
		return // during build
	}
	var t *app.Target
	for i := range ed.targets {
		if targetOption(ed.targets[i]) == sel {
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
		ed.env.Hide()
		ed.retry.SetText("No retries: the answer shows as soon as it comes.")
		ed.setSignOptions(opts)
		return
	}
	widgets.SetEnv(ed.env, *t)
	ed.env.Show()
	if picked {
		if u, err := t.ActiveURL(); err == nil {
			ed.url.SetText(u)
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
	parts = append(parts, retryText(t.Retry, t.Timeout))
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

// retryText says what a retry policy and timeout mean for a send.
func retryText(p app.RetryPolicy, timeout time.Duration) string {
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

func (ed *resendEditor) setSignOptions(opts []string) {
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

func (ed *resendEditor) signChanged() {
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
func (ed *resendEditor) checkSignature() {
	if ed.signWarn == nil || ed.keepOrig == nil {
		return
	}
	ed.signWarn.Hide()
	if ed.ev == nil || ed.binary != nil {
		return
	}
	h, _ := ed.headers.Headers()
	sigs := signatureHeaders(h)
	edited := ed.body.Text != string(ed.ev.Body)
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
func (ed *resendEditor) delivery() (*app.Delivery, error) {
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
	r := app.Request{Method: ed.method.Selected, URL: strings.TrimSpace(ed.url.Text), Headers: headers, Body: ed.bodyBytes()}
	d := &app.Delivery{Request: r, Kind: app.KindSend}
	if ed.ev != nil {
		d.EventID, d.Kind = ed.ev.ID, app.KindResend
	}
	if t := ed.chosenTarget(); t != nil {
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
		t := ed.chosenTarget()
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

func (ed *resendEditor) doSend() {
	if ed.sending {
		return
	}
	d, err := ed.delivery()
	if err != nil {
		ed.sendErr.SetText(widgets.UpperFirst(err.Error()) + ".")
		ed.sendErr.Show()
		return
	}
	ed.sendErr.Hide()

	ed.gen++
	gen := ed.gen
	ed.sending, ed.curID = true, 0
	ed.send.Disable()
	ed.progText.SetText("Sending… attempt 1")
	ed.cancel.Disable()
	ed.detach.Hide()
	ed.progress.Start()
	ed.progBox.Show()
	ed.pane.Clear("Sending…")
	ed.stop = ed.onSend(d, func(x *app.Delivery) { ed.progressed(gen, x) },
		func(x *app.Delivery, err error) { ed.finished(gen, x, err) })
}

// progressed shows a change to the delivery being sent.
func (ed *resendEditor) progressed(gen uint64, x *app.Delivery) {
	if gen != ed.gen || !ed.sending || ed.closed {
		return
	}
	ed.curID = x.ID
	if x.State != app.Pending {
		return // finished shows the end
	}
	ed.cancel.Enable()
	n := len(x.Attempts)
	if n > 0 && time.Until(x.NextAttemptAt) > 100*time.Millisecond {
		ed.progText.SetText(fmt.Sprintf("Attempt %d: %s. Attempt %d at %s.", n, widgets.UpperFirst(x.Reason), n+1,
			x.NextAttemptAt.Local().Format("15:04:05")))
		ed.detach.Show()
	} else {
		ed.progText.SetText(fmt.Sprintf("Sending… attempt %d", n+1))
		ed.detach.Hide()
	}
	ed.pane.Show(x, ed.targetOf(x))
}

// finished shows how Send ended.
func (ed *resendEditor) finished(gen uint64, d *app.Delivery, err error) {
	if gen != ed.gen || ed.closed {
		return
	}
	ed.sending = false
	ed.stop = nil
	ed.progress.Stop()
	ed.progBox.Hide()
	ed.send.Enable()
	if err != nil {
		ed.sendErr.SetText(widgets.UpperFirst(err.Error()) + ".")
		ed.sendErr.Show()
		if d.ID == 0 {
			ed.pane.Clear("Not sent.")
			return
		}
	}
	ed.pane.Show(d, ed.targetOf(d))
}

func (ed *resendEditor) targetOf(d *app.Delivery) *app.Target {
	for i := range ed.targets {
		if ed.targets[i].ID == d.TargetID {
			return &ed.targets[i]
		}
	}
	return nil
}

func (ed *resendEditor) doCancel() {
	if ed.curID == 0 || ed.onCancel == nil {
		return
	}
	ed.cancel.Disable()
	ed.onCancel(ed.curID)
}

// cancelFailed says why the delivery could not be cancelled.
func (ed *resendEditor) cancelFailed(err error) {
	ed.sendErr.SetText(widgets.UpperFirst(err.Error()) + ".")
	ed.sendErr.Show()
}
