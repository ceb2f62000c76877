package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

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

	keys, st, settings := c.d.Keys, c.d.Deliveries, c.d.Settings
	go func() {
		mine, errs := userTemplates(settings)
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
			f.AddTemplates(mine)
			if len(errs) > 0 {
				c.w.top.showError(errors.Join(errs...))
			}
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

// --- user templates ------------------------------------------------------------

// User templates are kept in the settings store as their file form (JSON)
// under keyUserTemplate+name, with the names listed under keyUserTemplates.
const (
	keyUserTemplates = "templates.user"
	keyUserTemplate  = "templates.user."
)

// userTemplates reads the saved templates; one that no longer reads is
// skipped with its reason.
func userTemplates(st app.SettingStore) ([]signal.Template, []error) {
	names, err := userTemplateNames(st)
	if err != nil {
		return nil, []error{err}
	}
	var out []signal.Template
	var errs []error
	for _, n := range names {
		s, err := st.Setting(keyUserTemplate + n)
		if err != nil {
			errs = append(errs, fmt.Errorf("saved template %s: %w", n, err))
			continue
		}
		t, err := signal.Decode([]byte(s))
		if err != nil {
			errs = append(errs, fmt.Errorf("saved template %s: %w", n, err))
			continue
		}
		out = append(out, t)
	}
	return out, errs
}

func userTemplateNames(st app.SettingStore) ([]string, error) {
	s, err := st.Setting(keyUserTemplates)
	if errors.Is(err, app.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the saved templates: %w", err)
	}
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, fmt.Errorf("the list of saved templates cannot be read (%v): save a template again to start a new list", err)
	}
	return names, nil
}

// putUserTemplate saves t (checked) and lists its name.
func putUserTemplate(st app.SettingStore, t signal.Template) error {
	if err := t.Check(); err != nil {
		return err
	}
	b, err := t.MarshalJSON()
	if err != nil {
		return err
	}
	names, err := userTemplateNames(st)
	if err != nil {
		names = nil
	}
	if !slices.Contains(names, t.Name) {
		names = append(names, t.Name)
	}
	list, _ := json.Marshal(names)
	if err := st.SetSetting(keyUserTemplate+t.Name, string(b)); err != nil {
		return fmt.Errorf("saving template %s: %w", t.Name, err)
	}
	if err := st.SetSetting(keyUserTemplates, string(list)); err != nil {
		return fmt.Errorf("saving template %s: %w", t.Name, err)
	}
	return nil
}

// saveAsTemplate asks for a name and saves captured event id as a template
// (signal.FromEvent), listed under My templates in the Fire window.
func (c *controller) saveAsTemplate(id uint64) {
	fetch(c, func() (*app.Event, error) { return c.d.Events.Event(id) }, func(e *app.Event, err error) {
		if err != nil {
			c.w.top.showError(fmt.Errorf("could not read event %d: %w", id, err))
			return
		}
		typ := app.EventType(e)
		if typ == "" {
			typ = "request"
		}
		suggest := "my." + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
				return r
			}
			return '_'
		}, typ)
		check := func(name string) error { return signal.FromEvent(e, name).Check() }
		dialogs.NewSaveTemplate(suggest, check, func(name string) {
			t := signal.FromEvent(e, name)
			st := c.d.Settings
			run(c, func() error { return putUserTemplate(st, t) }, func(err error) {
				if err != nil {
					c.w.top.showError(fmt.Errorf("could not save the template: %w", err))
					return
				}
				c.w.top.addNotice(fmt.Sprintf("Saved event %s as template %s: find it under %s in Fire.", e.IDString(), name, signal.SavedProvider))
			})
		}, c.w.win).Show()
	})
}
