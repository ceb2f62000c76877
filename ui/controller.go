package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/dialogs"
	"github.com/hooklens/hooklens/ui/widgets"
)

// controller is the part of the window that calls the backend for the
// dialogs: it reads and writes the stores and the delivery queue off the
// UI goroutine, fills the dialogs with what it read and tells them how
// their saves went. The dialogs themselves (package dialogs) never touch
// the backend.
type controller struct {
	w *Window
	d Deps

	dash *dashboard // the Dashboard window while it is open

	teamStatus string        // what the team follower said last
	teamLabel  *widget.Label // the Team control's status line while it is open
	pubStatus  string        // what the team publisher said last, "" when not publishing
	pubTrouble bool          // something keeps events waiting to publish
	pubLabel   *widget.Label // the Team control's publishing line while it is open

	// The dialogs while they are open.
	epList     *dialogs.EndpointList
	epEditor   *dialogs.EndpointEditor
	tgList     *dialogs.TargetList
	tgEditor   *dialogs.TargetEditor
	tgParent   fyne.Window // the window the Targets dialog is over
	conns      []app.Connection
	connList   *dialogs.ConnectionList
	connEditor *dialogs.ConnectionEditor

	// The windows it opened, and the bulk resend.
	resendEd    *dialogs.ResendEditor // the latest Edit and resend window while it is open
	editors     map[*dialogs.ResendEditor]fyne.Window
	delivView   *deliveriesView // the Deliveries window while it is open
	bulkPick    *widget.Select  // the bulk resend's target picker
	bulkSummary string          // how the last bulk resend went

	fireUI fireState // the Fire window and the signal composer (fire.go)

	exportDlg fyne.CanvasObject // the Export dialog's content while it is open
	importBox *importBox        // the Import box while it is open
}

// fetch runs read off the UI goroutine and hands its result to done on it.
func fetch[T any](c *controller, read func() (T, error), done func(T, error)) {
	go func() {
		v, err := read()
		c.w.do(func() { done(v, err) })
	}()
}

// run runs op off the UI goroutine and hands its error to done on it.
func run(c *controller, op func() error, done func(error)) {
	fetch(c, func() (struct{}, error) { return struct{}{}, op() }, func(_ struct{}, err error) { done(err) })
}

// --- events ---------------------------------------------------------------------

// deleteEvent deletes event id (the window asked first) and updates the list.
func (c *controller) deleteEvent(id uint64) {
	w, store := c.w, c.d.Events
	run(c, func() error { return store.Delete(id) }, func(err error) {
		if err != nil && !errors.Is(err, app.ErrNotFound) {
			dialog.ShowError(fmt.Errorf("could not delete event %d: %w", id, err), w.win)
			return
		}
		w.removed(id)
	})
}

// deleteAll deletes every event (the window asked first), showing progress
// when it takes a while.
func (c *controller) deleteAll(total int) {
	w, store := c.w, c.d.Events
	done := w.busy(fmt.Sprintf("Deleting %s…", widgets.Plural(total, "event")))
	run(c, func() error { return store.DeleteAll() }, func(err error) {
		done()
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not clear the events: %w", err), w.win)
			return
		}
		w.cleared()
	})
}

// --- endpoints ------------------------------------------------------------------

// showEndpoints opens the Endpoints dialog.
func (c *controller) showEndpoints() {
	if c.d.Endpoints == nil {
		return
	}
	l := dialogs.NewEndpointList(c.d.Listener.URL(), c.w.win)
	l.OnAdd = func() { c.editEndpoint(app.Endpoint{}, true) }
	l.OnEdit = func(ep app.Endpoint) { c.editEndpoint(ep, false) }
	l.OnDelete = c.deleteEndpoint
	l.OnClosed = func() {
		if c.epList == l {
			c.epList = nil
		}
	}
	c.epList = l
	l.SetPublicURL(c.w.publicBase()) // per-endpoint public URLs (publicurl.go)
	l.Show()
	c.loadEndpoints()
}

// loadEndpoints reads the endpoints in a goroutine and lists them.
func (c *controller) loadEndpoints() {
	l, st := c.epList, c.d.Endpoints
	if l == nil {
		return
	}
	fetch(c, st.Endpoints, func(eps []app.Endpoint, err error) {
		if err != nil {
			l.SetStatus(fmt.Sprintf("could not read the endpoints: %v", err), true)
			return
		}
		l.Set(eps)
	})
}

