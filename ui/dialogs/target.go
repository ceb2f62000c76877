package dialogs

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
	"github.com/hooklens/hooklens/ui/widgets"
)

// Choices in the target editor.
const (
	EnvProduction  = "Production"
	EnvSandbox     = "Sandbox"
	unsignedScheme = "unsigned"
	noConnection   = "none"
)

// TargetEditor adds or edits one target. Save checks the form and
// app.Target.Validate and hands a valid target to OnSave; the caller stores
// it and answers with Saved or Failed. The form's parts are exported so
// tests can type into them.
type TargetEditor struct {
	OnSave   func(t app.Target)
	OnClosed func()

	Name, ProdURL, SandboxURL, Options, Retries *widgets.Entry
	Timeout, Delay                              *widgets.DurationEntry
	Env                                         *widget.RadioGroup
	Scheme, Connection                          *widget.Select
	Secret                                      *widgets.Secret
	Headers                                     *widgets.HeaderEditor
	Backoff, Enabled                            *widget.Check
	SaveButton                                  *widget.Button
	URLErr, SignErr, RetryErr, HeadErr, SaveErr *widget.Label

	isNew  bool
	orig   app.Target
	conns  []app.Connection
	parent fyne.Window
	do     func(func())
	dlg    *formDialog

	envBadge    *widgets.Badge
	disabledWhy *widget.Label
	connInfo    *widget.Label
	optRow      fyne.CanvasObject
}

// NewTargetEditor builds the editor on t over parent; conns are the
// connections the target may take its credentials from.
func NewTargetEditor(t app.Target, isNew bool, conns []app.Connection, parent fyne.Window, do func(func())) *TargetEditor {
	ed := &TargetEditor{isNew: isNew, orig: t, conns: conns, parent: parent, do: do}
	title := "Edit target " + t.Name
	if isNew {
		title = "New target"
	}
	ed.dlg, ed.SaveButton = editorDialog(title, ed.build(), ed.save, fyne.NewSize(780, 760), parent)
	ed.dlg.SetOnClosed(func() { call(ed.OnClosed) })
	return ed
}

// Show opens the editor on its name.
func (ed *TargetEditor) Show() {
	ed.dlg.Show()
	ed.parent.Canvas().Focus(ed.Name)
}

// Saved closes the editor after the caller stored the target.
func (ed *TargetEditor) Saved() { ed.dlg.Hide() }

// Failed says why the target could not be stored.
func (ed *TargetEditor) Failed(err error) { showFailure(ed.SaveErr, ed.SaveButton, err) }

