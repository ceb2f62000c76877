package dialogs

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/ui/widgets"
)

// TunnelEditor is the tunnel settings dialog: a provider picker over
// tunnel.Providers and the fields the chosen one needs. Start checks the
// form with tunnel.New (the check every door applies, connecting nowhere)
// and hands valid settings and credentials to OnStart; the caller keeps
// them (secrets only in the secret store) and starts the tunnel, then
// answers with Started or Failed. The form's parts are exported so tests
// can type into them.
type TunnelEditor struct {
	OnStart  func(tunnel.Settings, tunnel.Credentials)
	OnClosed func()

	Provider *widget.Select
	// PublicURL serves manual, ssh and chisel; Server and RemotePort ssh
	// and chisel.
	PublicURL, Domain, Cloudflared, Server, KeyFile, HostKey, Fingerprint, RemotePort *widgets.Entry
	// The secrets, masked: ngrok's authtoken, chisel's user:pass, the ssh
	// key's passphrase.
	Token, Auth, Passphrase *widgets.Secret
	StartButton             *widget.Button
	// About says what the chosen provider does; CloudflaredNote where to
	// get cloudflared when it is not found.
	About, CloudflaredNote *widget.Label
	// The ...Err labels say what is wrong with a field; FormErr with the
	// rest or with the start.
	URLErr, DomainErr, TokenErr, CloudflaredErr, ServerErr, KeyErr, HostKeyErr, FingerprintErr, AuthErr, PortErr, FormErr *widget.Label

	orig   tunnel.Settings
	parent fyne.Window
	do     func(func())
	dlg    *dialog.CustomDialog
	rows   map[string][]fyne.CanvasObject // provider -> the rows it shows
	all    []fyne.CanvasObject
	rowOf  map[fyne.CanvasObject]fyne.CanvasObject // field -> its row

	secretsNote *widget.Label
}

// NewTunnelEditor builds the dialog over parent on the settings and
// credentials last used (zero values for none). do runs a function on the
// UI goroutine.
func NewTunnelEditor(s tunnel.Settings, c tunnel.Credentials, parent fyne.Window, do func(func())) *TunnelEditor {
	ed := &TunnelEditor{orig: s, parent: parent, do: do}
	content := ed.build(s, c)
	ed.dlg = dialog.NewCustomWithoutButtons("Public URL: tunnel settings", content, parent)
	cancel := widget.NewButton("Cancel", func() { ed.dlg.Hide() })
	ed.StartButton = widget.NewButtonWithIcon("Start tunnel", theme.MediaPlayIcon(), ed.Start)
	ed.StartButton.Importance = widget.HighImportance
	ed.dlg.SetButtons([]fyne.CanvasObject{cancel, ed.StartButton})
	ed.dlg.SetOnClosed(func() {
		if ed.OnClosed != nil {
			ed.OnClosed()
		}
	})
	ed.dlg.Resize(FitSize(parent, fyne.NewSize(680, 560)))
	return ed
}

// Show opens the dialog.
func (ed *TunnelEditor) Show() {
	ed.dlg.Show()
	Answer(ed.parent, ed.Start, ed.dlg.Hide)
}

// Hide closes the dialog.
func (ed *TunnelEditor) Hide() { ed.dlg.Hide() }

// Started closes the dialog once the caller started the tunnel.
func (ed *TunnelEditor) Started() { ed.dlg.Hide() }

// Failed shows why the tunnel could not be started and lets the user try again.
func (ed *TunnelEditor) Failed(err error) {
	ed.StartButton.Enable()
	showFailure(ed.FormErr, nil, err)
}

