package ui

import (
	"errors"
	"fmt"
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
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

const (
	unsignedScheme = "unsigned"
	envProduction  = "Production"
	envSandbox     = "Sandbox"
	noConnection   = "none"
)

// --- the list -----------------------------------------------------------------

// targetList is the Targets dialog: every saved destination with where its
// sends go now (PRODUCTION or SANDBOX), signing, retries and whether it is
// enabled; Add, Edit, Retry all failed, Delete, and the connections.
type targetList struct {
	listBody
	w       *Window
	parent  fyne.Window
	dlg     *dialog.CustomDialog
	targets []app.Target
	conns   []app.Connection
	loaded  bool
	editor  *targetEditor // while open
	connDlg *connectionList
}

func (w *Window) showTargets() *targetList { return w.showTargetsIn(w.win) }

// showTargetsIn opens the Targets dialog over parent.
func (w *Window) showTargetsIn(parent fyne.Window) *targetList {
	if w.d.Queue == nil || w.d.Deliveries == nil {
		return nil
	}
	l := &targetList{w: w, parent: parent, listBody: newListBody()}
	intro := "A target is a saved destination for resends: its URL (production, and optionally a sandbox), " +
		"how requests to it are signed, extra headers, credentials from a connection, a timeout and a retry policy."
	add := widget.NewButtonWithIcon("Add target", theme.ContentAddIcon(), func() {
		l.edit(app.Target{Enabled: true, Retry: app.DefaultRetry}, true)
	})
	add.Importance = widget.HighImportance
	conns := widget.NewButtonWithIcon("Connections", theme.AccountIcon(), l.showConnections)
	l.dlg = listDialog("Targets", intro, []fyne.CanvasObject{add, conns}, l.status, l.rows, parent)
	l.dlg.SetOnClosed(func() {
		if w.tgList == l {
			w.tgList = nil
		}
	})
	l.dlg.Resize(fitSize(parent, fyne.NewSize(820, 580)))
	w.tgList = l
	l.dlg.Show()
	l.load()
	return l
}

func (l *targetList) load() {
	st := l.w.d.Deliveries
	go func() {
		ts, err := st.Targets()
		var cs []app.Connection
		if err == nil {
			cs, err = st.Connections()
		}
		l.w.do(func() {
			if err != nil {
				l.setStatus(fmt.Sprintf("could not read the targets: %v", err), true)
				return
			}
			l.targets, l.conns, l.loaded = ts, cs, true
			l.fill()
		})
	}()
}

func (l *targetList) fill() {
	fillRows(l.rows, l.targets, "No targets yet. Add one to resend events to your app, a customer's endpoint or a sandbox with one click.", l.row)
}

func (l *targetList) row(t app.Target) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(t.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	env := widgets.NewEnvBadge()
	widgets.SetEnv(env, t)
	head := container.NewHBox(name, container.NewCenter(env))
	if !t.Enabled {
		off := widgets.NewBadge("")
		off.Icon = theme.CancelIcon()
		off.Set("DISABLED", hltheme.Red)
		head.Add(container.NewCenter(off))
	}
	u, err := t.ActiveURL()
	if err != nil {
		u = err.Error()
	}
	urlLabel := widget.NewLabelWithStyle(maskURL(u), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	urlLabel.Truncation = fyne.TextTruncateEllipsis
	sum := widgets.Caption(targetSummary(t))
	sum.Wrapping = fyne.TextWrapWord
	lines := []fyne.CanvasObject{head, urlLabel, sum}
	if !t.Enabled {
		why := t.DisabledReason
		if why == "" {
			why = "turned off by hand"
		}
		reason := widget.NewLabel("Disabled: " + why)
		reason.Importance = widget.DangerImportance
		reason.Wrapping = fyne.TextWrapWord
		lines = append(lines, reason)
	}
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { l.edit(t, false) })
	retry := widget.NewButtonWithIcon("Retry all failed", theme.ViewRefreshIcon(), func() { l.retryFailed(t) })
	del := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { l.confirmDelete(t) })
	del.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(edit, retry, del)),
		container.New(layout.NewCustomPaddedVBoxLayout(0), lines...))
}

