package ui

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/dialogs"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// --- the banner under the top bar ------------------------------------------------

// flash is the line under the top bar that follows the latest quick resend:
// what is happening to it, then how it ended, with a way to its attempts.
type flash struct {
	w     *Window
	id    uint64 // delivery followed, 0 before it is stored
	box   *fyne.Container
	badge *widgets.Badge
	text  *widget.Label
	show  *widget.Button
}

func newFlash(w *Window) *flash {
	f := &flash{w: w}
	f.badge = widgets.NewStateBadge()
	f.text = widget.NewLabel("")
	f.text.Wrapping = fyne.TextWrapWord // a long reason wraps rather than being cut
	f.show = widget.NewButtonWithIcon("Show in Deliveries", theme.ListIcon(), func() {
		if v := w.ctl.showDeliveries(); v != nil && f.id != 0 {
			v.selectID(f.id)
		}
	})
	f.show.Importance = widget.LowImportance
	closeBtn := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { f.box.Hide() })
	closeBtn.Importance = widget.LowImportance
	f.box = container.NewStack(widgets.NewThemedRect(hltheme.Panel, 0), container.NewBorder(nil, nil,
		container.NewCenter(f.badge), container.NewHBox(f.show, closeBtn), f.text))
	f.box.Hide()
	return f
}

// set shows text with the state of delivery d (nil while it is being stored).
func (f *flash) set(d *app.Delivery, text string) {
	if d != nil {
		widgets.SetState(f.badge, d.State)
		f.badge.Show()
	} else {
		f.badge.Hide()
	}
	f.text.SetText(text)
	f.box.Show()
}

// describe says how a delivery stands, in one line.
func describe(d *app.Delivery, what string) string {
	switch d.State {
	case app.Pending:
		n := len(d.Attempts)
		if n > 0 && time.Until(d.NextAttemptAt) > 100*time.Millisecond {
			return fmt.Sprintf("%s: attempt %d %s; attempt %d at %s", what, n, outcomeText(d.Last()), n+1, d.NextAttemptAt.Local().Format("15:04:05"))
		}
		return fmt.Sprintf("%s: sending… attempt %d", what, n+1)
	case app.Delivered:
		a := d.Last()
		return fmt.Sprintf("%s: delivered — %d %s in %s", what, a.Status, http.StatusText(a.Status), app.FormatElapsed(a.Duration))
	}
	return what + ": " + app.StateText(d.State, d.Reason)
}

func outcomeText(a *app.Attempt) string {
	if a == nil {
		return ""
	}
	if a.Status == 0 {
		return "got no response"
	}
	return fmt.Sprintf("got %d", a.Status)
}

// --- following a send ------------------------------------------------------------

// sendTracked runs q.Send for d in a goroutine, calling changed (on the UI
// goroutine) with each stored change and done when Send returns. stop gives
// the delivery over to the background queue.
func (c *controller) sendTracked(d *app.Delivery, changed func(*app.Delivery), done func(*app.Delivery, error)) (stop func()) {
	w := c.w
	q := w.d.Queue
	mark := time.Now()
	d.CreatedAt = mark
	var mine uint64 // touched only by the subscription's goroutine
	cancelSub := q.Subscribe(func(x *app.Delivery) {
		if mine == 0 && x.CreatedAt.Equal(mark) {
			mine = x.ID
		}
		if mine == 0 || x.ID != mine {
			return
		}
		w.do(func() { changed(x) })
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		err := q.Send(ctx, d)
		cancelSub()
		w.do(func() { done(d, err) })
	}()
	return cancel
}

// --- the Resend menu ---------------------------------------------------------------

// resendMenu offers the event's quick resends: to each target, or to a URL
// typed now; and the editor.
func (c *controller) resendMenu(e *app.Event, at fyne.Position) {
	w := c.w
	st := w.d.Deliveries
	go func() {
		ts, err := st.Targets()
		w.do(func() {
			if err != nil {
				w.top.showError(fmt.Errorf("reading the targets: %w", err))
			}
			var items []*fyne.MenuItem
			for _, t := range ts {
				t := t
				u, _ := t.ActiveURL()
				label := fmt.Sprintf("To %s — %s · %s", t.Name, strings.ToUpper(t.Environment()), app.RedactURL(u))
				it := fyne.NewMenuItem(label, func() { c.quickResend(e, &t, "") })
				if !t.Enabled {
					it.Label = fmt.Sprintf("To %s — disabled: %s", t.Name, t.DisabledReason)
					it.Disabled = true
				}
				it.Icon = theme.MailForwardIcon()
				items = append(items, it)
			}
			if len(ts) == 0 {
				none := fyne.NewMenuItem("No targets yet", nil)
				none.Disabled = true
				items = append(items, none)
			}
			items = append(items,
				fyne.NewMenuItem("To a URL…", func() { c.askResendURL(e) }),
				fyne.NewMenuItemSeparator(),
				fyne.NewMenuItem("Edit and resend…", func() { c.editAndResend(e) }),
				fyne.NewMenuItem("Manage targets…", func() { c.showTargets(w.win) }),
			)
			widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), w.win.Canvas(), at)
		})
	}()
}

