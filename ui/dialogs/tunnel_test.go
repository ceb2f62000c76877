//go:build ci

package dialogs

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/crypto/ssh"

	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/ui/widgets"
)

func newTunnelEditor(t *testing.T, s tunnel.Settings, c tunnel.Credentials) (*TunnelEditor, *[]tunnel.Settings, *[]tunnel.Credentials) {
	t.Helper()
	test.NewTempApp(t)
	parent := test.NewWindow(nil)
	parent.Resize(fyne.NewSize(1000, 800))
	t.Cleanup(parent.Close)
	ed := NewTunnelEditor(s, c, parent, func(fn func()) { fn() })
	var ss []tunnel.Settings
	var cs []tunnel.Credentials
	ed.OnStart = func(s tunnel.Settings, c tunnel.Credentials) {
		ss = append(ss, s)
		cs = append(cs, c)
	}
	ed.Show()
	return ed, &ss, &cs
}

func typeInto(e *widgets.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

// wantRefused checks that Start showed tunnel.New's message for s and c
// under the field l, and did not call OnStart.
func wantRefused(t *testing.T, ed *TunnelEditor, l *widget.Label, started *[]tunnel.Settings, s tunnel.Settings, c tunnel.Credentials) {
	t.Helper()
	_, want := tunnel.New(s, c)
	if want == nil {
		t.Fatalf("tunnel.New accepts %+v", s)
	}
	if len(*started) != 0 {
		t.Errorf("OnStart called with %+v for settings tunnel.New refuses", *started)
	}
	if !l.Visible() || l.Text != widgets.UpperFirst(want.Error())+"." {
		t.Errorf("under the field: shown %v, %q; want %q", l.Visible(), l.Text, want.Error())
	}
}

func hostKey(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

func TestTunnelEditorRefusesABadManualURL(t *testing.T) {
	ed, started, _ := newTunnelEditor(t, tunnel.Settings{}, tunnel.Credentials{})
	if ed.Provider.Selected != "manual" || !ed.Shows(ed.PublicURL) || ed.Shows(ed.Server) {
		t.Fatalf("a fresh editor shows provider %q, URL field %v, server field %v", ed.Provider.Selected, ed.Shows(ed.PublicURL), ed.Shows(ed.Server))
	}
	typeInto(ed.PublicURL, "ftp://hooks.example.test")
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.URLErr, started, tunnel.Settings{Provider: "manual", PublicURL: "ftp://hooks.example.test"}, tunnel.Credentials{})

	typeInto(ed.PublicURL, "https://hooks.example.test/in")
	test.Tap(ed.StartButton)
	if ed.URLErr.Visible() || len(*started) != 1 || (*started)[0] != (tunnel.Settings{Provider: "manual", PublicURL: "https://hooks.example.test/in"}) {
		t.Errorf("after fixing the URL: error shown %v, started %+v", ed.URLErr.Visible(), *started)
	}
	if !ed.StartButton.Disabled() {
		t.Error("Start stays enabled while the tunnel is being started")
	}
	ed.Failed(errMsg("the listener is closed"))
	if ed.StartButton.Disabled() || !ed.FormErr.Visible() || ed.FormErr.Text != "The listener is closed." {
		t.Errorf("after Failed: start disabled %v, form error %q", ed.StartButton.Disabled(), ed.FormErr.Text)
	}
}

type errMsg string

func (e errMsg) Error() string { return string(e) }

func TestTunnelEditorPutsSSHErrorsUnderTheirField(t *testing.T) {
	ed, started, _ := newTunnelEditor(t, tunnel.Settings{}, tunnel.Credentials{})
	ed.Provider.SetSelected("ssh")
	if !ed.Shows(ed.Server) || !ed.Shows(ed.HostKey) || !ed.Shows(ed.KeyFile) || !ed.Shows(ed.RemotePort) || ed.Shows(ed.Domain) {
		t.Fatal("the ssh fields are not the ones shown")
	}
	key := hostKey(t)

	typeInto(ed.Server, "tunnel.example.test")
	typeInto(ed.KeyFile, "/home/u/.ssh/id_ed25519")
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.ServerErr, started, tunnel.Settings{Provider: "ssh", Server: "tunnel.example.test", KeyFile: "/home/u/.ssh/id_ed25519"}, tunnel.Credentials{})

	typeInto(ed.Server, "hooklens@tunnel.example.test:22")
	ed.HostKey.SetText("not a key")
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.HostKeyErr, started, tunnel.Settings{Provider: "ssh", Server: "hooklens@tunnel.example.test:22", KeyFile: "/home/u/.ssh/id_ed25519", HostKey: "not a key"}, tunnel.Credentials{})
	if ed.ServerErr.Visible() {
		t.Error("the server error stays after the server was fixed")
	}

	ed.HostKey.SetText(key)
	typeInto(ed.RemotePort, "70000")
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.PortErr, started, tunnel.Settings{Provider: "ssh", Server: "hooklens@tunnel.example.test:22", KeyFile: "/home/u/.ssh/id_ed25519", HostKey: key, RemotePort: 70000}, tunnel.Credentials{})

	typeInto(ed.RemotePort, "eighty")
	test.Tap(ed.StartButton)
	if !ed.PortErr.Visible() || !strings.Contains(ed.PortErr.Text, `"eighty" is not a number`) || len(*started) != 0 {
		t.Errorf("a port that is no number: %q, started %+v", ed.PortErr.Text, *started)
	}

	t.Setenv("SSH_AUTH_SOCK", "")
	typeInto(ed.RemotePort, "9022")
	typeInto(ed.KeyFile, "")
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.KeyErr, started, tunnel.Settings{Provider: "ssh", Server: "hooklens@tunnel.example.test:22", HostKey: key, RemotePort: 9022}, tunnel.Credentials{})
}