// targetSummary is one line about a target: signing, retries, timeout, extras.
func targetSummary(t app.Target) string {
	parts := []string{}
	if t.Scheme == "" {
		parts = append(parts, "unsigned")
	} else {
		key := t.Secret
		if verify.UsesPublicKey(t.Scheme) {
			key = t.PrivateKey
		}
		parts = append(parts, "signs as "+t.Scheme+" with "+app.Mask(key))
	}
	if t.Retry.Retries == 0 {
		parts = append(parts, "no retries")
	} else {
		r := fmt.Sprintf("%s %s apart", widgets.Plural(t.Retry.Retries, "retry"), app.FormatDuration(retryDelay(t.Retry)))
		if t.Retry.Backoff {
			r += ", backing off"
		}
		parts = append(parts, r)
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = app.DefaultTimeout
	}
	parts = append(parts, "timeout "+app.FormatDuration(timeout))
	if n := len(t.Headers); n > 0 {
		parts = append(parts, widgets.Plural(n, "extra header"))
	}
	if t.Connection != "" {
		parts = append(parts, "connection "+t.Connection)
	}
	if t.SandboxURL != "" && !t.UseSandbox {
		parts = append(parts, "has a sandbox URL")
	}
	return strings.Join(parts, " · ")
}

func retryDelay(p app.RetryPolicy) time.Duration {
	if p.Delay <= 0 {
		return time.Minute
	}
	return p.Delay
}

func (l *targetList) retryFailed(t app.Target) {
	q := l.w.d.Queue
	go func() {
		n, err := q.RetryAllFailed(t.ID)
		l.w.do(func() {
			switch {
			case err != nil && n == 0:
				l.setStatus(fmt.Sprintf("could not retry the failed deliveries to %s: %v", t.Name, err), true)
			case err != nil:
				l.setStatus(fmt.Sprintf("Queued %s to %s again; some could not be: %v", widgets.Plural(n, "failed delivery"), t.Name, err), true)
			case n == 0:
				l.setStatus(fmt.Sprintf("No failed deliveries to %s.", t.Name), false)
			default:
				l.setStatus(fmt.Sprintf("Queued %s to %s again; follow them in Deliveries.", widgets.Plural(n, "failed delivery"), t.Name), false)
			}
		})
	}()
}

func (l *targetList) confirmDelete(t app.Target) {
	askDelete("Delete target?", fmt.Sprintf("Delete target %s?\nIts deliveries stay in the log.", t.Name), "Delete", func() {
		st := l.w.d.Deliveries
		go func() {
			err := st.DeleteTarget(t.ID)
			l.w.do(func() {
				if err != nil {
					l.setStatus(fmt.Sprintf("could not delete target %s: %v", t.Name, err), true)
					return
				}
				l.setStatus("Deleted target "+t.Name+".", false)
				l.load()
			})
		}()
	}, l.parent)
}

// --- a secret -----------------------------------------------------------------

// secretField holds one secret shown masked (app.Mask: a prefix such as
// whsec_ and the last four characters) with reveal and copy, and an entry
// to paste a replacement.
type secretField struct {
	value string
	shown bool
	text  *widget.Label
	eye   *widget.Button
	entry *widget.Entry
	extra *fyne.Container // buttons a caller adds (Generate)
	root  fyne.CanvasObject
}

func newSecretField(w *Window, value, placeholder string) *secretField {
	f := &secretField{value: value}
	f.text = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	f.text.Wrapping = fyne.TextWrapBreak
	f.text.Selectable = true
	f.eye = widget.NewButtonWithIcon("", theme.VisibilityIcon(), func() {
		f.shown = !f.shown
		f.update()
	})
	f.eye.Importance = widget.LowImportance
	cp := w.newCopyButton("", func() string { return f.value })
	f.entry = widget.NewPasswordEntry()
	f.entry.SetPlaceHolder(placeholder)
	f.entry.OnChanged = func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			f.value = fixPEM(s)
			f.update()
		}
	}
	f.extra = container.NewHBox()
	shown := container.NewBorder(nil, nil, nil, container.NewHBox(f.eye, cp), f.text)
	f.root = container.NewVBox(shown, container.NewBorder(nil, nil, nil, f.extra, f.entry))
	f.update()
	return f
}