// askResendURL asks for a URL and resends e there as it was captured.
func (c *controller) askResendURL(e *app.Event) {
	w := c.w
	entry := widget.NewEntry()
	entry.TextStyle = fyne.TextStyle{Monospace: true}
	entry.SetPlaceHolder("http://localhost:3000/webhooks")
	if last, err := w.d.Settings.Setting(keyResendURL); err == nil {
		entry.SetText(last)
	}
	entry.Validator = func(s string) error { return app.CheckURL(strings.TrimSpace(s)) }
	d := dialog.NewForm("Resend event #"+e.IDString()+" to a URL", "Resend", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("URL", entry)}, func(ok bool) {
			if !ok {
				return
			}
			u := strings.TrimSpace(entry.Text)
			if err := w.d.Settings.SetSetting(keyResendURL, u); err != nil {
				fyne.LogError("remembering the resend URL", err)
			}
			c.quickResend(e, nil, u)
		}, w.win)
	d.Resize(dialogs.FitSize(w.win, fyne.NewSize(620, 180)))
	d.Show()
}

// quickResend sends e as captured to target t, or to url when t is nil,
// and follows it in the banner.
func (c *controller) quickResend(e *app.Event, t *app.Target, url string) {
	w := c.w
	var d *app.Delivery
	what := fmt.Sprintf("Event #%s to %s", e.IDString(), url)
	if t != nil {
		var err error
		if d, err = t.Resend(e); err != nil {
			w.top.flash.set(nil, widgets.UpperFirst(err.Error()))
			return
		}
		what = fmt.Sprintf("Event #%s to %s (%s)", e.IDString(), t.Name, strings.ToUpper(t.Environment()))
	} else {
		d = app.Resend(e, url)
	}
	f := w.top.flash
	f.id = 0
	f.set(nil, what+": sending…")
	c.sendTracked(d, func(x *app.Delivery) {
		f.id = x.ID
		f.set(x, describe(x, what))
	}, func(x *app.Delivery, err error) {
		if x.ID == 0 {
			f.set(nil, what+": not sent — "+err.Error())
			return
		}
		f.id = x.ID
		f.set(x, describe(x, what))
	})
}

// --- bulk ----------------------------------------------------------------------

// bulkMenu offers resending the selected event or every event the filter
// matches to a target.
func (c *controller) bulkMenu(at fyne.Position) {
	w := c.w
	n := w.model.Len()
	all := fmt.Sprintf("Resend all %s to a target…", widgets.Plural(n, "event"))
	if w.applied != "" {
		all = fmt.Sprintf("Resend all %s matching '%s' to a target…", widgets.Plural(n, "event"), w.applied)
	}
	sel := fyne.NewMenuItem("Resend the selected event to a target…", func() { c.askBulk([]uint64{w.selID}, "the selected event") })
	sel.Disabled = w.selID == 0
	allItem := fyne.NewMenuItem(all, func() { c.askBulk(nil, widgets.Plural(n, "event")) })
	allItem.Disabled = n == 0
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", sel, allItem), w.win.Canvas(), at)
}

