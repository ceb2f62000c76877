//go:build ci

package ui

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/crypto/ssh"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/capture"
	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/store"
)

// supervisedTunnel is a real tunnel behind the window's Tunnel interface:
// tunnel.New's provider run by a tunnel.Supervisor whose probes go through
// the listener's Prober, as the assembly in package main runs it.
type supervisedTunnel struct {
	addr   string
	prober *tunnel.Prober

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	status tunnel.Status
	subs   []func(tunnel.Status)
}

func (t *supervisedTunnel) Start(s tunnel.Settings, c tunnel.Credentials) error {
	p, err := tunnel.New(s, c)
	if err != nil {
		return err
	}
	t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	sup := &tunnel.Supervisor{Provider: p, Local: tunnel.Local{Addr: t.addr}, Prober: t.prober, OnStatus: t.set,
		Settle: 2 * time.Second, MinBackoff: 500 * time.Millisecond, StartTimeout: 10 * time.Second}
	done := make(chan struct{})
	t.mu.Lock()
	t.cancel, t.done = cancel, done
	t.mu.Unlock()
	go func() {
		defer close(done)
		sup.Run(ctx)
	}()
	return nil
}

func (t *supervisedTunnel) Stop() {
	t.mu.Lock()
	cancel, done := t.cancel, t.done
	t.cancel, t.done = nil, nil
	t.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

func (t *supervisedTunnel) Status() tunnel.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status
}

func (t *supervisedTunnel) OnStatus(fn func(tunnel.Status)) {
	t.mu.Lock()
	t.subs = append(t.subs, fn)
	t.mu.Unlock()
}

func (t *supervisedTunnel) set(st tunnel.Status) {
	t.mu.Lock()
	t.status = st
	subs := slices.Clone(t.subs)
	t.mu.Unlock()
	for _, fn := range subs {
		fn(st)
	}
}

type tunnelHarness struct {
	*harness
	tun     *supervisedTunnel
	secrets *tunnel.SecretStore
	dir     string
}

// newTunnelHarness is a window on a real store and listener with a real
// tunnel behind its Public URL control; secrets go to a file in the data dir.
func newTunnelHarness(t *testing.T) *tunnelHarness {
	t.Helper()
	h := &harness{t: t, app: test.NewTempApp(t), q: &uiQueue{}}
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	prober := tunnel.NewProber()
	srv := capture.New(st, st, capture.Config{Addr: "127.0.0.1:0", Intercept: prober.Intercept})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	h.st, h.srv = st, srv
	th := &tunnelHarness{harness: h, tun: &supervisedTunnel{addr: srv.Addr(), prober: prober}, secrets: tunnel.OpenSecretsFile(dir), dir: dir}
	t.Cleanup(th.tun.Stop)
	th.openWindow()
	return th
}

func (th *tunnelHarness) openWindow() {
	d := Deps{Events: th.st, Settings: th.st, Listener: th.srv, Endpoints: th.st, Verdicts: th.st, Tunnel: th.tun, TunnelSecrets: th.secrets}
	th.w = newWindow(th.app, d, th.q.do)
	th.w.win.Resize(fyne.NewSize(1280, 800))
	w := th.w
	th.t.Cleanup(func() {
		if !w.closed {
			w.win.Close()
		}
	})
	th.pumpUntil("the first count", func() bool { return w.model.counted })
}

func (th *tunnelHarness) state() tunnel.State { return th.w.pub.ctl.Status().State }

// openSettings taps Tunnel… and waits for the dialog.
func (th *tunnelHarness) openSettings() {
	th.t.Helper()
	test.Tap(th.w.pub.ctl.Setup)
	th.pumpUntil("the tunnel settings dialog", func() bool { return th.w.pub.ed != nil })
}

