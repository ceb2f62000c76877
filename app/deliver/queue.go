package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hooklens/hooklens/app"
)

// MaxForwardResponse bounds the forward response Forward hands back for the
// listener to pass on, like the listener's own body cap.
const MaxForwardResponse = 10 << 20

// ForwardTimeout is how long Forward waits for the app it relays to: longer
// than a target's default, since that app is often paused in a debugger.
const ForwardTimeout = 30 * time.Second

// UserAgent is sent with requests composed in Hooklens (not with resends or
// forwards, which keep the captured request's own).
const UserAgent = "Hooklens/1 (webhook inspector)"

// Options tune a Queue. The zero value is what Hooklens uses.
type Options struct {
	// Client sends the requests; nil means one that follows no redirects and
	// leaves bodies compressed as they came.
	Client *http.Client
	// Parallel is how many attempts the worker runs at once; 0 means 4.
	Parallel int
	// OnError hears about failures to read or write the store in the
	// background, which no caller is there to receive.
	OnError func(error)
	// Stamp rewrites a body for attempt n (1, 2, 3 ...) before it is
	// signed, for senders that count their attempts in the body (SalesIQ's
	// envelope has "attempt"); nil sends the body as stored.
	Stamp func(d *app.Delivery, n int, body []byte) []byte
}

// Queue sends deliveries and keeps them in the store: Send and Forward run
// one to its end while the caller waits; Enqueue leaves it to the worker
// (Start), which also resumes deliveries left pending by an earlier run.
//
// Retry rule (as Stripe and Svix do): any 2xx is delivered; 410 Gone means
// the receiver wants no more, so the delivery stops and its target is
// disabled; everything else — timeouts, connection errors, 3xx (redirects are
// not followed), 4xx, 5xx — is retried until the policy's retries are used
// up. A 4xx is often a signature check failing on a receiver being fixed;
// trying again is what brings those deliveries through.
type Queue struct {
	store    app.DeliveryStore
	client   *http.Client
	parallel int
	onError  func(error)

	addMu   sync.Mutex      // held while a new delivery is stored and claimed
	mu      sync.Mutex      // never held across a store call
	running map[uint64]*run // deliveries claimed by a goroutine of this process
	subs    map[*subscriber]struct{}
	wake    chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
	stamp   func(d *app.Delivery, n int, body []byte) []byte
}

// run is a claim on one delivery: only its holder attempts or changes it.
type run struct {
	cancel    context.CancelFunc
	cancelled bool          // by the user, through Cancel
	done      chan struct{} // closed on release
}

// New makes a queue over s. Call Start to run deliveries in the background.
func New(s app.DeliveryStore, o Options) *Queue {
	q := &Queue{
		store:    s,
		client:   o.Client,
		parallel: o.Parallel,
		onError:  o.OnError,
		stamp:    o.Stamp,
		running:  make(map[uint64]*run),
		subs:     make(map[*subscriber]struct{}),
		wake:     make(chan struct{}, 1),
	}
	if q.client == nil {
		q.client = newClient()
	}
	if q.parallel <= 0 {
		q.parallel = 4
	}
	return q
}

// InvalidError is a delivery refused as asked (a bad URL, method, header
// or signing choice): the caller's to fix, unlike a store failure.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// Send stores d and runs it to its end — delivered, failed, gone or
// cancelled — waiting out the retry delays. d is updated in place. The error
// is about Send itself (an invalid request, the store); whether the receiver
// took it is d.State. If ctx ends first, d stays pending in the store and the
// worker finishes it later.
func (q *Queue) Send(ctx context.Context, d *app.Delivery) error {
	r, err := q.add(d, true)
	if err != nil {
		return err
	}
	_, err = q.runToEnd(ctx, d, r, app.MaxResponseBody)
	return err
}

// Enqueue stores d as pending with its first attempt due now and wakes the
// worker. d gets its ID.
func (q *Queue) Enqueue(d *app.Delivery) error {
	if _, err := q.add(d, false); err != nil {
		return err
	}
	q.poke()
	return nil
}