// set replaces the value (a generated key).
func (f *secretField) set(v string) {
	f.value = v
	f.entry.SetText("")
	f.update()
}

func (f *secretField) update() {
	switch {
	case f.value == "":
		f.text.SetText("(none)")
	case f.shown:
		f.text.SetText(f.value)
	default:
		f.text.SetText(app.Mask(f.value))
	}
	if f.shown {
		f.eye.SetIcon(theme.VisibilityOffIcon())
	} else {
		f.eye.SetIcon(theme.VisibilityIcon())
	}
}

// fixPEM restores the line breaks a one-line entry turned into spaces when
// a PEM key was pasted.
func fixPEM(s string) string {
	if !strings.Contains(s, "-----BEGIN ") || strings.Contains(s, "\n") {
		return s
	}
	i := strings.Index(s, "-----BEGIN ")
	j := strings.Index(s[i+11:], "-----")
	k := strings.Index(s, "-----END ")
	if j < 0 || k < 0 {
		return s
	}
	headEnd := i + 11 + j + 5
	if headEnd > k {
		return s
	}
	body := strings.Fields(s[headEnd:k])
	return s[:headEnd] + "\n" + strings.Join(body, "\n") + "\n" + s[k:]
}

// --- the editor -----------------------------------------------------------------

// targetEditor adds or edits one target.
type targetEditor struct {
	l     *targetList
	isNew bool
	orig  app.Target
	dlg   *dialog.CustomDialog

	name, prodURL, sandboxURL, options, timeout, retries, delay *widget.Entry
	env                                                         *widget.RadioGroup
	envBadge                                                    *widgets.Badge
	scheme                                                      *widget.Select
	secret                                                      *secretField
	headers                                                     *widgets.HeaderEditor
	backoff, enabled                                            *widget.Check
	disabledWhy                                                 *widget.Label
	connection                                                  *widget.Select
	connInfo                                                    *widget.Label
	urlErr, signErr, retryErr, headErr, saveErr                 *widget.Label
	optRow                                                      fyne.CanvasObject
	save                                                        *widget.Button
}

func (l *targetList) edit(t app.Target, isNew bool) *targetEditor {
	ed := &targetEditor{l: l, isNew: isNew, orig: t}
	title := "Edit target " + t.Name
	if isNew {
		title = "New target"
	}
	ed.dlg = dialog.NewCustomWithoutButtons(title, ed.build(), l.parent)
	cancel := widget.NewButton("Cancel", func() { ed.dlg.Hide() })
	ed.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), ed.doSave)
	ed.save.Importance = widget.HighImportance
	ed.dlg.SetButtons([]fyne.CanvasObject{cancel, ed.save})
	ed.dlg.Resize(fitSize(l.parent, fyne.NewSize(780, 760)))
	ed.dlg.SetOnClosed(func() {
		if l.editor == ed {
			l.editor = nil
		}
	})
	l.editor = ed
	ed.dlg.Show()
	l.parent.Canvas().Focus(ed.name)
	return ed
}