func (ed *TunnelEditor) build(s tunnel.Settings, c tunnel.Credentials) fyne.CanvasObject {
	errs := []**widget.Label{&ed.URLErr, &ed.DomainErr, &ed.TokenErr, &ed.CloudflaredErr, &ed.ServerErr, &ed.KeyErr,
		&ed.HostKeyErr, &ed.FingerprintErr, &ed.AuthErr, &ed.PortErr, &ed.FormErr}
	for _, e := range errs {
		*e = widgets.ErrorLabel()
	}
	entry := func(text, placeholder string) *widgets.Entry {
		e := widgets.NewEntry()
		e.SetText(text)
		e.SetPlaceHolder(placeholder)
		return e
	}
	ed.PublicURL = entry(s.PublicURL, "")
	ed.Domain = entry(s.Domain, "optional reserved domain, e.g. hooks-example.ngrok.app")
	ed.Cloudflared = entry(s.Cloudflared, "cloudflared on PATH")
	ed.Cloudflared.OnChanged = func(string) { ed.checkCloudflared() }
	ed.Server = entry(s.Server, "")
	ed.KeyFile = entry(s.KeyFile, "e.g. ~/.ssh/id_ed25519 (empty: the ssh agent)")
	ed.HostKey = widgets.NewMultiLineEntry()
	ed.HostKey.SetText(s.HostKey)
	ed.HostKey.SetPlaceHolder("ssh-ed25519 AAAA… (ssh-keyscan -t ed25519 HOST, without the host name)")
	ed.HostKey.Wrapping = fyne.TextWrapBreak
	ed.HostKey.TextStyle = fyne.TextStyle{Monospace: true}
	ed.HostKey.SetMinRowsVisible(2)
	ed.Fingerprint = entry(s.Fingerprint, "as 'chisel server' prints it at start: Fingerprint …=")
	port := ""
	if s.RemotePort != 0 {
		port = strconv.Itoa(s.RemotePort)
	}
	ed.RemotePort = entry(port, "")
	ed.Token = widgets.NewSecretInput(c.NgrokAuthtoken, "Paste your ngrok authtoken", ed.do)
	ed.Auth = widgets.NewSecretInput(c.ChiselAuth, "user:pass, if the server asks for one", ed.do)
	ed.Passphrase = widgets.NewSecretInput(c.KeyPassphrase, "only for an encrypted key", ed.do)
	ed.CloudflaredNote = widgets.Caption("")
	ed.CloudflaredNote.Wrapping = fyne.TextWrapWord
	ed.CloudflaredNote.Importance = widget.WarningImportance
	ed.CloudflaredNote.Hide()

	ed.rowOf = map[fyne.CanvasObject]fyne.CanvasObject{}
	row := func(label *widget.Label, field fyne.CanvasObject, below ...fyne.CanvasObject) fyne.CanvasObject {
		right := container.NewVBox(append([]fyne.CanvasObject{field}, below...)...)
		r := container.NewBorder(nil, nil, widgets.FixedWidth(120, container.NewVBox(label)), nil, right)
		ed.all = append(ed.all, r)
		ed.rowOf[field] = r
		return r
	}
	serverRow := row(widgets.FormLabel("Server"), ed.Server, ed.ServerErr)
	keyRow := row(widgets.FormLabel("Key file"), ed.KeyFile, ed.KeyErr)
	passRow := row(widgets.FormLabel("Passphrase"), ed.Passphrase.Root)
	hostKeyRow := row(widgets.FormLabel("Host key"), ed.HostKey, ed.HostKeyErr)
	tokenRow := row(widgets.FormLabel("Authtoken"), ed.Token.Root, ed.TokenErr)
	domainRow := row(widgets.FormLabel("Domain"), ed.Domain, ed.DomainErr)
	cfRow := row(widgets.FormLabel("cloudflared"), ed.Cloudflared, ed.CloudflaredNote, ed.CloudflaredErr)
	authRow := row(widgets.FormLabel("Auth"), ed.Auth.Root, ed.AuthErr)
	fpRow := row(widgets.FormLabel("Fingerprint"), ed.Fingerprint, ed.FingerprintErr)
	portRow := row(widgets.FormLabel("Remote port"), ed.RemotePort, ed.PortErr)
	urlRow := row(widgets.FormLabel("Public URL"), ed.PublicURL, ed.URLErr)
	ed.rows = map[string][]fyne.CanvasObject{
		"manual":      {urlRow},
		"ngrok":       {tokenRow, domainRow},
		"cloudflared": {cfRow},
		"ssh":         {serverRow, keyRow, passRow, hostKeyRow, portRow, urlRow},
		"chisel":      {serverRow, authRow, fpRow, portRow, urlRow},
	}

	ed.About = widget.NewLabel("")
	ed.About.Wrapping = fyne.TextWrapWord
	ed.Provider = widget.NewSelect(tunnel.Providers, func(string) { ed.providerChanged() })
	ed.secretsNote = widgets.Caption("Secrets (authtoken, auth, passphrase) are kept in the system keyring, or in a file only you can read, never in the settings.")
	ed.secretsNote.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(container.NewBorder(nil, nil, widgets.FixedWidth(120, widgets.FormLabel("Provider")), nil, ed.Provider), ed.About)
	// Shared rows (server, port, URL) sit where every provider using them
	// wants them: in the order created.
	for _, r := range ed.all {
		form.Add(r)
	}
	form.Add(ed.FormErr)
	form.Add(ed.secretsNote)
	sel := strings.ToLower(strings.TrimSpace(s.Provider))
	if sel == "" || !contains(tunnel.Providers, sel) {
		sel = "manual"
	}
	ed.Provider.SetSelected(sel)
	return container.NewVScroll(form)
}