// Forward relays a captured event to url the way `stripe listen
// --forward-to` does: same method, headers (minus hop-by-hop ones) and body,
// to exactly url, once, without signing or retries, while the caller waits.
// It is recorded as a delivery with EventID set. The receiver's response
// comes back (body up to MaxForwardResponse) so the listener can answer with
// it; err says why there is none.
func (q *Queue) Forward(ctx context.Context, e *app.Event, url string) (*app.Delivery, app.Response, error) {
	req := app.RequestFrom(e)
	req.URL = url
	return q.forward(ctx, &app.Delivery{EventID: e.ID, Kind: app.KindForward, Request: req, Timeout: ForwardTimeout})
}

func (q *Queue) forward(ctx context.Context, d *app.Delivery) (*app.Delivery, app.Response, error) {
	url := app.RedactURL(d.Request.URL)
	r, err := q.add(d, true)
	if err != nil {
		return nil, app.Response{}, fmt.Errorf("cannot forward event %d: %w", d.EventID, err)
	}
	full, err := q.runToEnd(ctx, d, r, MaxForwardResponse+1)
	if err != nil {
		return d, app.Response{}, err
	}
	a := d.Last()
	if a == nil || a.Status == 0 {
		why := d.Reason
		if a != nil {
			why = a.Error
		}
		return d, app.Response{}, fmt.Errorf("forward to %s got no response: %s", url, why)
	}
	if a.Error != "" {
		return d, app.Response{}, fmt.Errorf("forward to %s: %s", url, a.Error)
	}
	if int64(len(full)) > MaxForwardResponse || a.ResponseSize > MaxForwardResponse {
		return d, app.Response{}, fmt.Errorf("%s answered %d with a body over %s, more than Hooklens passes back: the sender was not given a cut copy", url, a.Status, app.HumanSize(MaxForwardResponse))
	}
	return d, app.Response{Status: a.Status, Headers: a.ResponseHeaders, Body: full}, nil
}

// link ties a delivery made before its event had an id to that event.
func (q *Queue) link(d *app.Delivery, eventID uint64) {
	d.EventID = eventID
	if err := q.store.LinkDelivery(d.ID, eventID); err != nil && q.onError != nil {
		q.onError(fmt.Errorf("linking forward %d to event %d: %w", d.ID, eventID, err))
	}
	q.notify(d)
}

// ready prepares a new delivery the way add does, without storing it: the
// recorder stores it with its event.
func (q *Queue) ready(d *app.Delivery) error {
	if err := prepare(d); err != nil {
		return err
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now()
	}
	d.State, d.NextAttemptAt, d.Reason, d.Attempts, d.RoundStart = app.Pending, d.CreatedAt, "", nil, 0
	return nil
}

// add validates and stores a new delivery. With claim it is claimed before
// the worker can see it.
func (q *Queue) add(d *app.Delivery, claim bool) (*run, error) {
	if d.ID != 0 {
		return nil, &InvalidError{fmt.Errorf("delivery %d is already stored: use Retry to send it again", d.ID)}
	}
	if err := prepare(d); err != nil {
		return nil, &InvalidError{err}
	}
	now := time.Now()
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	if d.Kind == "" {
		d.Kind = app.KindSend
	}
	if (d.Kind == app.KindSend || d.Kind == app.KindSignal) && d.Request.Headers.Get("User-Agent") == "" {
		// Composed here, so say so; relayed requests keep what they had.
		d.Request.Headers = append(d.Request.Headers, app.Header{Name: "User-Agent", Value: UserAgent})
	}
	d.State, d.NextAttemptAt, d.Reason, d.Attempts, d.RoundStart = app.Pending, now, "", nil, 0
	// addMu, not mu, is held across the write: a commit may wait for the
	// worker's read transaction, which takes mu in its skip function.
	q.addMu.Lock()
	defer q.addMu.Unlock()
	if err := q.store.PutDelivery(d); err != nil {
		return nil, fmt.Errorf("cannot store the delivery: %w", err)
	}
	var r *run
	if claim {
		r = &run{done: make(chan struct{})}
		q.mu.Lock()
		q.running[d.ID] = r
		q.mu.Unlock()
	}
	q.notify(d)
	return r, nil
}