func (ed *targetEditor) build() fyne.CanvasObject {
	t, w := ed.orig, ed.l.w
	ed.urlErr, ed.signErr, ed.retryErr, ed.headErr, ed.saveErr = widgets.ErrorLabel(), widgets.ErrorLabel(), widgets.ErrorLabel(), widgets.ErrorLabel(), widgets.ErrorLabel()
	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}

	ed.name = widget.NewEntry()
	ed.name.SetPlaceHolder("e.g. Local app, Acme production")
	ed.name.SetText(t.Name)

	ed.prodURL = widget.NewEntry()
	ed.prodURL.TextStyle = fyne.TextStyle{Monospace: true}
	ed.prodURL.SetPlaceHolder("https://api.example.com/webhooks")
	ed.prodURL.SetText(t.URL)
	ed.sandboxURL = widget.NewEntry()
	ed.sandboxURL.TextStyle = fyne.TextStyle{Monospace: true}
	ed.sandboxURL.SetPlaceHolder("https://sandbox.example.com/webhooks (optional)")
	ed.sandboxURL.SetText(t.SandboxURL)
	ed.envBadge = widgets.NewEnvBadge()
	ed.env = widget.NewRadioGroup([]string{envProduction, envSandbox}, func(s string) {
		widgets.SetEnv(ed.envBadge, app.Target{UseSandbox: s == envSandbox})
	})
	ed.env.Horizontal = true
	ed.env.Required = true
	if t.UseSandbox {
		ed.env.SetSelected(envSandbox)
	} else {
		ed.env.SetSelected(envProduction)
	}
	envHint := widgets.Caption("Sends go to the URL switched on here; the badge shows it wherever the target is picked.")
	envHint.Wrapping = fyne.TextWrapWord

	name, opts := splitScheme(t.Scheme)
	ed.options = widget.NewEntry()
	ed.options.SetText(opts)
	ed.optRow = container.NewVBox(ed.options, widgets.Caption("Options change the scheme's defaults, separated by ';' (key=value)."))
	key := t.Secret
	if verify.UsesPublicKey(name) {
		key = t.PrivateKey
	}
	ed.secret = newSecretField(w, key, "Paste the signing secret (or private key) to replace it")
	gen := widget.NewButtonWithIcon("Generate", theme.ViewRefreshIcon(), ed.generate)
	gen.Importance = widget.LowImportance
	ed.secret.extra.Add(gen)
	ed.scheme = widget.NewSelect(append([]string{unsignedScheme}, verify.Schemes()...), func(s string) {
		hint, ok := optionHints[s]
		ed.options.SetPlaceHolder(hint)
		widgets.ShowRow(ok, ed.optRow)
		widgets.ShowRow(s != unsignedScheme, ed.secret.root)
	})
	if name == "" {
		name = unsignedScheme
	}
	ed.scheme.SetSelected(name)

	ed.headers = widgets.NewHeaderEditor(t.Headers, "Add header")

	ed.timeout = widget.NewEntry()
	ed.timeout.SetPlaceHolder(app.DefaultTimeout.String())
	if t.Timeout > 0 {
		ed.timeout.SetText(app.FormatDuration(t.Timeout))
	}
	ed.retries = widget.NewEntry()
	ed.retries.SetText(strconv.Itoa(t.Retry.Retries))
	ed.delay = widget.NewEntry()
	ed.delay.SetPlaceHolder("1m")
	if t.Retry.Delay > 0 {
		ed.delay.SetText(app.FormatDuration(t.Retry.Delay))
	}
	ed.backoff = widget.NewCheck("Back off: double the delay after each retry, with jitter", nil)
	ed.backoff.SetChecked(t.Retry.Backoff)
	retryRow := container.NewHBox(widget.NewLabel("Retries"), widgets.FixedWidth(60, ed.retries),
		widget.NewLabel("Delay"), widgets.FixedWidth(90, ed.delay), widget.NewLabel("Timeout"), widgets.FixedWidth(90, ed.timeout))

	ed.enabled = widget.NewCheck("Enabled: resends may go to this target", nil)
	ed.enabled.SetChecked(t.Enabled)
	ed.disabledWhy = widget.NewLabel("")
	ed.disabledWhy.Importance = widget.DangerImportance
	ed.disabledWhy.Wrapping = fyne.TextWrapWord
	ed.disabledWhy.Hide()
	if !t.Enabled && t.DisabledReason != "" {
		ed.disabledWhy.SetText("Disabled: " + t.DisabledReason + ". Tick Enabled to send to it again.")
		ed.disabledWhy.Show()
	}

	connNames := []string{noConnection}
	for _, c := range ed.l.conns {
		connNames = append(connNames, c.Name)
	}
	ed.connInfo = widgets.Caption("")
	ed.connection = widget.NewSelect(connNames, func(s string) {
		ed.connInfo.SetText("")
		for _, c := range ed.l.conns {
			if c.Name == s {
				ed.connInfo.SetText("Adds " + c.Describe())
			}
		}
	})
	if t.Connection != "" {
		ed.connection.SetSelected(t.Connection)
	} else {
		ed.connection.SetSelected(noConnection)
	}

	form := container.New(layout.NewFormLayout(),
		label("Name"), ed.name,
		label("Production URL"), ed.prodURL,
		label("Sandbox URL"), ed.sandboxURL,
		label("Send to"), container.NewVBox(container.NewHBox(ed.env, container.NewCenter(ed.envBadge)), envHint, ed.urlErr),
		label("Signing"), container.NewVBox(ed.scheme, ed.optRow, ed.secret.root, ed.signErr),
		label("Extra headers"), container.NewVBox(ed.headers.Root, container.NewHBox(ed.headers.Add), ed.headErr),
		label("Connection"), container.NewVBox(ed.connection, ed.connInfo),
		label("Retry policy"), container.NewVBox(retryRow, ed.backoff, ed.retryErr),
		label("State"), container.NewVBox(ed.enabled, ed.disabledWhy),
	)
	return container.NewBorder(nil, ed.saveErr, nil, nil, container.NewVScroll(container.NewPadded(form)))
}

