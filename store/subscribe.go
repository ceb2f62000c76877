package store

import (
	"bytes"
	"slices"
	"sync"

	"github.com/hooklens/hooklens/app"
)

// subscriber delivers committed events to fn from its own goroutine. Its
// queue is unbounded so that a slow fn (a busy window, a blocked stdout)
// never holds up the capture writer.
type subscriber struct {
	fn   func(*app.Event)
	mu   sync.Mutex
	cond *sync.Cond
	// queue holds events not yet handed to fn, in commit order.
	queue []*app.Event
	// stopped: cancel was called; deliver nothing more.
	stopped bool
	// closing: the store is closing; deliver what is queued, then exit.
	closing bool
	done    chan struct{}
}

// Subscribe calls fn with each event committed from now on, in commit order,
// from a goroutine of its own. Every subscriber gets the same copy of an
// event, so fn must not modify it. cancel stops further calls (a call in
// progress finishes) and may be called more than once, also from fn.
func (s *Store) Subscribe(fn func(*app.Event)) (cancel func()) {
	sub := &subscriber{fn: fn, done: make(chan struct{})}
	sub.cond = sync.NewCond(&sub.mu)
	s.subMu.Lock()
	if s.subs == nil { // closed
		s.subMu.Unlock()
		close(sub.done)
		return func() {}
	}
	s.subs[sub] = struct{}{}
	s.subMu.Unlock()
	go sub.run()
	return func() {
		s.subMu.Lock()
		delete(s.subs, sub) // no-op on a nil map after Close
		s.subMu.Unlock()
		sub.mu.Lock()
		sub.stopped = true
		sub.mu.Unlock()
		sub.cond.Signal()
	}
}

// publish hands a committed group to every subscriber. It runs on the
// writer goroutine (groups committed directly) or the applier (logged
// ones), one at a time and in commit order: the writer commits directly
// only once the applier has caught up.
func (s *Store) publish(group []*recordReq) {
	s.subMu.Lock()
	n := len(s.subs)
	s.subMu.Unlock()
	if n == 0 {
		return
	}
	// Copies: once Record returns the caller owns e again and may reuse it.
	events := make([]*app.Event, 0, len(group))
	for _, r := range group {
		if !r.dup { // already stored and told before
			events = append(events, cloneEvent(r.e))
		}
	}
	s.publishEvents(events)
}

// publishEvents hands committed events, the store's own copies, to every
// subscriber.
func (s *Store) publishEvents(events []*app.Event) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for sub := range s.subs {
		sub.push(events)
	}
}

func (sub *subscriber) push(events []*app.Event) {
	sub.mu.Lock()
	if !sub.stopped {
		sub.queue = append(sub.queue, events...)
	}
	sub.mu.Unlock()
	sub.cond.Signal()
}

// finish asks the goroutine to deliver what is queued and then exit.
func (sub *subscriber) finish() {
	sub.mu.Lock()
	sub.closing = true
	sub.mu.Unlock()
	sub.cond.Signal()
}

func (sub *subscriber) run() {
	defer close(sub.done)
	for {
		sub.mu.Lock()
		for len(sub.queue) == 0 && !sub.stopped && !sub.closing {
			sub.cond.Wait()
		}
		if sub.stopped || len(sub.queue) == 0 {
			sub.mu.Unlock()
			return
		}
		// Take the whole backlog: one lock round per batch, and the old
		// backing array is freed instead of growing forever.
		batch := sub.queue
		sub.queue = nil
		sub.mu.Unlock()
		for i, e := range batch {
			if i > 0 && sub.isStopped() {
				return
			}
			sub.fn(e)
		}
	}
}

func (sub *subscriber) isStopped() bool {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.stopped
}

func cloneEvent(e *app.Event) *app.Event {
	c := *e
	c.Headers = slices.Clone(e.Headers)
	c.Body = bytes.Clone(e.Body)
	c.Response.Headers = slices.Clone(e.Response.Headers)
	c.Response.Body = bytes.Clone(e.Response.Body)
	return &c
}