// askBulk picks a target, then resends ids (nil: every event matching the
// filter in effect) to it.
func (c *controller) askBulk(ids []uint64, what string) {
	w := c.w
	st := w.d.Deliveries
	go func() {
		ts, err := st.Targets()
		w.do(func() {
			if err != nil {
				w.top.showError(fmt.Errorf("reading the targets: %w", err))
				return
			}
			var opts []string
			byOpt := map[string]app.Target{}
			for _, t := range ts {
				if t.Enabled {
					opts = append(opts, dialogs.TargetOption(t))
					byOpt[dialogs.TargetOption(t)] = t
				}
			}
			if len(opts) == 0 {
				dialog.ShowInformation("No target to resend to", "Add an enabled target first (Targets in the top bar).", w.win)
				return
			}
			env := widgets.NewEnvBadge()
			env.Hide()
			url := widgets.Caption("")
			pick := widget.NewSelect(opts, func(s string) {
				t := byOpt[s]
				widgets.SetEnv(env, t)
				env.Show()
				u, _ := t.ActiveURL()
				url.SetText(app.RedactURL(u) + " · " + dialogs.RetryText(t.Retry, t.Timeout))
			})
			msg := widget.NewLabel(fmt.Sprintf("Resend %s, each as captured and signed as the target signs. "+
				"They go to the background queue, which retries by the target's policy.", what))
			msg.Wrapping = fyne.TextWrapWord
			content := container.NewVBox(msg, container.NewBorder(nil, nil, nil, container.NewCenter(env), pick), url)
			d := dialog.NewCustomConfirm("Resend to a target", "Resend", "Cancel", content, func(ok bool) {
				if ok && pick.Selected != "" {
					c.runBulk(ids, byOpt[pick.Selected])
				}
			}, w.win)
			d.Resize(dialogs.FitSize(w.win, fyne.NewSize(600, 260)))
			d.Show()
			dialogs.Answer(w.win, d.Confirm, d.Hide)
			c.bulkPick = pick
		})
	}()
}

// runBulk queues a resend of each event to t, with progress and a summary.
func (c *controller) runBulk(ids []uint64, t app.Target) {
	w := c.w
	filter, _ := parseFilter(w.applied) // applied only once it parsed
	events, q := w.d.Events, w.d.Queue
	bar := widget.NewProgressBar()
	text := widget.NewLabel("Finding the events…")
	d := dialog.NewCustomWithoutButtons("Resending to "+t.Name, container.NewVBox(bar, text), w.win)
	d.Resize(dialogs.FitSize(w.win, fyne.NewSize(520, 160)))
	d.Show()
	go func() {
		var err error
		if ids == nil {
			ids, err = matchingIDs(events, filter)
		}
		var queued, failed int
		var firstErr error
		for i, id := range ids {
			e, rerr := events.Event(id)
			var dl *app.Delivery
			if rerr == nil {
				dl, rerr = t.Resend(e)
			}
			if rerr == nil {
				rerr = q.Enqueue(dl)
			}
			if rerr != nil {
				failed++
				if firstErr == nil {
					firstErr = fmt.Errorf("event %d: %w", id, rerr)
				}
			} else {
				queued++
			}
			if i%10 == 9 || i == len(ids)-1 {
				done, total := i+1, len(ids)
				w.do(func() {
					bar.SetValue(float64(done) / float64(total))
					text.SetText(fmt.Sprintf("Queued %d of %d", done, total))
				})
			}
		}
		w.do(func() {
			d.Hide()
			summary := fmt.Sprintf("Queued %s to %s (%s); follow them in Deliveries.", widgets.Plural(queued, "resend"), t.Name, strings.ToUpper(t.Environment()))
			switch {
			case err != nil:
				summary = "Could not list the events to resend: " + err.Error()
			case failed > 0:
				summary += fmt.Sprintf(" %d could not be queued; the first: %v.", failed, firstErr)
			}
			c.bulkSummary = summary
			w.top.flash.id = 0
			w.top.flash.set(nil, summary)
		})
	}()
}

// matchingIDs lists the ids of every event matching f, newest first, read
// page by page (ids only are kept).
func matchingIDs(st Events, f app.Filter) ([]uint64, error) {
	var ids []uint64
	for off := 0; ; off += 500 {
		page, err := st.Events(app.Page{Offset: off, Limit: 500, Filter: f})
		if err != nil {
			return ids, err
		}
		for _, s := range page {
			ids = append(ids, s.ID)
		}
		if len(page) < 500 {
			return ids, nil
		}
	}
}