// editEndpoint opens the editor on ep; isNew for an endpoint not yet saved
// (ep then holds whatever is known: a slug from the path, a detected scheme).
func (c *controller) editEndpoint(ep app.Endpoint, isNew bool) *dialogs.EndpointEditor {
	if c.d.Endpoints == nil {
		return nil
	}
	ed := dialogs.NewEndpointEditor(ep, isNew, c.d.Listener.URL(), c.w.win, c.w.do)
	ed.OnSave = func(ep app.Endpoint, isNew bool) { c.saveEndpoint(ed, ep, isNew) }
	ed.OnClosed = func() {
		if c.epEditor == ed {
			c.epEditor = nil
		}
	}
	c.epEditor = ed
	ed.Show()
	return ed
}

// saveEndpoint stores ep from ed, re-checks its events and says how it went.
func (c *controller) saveEndpoint(ed *dialogs.EndpointEditor, ep app.Endpoint, isNew bool) {
	eps, vs := c.d.Endpoints, c.d.Verdicts
	done := c.w.busy("Saving endpoint " + ep.Slug + " and re-checking its events…")
	go func() {
		changed, err := saveEndpoint(eps, vs, ep, isNew)
		c.w.do(func() {
			done()
			if err != nil {
				ed.Failed(err)
				return
			}
			ed.Saved()
			c.endpointsChanged(fmt.Sprintf("Saved endpoint %s; %s.", ep.Slug, changed))
		})
	}()
}

// deleteEndpoint deletes endpoint slug (the list asked first) and re-checks
// its events as requests to no endpoint.
func (c *controller) deleteEndpoint(slug string) {
	eps, vs := c.d.Endpoints, c.d.Verdicts
	done := c.w.busy("Deleting endpoint " + slug + " and re-checking its events…")
	go func() {
		changed, err := deleteEndpoint(eps, vs, slug)
		c.w.do(func() {
			done()
			if err != nil {
				dialog.ShowError(err, c.w.win)
				return
			}
			c.endpointsChanged(fmt.Sprintf("Deleted endpoint %s; %s.", slug, changed))
		})
	}()
}

// endpointsChanged refreshes everything that shows verdicts after an
// endpoint was saved or deleted.
func (c *controller) endpointsChanged(msg string) {
	c.w.loadSlugs()
	if c.w.closed {
		return
	}
	c.w.model.Reload()
	c.w.detail.reload()
	if c.epList != nil {
		c.epList.SetStatus(msg, false)
		c.loadEndpoints()
	}
}

// --- targets --------------------------------------------------------------------

// showTargets opens the Targets dialog over parent (the main window, or
// the Deliveries window).
func (c *controller) showTargets(parent fyne.Window) *dialogs.TargetList {
	if c.d.Queue == nil || c.d.Deliveries == nil {
		return nil
	}
	l := dialogs.NewTargetList(parent)
	l.OnAdd = func() { c.editTarget(app.Target{Enabled: true, Retry: app.DefaultRetry}, true) }
	l.OnEdit = func(t app.Target) { c.editTarget(t, false) }
	l.OnRetryFailed = c.retryFailed
	l.OnDelete = c.deleteTarget
	l.OnConnections = c.showConnections
	l.OnClosed = func() {
		if c.tgList == l {
			c.tgList = nil
		}
	}
	c.tgList, c.tgParent = l, parent
	l.Show()
	c.loadTargets()
	return l
}

// loadTargets reads the targets and connections and lists the targets.
func (c *controller) loadTargets() {
	l, st := c.tgList, c.d.Deliveries
	if l == nil {
		return
	}
	go func() {
		ts, err := st.Targets()
		var cs []app.Connection
		if err == nil {
			cs, err = st.Connections()
		}
		c.w.do(func() {
			if err != nil {
				l.SetStatus(fmt.Sprintf("could not read the targets: %v", err), true)
				return
			}
			c.conns = cs
			l.Set(ts)
		})
	}()
}

