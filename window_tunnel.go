package main

import (
	"path/filepath"
	"sync"

	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/ui"
)

// windowTunnel is the assembly's tunnel as the window's Public URL control
// uses it.
type windowTunnel struct{ h *Hooklens }

var _ ui.Tunnel = windowTunnel{}

func (t windowTunnel) Start(s tunnel.Settings, c tunnel.Credentials) error {
	return t.h.StartTunnel(s, c)
}
func (t windowTunnel) Stop()                           { t.h.StopTunnel() }
func (t windowTunnel) Status() tunnel.Status           { return t.h.TunnelStatus() }
func (t windowTunnel) OnStatus(fn func(tunnel.Status)) { t.h.OnTunnel(fn) }

// lazySecrets opens the tunnel secret store on first use, so asking the
// system keyring (up to a few seconds when it does not answer) never
// delays the window. With demo set the secrets go to the demo's temporary
// data dir: a demo neither reads the user's keyring nor keeps anything.
type lazySecrets struct {
	dir  string
	demo bool
	once sync.Once
	s    *tunnel.SecretStore
}

var _ tunnel.Secrets = (*lazySecrets)(nil)

func (l *lazySecrets) store() *tunnel.SecretStore {
	l.once.Do(func() {
		if l.demo {
			l.s = tunnel.OpenSecretsFile(l.dir)
		} else {
			l.s = tunnel.OpenSecrets(l.dir)
		}
	})
	return l.s
}

func (l *lazySecrets) Get(name string) (string, error) { return l.store().Get(name) }
func (l *lazySecrets) Set(name, value string) error    { return l.store().Set(name, value) }
func (l *lazySecrets) Delete(name string) error        { return l.store().Delete(name) }

// windowSecrets is the secret store for the window on h's data dir.
func windowSecrets(h *Hooklens, demo bool) *lazySecrets {
	return &lazySecrets{dir: filepath.Dir(h.Store.Path()), demo: demo}
}