func TestPublicURLStartsAManualTunnelAndProvesItReachable(t *testing.T) {
	th := newTunnelHarness(t)
	ctl := th.w.pub.ctl
	if ctl.Toggle.Text != "Start" || ctl.Provider.Text != "none" {
		t.Fatalf("before any tunnel: %q, provider %q", ctl.Toggle.Text, ctl.Provider.Text)
	}
	// Start without settings asks for them.
	test.Tap(ctl.Toggle)
	th.pumpUntil("the tunnel settings dialog", func() bool { return th.w.pub.ed != nil })
	ed := th.w.pub.ed

	// The listener's own URL reaches it: the probe must come back.
	own := strings.TrimSuffix(th.srv.URL(), "/")
	test.Type(ed.PublicURL, own)
	test.Tap(ed.StartButton)
	th.stepUntil("starting", func() bool { return th.state() == tunnel.Starting })
	if ctl.Light.Color != "hooklens.orange" || ctl.Toggle.Text != "Stop" {
		t.Errorf("starting: light %s, toggle %q", ctl.Light.Color, ctl.Toggle.Text)
	}
	th.pumpUntil("reachable", func() bool { return th.state() == tunnel.Reachable })
	if ctl.URL.Text != own || !strings.HasPrefix(ctl.StatusLine.Text, "Reachable at "+own+" (round trip ") || ctl.Light.Color != "hooklens.green" {
		t.Errorf("reachable: URL %q, status %q, light %s", ctl.URL.Text, ctl.StatusLine.Text, ctl.Light.Color)
	}
	if th.w.pub.ed != nil {
		t.Error("the settings dialog stays open after the tunnel started")
	}
	// 127.0.0.1:PORT has a port: SalesIQ would refuse it, and the window says so.
	if !strings.HasPrefix(ctl.Quirks.Text, "SalesIQ will refuse this URL") || !ctl.Quirks.Visible() {
		t.Errorf("SalesIQ quirk: %q", ctl.Quirks.Text)
	}
	if n, _ := th.st.Count(); n != 0 {
		t.Errorf("the probes were recorded as %d events", n)
	}

	raw, err := th.st.Setting(keyTunnel)
	if err != nil {
		t.Fatal(err)
	}
	var saved tunnel.Settings
	if err := json.Unmarshal([]byte(raw), &saved); err != nil || saved != (tunnel.Settings{Provider: "manual", PublicURL: own}) {
		t.Errorf("saved settings %s (%v)", raw, err)
	}

	// The Endpoints dialog lists each endpoint's public URL while the tunnel runs.
	if err := th.st.PutEndpoint(app.Endpoint{Slug: "shop"}); err != nil {
		t.Fatal(err)
	}
	th.w.ctl.showEndpoints()
	th.pumpUntil("the endpoint list", func() bool { return th.w.ctl.epList != nil && th.w.ctl.epList.Loaded() })
	list := th.w.ctl.epList
	if !shows(list.Rows, own+"/shop") {
		t.Errorf("the Endpoints dialog does not show %s/shop", own)
	}

	test.Tap(ctl.Toggle)
	th.pumpUntil("stopped", func() bool { return th.state() == tunnel.Stopped })
	if ctl.Toggle.Text != "Start" || ctl.Light.Color != "hooklens.grey" {
		t.Errorf("stopped: toggle %q, light %s", ctl.Toggle.Text, ctl.Light.Color)
	}
	if list.PublicURLOf(app.Endpoint{Slug: "shop"}) != "" || shows(list.Rows, own+"/shop") {
		t.Error("the Endpoints dialog still lists a public URL after the tunnel stopped")
	}

	// A new window starts the saved tunnel with one click.
	th.w.win.Close()
	th.openWindow()
	if th.w.pub.ctl.Provider.Text != "manual" {
		t.Errorf("the reopened window shows provider %q", th.w.pub.ctl.Provider.Text)
	}
	test.Tap(th.w.pub.ctl.Toggle)
	th.pumpUntil("reachable again", func() bool { return th.state() == tunnel.Reachable })
}