func (ed *TargetEditor) build() fyne.CanvasObject {
	t := ed.orig
	ed.URLErr, ed.SignErr, ed.RetryErr, ed.HeadErr, ed.SaveErr = widgets.ErrorLabel(), widgets.ErrorLabel(),
		widgets.ErrorLabel(), widgets.ErrorLabel(), widgets.ErrorLabel()

	ed.Name = widgets.NewEntry()
	ed.Name.SetPlaceHolder("e.g. Local app, Acme production")
	ed.Name.SetText(t.Name)

	ed.ProdURL = widgets.NewEntry()
	ed.ProdURL.TextStyle = fyne.TextStyle{Monospace: true}
	ed.ProdURL.SetPlaceHolder("https://api.example.com/webhooks")
	ed.ProdURL.SetText(t.URL)
	ed.SandboxURL = widgets.NewEntry()
	ed.SandboxURL.TextStyle = fyne.TextStyle{Monospace: true}
	ed.SandboxURL.SetPlaceHolder("https://sandbox.example.com/webhooks (optional)")
	ed.SandboxURL.SetText(t.SandboxURL)
	ed.envBadge = widgets.NewEnvBadge()
	ed.Env = widget.NewRadioGroup([]string{EnvProduction, EnvSandbox}, func(s string) {
		widgets.SetEnv(ed.envBadge, app.Target{UseSandbox: s == EnvSandbox})
	})
	ed.Env.Horizontal = true
	ed.Env.Required = true
	if t.UseSandbox {
		ed.Env.SetSelected(EnvSandbox)
	} else {
		ed.Env.SetSelected(EnvProduction)
	}
	envHint := widgets.Caption("Sends go to the URL switched on here; the badge shows it wherever the target is picked.")
	envHint.Wrapping = fyne.TextWrapWord

	name, opts := SplitScheme(t.Scheme)
	ed.Options = widgets.NewEntry()
	ed.Options.SetText(opts)
	ed.optRow = container.NewVBox(ed.Options, widgets.Caption("Options change the scheme's defaults, separated by ';' (key=value)."))
	key := t.Secret
	if verify.UsesPublicKey(name) {
		key = t.PrivateKey
	}
	ed.Secret = widgets.NewSecretInput(key, "Paste the signing secret (or private key) to replace it", ed.do)
	gen := widget.NewButtonWithIcon("Generate", theme.ViewRefreshIcon(), ed.generate)
	gen.Importance = widget.LowImportance
	ed.Secret.Beside(gen)
	ed.Scheme = widget.NewSelect(append([]string{unsignedScheme}, verify.Schemes()...), func(s string) {
		hint, ok := optionHints[s]
		ed.Options.SetPlaceHolder(hint)
		widgets.ShowRow(ok, ed.optRow)
		widgets.ShowRow(s != unsignedScheme, ed.Secret.Root)
	})
	if name == "" {
		name = unsignedScheme
	}
	ed.Scheme.SetSelected(name)

	ed.Headers = widgets.NewHeaderEditor(t.Headers, "Add header")

	ed.Timeout = widgets.NewDurationEntry("timeout")
	ed.Timeout.SetPlaceHolder(app.FormatDuration(app.DefaultTimeout))
	ed.Timeout.SetDuration(t.Timeout)
	ed.Retries = widgets.NewEntry()
	ed.Retries.SetText(strconv.Itoa(t.Retry.Retries))
	ed.Delay = widgets.NewDurationEntry("delay")
	ed.Delay.SetPlaceHolder("1m")
	ed.Delay.SetDuration(t.Retry.Delay)
	ed.Backoff = widget.NewCheck("Back off: double the delay after each retry, with jitter", nil)
	ed.Backoff.SetChecked(t.Retry.Backoff)
	retryRow := container.NewHBox(widget.NewLabel("Retries"), widgets.FixedWidth(60, ed.Retries),
		widget.NewLabel("Delay"), widgets.FixedWidth(90, ed.Delay), widget.NewLabel("Timeout"), widgets.FixedWidth(90, ed.Timeout))

	ed.Enabled = widget.NewCheck("Enabled: resends may go to this target", nil)
	ed.Enabled.SetChecked(t.Enabled)
	ed.disabledWhy = widget.NewLabel("")
	ed.disabledWhy.Importance = widget.DangerImportance
	ed.disabledWhy.Wrapping = fyne.TextWrapWord
	ed.disabledWhy.Hide()
	if !t.Enabled && t.DisabledReason != "" {
		ed.disabledWhy.SetText("Disabled: " + t.DisabledReason + ". Tick Enabled to send to it again.")
		ed.disabledWhy.Show()
	}

	connNames := []string{noConnection}
	for _, c := range ed.conns {
		connNames = append(connNames, c.Name)
	}
	ed.connInfo = widgets.Caption("")
	ed.Connection = widget.NewSelect(connNames, func(s string) {
		ed.connInfo.SetText("")
		for _, c := range ed.conns {
			if c.Name == s {
				ed.connInfo.SetText("Adds " + c.Describe())
			}
		}
	})
	if t.Connection != "" {
		ed.Connection.SetSelected(t.Connection)
	} else {
		ed.Connection.SetSelected(noConnection)
	}

	label := widgets.FormLabel
	form := container.New(layout.NewFormLayout(),
		label("Name"), ed.Name,
		label("Production URL"), ed.ProdURL,
		label("Sandbox URL"), ed.SandboxURL,
		label("Send to"), container.NewVBox(container.NewHBox(ed.Env, container.NewCenter(ed.envBadge)), envHint, ed.URLErr),
		label("Signing"), container.NewVBox(ed.Scheme, ed.optRow, ed.Secret.Root, ed.SignErr),
		label("Extra headers"), container.NewVBox(ed.Headers.Root, container.NewHBox(ed.Headers.Add), ed.HeadErr),
		label("Connection"), container.NewVBox(ed.Connection, ed.connInfo),
		label("Retry policy"), container.NewVBox(retryRow, ed.Backoff, ed.RetryErr),
		label("State"), container.NewVBox(ed.Enabled, ed.disabledWhy),
	)
	return container.NewBorder(nil, ed.SaveErr, nil, nil, container.NewVScroll(container.NewPadded(form)))
}