// claim takes delivery id for the caller, or returns nil when another
// goroutine holds it.
func (q *Queue) claim(id uint64) *run {
	// A delivery being added is claimed by add between its write and the
	// release of addMu: waiting for addMu means never claiming it twice.
	q.addMu.Lock()
	defer q.addMu.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, busy := q.running[id]; busy {
		return nil
	}
	r := &run{done: make(chan struct{})}
	q.running[id] = r
	return r
}

func (q *Queue) release(id uint64, r *run) {
	q.mu.Lock()
	delete(q.running, id)
	q.mu.Unlock()
	close(r.done)
	q.poke() // the worker may have skipped id while it was held
}

func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// runToEnd attempts a claimed delivery until it is no longer pending,
// sleeping until each next attempt. It releases the claim.
func (q *Queue) runToEnd(ctx context.Context, d *app.Delivery, r *run, keep int64) (full []byte, err error) {
	defer q.release(d.ID, r)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q.mu.Lock()
	r.cancel = cancel
	q.mu.Unlock()
	for d.State == app.Pending {
		if wait := time.Until(d.NextAttemptAt); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		if q.cancelled(r) {
			return nil, q.finishCancelled(d)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("delivery %d left pending; it will be resumed by the background queue: %w", d.ID, ctx.Err())
		}
		if full, err = q.attempt(ctx, d, r, keep); err != nil {
			return nil, err
		}
	}
	return full, nil
}

func (q *Queue) cancelled(r *run) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return r.cancelled
}

func (q *Queue) finishCancelled(d *app.Delivery) error {
	d.State, d.NextAttemptAt, d.Reason = app.Cancelled, time.Time{}, "cancelled by the user"
	return q.save(d)
}

func (q *Queue) save(d *app.Delivery) error {
	if err := q.store.PutDelivery(d); err != nil {
		return fmt.Errorf("cannot save delivery %d: %w", d.ID, err)
	}
	q.notify(d)
	return nil
}