// generate makes a new signing key from crypto/rand; for the public-key
// schemes it hands over the public half for the receiver.
func (ed *targetEditor) generate() {
	name := ed.scheme.Selected
	if name == unsignedScheme || name == "" {
		name = "hmac"
	}
	k, err := verify.GenerateKey(name)
	if err != nil {
		ed.signErr.SetText(err.Error())
		ed.signErr.Show()
		return
	}
	ed.secret.set(k.Secret)
	ed.secret.shown = true // it must be copied to the receiver
	ed.secret.update()
	if k.PublicKey != "" {
		msg := widget.NewLabel("Give the receiver this public key to check the signatures with:")
		pub := widget.NewMultiLineEntry()
		pub.SetText(k.PublicKey)
		pub.Wrapping = fyne.TextWrapBreak
		cp := ed.l.w.newCopyButton("Copy public key", func() string { return k.PublicKey })
		d := dialog.NewCustom("Public key", "Done", container.NewBorder(msg, container.NewHBox(cp), nil, nil, pub), ed.l.parent)
		d.Resize(fitSize(ed.l.parent, fyne.NewSize(560, 300)))
		d.Show()
	}
}

func parseDuration(what, s string, def time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s %q is not a duration: write it like 5s, 500ms or 1m", what, s)
	}
	return d, nil
}

