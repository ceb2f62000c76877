package tunnel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hooklens/hooklens/app"
)

// State is where a supervised tunnel stands.
type State string

// States.
const (
	Starting     State = "starting"
	Reachable    State = "reachable"
	Unreachable  State = "unreachable"
	Reconnecting State = "reconnecting"
	Stopped      State = "stopped"
	Failed       State = "failed"
)

// Status is what the window's Public URL control and 'listen' show.
type Status struct {
	State     State
	Provider  string
	PublicURL string        // "" until a tunnel has started; while starting again, the last one
	RTT       time.Duration // round trip of the passing probe (reachable)
	Attempt   int           // reconnect attempt (0 on the first start); unreachable: failed probes in a row
	NextRetry time.Duration // how long until the next try (reconnecting, unreachable)
	Reason    string        // why not reachable; valid UTF-8, no secrets
	// URLChanged is set while the tunnel runs under another public URL than
	// the previous run had (quick tunnels change it on every start).
	URLChanged  bool
	PreviousURL string
	Quirks      []string // what known senders will make of PublicURL
	At          time.Time
}

// String is the one human line for the status.
func (s Status) String() string {
	var b strings.Builder
	switch s.State {
	case Starting:
		b.WriteString("starting")
		if s.Provider != "" {
			b.WriteString(" " + s.Provider)
		}
		if s.Attempt > 0 {
			fmt.Fprintf(&b, " (attempt %d)", s.Attempt)
		}
	case Reachable:
		fmt.Fprintf(&b, "reachable at %s (round trip %s)", s.PublicURL, app.FormatDuration(s.RTT))
	case Unreachable:
		b.WriteString("unreachable")
		if s.NextRetry > 0 {
			fmt.Fprintf(&b, " (next probe in %s)", app.FormatDuration(s.NextRetry))
		}
		b.WriteString(": " + s.Reason)
	case Reconnecting:
		fmt.Fprintf(&b, "reconnecting (attempt %d, next in %s): %s", s.Attempt, app.FormatDuration(s.NextRetry), s.Reason)
	case Failed:
		b.WriteString("failed: " + s.Reason)
	case Stopped:
		b.WriteString("stopped")
	default:
		b.WriteString(string(s.State))
	}
	if s.URLChanged && s.PreviousURL != "" {
		fmt.Fprintf(&b, "; the public URL changed from %s to %s: update it at every provider that sends here, or use a static URL (ngrok reserved domain, SSH or chisel to your own server, or a manual URL)", s.PreviousURL, s.PublicURL)
	}
	for _, q := range s.Quirks {
		if s.State == Reachable {
			b.WriteString("; " + q)
		}
	}
	return b.String()
}

// Supervisor runs one provider: starts it, probes the public URL after
// start and every ProbeEvery, and reconnects with backoff when the tunnel
// drops or probes keep failing. Zero fields take the defaults.
type Supervisor struct {
	Provider Provider
	Local    Local
	Prober   *Prober // must be the one in front of the listener's handler
	OnStatus func(Status)

	ProbeEvery   time.Duration // default 1 min
	StartTimeout time.Duration // default 60 s, per start
	// Settle is how long after a start the first probe is retried before
	// the URL counts as unreachable (DNS of new names, the far side
	// binding its port); default 30 s.
	Settle time.Duration
	// MinBackoff doubles each attempt up to MaxBackoff: default 1 s (so
	// attempt 3 waits 8 s) and 2 min.
	MinBackoff, MaxBackoff time.Duration
	// FailuresBeforeRestart: consecutive failed probes before a running
	// tunnel is restarted; default 3. A manual URL is never restarted.
	FailuresBeforeRestart int

	mu   sync.Mutex
	last Status
}

func (s *Supervisor) defaults() {
	if s.ProbeEvery <= 0 {
		s.ProbeEvery = time.Minute
	}
	if s.StartTimeout <= 0 {
		s.StartTimeout = time.Minute
	}
	if s.Settle <= 0 {
		s.Settle = 30 * time.Second
	}
	if s.MinBackoff <= 0 {
		s.MinBackoff = time.Second
	}
	if s.MaxBackoff <= 0 {
		s.MaxBackoff = 2 * time.Minute
	}
	if s.FailuresBeforeRestart <= 0 {
		s.FailuresBeforeRestart = 3
	}
	if s.Prober == nil {
		s.Prober = NewProber()
	}
}

// Status is the last status reported.
func (s *Supervisor) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *Supervisor) report(st Status) {
	st.Provider = s.Provider.Name()
	st.At = time.Now()
	st.Reason = strings.ToValidUTF8(st.Reason, "\uFFFD")
	if st.PublicURL != "" {
		st.Quirks = Quirks(st.PublicURL)
	}
	s.mu.Lock()
	s.last = st
	s.mu.Unlock()
	if s.OnStatus != nil {
		s.OnStatus(st)
	}
}