// generate makes a new signing key from crypto/rand; for the public-key
// schemes it hands over the public half for the receiver.
func (ed *TargetEditor) generate() {
	name := ed.Scheme.Selected
	if name == unsignedScheme || name == "" {
		name = "hmac"
	}
	k, err := verify.GenerateKey(name)
	if err != nil {
		ed.SignErr.SetText(err.Error())
		ed.SignErr.Show()
		return
	}
	ed.Secret.Set(k.Secret)
	ed.Secret.SetShown(true) // it must be copied to the receiver
	if k.PublicKey != "" {
		msg := widget.NewLabel("Give the receiver this public key to check the signatures with:")
		pub := widgets.NewMultiLineEntry()
		pub.SetText(k.PublicKey)
		pub.Wrapping = fyne.TextWrapBreak
		cp := widgets.NewCopyButton("Copy public key", func() string { return k.PublicKey }, ed.do)
		d := dialog.NewCustom("Public key", "Done", container.NewBorder(msg, container.NewHBox(cp), nil, nil, pub), ed.parent)
		d.Resize(FitSize(ed.parent, fyne.NewSize(560, 300)))
		d.Show()
		Answer(ed.parent, d.Hide, d.Hide)
	}
}

// collect validates the form, marks what is wrong and returns the target.
func (ed *TargetEditor) collect() (app.Target, bool) {
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
	t.Name = strings.TrimSpace(ed.Name.Text)
	t.URL = strings.TrimSpace(ed.ProdURL.Text)
	t.SandboxURL = strings.TrimSpace(ed.SandboxURL.Text)
	t.UseSandbox = ed.Env.Selected == EnvSandbox
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
	mark(ed.URLErr, urlErr)

	t.Scheme, t.Secret, t.PrivateKey = "", "", ""
	var signErr error
	if s := ed.Scheme.Selected; s != unsignedScheme && s != "" {
		t.Scheme = joinScheme(s, ed.Options.Text)
		if verify.UsesPublicKey(s) {
			t.PrivateKey = ed.Secret.Value()
		} else {
			t.Secret = ed.Secret.Value()
		}
		if t.Name == "" {
			t.Name = "target" // Signing names the target in its errors
		}
		_, signErr = t.Signing()
		t.Name = strings.TrimSpace(ed.Name.Text)
	}
	mark(ed.SignErr, signErr)

	h, err := ed.Headers.Headers()
	mark(ed.HeadErr, err)
	t.Headers = h

	var problems []string
	if t.Timeout, err = ed.Timeout.Duration(0); err != nil {
		problems = append(problems, err.Error())
	}
	n, err := strconv.Atoi(strings.TrimSpace(ed.Retries.Text))
	if err != nil || n < 0 || n > 100 {
		problems = append(problems, fmt.Sprintf("retries %q is not a count from 0 to 100", ed.Retries.Text))
	}
	t.Retry.Retries = n
	if t.Retry.Delay, err = ed.Delay.Duration(time.Minute); err != nil {
		problems = append(problems, err.Error())
	}
	t.Retry.Backoff = ed.Backoff.Checked
	if len(problems) > 0 {
		mark(ed.RetryErr, errors.New(strings.Join(problems, "; ")))
	} else {
		mark(ed.RetryErr, nil)
	}

	if ed.Enabled.Checked && !t.Enabled {
		t.DisabledReason = "" // turned back on by the user
	}
	t.Enabled = ed.Enabled.Checked
	t.Connection = ""
	if c := ed.Connection.Selected; c != noConnection {
		t.Connection = c
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	if t.Name == "" {
		ed.SaveErr.SetText("Give the target a name.")
		ed.SaveErr.Show()
		return t, false
	}
	return t, ok
}

func (ed *TargetEditor) save() {
	t, ok := ed.collect()
	if !ok {
		if !ed.SaveErr.Visible() {
			ed.SaveErr.SetText("Fix the fields marked in red, then save again.")
			ed.SaveErr.Show()
		}
		return
	}
	if err := t.Validate(); err != nil {
		showFailure(ed.SaveErr, nil, err)
		return
	}
	ed.SaveErr.Hide()
	if ed.OnSave == nil {
		return
	}
	ed.SaveButton.Disable()
	ed.OnSave(t)
}