// collect validates the form, marks what is wrong and returns the target.
func (ed *targetEditor) collect() (app.Target, bool) {
	t := ed.orig
	ok := true
	mark := func(l *widget.Label, err error) {
		if err != nil {
			l.SetText(widgets.UpperFirst(err.Error()))
			l.Show()
			ok = false
		} else {
			l.Hide()
		}
	}
	t.Name = strings.TrimSpace(ed.name.Text)
	t.URL = strings.TrimSpace(ed.prodURL.Text)
	t.SandboxURL = strings.TrimSpace(ed.sandboxURL.Text)
	t.UseSandbox = ed.env.Selected == envSandbox
	var urlErr error
	switch {
	case t.URL == "" && t.SandboxURL == "":
		urlErr = errors.New("enter a production or a sandbox URL")
	case t.URL != "" && app.CheckURL(t.URL) != nil:
		urlErr = app.CheckURL(t.URL)
	case t.SandboxURL != "" && app.CheckURL(t.SandboxURL) != nil:
		urlErr = app.CheckURL(t.SandboxURL)
	default:
		_, urlErr = t.ActiveURL()
	}
	mark(ed.urlErr, urlErr)

	t.Scheme, t.Secret, t.PrivateKey = "", "", ""
	var signErr error
	if s := ed.scheme.Selected; s != unsignedScheme && s != "" {
		t.Scheme = s
		if o := strings.Trim(strings.TrimSpace(ed.options.Text), ";"); o != "" {
			t.Scheme += ";" + o
		}
		if verify.UsesPublicKey(s) {
			t.PrivateKey = ed.secret.value
		} else {
			t.Secret = ed.secret.value
		}
		if t.Name == "" {
			t.Name = "target" // Signing names the target in its errors
		}
		_, signErr = t.Signing()
		t.Name = strings.TrimSpace(ed.name.Text)
	}
	mark(ed.signErr, signErr)

	h, err := ed.headers.Headers()
	mark(ed.headErr, err)
	t.Headers = h

	var problems []string
	if t.Timeout, err = parseDuration("timeout", ed.timeout.Text, 0); err != nil {
		problems = append(problems, err.Error())
	}
	n, err := strconv.Atoi(strings.TrimSpace(ed.retries.Text))
	if err != nil || n < 0 || n > 100 {
		problems = append(problems, fmt.Sprintf("retries %q is not a count from 0 to 100", ed.retries.Text))
	}
	t.Retry.Retries = n
	if t.Retry.Delay, err = parseDuration("delay", ed.delay.Text, time.Minute); err != nil {
		problems = append(problems, err.Error())
	}
	t.Retry.Backoff = ed.backoff.Checked
	if len(problems) > 0 {
		mark(ed.retryErr, errors.New(strings.Join(problems, "; ")))
	} else {
		mark(ed.retryErr, nil)
	}

	if ed.enabled.Checked && !t.Enabled {
		t.DisabledReason = "" // turned back on by the user
	}
	t.Enabled = ed.enabled.Checked
	t.Connection = ""
	if c := ed.connection.Selected; c != noConnection {
		t.Connection = c
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	if t.Name == "" {
		ed.saveErr.SetText("Give the target a name.")
		ed.saveErr.Show()
		return t, false
	}
	return t, ok
}

func (ed *targetEditor) doSave() {
	t, ok := ed.collect()
	if !ok {
		if !ed.saveErr.Visible() {
			ed.saveErr.SetText("Fix the fields marked in red, then save again.")
			ed.saveErr.Show()
		}
		return
	}
	if err := t.Validate(); err != nil {
		ed.saveErr.SetText(widgets.UpperFirst(err.Error()) + ".")
		ed.saveErr.Show()
		return
	}
	ed.saveErr.Hide()
	ed.save.Disable()
	l, st := ed.l, ed.l.w.d.Deliveries
	go func() {
		err := st.PutTarget(&t)
		l.w.do(func() {
			if err != nil {
				ed.save.Enable()
				ed.saveErr.SetText(fmt.Sprintf("Could not save target %s: %v.", t.Name, err))
				ed.saveErr.Show()
				return
			}
			ed.dlg.Hide()
			l.setStatus("Saved target "+t.Name+".", false)
			l.load()
			if v := l.w.delivView; v != nil {
				v.loadTargets()
			}
		})
	}()
}

// --- connections -------------------------------------------------------------------

// connectionList is the Connections dialog: credentials saved once and
// used by name from targets (Bigin's connections).
type connectionList struct {
	l      *targetList
	dlg    *dialog.CustomDialog
	rows   *fyne.Container
	status *widget.Label
	conns  []app.Connection
	editor *connectionEditor
}

func (l *targetList) showConnections() {
	c := &connectionList{l: l, rows: container.NewVBox()}
	c.status = widgets.Caption("")
	c.status.Hide()
	intro := "A connection keeps credentials once — basic auth, a bearer or OAuth token with its prefix " +
		"(Zoho-oauthtoken), or an API key in a header or the query (zapikey) — for any number of targets."
	add := widget.NewButtonWithIcon("Add connection", theme.ContentAddIcon(), func() {
		c.edit(app.Connection{Kind: app.AuthBearer}, true)
	})
	add.Importance = widget.HighImportance
	c.dlg = listDialog("Connections", intro, []fyne.CanvasObject{add}, c.status, c.rows, l.parent)
	c.dlg.Resize(fitSize(l.parent, fyne.NewSize(720, 480)))
	c.dlg.SetOnClosed(func() {
		if l.connDlg == c {
			l.connDlg = nil
		}
		l.load()
	})
	l.connDlg = c
	c.dlg.Show()
	c.load()
}

func (c *connectionList) load() {
	st := c.l.w.d.Deliveries
	go func() {
		cs, err := st.Connections()
		c.l.w.do(func() {
			if err != nil {
				c.status.SetText(fmt.Sprintf("could not read the connections: %v", err))
				c.status.Show()
				return
			}
			c.conns = cs
			c.rows.Objects = nil
			if len(cs) == 0 {
				c.rows.Add(widgets.Caption("No connections yet."))
			}
			for _, x := range cs {
				x := x
				name := widget.NewLabelWithStyle(x.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
				desc := widgets.Caption(kindLabel(x.Kind) + " · " + x.Describe())
				edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { c.edit(x, false) })
				del := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { c.remove(x.Name) })
				del.Importance = widget.LowImportance
				c.rows.Add(container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(edit, del)),
					container.New(layout.NewCustomPaddedVBoxLayout(0), name, desc)))
				c.rows.Add(widget.NewSeparator())
			}
			c.rows.Refresh()
		})
	}()
}

