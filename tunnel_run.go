package main

import (
	"context"
	"strings"
	"sync"

	"github.com/hooklens/hooklens/app/tunnel"
)

// tunnelRun is the assembly's public URL: one supervised tunnel at a time,
// its latest status, and who wants to hear about changes.
type tunnelRun struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	status feed[tunnel.Status]
}

// StartTunnel runs a tunnel to the listener with the given settings,
// replacing one that runs. It returns once the supervisor is started; the
// status (starting, reachable, reconnecting, ...) arrives through OnTunnel.
func (h *Hooklens) StartTunnel(s tunnel.Settings, c tunnel.Credentials) error {
	p, err := tunnel.New(s, c)
	if err != nil {
		return err
	}
	h.StopTunnel()
	ctx, cancel := context.WithCancel(context.Background())
	sup := &tunnel.Supervisor{
		Provider: p,
		Local:    tunnel.Local{Addr: h.Listener.Addr(), Logf: h.cfg.Logf},
		Prober:   h.Prober,
		OnStatus: h.tunnel.status.set,
	}
	done := make(chan struct{})
	h.tunnel.mu.Lock()
	h.tunnel.cancel, h.tunnel.done = cancel, done
	h.tunnel.mu.Unlock()
	go func() {
		defer close(done)
		sup.Run(ctx)
	}()
	return nil
}

// StopTunnel stops the tunnel, if one runs, and waits until whatever it
// started is reaped.
func (h *Hooklens) StopTunnel() {
	h.tunnel.mu.Lock()
	cancel, done := h.tunnel.cancel, h.tunnel.done
	h.tunnel.cancel, h.tunnel.done = nil, nil
	h.tunnel.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// OnTunnel calls fn with every tunnel status change, from the tunnel's
// goroutine.
func (h *Hooklens) OnTunnel(fn func(tunnel.Status)) { h.tunnel.status.listen(fn, false) }

// TunnelStatus is the latest status; State is "" when no tunnel ever ran.
func (h *Hooklens) TunnelStatus() tunnel.Status { return h.tunnel.status.latest() }

// PublicURL is the tunnel's public URL while one runs, "" otherwise: what
// schemes that sign the URL (Twilio) are judged against.
func (h *Hooklens) PublicURL() string {
	st := h.TunnelStatus()
	if st.State == tunnel.Stopped || st.State == tunnel.Failed {
		return ""
	}
	return strings.TrimSuffix(st.PublicURL, "/")
}