// shows reports whether a visible label under o reads text.
func shows(o fyne.CanvasObject, text string) bool {
	found := false
	walk(o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok && l.Visible() && l.Text == text {
			found = true
		}
	})
	return found
}

func TestPublicURLSaysWhenTheURLDoesNotReachHooklens(t *testing.T) {
	th := newTunnelHarness(t)
	th.openSettings()
	ed := th.w.pub.ed
	// Nothing listens there: the probe cannot arrive.
	test.Type(ed.PublicURL, "http://127.0.0.1:1")
	test.Tap(ed.StartButton)
	th.pumpUntil("unreachable", func() bool { return th.state() == tunnel.Unreachable })
	ctl := th.w.pub.ctl
	if ctl.Light.Color != "hooklens.red" || !strings.HasPrefix(ctl.StatusLine.Text, "Unreachable") || !strings.Contains(ctl.StatusLine.Text, "got no answer") {
		t.Errorf("unreachable: light %s, status %q", ctl.Light.Color, ctl.StatusLine.Text)
	}
}

func TestPublicURLReconnectsAndKeepsSecretsOutOfTheSettings(t *testing.T) {
	th := newTunnelHarness(t)
	th.openSettings()
	ed := th.w.pub.ed
	ed.Provider.SetSelected("ssh")
	test.Type(ed.Server, "hooklens@127.0.0.1:1")
	// A real key, encrypted with the passphrase typed below; nothing
	// listens at port 1, so every start fails and the tunnel reconnects.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("correct horse battery"))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(th.dir, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	test.Type(ed.KeyFile, keyFile)
	test.Type(ed.Passphrase.Entry, "correct horse battery")
	ed.HostKey.SetText("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")
	test.Tap(ed.StartButton)
	th.pumpUntil("reconnecting", func() bool { return th.state() == tunnel.Reconnecting })
	ctl := th.w.pub.ctl
	if !strings.HasPrefix(ctl.StatusLine.Text, "Reconnecting (attempt 1, next in ") || !strings.Contains(ctl.StatusLine.Text, "cannot reach the ssh server 127.0.0.1:1") ||
		ctl.Light.Color != "hooklens.orange" || ctl.Toggle.Text != "Stop" {
		t.Errorf("reconnecting: status %q, light %s, toggle %q", ctl.StatusLine.Text, ctl.Light.Color, ctl.Toggle.Text)
	}
	th.pumpUntil("attempt 2", func() bool { return th.state() == tunnel.Reconnecting && ctl.Status().Attempt == 2 })
	if !strings.Contains(ctl.StatusLine.Text, "attempt 2") {
		t.Errorf("the status line did not follow: %q", ctl.StatusLine.Text)
	}

	raw, _ := th.st.Setting(keyTunnel)
	if strings.Contains(raw, "correct horse") || !strings.Contains(raw, `"provider":"ssh"`) {
		t.Errorf("saved settings %s", raw)
	}
	if v, err := th.secrets.Get(tunnel.SecretKeyPassphrase); err != nil || v != "correct horse battery" {
		t.Errorf("passphrase in the secret store: %q, %v", v, err)
	}
	fi, err := os.Stat(filepath.Join(th.dir, tunnel.SecretsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file: %v %v", fi, err)
	}
	test.Tap(ctl.Toggle)
	th.pumpUntil("stopped", func() bool { return th.state() == tunnel.Stopped })

	// The dialog opens again on what was kept, the passphrase included.
	th.openSettings()
	ed = th.w.pub.ed
	if ed.Provider.Selected != "ssh" || ed.Server.Text != "hooklens@127.0.0.1:1" || ed.Passphrase.Value() != "correct horse battery" {
		t.Errorf("reopened dialog: %q %q passphrase kept %v", ed.Provider.Selected, ed.Server.Text, ed.Passphrase.Value() != "")
	}
}
