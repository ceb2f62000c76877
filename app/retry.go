package app

import (
	"math/rand/v2"
	"time"
)

// maxBackoff keeps doubling from overflowing when no MaxDelay is set.
const maxBackoff = 24 * time.Hour

// wait is the nominal delay before retry n (1 for the first retry).
func (p RetryPolicy) wait(n int) time.Duration {
	d := p.Delay
	if d <= 0 {
		d = time.Minute
	}
	if p.Backoff {
		for i := 1; i < n && d < maxBackoff && (p.MaxDelay <= 0 || d < p.MaxDelay); i++ {
			d *= 2
		}
		d = min(d, maxBackoff)
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}

// Next is the delay before retry n, jittered when backing off. A server's
// Retry-After is honoured when it asks for longer (capped by MaxDelay).
func (p RetryPolicy) Next(n int, serverAsked time.Duration) time.Duration {
	d := p.wait(n)
	if p.Backoff {
		d = time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	}
	if serverAsked > d {
		d = serverAsked
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}

// Schedule is the nominal delay before each retry, without jitter, for a
// form to show ("then after 1m, 2m, 4m").
func (p RetryPolicy) Schedule() []time.Duration {
	out := make([]time.Duration, 0, max(p.Retries, 0))
	for n := 1; n <= p.Retries; n++ {
		out = append(out, p.wait(n))
	}
	return out
}