func (c *controller) editTarget(t app.Target, isNew bool) *dialogs.TargetEditor {
	ed := dialogs.NewTargetEditor(t, isNew, c.conns, c.tgParent, c.w.do)
	ed.OnSave = func(t app.Target) { c.saveTarget(ed, t) }
	ed.OnClosed = func() {
		if c.tgEditor == ed {
			c.tgEditor = nil
		}
	}
	c.tgEditor = ed
	ed.Show()
	return ed
}

func (c *controller) saveTarget(ed *dialogs.TargetEditor, t app.Target) {
	st := c.d.Deliveries
	go func() {
		err := st.PutTarget(&t)
		c.w.do(func() {
			if err != nil {
				ed.Failed(fmt.Errorf("could not save target %s: %w", t.Name, err))
				return
			}
			ed.Saved()
			if c.tgList != nil {
				c.tgList.SetStatus("Saved target "+t.Name+".", false)
				c.loadTargets()
			}
			if v := c.delivView; v != nil {
				v.loadTargets()
			}
		})
	}()
}

func (c *controller) retryFailed(t app.Target) {
	l, q := c.tgList, c.d.Queue
	go func() {
		n, err := q.RetryAllFailed(t.ID)
		c.w.do(func() {
			switch {
			case err != nil && n == 0:
				l.SetStatus(fmt.Sprintf("could not retry the failed deliveries to %s: %v", t.Name, err), true)
			case err != nil:
				l.SetStatus(fmt.Sprintf("Queued %s to %s again; some could not be: %v", widgets.Plural(n, "failed delivery"), t.Name, err), true)
			case n == 0:
				l.SetStatus(fmt.Sprintf("No failed deliveries to %s.", t.Name), false)
			default:
				l.SetStatus(fmt.Sprintf("Queued %s to %s again; follow them in Deliveries.", widgets.Plural(n, "failed delivery"), t.Name), false)
			}
		})
	}()
}

func (c *controller) deleteTarget(t app.Target) {
	l, st := c.tgList, c.d.Deliveries
	run(c, func() error { return st.DeleteTarget(t.ID) }, func(err error) {
		if err != nil {
			l.SetStatus(fmt.Sprintf("could not delete target %s: %v", t.Name, err), true)
			return
		}
		l.SetStatus("Deleted target "+t.Name+".", false)
		c.loadTargets()
	})
}

// --- connections ------------------------------------------------------------------

// showConnections opens the Connections dialog over the Targets dialog's window.
func (c *controller) showConnections() {
	parent := c.tgParent
	if parent == nil {
		parent = c.w.win
	}
	l := dialogs.NewConnectionList(parent)
	l.OnAdd = func() { c.editConnection(app.Connection{Kind: app.AuthBearer}, true) }
	l.OnEdit = func(x app.Connection) { c.editConnection(x, false) }
	l.OnDelete = c.deleteConnection
	l.OnClosed = func() {
		if c.connList == l {
			c.connList = nil
		}
		c.loadTargets()
	}
	c.connList = l
	l.Show()
	c.loadConnections()
}

func (c *controller) loadConnections() {
	l, st := c.connList, c.d.Deliveries
	if l == nil {
		return
	}
	fetch(c, st.Connections, func(cs []app.Connection, err error) {
		if err != nil {
			l.SetStatus(fmt.Sprintf("could not read the connections: %v", err), true)
			return
		}
		l.Set(cs)
	})
}

func (c *controller) editConnection(x app.Connection, isNew bool) *dialogs.ConnectionEditor {
	parent := c.tgParent
	if parent == nil {
		parent = c.w.win
	}
	ed := dialogs.NewConnectionEditor(x, isNew, parent, c.w.do)
	ed.OnSave = func(x app.Connection, isNew bool) { c.saveConnection(ed, x, isNew) }
	c.connEditor = ed
	ed.Show()
	return ed
}

func (c *controller) saveConnection(ed *dialogs.ConnectionEditor, x app.Connection, isNew bool) {
	st := c.d.Deliveries
	go func() {
		var err error
		if isNew {
			if _, gerr := st.Connection(x.Name); gerr == nil {
				err = fmt.Errorf("a connection named %s already exists: edit it, or pick another name", x.Name)
			}
		}
		if err == nil {
			err = st.PutConnection(x)
		}
		c.w.do(func() {
			if err != nil {
				ed.Failed(err)
				return
			}
			ed.Saved()
			c.loadConnections()
		})
	}()
}

