package ui

import (
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/hooklens/hooklens/app"
)

// notifyEvery is the least time between two desktop notifications: what
// happens in between is summed up in the next one.
const notifyEvery = 10 * time.Second

// Notification settings keys: what the user wants to hear about. Failures
// (invalid signatures, failed or gone deliveries) are on unless turned off;
// first events on an endpoint are off unless turned on.
const (
	keyNotifyInvalid  = "notify.invalid"
	keyNotifyFailures = "notify.deliveries"
	keyNotifyFirst    = "notify.first_event"
)

// notifier sends desktop notifications (fyne.App.SendNotification) for what
// the user chose, at most one every notifyEvery. Fyne cannot tell which
// notification was clicked, so each names the event id to look for.
type notifier struct {
	app  fyne.App
	do   func(func())
	want func(key string, def bool) bool

	mu      sync.Mutex
	last    time.Time
	pending []string // what happened since the last notification
	timer   *time.Timer
	seen    map[string]bool // endpoints that have had an event
	sent    int             // notifications sent (for tests)
}

func newNotifier(a fyne.App, do func(func()), want func(string, bool) bool) *notifier {
	return &notifier{app: a, do: do, want: want, seen: map[string]bool{}}
}

// event hears a newly captured event.
func (n *notifier) event(e *app.Event) {
	if e.Verdict.Result == app.VerdictInvalid && n.want(keyNotifyInvalid, true) {
		n.add(fmt.Sprintf("Invalid signature on #%s %s %s", e.IDString(), e.Method, e.RequestURI()))
	}
	if e.Endpoint != "" {
		n.mu.Lock()
		first := !n.seen[e.Endpoint]
		n.seen[e.Endpoint] = true
		n.mu.Unlock()
		if first && n.want(keyNotifyFirst, false) {
			n.add(fmt.Sprintf("First event on endpoint %s: #%s", e.Endpoint, e.IDString()))
		}
	}
}

// delivery hears a changed delivery.
func (n *notifier) delivery(d *app.Delivery) {
	if (d.State == app.Failed || d.State == app.Gone) && n.want(keyNotifyFailures, true) {
		n.add(fmt.Sprintf("Delivery %d: %s", d.ID, app.StateText(d.State, d.Reason)))
	}
}

func (n *notifier) add(line string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pending = append(n.pending, line)
	if n.timer != nil {
		return // a summary is already due
	}
	wait := time.Until(n.last.Add(notifyEvery))
	if wait <= 0 {
		n.flushLocked()
		return
	}
	n.timer = time.AfterFunc(wait, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.timer = nil
		n.flushLocked()
	})
}

func (n *notifier) flushLocked() {
	if len(n.pending) == 0 {
		return
	}
	title, body := "Hooklens", n.pending[0]
	if len(n.pending) > 1 {
		title = fmt.Sprintf("Hooklens: %d things need a look", len(n.pending))
		body = n.pending[0] + fmt.Sprintf(" (and %d more)", len(n.pending)-1)
	}
	n.pending = nil
	n.last = time.Now()
	n.sent++
	note := fyne.NewNotification(title, body)
	n.do(func() { n.app.SendNotification(note) })
}

func (n *notifier) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.timer != nil {
		n.timer.Stop()
		n.timer = nil
	}
}

func (n *notifier) sentCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sent
}
