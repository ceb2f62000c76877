package main

import (
	"slices"
	"sync"
)

// feed is a status that changes over time (a tunnel's, a team follower's or
// publisher's): the latest value and the callbacks that hear each new one.
type feed[T any] struct {
	mu   sync.Mutex
	last T
	fns  []func(T)
}

// listen adds fn, which hears every later value from the setter's
// goroutine; with replay it is also called at once with the latest.
func (f *feed[T]) listen(fn func(T), replay bool) {
	f.mu.Lock()
	f.fns = append(f.fns, fn)
	last := f.last
	f.mu.Unlock()
	if replay {
		fn(last)
	}
}

// latest is the value set last (the zero value before any).
func (f *feed[T]) latest() T {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// set keeps v and tells every listener.
func (f *feed[T]) set(v T) {
	f.mu.Lock()
	f.last = v
	fns := slices.Clone(f.fns)
	f.mu.Unlock()
	for _, fn := range fns {
		fn(v)
	}
}
