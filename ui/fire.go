package ui

import (
	"fmt"

	"fyne.io/fyne/v2"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/ui/dialogs"
)

// Keys are the keys Hooklens signs fired events with when it plays the
// provider (signal.KeyStore): the SalesIQ pair and the SignalZen secret.
type Keys interface {
	Key(scheme string) (verify.Key, error)
}

// ownKeySchemes are the schemes Keys holds a key for.
var ownKeySchemes = []string{"salesiq", "signalzen"}

// fireState is the Fire window and the signal composer while they are open.
type fireState struct {
	fire    *dialogs.Fire
	fireWin fyne.Window
	sig     *dialogs.SignalComposer
	sigWin  fyne.Window
}

// showFire opens the Fire window (or brings it forward): the template
// library, the targets and Hooklens's own keys are read off the UI
// goroutine and handed to it; Send enqueues the delivery.
func (c *controller) showFire() *dialogs.Fire {
	if c.d.Queue == nil {
		return nil
	}
	if c.fireUI.fire != nil {
		c.fireUI.fireWin.RequestFocus()
		return c.fireUI.fire
	}
	tpls, err := signal.Builtin()
	if err != nil {
		c.w.top.showError(fmt.Errorf("the template library cannot be read: %w", err))
	}
	f := dialogs.NewFire(tpls, c.d.Listener.URL(), c.w.do)
	f.OnSend = func(d *app.Delivery) { c.enqueueFired(d, f.Sent, f.Failed) }
	f.OnComposeSignal = func() { c.showSignalComposer() }
	win := c.w.app.NewWindow("Fire a template — Hooklens")
	win.SetContent(f.Root)
	win.Resize(fyne.NewSize(1180, 820))
	win.SetOnClosed(func() { c.fireUI.fire, c.fireUI.fireWin = nil, nil })
	win.Show()
	c.fireUI.fire, c.fireUI.fireWin = f, win

	keys, st := c.d.Keys, c.d.Deliveries
	go func() {
		own := map[string]verify.Key{}
		var kerr error
		if keys != nil {
			for _, s := range ownKeySchemes {
				k, err := keys.Key(s)
				if err != nil {
					kerr = err
					continue
				}
				own[s] = k
			}
		}
		var ts []app.Target
		var terr error
		if st != nil {
			ts, terr = st.Targets()
		}
		c.w.do(func() {
			f.SetOwnKeys(own)
			f.SetTargets(ts)
			if kerr != nil {
				f.Failed(fmt.Errorf("hooklens's own keys cannot be read: %w", kerr))
			} else if terr != nil {
				f.Failed(fmt.Errorf("could not read the targets: %w", terr))
			}
		})
	}()
	return f
}

// showSignalComposer opens the Bigin signal composer (or brings it forward).
func (c *controller) showSignalComposer() *dialogs.SignalComposer {
	if c.d.Queue == nil {
		return nil
	}
	if c.fireUI.sig != nil {
		c.fireUI.sigWin.RequestFocus()
		return c.fireUI.sig
	}
	s := dialogs.NewSignalComposer(c.d.Listener.URL(), c.w.do)
	s.OnSend = func(d *app.Delivery) { c.enqueueFired(d, s.Sent, s.Failed) }
	s.OnOpen = c.w.openLink
	win := c.w.app.NewWindow("Bigin signal composer — Hooklens")
	win.SetContent(s.Root)
	win.Resize(fyne.NewSize(1180, 820))
	win.SetOnClosed(func() { c.fireUI.sig, c.fireUI.sigWin = nil, nil })
	win.Show()
	c.fireUI.sig, c.fireUI.sigWin = s, win
	if st := c.d.Deliveries; st != nil {
		fetch(c, st.Connections, func(cs []app.Connection, err error) {
			if err != nil {
				s.Failed(fmt.Errorf("could not read the connections: %w", err))
				return
			}
			s.SetConnections(cs)
		})
	}
	return s
}

// enqueueFired queues a fired delivery; it then shows in the Deliveries
// window like any other.
func (c *controller) enqueueFired(d *app.Delivery, sent func(*app.Delivery), failed func(error)) {
	q := c.d.Queue
	go func() {
		err := q.Enqueue(d)
		c.w.do(func() {
			if err != nil {
				failed(fmt.Errorf("could not queue the delivery: %w", err))
				return
			}
			sent(d)
		})
	}()
}