// Shows reports whether field (an entry, a secret's Root) is offered for
// the chosen provider.
func (ed *TunnelEditor) Shows(field fyne.CanvasObject) bool {
	r, ok := ed.rowOf[field]
	return ok && r.Visible()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// about says what each provider is, in a sentence.
var about = map[string]string{
	"manual":      "Your own reverse proxy or port forward already leads to this listener: give the URL the internet reaches it at. Hooklens sends a probe through it to prove it.",
	"ngrok":       "An ngrok endpoint through ngrok's own library, with your authtoken; a reserved domain keeps the URL the same on every start.",
	"cloudflared": "A cloudflared quick tunnel: no account needed, a new https://….trycloudflare.com URL on every start.",
	"ssh":         "A remote forward on your own SSH server (user@host:port), its host key pinned. The server must allow remote forwarding (and GatewayPorts for a public address).",
	"chisel":      "A reverse tunnel to your own chisel server, its fingerprint pinned; the server listens on the remote port.",
}

func (ed *TunnelEditor) providerChanged() {
	p := ed.Provider.Selected
	ed.About.SetText(about[p])
	for _, r := range ed.all {
		r.Hide()
	}
	for _, r := range ed.rows[p] {
		r.Show()
	}
	ed.clearErrors()
	if ed.secretsNote != nil {
		ed.secretsNote.Hidden = p == "manual" || p == "cloudflared"
		ed.secretsNote.Refresh()
	}
	switch p {
	case "manual":
		ed.PublicURL.SetPlaceHolder("https://hooks.example.com")
	case "ssh":
		ed.PublicURL.SetPlaceHolder("optional: the URL in front of the remote port (default http://host:port)")
		ed.Server.SetPlaceHolder("user@host:port, e.g. hooklens@tunnel.example.com:22")
		ed.RemotePort.SetPlaceHolder("0: the server picks one")
	case "chisel":
		ed.PublicURL.SetPlaceHolder("optional: the URL in front of the remote port (default http://host:port)")
		ed.Server.SetPlaceHolder("https://chisel.example.com or chisel.example.com:8080")
		ed.RemotePort.SetPlaceHolder("the port the server listens on, e.g. 9000")
	case "cloudflared":
		ed.checkCloudflared()
	}
	ed.PublicURL.Refresh()
	ed.Server.Refresh()
	ed.RemotePort.Refresh()
}

// checkCloudflared says where to get cloudflared when it is not found.
func (ed *TunnelEditor) checkCloudflared() {
	prog := strings.TrimSpace(ed.Cloudflared.Text)
	where := "is not on PATH"
	if prog == "" {
		prog = "cloudflared"
	} else {
		where = "is not at " + prog
	}
	if _, err := exec.LookPath(prog); err == nil {
		ed.CloudflaredNote.Hide()
		return
	}
	ed.CloudflaredNote.SetText("cloudflared " + where + " (it is not in Debian's packages): download it from " + tunnel.CloudflaredDownload + ", then give its path here.")
	ed.CloudflaredNote.Show()
}

func (ed *TunnelEditor) clearErrors() {
	for _, l := range []*widget.Label{ed.URLErr, ed.DomainErr, ed.TokenErr, ed.CloudflaredErr, ed.ServerErr, ed.KeyErr,
		ed.HostKeyErr, ed.FingerprintErr, ed.AuthErr, ed.PortErr, ed.FormErr} {
		l.Hide()
	}
}

// Values are the settings the form holds now, only the chosen provider's
// fields, and every secret the form holds (of any provider, so a caller
// that keeps them loses none by switching providers).
func (ed *TunnelEditor) Values() (tunnel.Settings, tunnel.Credentials, error) {
	p := ed.Provider.Selected
	s := tunnel.Settings{Provider: p}
	c := tunnel.Credentials{NgrokAuthtoken: ed.Token.Value(), ChiselAuth: ed.Auth.Value(), KeyPassphrase: ed.Passphrase.Value()}
	trim := func(e *widgets.Entry) string { return strings.TrimSpace(e.Text) }
	switch p {
	case "manual":
		s.PublicURL = trim(ed.PublicURL)
	case "ngrok":
		s.Domain = trim(ed.Domain)
	case "cloudflared":
		s.Cloudflared = trim(ed.Cloudflared)
	case "ssh", "chisel":
		s.Server, s.PublicURL = trim(ed.Server), trim(ed.PublicURL)
		if p == "ssh" {
			s.KeyFile, s.HostKey = trim(ed.KeyFile), trim(ed.HostKey)
		} else {
			s.Fingerprint = trim(ed.Fingerprint)
		}
		if ed.orig.Provider == p {
			s.RemoteHost = ed.orig.RemoteHost
		}
		if txt := trim(ed.RemotePort); txt != "" {
			n, err := strconv.Atoi(txt)
			if err != nil {
				return s, c, fieldError{ed.PortErr, fmt.Errorf("the remote port %q is not a number: give 1-65535", txt)}
			}
			s.RemotePort = n
		}
	}
	return s, c, nil
}

type fieldError struct {
	l   *widget.Label
	err error
}

func (e fieldError) Error() string { return e.err.Error() }

// Start checks the form with tunnel.New and, when it passes, hands the
// values to OnStart; otherwise it shows tunnel.New's message under the
// field it is about.
func (ed *TunnelEditor) Start() {
	ed.clearErrors()
	s, c, err := ed.Values()
	if err == nil {
		_, err = tunnel.New(s, c)
	}
	if err != nil {
		l := ed.FormErr
		if fe, ok := err.(fieldError); ok {
			l = fe.l
		} else if f := ed.fieldFor(s.Provider, err.Error()); f != nil {
			l = f
		}
		showFailure(l, nil, err)
		return
	}
	ed.StartButton.Disable()
	if ed.OnStart != nil {
		ed.OnStart(s, c)
	}
}

// fieldFor is the error label of the field tunnel.New's message msg is
// about, nil when it is about none in particular.
func (ed *TunnelEditor) fieldFor(provider, msg string) *widget.Label {
	m := strings.ToLower(msg)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(m, w) {
				return true
			}
		}
		return false
	}
	switch provider {
	case "manual":
		return ed.URLErr
	case "ngrok":
		switch {
		case has("authtoken"):
			return ed.TokenErr
		case has("domain"):
			return ed.DomainErr
		}
	case "cloudflared":
		return ed.CloudflaredErr
	case "ssh":
		switch {
		case has("remote port"):
			return ed.PortErr
		case has("host key"):
			return ed.HostKeyErr
		case has("key file", "agent", "ssh key"):
			return ed.KeyErr
		case has("public url"):
			return ed.URLErr
		case has("ssh server"):
			return ed.ServerErr
		}
	case "chisel":
		switch {
		case has("fingerprint"):
			return ed.FingerprintErr
		case has("port the server"):
			return ed.PortErr
		case has("public url"):
			return ed.URLErr
		case has("chisel server"):
			return ed.ServerErr
		case has("auth"):
			return ed.AuthErr
		}
	}
	return nil
}