func (c *controller) deleteConnection(name string) {
	st := c.d.Deliveries
	go func() {
		err := st.DeleteConnection(name)
		c.w.do(func() {
			if err != nil && !errors.Is(err, app.ErrNotFound) {
				if c.connList != nil {
					c.connList.SetStatus(fmt.Sprintf("could not delete connection %s: %v", name, err), true)
				}
				return
			}
			c.loadConnections()
		})
	}()
}

// --- edit and resend ----------------------------------------------------------

// keyResendURL remembers the last URL typed into the editor, for the next.
const keyResendURL = "resend.url"

// editAndResend opens the editor on e (nil for an empty request).
func (c *controller) editAndResend(e *app.Event) *dialogs.ResendEditor {
	if c.d.Queue == nil {
		return nil
	}
	last, _ := c.d.Settings.Setting(keyResendURL)
	ed := dialogs.NewResendEditor(e, last, c.w.do)
	ed.OnSend = func(d *app.Delivery, changed func(*app.Delivery), done func(*app.Delivery, error)) func() {
		if d.TargetID == "" {
			if err := c.d.Settings.SetSetting(keyResendURL, d.Request.URL); err != nil {
				fyne.LogError("remembering the resend URL", err)
			}
		}
		return c.sendTracked(d, changed, done)
	}
	ed.OnCancel = func(id uint64) {
		q := c.d.Queue
		go func() {
			if err := q.Cancel(id); err != nil {
				c.w.do(func() { ed.CancelFailed(err) })
			}
		}()
	}
	ed.OnClosed = func() {
		delete(c.editors, ed)
		if c.resendEd == ed {
			c.resendEd = nil
		}
	}
	title := "Compose a request — Hooklens"
	if e != nil {
		title = fmt.Sprintf("Edit and resend event #%s — %s %s — Hooklens", e.IDString(), e.Method, e.RequestURI())
	}
	win := c.w.app.NewWindow(title)
	win.SetContent(ed.Root)
	win.Resize(fyne.NewSize(1280, 840))
	win.SetOnClosed(ed.Closed)
	// Esc and the close button ask before throwing edits away.
	closeEd := func() {
		if ed.Edited() {
			dialogs.AskDiscard("The request", win.Close, win)
			return
		}
		win.Close()
	}
	win.SetCloseIntercept(closeEd)
	answerKeys(win, closeEd)
	win.Show()
	c.resendEd = ed
	if c.editors == nil {
		c.editors = map[*dialogs.ResendEditor]fyne.Window{}
	}
	c.editors[ed] = win
	win.Canvas().Focus(ed.URL)
	c.loadResendTargets(ed, e)
	return ed
}

// answerKeys gives win's keys to its dialogs (Enter, Esc) and, with no
// dialog open, Esc to onEscape (nil: nothing).
func answerKeys(win fyne.Window, onEscape func()) {
	c := win.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if dialogs.AnswerKey(c, ev) {
			return
		}
		if ev.Name == fyne.KeyEscape && onEscape != nil {
			onEscape()
		}
	})
}

// loadResendTargets reads the targets ed offers and, for an event that
// came through an endpoint, the endpoint's scheme and secret to sign with.
func (c *controller) loadResendTargets(ed *dialogs.ResendEditor, e *app.Event) {
	st, eps := c.d.Deliveries, c.d.Endpoints
	go func() {
		var ep app.Endpoint
		if e != nil && e.Endpoint != "" && eps != nil {
			ep, _ = eps.Endpoint(e.Endpoint) // none: unsigned, as before
		}
		var ts []app.Target
		var err error
		if st != nil {
			ts, err = st.Targets()
		}
		c.w.do(func() {
			if len(ep.Secrets) > 0 {
				name, _ := dialogs.SplitScheme(ep.Scheme)
				if name == "" {
					name = e.Verdict.Scheme // detected when it arrived
				}
				ed.SignAs(name, ep.Secrets[0])
			}
			if st == nil {
				ed.MarkLoaded()
				return
			}
			ed.SetTargets(ts, err)
		})
	}()
}
