package capture

import (
	"context"
	"sync"
	"time"
)

// Bodies in flight: every request holds its body in memory from the first
// byte read until its answer is written, so the listener caps the sum.
// Each body counts bodyCharge times: its bytes and the signed content the
// verdict is computed over (a copy of the body with the signature's
// prefix). A request that would go over the cap waits up to InFlightWait
// for others to finish, then is answered 503 with Retry-After and nothing
// is recorded.
const (
	DefaultMaxInFlight  = 128 << 20
	DefaultInFlightWait = 2 * time.Second
)

// The mistake search (Config.Diagnose) builds variants of the body (a
// newline added, line endings changed, decompressed, re-serialised) and the
// signed content of each: up to about diagnoseCharge times the body's size
// at once. It is charged to the bytes in flight before it runs; with no
// room within InFlightWait the quick verdict stays (waiting longer would
// hold up a shutdown).
const diagnoseCharge = 6

const bodyCharge = 2

// flight counts body bytes held by requests in progress.
type flight struct {
	limit   int64
	wait    time.Duration
	mu      sync.Mutex
	used    int64
	changed chan struct{} // made by the first waiter, closed on the next release
}

func newFlight(limit int64, wait time.Duration) *flight {
	return &flight{limit: limit, wait: wait}
}

// acquire reserves n bytes, waiting up to f.wait (from the first call of
// this request, tracked by deadline) for room. A reservation larger than the
// whole cap is granted once nothing else is in flight.
func (f *flight) acquire(ctx context.Context, n int64, deadline time.Time) bool {
	var timer *time.Timer
	for {
		f.mu.Lock()
		if f.used+n <= f.limit || f.used == 0 {
			f.used += n
			f.mu.Unlock()
			return true
		}
		if f.changed == nil {
			f.changed = make(chan struct{})
		}
		ch := f.changed
		f.mu.Unlock()
		if timer == nil {
			d := time.Until(deadline)
			if d <= 0 {
				return false
			}
			timer = time.NewTimer(d)
			defer timer.Stop()
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func (f *flight) release(n int64) {
	if n == 0 {
		return
	}
	f.mu.Lock()
	f.used -= n
	// Only a request waiting for room needs telling: most releases have
	// no one to wake and make no channel.
	if f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
	f.mu.Unlock()
}

// ticket is one request's share of the bytes in flight.
type ticket struct {
	f        *flight
	ctx      context.Context
	deadline time.Time
	held     int64
}

func (f *flight) ticket(ctx context.Context) *ticket {
	return &ticket{f: f, ctx: ctx, deadline: time.Now().Add(f.wait)}
}

// grow makes the ticket hold room for a body of n bytes; false means there
// was no room.
func (t *ticket) grow(n int64) bool {
	n *= bodyCharge
	if t == nil || n <= t.held {
		return true
	}
	if !t.f.acquire(t.ctx, n-t.held, t.deadline) {
		return false
	}
	t.held = n
	return true
}

// extend makes the ticket hold at least n bytes, waiting up to wait for
// room whatever the request's own deadline (its answer is already sent).
func (t *ticket) extend(n int64, wait time.Duration) bool {
	if t == nil || n <= t.held {
		return true
	}
	if !t.f.acquire(context.Background(), n-t.held, time.Now().Add(wait)) {
		return false
	}
	t.held = n
	return true
}

func (t *ticket) done() {
	if t != nil {
		t.f.release(t.held)
		t.held = 0
	}
}