// attempt makes one attempt at a claimed, pending delivery, stores it and
// decides what comes next. An attempt cut short because ctx ended (the app
// is stopping) is not recorded: the delivery stays due and is tried again.
func (q *Queue) attempt(ctx context.Context, d *app.Delivery, r *run, keep int64) ([]byte, error) {
	if d.TargetID != "" {
		t, err := q.store.Target(d.TargetID)
		if err == nil && !t.Enabled {
			why := t.DisabledReason
			if why == "" {
				why = "turned off"
			}
			d.State, d.NextAttemptAt = app.Failed, time.Time{}
			d.Reason = fmt.Sprintf("target %q is disabled (%s): enable it and retry", t.Name, why)
			return nil, q.save(d)
		}
	}
	var conn *app.Connection
	if d.Connection != "" {
		c, err := q.store.Connection(d.Connection)
		if err != nil {
			d.State, d.NextAttemptAt = app.Failed, time.Time{}
			d.Reason = fmt.Sprintf("connection %q cannot be read (%v): add it again or pick another for the target, then retry", d.Connection, err)
			return nil, q.save(d)
		}
		conn = &c
	}
	at := time.Now()
	req, err := build(d, conn, at, q.stamp)
	if err != nil {
		// Nothing a retry would change: the key or connection is wrong.
		d.State, d.NextAttemptAt = app.Failed, time.Time{}
		d.Reason = "cannot prepare the request: " + err.Error()
		return nil, q.save(d)
	}
	a, full := do(ctx, q.client, req, d.Timeout, keep)
	a.At = at
	userCancelled := q.cancelled(r)
	// An attempt that shutdown cut short — no answer, or an answer whose body
	// was cut — says nothing about the receiver: it is not recorded, and the
	// delivery resumes where it was.
	if ctx.Err() != nil && !userCancelled && (a.Status == 0 || a.Error != "") {
		return nil, fmt.Errorf("delivery %d left pending; it will be resumed by the background queue: %w", d.ID, ctx.Err())
	}
	d.Attempts = append(d.Attempts, a)
	now := time.Now()
	made := len(d.Attempts) - d.RoundStart
	switch {
	case a.OK():
		d.State, d.NextAttemptAt = app.Delivered, time.Time{}
		d.Reason = fmt.Sprintf("delivered: %s answered %d %s", hostOf(req.URL), a.Status, http.StatusText(a.Status))
	case a.Status == http.StatusGone:
		d.State, d.NextAttemptAt = app.Gone, time.Time{}
		d.Reason = fmt.Sprintf("%s answered 410 Gone: the receiver asked for no more deliveries, so none will be retried", hostOf(req.URL))
		if d.TargetID != "" {
			q.disable(d.TargetID, fmt.Sprintf("%s answered 410 Gone on %s (delivery %d)", hostOf(req.URL), at.Format("2006-01-02 15:04"), d.ID))
			d.Reason += " and the target is disabled"
		}
	case userCancelled:
		d.State, d.NextAttemptAt, d.Reason = app.Cancelled, time.Time{}, "cancelled by the user"
	case made > d.Retry.Retries:
		d.State, d.NextAttemptAt = app.Failed, time.Time{}
		d.Reason = fmt.Sprintf("failed after %d attempt%s: %s", made, plural(made), outcome(&a))
	default:
		wait := d.Retry.Next(made, retryAfter(a.ResponseHeaders, now))
		d.NextAttemptAt = now.Add(wait)
		d.Reason = fmt.Sprintf("%s; retry %d of %d in %s", outcome(&a), made, d.Retry.Retries, wait.Round(time.Millisecond))
	}
	return full, q.save(d)
}

func (q *Queue) disable(targetID, why string) {
	t, err := q.store.Target(targetID)
	if err != nil {
		return // deleted meanwhile: nothing to disable
	}
	t.Enabled, t.DisabledReason = false, why
	if err := q.store.PutTarget(&t); err != nil {
		q.report(fmt.Errorf("cannot disable target %q after a 410: %w", t.Name, err))
	}
}

func (q *Queue) report(err error) {
	if q.onError != nil && err != nil {
		q.onError(err)
	}
}