func TestTunnelEditorStartsSSHWithTheFormsValues(t *testing.T) {
	key := hostKey(t)
	// The editor opens on the last settings; RemoteHost, which it has no
	// field for, is kept.
	// Secrets of other providers are passed on as they were, so keeping
	// them loses none.
	ed, started, creds := newTunnelEditor(t, tunnel.Settings{Provider: "ssh", RemoteHost: "127.0.0.1", Domain: "left.over"}, tunnel.Credentials{NgrokAuthtoken: "2kept"})
	typeInto(ed.Server, "hooklens@tunnel.example.test:2222")
	typeInto(ed.KeyFile, "/home/u/.ssh/id_ed25519")
	test.Type(ed.Passphrase.Entry, "correct horse")
	ed.HostKey.SetText(key)
	typeInto(ed.RemotePort, "9022")
	typeInto(ed.PublicURL, "https://hooks.example.test")
	test.Tap(ed.StartButton)
	want := tunnel.Settings{Provider: "ssh", Server: "hooklens@tunnel.example.test:2222", KeyFile: "/home/u/.ssh/id_ed25519",
		HostKey: key, RemoteHost: "127.0.0.1", RemotePort: 9022, PublicURL: "https://hooks.example.test"}
	if len(*started) != 1 || (*started)[0] != want {
		t.Fatalf("started with %+v, want %+v", *started, want)
	}
	if (*creds)[0].KeyPassphrase != "correct horse" {
		t.Error("the key passphrase typed is not the one passed")
	}
	if (*creds)[0].NgrokAuthtoken != "2kept" {
		t.Error("the stored ngrok authtoken was dropped by starting an ssh tunnel")
	}
}

func TestTunnelEditorChisel(t *testing.T) {
	ed, started, creds := newTunnelEditor(t, tunnel.Settings{Provider: "chisel"}, tunnel.Credentials{})
	typeInto(ed.Server, "https://chisel.example.test")
	typeInto(ed.RemotePort, "9000")
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.FingerprintErr, started, tunnel.Settings{Provider: "chisel", Server: "https://chisel.example.test", RemotePort: 9000}, tunnel.Credentials{})

	typeInto(ed.Fingerprint, "rHb55mcxf6vSckL2AezFV09rLs7pfPpavVu++MF7AhQ=")
	test.Type(ed.Auth.Entry, "nouser")
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.AuthErr, started, tunnel.Settings{Provider: "chisel", Server: "https://chisel.example.test", RemotePort: 9000,
		Fingerprint: "rHb55mcxf6vSckL2AezFV09rLs7pfPpavVu++MF7AhQ="}, tunnel.Credentials{ChiselAuth: "nouser"})

	ed.Auth.Entry.SetText("")
	test.Type(ed.Auth.Entry, "hook:s3cret")
	test.Tap(ed.StartButton)
	if len(*started) != 1 || (*creds)[0].ChiselAuth != "hook:s3cret" || (*started)[0].Fingerprint != "rHb55mcxf6vSckL2AezFV09rLs7pfPpavVu++MF7AhQ=" {
		t.Fatalf("started with %+v %v", *started, *creds)
	}
	for _, o := range test.LaidOutObjects(ed.Auth.Root) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "s3cret") {
			t.Errorf("the chisel auth is shown unmasked: %q", l.Text)
		}
	}
}

func TestTunnelEditorNgrokNeedsAToken(t *testing.T) {
	t.Setenv("NGROK_AUTHTOKEN", "")
	ed, started, creds := newTunnelEditor(t, tunnel.Settings{Provider: "ngrok", Domain: "hooks-example.ngrok.app"}, tunnel.Credentials{})
	if ed.Domain.Text != "hooks-example.ngrok.app" || !ed.Shows(ed.Token.Root) || ed.Shows(ed.PublicURL) {
		t.Fatalf("ngrok form: domain %q, token shown %v, URL shown %v", ed.Domain.Text, ed.Shows(ed.Token.Root), ed.Shows(ed.PublicURL))
	}
	test.Tap(ed.StartButton)
	wantRefused(t, ed, ed.TokenErr, started, tunnel.Settings{Provider: "ngrok", Domain: "hooks-example.ngrok.app"}, tunnel.Credentials{})
	test.Type(ed.Token.Entry, "2abcdefghijklmnopqrstuvwxyz_0123456789")
	test.Tap(ed.StartButton)
	if len(*started) != 1 || (*creds)[0].NgrokAuthtoken != "2abcdefghijklmnopqrstuvwxyz_0123456789" || (*started)[0].Domain != "hooks-example.ngrok.app" {
		t.Fatalf("started with %+v %v", *started, *creds)
	}
}

func TestTunnelEditorSaysWhereToGetCloudflared(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	ed, started, _ := newTunnelEditor(t, tunnel.Settings{Provider: "cloudflared"}, tunnel.Credentials{})
	if !ed.CloudflaredNote.Visible() || !strings.Contains(ed.CloudflaredNote.Text, tunnel.CloudflaredDownload) {
		t.Errorf("note %v: %q", ed.CloudflaredNote.Visible(), ed.CloudflaredNote.Text)
	}
	test.Tap(ed.StartButton)
	if len(*started) != 1 || (*started)[0] != (tunnel.Settings{Provider: "cloudflared"}) {
		t.Errorf("started with %+v", *started)
	}
}
