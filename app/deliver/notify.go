package deliver

import (
	"sync"

	"github.com/hooklens/hooklens/app"
)

// subscriber hands changed deliveries to fn from a goroutine of its own, so
// a slow fn (a window waiting for its main thread) never holds up a send.
type subscriber struct {
	fn      func(*app.Delivery)
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*app.Delivery
	stopped bool
}

// Subscribe calls fn with a copy of each delivery after every change is
// stored — created, each attempt, cancelled, retried — in the order of the
// changes, from a goroutine of its own. fn must not modify what it is given.
// cancel stops the calls (one in progress finishes); it may be called more
// than once, also from fn.
func (q *Queue) Subscribe(fn func(*app.Delivery)) (cancel func()) {
	s := &subscriber{fn: fn}
	s.cond = sync.NewCond(&s.mu)
	q.mu.Lock()
	q.subs[s] = struct{}{}
	q.mu.Unlock()
	go s.run()
	return func() {
		q.mu.Lock()
		delete(q.subs, s)
		q.mu.Unlock()
		s.mu.Lock()
		s.stopped = true
		s.queue = nil
		s.mu.Unlock()
		s.cond.Signal()
	}
}

func (s *subscriber) run() {
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.stopped {
			s.cond.Wait()
		}
		if s.stopped {
			s.mu.Unlock()
			return
		}
		d := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		s.fn(d)
	}
}

// notify queues a copy of d for every subscriber. Attempts and bodies are
// shared between the copies: nobody modifies them after they are stored.
func (q *Queue) notify(d *app.Delivery) {
	c := *d
	c.Attempts = c.Attempts[:len(c.Attempts):len(c.Attempts)] // appends by the sender never show through
	q.mu.Lock()
	subs := make([]*subscriber, 0, len(q.subs))
	for s := range q.subs {
		subs = append(subs, s)
	}
	q.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		if !s.stopped {
			s.queue = append(s.queue, &c)
		}
		s.mu.Unlock()
		s.cond.Signal()
	}
}