// backoff is the wait before attempt n (n >= 1).
func (s *Supervisor) backoff(n int) time.Duration {
	d := s.MinBackoff
	for i := 1; i < n && d < s.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.MaxBackoff)
}

// Run supervises until ctx ends (then it reports stopped and returns nil)
// or a start fails in a way retrying cannot fix (then it reports failed and
// returns that error).
func (s *Supervisor) Run(ctx context.Context) error {
	if s.Provider == nil {
		return errors.New("no tunnel provider chosen")
	}
	s.defaults()
	attempt := 0
	var lastURL string
	var reason string
	for {
		if ctx.Err() != nil {
			s.report(Status{State: Stopped, PublicURL: lastURL})
			return nil
		}
		if attempt > 0 {
			wait := s.backoff(attempt)
			s.report(Status{State: Reconnecting, PublicURL: lastURL, Attempt: attempt, NextRetry: wait, Reason: reason})
			if !sleep(ctx, wait) {
				s.report(Status{State: Stopped, PublicURL: lastURL})
				return nil
			}
		}
		s.report(Status{State: Starting, Attempt: attempt, PublicURL: lastURL})
		sctx, cancel := context.WithTimeout(ctx, s.StartTimeout)
		tun, err := s.Provider.Start(sctx, s.Local)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				s.report(Status{State: Stopped, PublicURL: lastURL})
				return nil
			}
			if IsPermanent(err) {
				s.report(Status{State: Failed, PublicURL: lastURL, Attempt: attempt, Reason: err.Error()})
				return err
			}
			attempt++
			reason = err.Error()
			continue
		}
		run := Status{PublicURL: tun.PublicURL()}
		if lastURL != "" && run.PublicURL != lastURL {
			run.URLChanged, run.PreviousURL = true, lastURL
		}
		lastURL = run.PublicURL
		var ok bool
		reason, ok = s.watch(ctx, tun, run, &attempt)
		tun.Close()
		if !ok {
			s.report(Status{State: Stopped, PublicURL: lastURL})
			return nil
		}
		attempt++
	}
}

// watch probes a running tunnel until it must be restarted (ok, with the
// reason) or ctx ends (!ok).
func (s *Supervisor) watch(ctx context.Context, tun Tunnel, run Status, attempt *int) (reason string, ok bool) {
	_, manual := s.Provider.(*Manual)
	ended := func() string {
		if err := tun.Err(); err != nil {
			return err.Error()
		}
		return "the tunnel closed"
	}
	failures := 0
	first := true
	for {
		var res Result
		if first {
			res = s.settle(ctx, tun)
			first = false
		} else {
			res = s.probe(ctx, tun)
		}
		select {
		case <-ctx.Done():
			return "", false
		case <-tun.Done():
			return ended(), true
		default:
		}
		st := run
		var next time.Duration
		if res.Reachable {
			failures = 0
			*attempt = 0
			st.State, st.RTT = Reachable, res.RTT
			next = s.ProbeEvery
		} else {
			failures++
			if failures >= s.FailuresBeforeRestart && !manual {
				return fmt.Sprintf("%d probes in a row failed: %s", failures, res.Reason), true
			}
			next = min(s.backoff(failures), s.ProbeEvery)
			st.State, st.Reason, st.NextRetry, st.Attempt = Unreachable, res.Reason, next, failures
		}
		s.report(st)
		if !s.pause(ctx, tun, next) {
			select {
			case <-tun.Done():
				return ended(), true
			default:
				return "", false
			}
		}
	}
}

// pause waits d, or less when the machine seems to have slept (the wall
// clock moved much further than the timer), so a laptop that wakes is
// probed at once. It reports false when ctx or the tunnel ended.
func (s *Supervisor) pause(ctx context.Context, tun Tunnel, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	tick := time.NewTicker(min(5*time.Second, d))
	defer tick.Stop()
	wall := time.Now().Round(0)
	for {
		select {
		case <-ctx.Done():
			return false
		case <-tun.Done():
			return false
		case <-timer.C:
			return true
		case <-tick.C:
			now := time.Now().Round(0)
			if now.Sub(wall) > 30*time.Second+min(5*time.Second, d) {
				return true // woke from sleep
			}
			wall = now
		}
	}
}

func (s *Supervisor) probe(ctx context.Context, tun Tunnel) Result {
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return s.Prober.Check(pctx, tun.PublicURL())
}

// settle probes until one passes or Settle has gone by.
func (s *Supervisor) settle(ctx context.Context, tun Tunnel) Result {
	deadline := time.Now().Add(s.Settle)
	wait := 100 * time.Millisecond
	for {
		res := s.probe(ctx, tun)
		if res.Reachable || time.Now().After(deadline) {
			return res
		}
		t := time.NewTimer(min(wait, time.Until(deadline)+time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return res
		case <-tun.Done():
			t.Stop()
			return res
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