func (c *connectionList) remove(name string) {
	st := c.l.w.d.Deliveries
	go func() {
		err := st.DeleteConnection(name)
		c.l.w.do(func() {
			if err != nil && !errors.Is(err, app.ErrNotFound) {
				c.status.SetText(fmt.Sprintf("could not delete connection %s: %v", name, err))
				c.status.Show()
				return
			}
			c.load()
		})
	}()
}

// kindLabel names a connection kind for people.
func kindLabel(kind string) string {
	switch kind {
	case app.AuthBasic:
		return "Basic auth"
	case app.AuthBearer:
		return "Bearer / OAuth token"
	case app.AuthAPIKeyHeader:
		return "API key in a header"
	case app.AuthAPIKeyQuery:
		return "API key in the query"
	}
	return "None"
}

// connectionEditor adds or edits one connection.
type connectionEditor struct {
	c     *connectionList
	isNew bool
	orig  app.Connection
	dlg   *dialog.CustomDialog

	name, username, prefix, keyName *widget.Entry
	kind                            *widget.Select
	password, token, keyValue       *secretField
	preview                         *widget.Label
	saveErr                         *widget.Label
	basicRows, bearerRows, keyRows  []fyne.CanvasObject
}

func (c *connectionList) edit(x app.Connection, isNew bool) *connectionEditor {
	w := c.l.w
	ed := &connectionEditor{c: c, isNew: isNew, orig: x}
	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	ed.name = widget.NewEntry()
	ed.name.SetText(x.Name)
	ed.name.SetPlaceHolder("e.g. zoho-crm")
	if !isNew {
		ed.name.Disable()
	}
	ed.username = widget.NewEntry()
	ed.username.SetText(x.Username)
	ed.password = newSecretField(w, x.Password, "Paste the password to replace it")
	ed.prefix = widget.NewEntry()
	ed.prefix.SetText(x.Prefix)
	ed.prefix.SetPlaceHolder("Bearer (e.g. Zoho-oauthtoken)")
	ed.token = newSecretField(w, x.Token, "Paste the token to replace it")
	ed.keyName = widget.NewEntry()
	ed.keyName.SetText(x.KeyName)
	ed.keyName.SetPlaceHolder("e.g. zapikey or X-API-Key")
	ed.keyValue = newSecretField(w, x.KeyValue, "Paste the key to replace it")
	ed.preview = widgets.Caption("")
	ed.saveErr = widgets.ErrorLabel()
	labels := make([]string, len(app.AuthKinds))
	for i, k := range app.AuthKinds {
		labels[i] = kindLabel(k)
	}
	ed.basicRows = []fyne.CanvasObject{label("Username"), ed.username, label("Password"), ed.password.root}
	ed.bearerRows = []fyne.CanvasObject{label("Prefix"), ed.prefix, label("Token"), ed.token.root}
	ed.keyRows = []fyne.CanvasObject{label("Key name"), ed.keyName, label("Key value"), ed.keyValue.root}
	ed.kind = widget.NewSelect(labels, func(string) { ed.kindChanged() })
	kind := x.Kind
	if kind == "" {
		kind = app.AuthNone
	}
	ed.kind.SetSelected(kindLabel(kind))
	objs := []fyne.CanvasObject{label("Name"), ed.name, label("Kind"), ed.kind}
	objs = append(objs, ed.basicRows...)
	objs = append(objs, ed.bearerRows...)
	objs = append(objs, ed.keyRows...)
	objs = append(objs, label("Adds"), ed.preview)
	form := container.New(layout.NewFormLayout(), objs...)
	title := "Edit connection " + x.Name
	if isNew {
		title = "New connection"
	}
	ed.dlg = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, ed.saveErr, nil, nil, container.NewPadded(form)), c.l.parent)
	cancel := widget.NewButton("Cancel", func() { ed.dlg.Hide() })
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), ed.doSave)
	save.Importance = widget.HighImportance
	ed.dlg.SetButtons([]fyne.CanvasObject{cancel, save})
	ed.dlg.Resize(fitSize(c.l.parent, fyne.NewSize(640, 420)))
	c.editor = ed
	ed.dlg.Show()
	return ed
}

