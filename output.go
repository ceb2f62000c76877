package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// outputBuffer bounds how much printed output waits for a slow reader.
const outputBuffer = 8 << 20

// lineOutput prints lines on w from a goroutine of its own, so capture never
// waits for standard output: when the reader is stuck (a pipe nobody reads,
// Ctrl-S in a terminal) and outputBuffer bytes are waiting, further lines
// are dropped and counted, and the count is printed once output moves again.
type lineOutput struct {
	w       io.Writer
	mu      sync.Mutex
	cond    *sync.Cond
	queue   [][]byte
	size    int
	dropped int
	closed  bool
	done    chan struct{}
}

func newLineOutput(w io.Writer) *lineOutput {
	o := &lineOutput{w: w, done: make(chan struct{})}
	o.cond = sync.NewCond(&o.mu)
	go o.run()
	return o
}

// Write queues one line (p is copied); it never blocks on the reader.
func (o *lineOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return len(p), nil
	}
	if o.size+len(p) > outputBuffer {
		o.dropped++
		return len(p), nil
	}
	o.queue = append(o.queue, append([]byte(nil), p...))
	o.size += len(p)
	o.cond.Signal()
	return len(p), nil
}

func (o *lineOutput) run() {
	defer close(o.done)
	for {
		o.mu.Lock()
		for len(o.queue) == 0 && o.dropped == 0 && !o.closed {
			o.cond.Wait()
		}
		if len(o.queue) == 0 && o.dropped == 0 && o.closed {
			o.mu.Unlock()
			return
		}
		batch, dropped := o.queue, o.dropped
		o.queue, o.dropped = nil, 0
		o.mu.Unlock()
		// One write for everything queued: a line each would cost a
		// system call and a wake-up per event.
		n := 0
		for _, b := range batch {
			n += len(b)
		}
		buf := make([]byte, 0, n)
		for _, b := range batch {
			buf = append(buf, b...)
		}
		o.w.Write(buf)
		o.mu.Lock()
		o.size -= n
		o.mu.Unlock()
		if dropped > 0 {
			fmt.Fprintf(o.w, "hooklens: %d line(s) were dropped while the output was not being read (the events are stored: see 'hooklens events')\n", dropped)
		}
	}
}

// Close prints what is queued, waiting at most wait for a stuck reader.
func (o *lineOutput) Close(wait time.Duration) {
	o.mu.Lock()
	o.closed = true
	o.cond.Signal()
	o.mu.Unlock()
	select {
	case <-o.done:
	case <-time.After(wait):
	}
}