// outcome is an attempt's result in a few words.
func outcome(a *app.Attempt) string {
	if a.Status == 0 {
		return a.Error
	}
	return fmt.Sprintf("answered %d %s", a.Status, http.StatusText(a.Status))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Cancel stops a pending delivery: an attempt in progress is cut off and no
// further attempt is made. It returns once the delivery is stored as
// cancelled.
func (q *Queue) Cancel(id uint64) error {
	signalled := false
	for {
		q.addMu.Lock() // see claim
		q.mu.Lock()
		r, busy := q.running[id]
		if busy {
			r.cancelled = true
			if r.cancel != nil {
				r.cancel()
			}
		} else {
			r = &run{done: make(chan struct{})}
			q.running[id] = r
		}
		q.mu.Unlock()
		q.addMu.Unlock()
		if busy {
			// The holder stores the cancellation if it was attempting or
			// waiting; if it had just finished, the next turn claims it here.
			<-r.done
			signalled = true
			continue
		}
		err := q.cancelClaimed(id, signalled)
		q.release(id, r)
		return err
	}
}

func (q *Queue) cancelClaimed(id uint64, signalled bool) error {
	d, err := q.store.Delivery(id)
	if err != nil {
		return err
	}
	switch {
	case d.State == app.Cancelled && signalled:
		return nil
	case d.State != app.Pending && signalled:
		return fmt.Errorf("delivery %d ended as %s before it could be cancelled", id, d.State)
	case d.State != app.Pending:
		return fmt.Errorf("delivery %d is already %s: only pending deliveries can be cancelled", id, d.State)
	}
	return q.finishCancelled(d)
}

// Retry sends a failed, gone or cancelled delivery again, as a new round
// with the full retry budget; the earlier attempts stay in its log. The
// worker (Start) makes the attempts.
func (q *Queue) Retry(id uint64) error {
	r := q.claim(id)
	if r == nil {
		return fmt.Errorf("delivery %d is being sent right now: wait for it or cancel it", id)
	}
	defer q.release(id, r)
	d, err := q.store.Delivery(id)
	if err != nil {
		return err
	}
	switch d.State {
	case app.Pending:
		return fmt.Errorf("delivery %d is already pending: its next attempt is at %s", id, d.NextAttemptAt.Format(time.TimeOnly))
	case app.Delivered:
		return fmt.Errorf("delivery %d was delivered: resend its event to send it again", id)
	}
	d.State, d.NextAttemptAt, d.Reason, d.RoundStart = app.Pending, time.Now(), "", len(d.Attempts)
	return q.save(d)
}

// RetryAllFailed retries every failed delivery to a target and says how
// many it queued.
func (q *Queue) RetryAllFailed(targetID string) (int, error) {
	ids, err := q.store.Failed(targetID)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range ids {
		if err := q.Retry(id); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Start runs the worker until ctx ends or Stop is called: it attempts every
// due pending delivery, those left by an earlier run included, and sleeps
// until the next is due. Calling Start again while it runs does nothing.
func (q *Queue) Start(ctx context.Context) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.done != nil {
		return
	}
	ctx, q.stop = context.WithCancel(ctx)
	q.done = make(chan struct{})
	go q.loop(ctx, q.done)
}

// Stop halts the worker and waits for it. Attempts in progress are cut off
// and not recorded; their deliveries stay pending for the next Start.
func (q *Queue) Stop() {
	q.mu.Lock()
	stop, done := q.stop, q.done
	q.stop, q.done = nil, nil
	q.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	<-done
}

func (q *Queue) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, q.parallel)
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	for {
		ids, err := q.store.Due(time.Now(), 64, q.claimed)
		if err != nil {
			q.report(fmt.Errorf("cannot read the delivery queue: %w", err))
		}
		for _, id := range ids {
			r := q.claim(id)
			if r == nil {
				continue // claimed since Due looked
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				q.release(id, r)
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				q.runOne(ctx, id, r)
			}()
		}
		// Sleep until the next delivery nobody holds is due. Those held by a
		// Send or a running attempt come back through release's poke.
		var timer <-chan time.Time
		if err != nil {
			timer = time.After(time.Second)
		} else if at, ok, err := q.store.NextDue(q.claimed); err != nil {
			q.report(fmt.Errorf("cannot read the delivery queue: %w", err))
			timer = time.After(time.Second)
		} else if ok {
			wait.Reset(max(time.Until(at), 0))
			timer = wait.C
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-timer:
		}
		wait.Stop()
	}
}

// claimed reports whether a goroutine of this process holds delivery id.
func (q *Queue) claimed(id uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, busy := q.running[id]
	return busy
}

// runOne makes the worker's single attempt at a due delivery; the next one,
// if any, is found in the queue again when due.
func (q *Queue) runOne(ctx context.Context, id uint64, r *run) {
	defer q.release(id, r)
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	q.mu.Lock()
	r.cancel = cancel
	q.mu.Unlock()
	d, err := q.store.Delivery(id)
	if err != nil {
		q.report(err)
		return
	}
	if d.State != app.Pending {
		return
	}
	if q.cancelled(r) {
		q.report(q.finishCancelled(d))
		return
	}
	if _, err := q.attempt(actx, d, r, app.MaxResponseBody); err != nil && ctx.Err() == nil {
		q.report(err)
	}
}