func (ed *connectionEditor) kindValue() string {
	for _, k := range app.AuthKinds {
		if kindLabel(k) == ed.kind.Selected {
			return k
		}
	}
	return app.AuthNone
}

func (ed *connectionEditor) kindChanged() {
	k := ed.kindValue()
	widgets.ShowRow(k == app.AuthBasic, ed.basicRows...)
	widgets.ShowRow(k == app.AuthBearer, ed.bearerRows...)
	widgets.ShowRow(k == app.AuthAPIKeyHeader || k == app.AuthAPIKeyQuery, ed.keyRows...)
	ed.preview.SetText(ed.collect().Describe())
}

func (ed *connectionEditor) collect() app.Connection {
	x := app.Connection{Name: strings.TrimSpace(ed.name.Text), Kind: ed.kindValue()}
	switch x.Kind {
	case app.AuthBasic:
		x.Username, x.Password = strings.TrimSpace(ed.username.Text), ed.password.value
	case app.AuthBearer:
		x.Prefix, x.Token = strings.TrimSpace(ed.prefix.Text), ed.token.value
	case app.AuthAPIKeyHeader, app.AuthAPIKeyQuery:
		x.KeyName, x.KeyValue = strings.TrimSpace(ed.keyName.Text), ed.keyValue.value
	}
	return x
}

func (ed *connectionEditor) doSave() {
	x := ed.collect()
	if err := x.Validate(); err != nil {
		ed.saveErr.SetText(widgets.UpperFirst(err.Error()) + ".")
		ed.saveErr.Show()
		return
	}
	c, st := ed.c, ed.c.l.w.d.Deliveries
	go func() {
		var err error
		if ed.isNew {
			if _, gerr := st.Connection(x.Name); gerr == nil {
				err = fmt.Errorf("a connection named %s already exists: edit it, or pick another name", x.Name)
			}
		}
		if err == nil {
			err = st.PutConnection(x)
		}
		c.l.w.do(func() {
			if err != nil {
				ed.saveErr.SetText(widgets.UpperFirst(err.Error()) + ".")
				ed.saveErr.Show()
				return
			}
			ed.dlg.Hide()
			c.load()
		})
	}()
}
