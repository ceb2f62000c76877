package tunnel

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSupervisorManualURLReachable(t *testing.T) {
	l := newLocal(t)
	p, err := New(Settings{Provider: "manual", PublicURL: "http://" + l.addr + "/"}, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	st := newStatuses()
	sup := &Supervisor{Provider: p, Local: l.Local(), Prober: l.prober, OnStatus: st.on, ProbeEvery: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	if s := st.waitFor(t, Starting, 5*time.Second); s.Provider != "manual" || s.String() != "starting manual" {
		t.Fatalf("starting = %+v %q", s, s)
	}
	up := st.waitFor(t, Reachable, 5*time.Second)
	if up.PublicURL != "http://"+l.addr || up.RTT <= 0 {
		t.Fatalf("reachable = %+v", up)
	}
	st.waitFor(t, Reachable, 5*time.Second) // probed again after ProbeEvery
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := sup.Status(); got.State != Stopped || got.String() != "stopped" {
		t.Fatalf("after stop: %+v", got)
	}
}

func TestSupervisorManualURLToAnotherServerIsUnreachable(t *testing.T) {
	l := newLocal(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "not you") }))
	defer other.Close()
	st := newStatuses()
	sup := &Supervisor{Provider: &Manual{URL: other.URL}, Local: l.Local(), Prober: l.prober, OnStatus: st.on,
		ProbeEvery: 100 * time.Millisecond, Settle: 100 * time.Millisecond, MinBackoff: 20 * time.Millisecond, FailuresBeforeRestart: 2}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sup.Run(ctx)
	down := st.waitFor(t, Unreachable, 5*time.Second)
	if !strings.Contains(down.Reason, "some other server") || !strings.HasPrefix(down.String(), "unreachable (next probe in ") {
		t.Fatalf("unreachable = %+v %q", down, down)
	}
	// A manual URL has nothing to restart: it stays unreachable, probed again.
	again := st.waitFor(t, Unreachable, 5*time.Second)
	if again.Attempt <= down.Attempt {
		t.Fatalf("second failed probe has attempt %d after %d", again.Attempt, down.Attempt)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.all {
		if s.State == Reconnecting {
			t.Fatalf("a manual URL was reconnected: %s", s)
		}
	}
}

func TestSupervisorBadManualURLFails(t *testing.T) {
	st := newStatuses()
	sup := &Supervisor{Provider: &Manual{URL: "https://hooks.example.com/?k=v"}, OnStatus: st.on}
	err := sup.Run(context.Background())
	if err == nil || !IsPermanent(err) {
		t.Fatalf("run = %v", err)
	}
	if f := sup.Status(); f.State != Failed || !strings.Contains(f.String(), "must not have a query") {
		t.Fatalf("status = %+v", f)
	}
}

// flaky fails its first starts, then runs a manual URL.
type flaky struct {
	fails int
	url   string
	n     int
}

func (f *flaky) Name() string { return "flaky" }
func (f *flaky) Start(ctx context.Context, l Local) (Tunnel, error) {
	f.n++
	if f.n <= f.fails {
		return nil, fmt.Errorf("server unreachable (try %d)", f.n)
	}
	return (&Manual{URL: f.url}).Start(ctx, l)
}

func TestSupervisorBacksOffBetweenFailedStarts(t *testing.T) {
	l := newLocal(t)
	st := newStatuses()
	sup := &Supervisor{Provider: &flaky{fails: 3, url: "http://" + l.addr}, Local: l.Local(), Prober: l.prober, OnStatus: st.on,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 25 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sup.Run(ctx)
	var waits []time.Duration
	for i := 1; i <= 3; i++ {
		r := st.waitFor(t, Reconnecting, 5*time.Second)
		if r.Attempt != i || r.Reason != fmt.Sprintf("server unreachable (try %d)", i) {
			t.Fatalf("reconnect %d = %+v", i, r)
		}
		waits = append(waits, r.NextRetry)
	}
	if waits[0] != 10*time.Millisecond || waits[1] != 20*time.Millisecond || waits[2] != 25*time.Millisecond {
		t.Fatalf("backoff = %v, want 10ms 20ms 25ms (doubling, capped)", waits)
	}
	up := st.waitFor(t, Reachable, 5*time.Second)
	if up.Attempt != 0 {
		t.Fatalf("reachable after reconnects: %+v", up)
	}
}

func TestStatusLines(t *testing.T) {
	for _, c := range []struct {
		s    Status
		want string
	}{
		{Status{State: Reconnecting, Attempt: 3, NextRetry: 8 * time.Second, Reason: "the ssh connection to h:22 dropped: EOF"},
			"reconnecting (attempt 3, next in 8s): the ssh connection to h:22 dropped: EOF"},
		{Status{State: Reachable, PublicURL: "https://a.trycloudflare.com", RTT: 120 * time.Millisecond},
			"reachable at https://a.trycloudflare.com (round trip 120ms)"},
		{Status{State: Reachable, PublicURL: "https://b.trycloudflare.com", RTT: 1500 * time.Millisecond, URLChanged: true, PreviousURL: "https://a.trycloudflare.com"},
			"reachable at https://b.trycloudflare.com (round trip 1.5s); the public URL changed from https://a.trycloudflare.com to https://b.trycloudflare.com: update it at every provider that sends here, or use a static URL (ngrok reserved domain, SSH or chisel to your own server, or a manual URL)"},
		{Status{State: Starting, Provider: "ngrok", Attempt: 2}, "starting ngrok (attempt 2)"},
		{Status{State: Failed, Reason: "cloudflared is not installed"}, "failed: cloudflared is not installed"},
		{Status{State: Reconnecting, Attempt: 9, NextRetry: 125 * time.Second, Reason: "x"}, "reconnecting (attempt 9, next in 2m5s): x"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("String() =\n %q\nwant\n %q", got, c.want)
		}
	}
}

func TestQuirks(t *testing.T) {
	if q := Quirks("https://hooks.example.com:8443/in"); len(q) != 1 || !strings.HasPrefix(q[0], "SalesIQ will refuse this URL") {
		t.Fatalf("quirks with a port = %q", q)
	}
	if q := Quirks("https://hooks.example.com/in"); len(q) != 0 {
		t.Fatalf("quirks without a port = %q", q)
	}
	s := Status{State: Reachable, PublicURL: "http://h:8080", Quirks: Quirks("http://h:8080")}
	if !strings.Contains(s.String(), "SalesIQ will refuse this URL") {
		t.Fatalf("line does not warn: %q", s)
	}
}
