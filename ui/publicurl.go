package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/ui/dialogs"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Tunnel is the assembly's public URL as the window uses it: start one
// tunnel (replacing one that runs), stop it, and follow its status.
type Tunnel interface {
	// Start checks the settings and starts the tunnel; the status
	// (starting, reachable, reconnecting, ...) arrives through OnStatus.
	Start(tunnel.Settings, tunnel.Credentials) error
	// Stop stops the tunnel, waiting until what it started is reaped.
	Stop()
	Status() tunnel.Status
	// OnStatus calls fn with every status change, from any goroutine.
	OnStatus(fn func(tunnel.Status))
}

// keyTunnel is the settings key of the chosen provider and its settings
// (tunnel.Settings as JSON; never a secret).
const keyTunnel = "tunnel.settings"

// publicURL is the window's Public URL: the control in the top bar, the
// tunnel settings dialog, and the calls to the tunnel and the secret
// store, always off the UI goroutine.
type publicURL struct {
	w      *Window
	t      Tunnel
	keys   tunnel.Secrets // nil: secrets are used but not kept
	ctl    *widgets.PublicURL
	ed     *dialogs.TunnelEditor // while open
	saved  tunnel.Settings
	hasSet bool // settings were saved before
}

// addPublicURL puts the Public URL control under bar when the window has a
// tunnel (Deps.Tunnel); without one it returns bar unchanged.
func (w *Window) addPublicURL(bar fyne.CanvasObject) fyne.CanvasObject {
	if w.d.Tunnel == nil {
		return bar
	}
	p := &publicURL{w: w, t: w.d.Tunnel, keys: w.d.TunnelSecrets, ctl: widgets.NewPublicURL(w.do)}
	w.pub = p
	p.saved, p.hasSet = p.load()
	if p.hasSet {
		p.ctl.SetProvider(p.saved.Provider)
	}
	p.ctl.OnStart = p.start
	p.ctl.OnStop = p.stop
	p.ctl.OnSetup = p.showSettings
	p.t.OnStatus(func(st tunnel.Status) {
		p.ctl.Set(st)
		w.do(func() {
			if l := w.ctl.epList; l != nil {
				l.SetPublicURL(w.publicBase())
			}
		})
	})
	if st := p.t.Status(); st.State != "" {
		p.ctl.Set(st)
	}
	return container.NewVBox(bar, p.ctl.Root)
}

// load reads the saved tunnel settings; ok is false when there are none.
func (p *publicURL) load() (s tunnel.Settings, ok bool) {
	raw, err := p.w.d.Settings.Setting(keyTunnel)
	if err != nil {
		if !errors.Is(err, app.ErrNotFound) {
			p.w.top.showError(fmt.Errorf("reading the tunnel settings: %w", err))
		}
		return s, false
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		p.w.top.showError(fmt.Errorf("the saved tunnel settings cannot be read (%v): choose them again with Tunnel…", err))
		return tunnel.Settings{}, false
	}
	return s, true
}

// credentials reads the tunnel secrets; call it off the UI goroutine (a
// keyring can take a while to answer).
func (p *publicURL) credentials() (tunnel.Credentials, error) {
	if p.keys == nil {
		return tunnel.Credentials{}, nil
	}
	c, err := tunnel.LoadCredentials(p.keys)
	if err != nil {
		return tunnel.Credentials{}, fmt.Errorf("reading the tunnel secrets: %w", err)
	}
	return c, nil
}

// start starts the tunnel with the saved settings, or asks for settings
// when there are none yet.
func (p *publicURL) start() {
	if !p.hasSet {
		p.showSettings()
		return
	}
	s := p.saved
	go func() {
		c, err := p.credentials()
		if err == nil {
			err = p.t.Start(s, c)
		}
		if err != nil {
			p.w.do(func() {
				p.w.top.showError(fmt.Errorf("could not start the %s tunnel: %w; change its settings with Tunnel…", s.Provider, err))
			})
		}
	}()
}

func (p *publicURL) stop() { go p.t.Stop() }

// showSettings opens the tunnel settings dialog on the saved settings and
// secrets.
func (p *publicURL) showSettings() {
	if p.ed != nil {
		return
	}
	s := p.saved
	go func() {
		c, err := p.credentials()
		p.w.do(func() {
			if p.w.closed || p.ed != nil {
				return
			}
			ed := dialogs.NewTunnelEditor(s, c, p.w.win, p.w.do)
			ed.OnStart = func(s tunnel.Settings, c tunnel.Credentials) { p.saveAndStart(ed, s, c) }
			ed.OnClosed = func() {
				if p.ed == ed {
					p.ed = nil
				}
			}
			p.ed = ed
			ed.Show()
			if err != nil {
				ed.Failed(err)
			}
		})
	}()
}

// saveAndStart keeps the settings (secrets in the secret store only) and
// starts the tunnel, telling ed how it went.
func (p *publicURL) saveAndStart(ed *dialogs.TunnelEditor, s tunnel.Settings, c tunnel.Credentials) {
	store, keys, t := p.w.d.Settings, p.keys, p.t
	go func() {
		err := saveTunnel(store, keys, s, c)
		if err == nil {
			err = t.Start(s, c)
		}
		p.w.do(func() {
			if err != nil {
				ed.Failed(err)
				return
			}
			p.saved, p.hasSet = s, true
			p.ctl.SetProvider(s.Provider)
			ed.Started()
		})
	}()
}

// saveTunnel keeps s as JSON under keyTunnel and c in keys.
func saveTunnel(store app.SettingStore, keys tunnel.Secrets, s tunnel.Settings, c tunnel.Credentials) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encoding the tunnel settings: %w", err)
	}
	if err := store.SetSetting(keyTunnel, string(b)); err != nil {
		return fmt.Errorf("saving the tunnel settings: %w", err)
	}
	if keys != nil {
		if err := tunnel.SaveCredentials(keys, c); err != nil {
			return fmt.Errorf("keeping the tunnel secrets: %w", err)
		}
	}
	return nil
}

// publicBase is the tunnel's public URL while one runs, "" otherwise.
func (w *Window) publicBase() string {
	if w.pub == nil || !w.pub.ctl.Running() {
		return ""
	}
	return strings.TrimSuffix(w.pub.ctl.Status().PublicURL, "/")
}
