package main

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// freeRun finds a port p with p…p+9 all free, and holds p…p+held-1.
func freeRun(t *testing.T, held int) (int, []net.Listener) {
	t.Helper()
	for try := 0; try < 50; try++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if p+10 > 65535 {
			continue
		}
		var ls []net.Listener
		ok := true
		for i := 0; i < 10; i++ {
			x, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+i))
			if err != nil {
				ok = false
				break
			}
			ls = append(ls, x)
		}
		for i, x := range ls {
			if !ok || i >= held {
				x.Close()
			}
		}
		if ok {
			t.Cleanup(func() {
				for _, x := range ls[:held] {
					x.Close()
				}
			})
			return p, ls[:held]
		}
	}
	t.Skip("no run of ten free ports on 127.0.0.1")
	return 0, nil
}

// The window's listener falls back to the next nine ports when its port is
// busy (so a provider's configured URL survives more restarts), then to any
// free port, and says so in a notice.
func TestBusyPortFallsBackToTheNextPorts(t *testing.T) {
	p, _ := freeRun(t, 2) // p and p+1 busy
	h, err := OpenHooklens(Config{Data: t.TempDir(), Addr: "127.0.0.1:" + strconv.Itoa(p), FallbackPorts: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	want := "127.0.0.1:" + strconv.Itoa(p+2)
	if got := h.Listener.Addr(); got != want {
		t.Errorf("listening on %s, want the first free next port %s", got, want)
	}
	if !strings.Contains(h.Notice, "127.0.0.1:"+strconv.Itoa(p)+" is in use") || !strings.Contains(h.Notice, want) {
		t.Errorf("notice %q", h.Notice)
	}
	h.Close()

	q, _ := freeRun(t, 10) // q…q+9 all busy
	h, err = OpenHooklens(Config{Data: t.TempDir(), Addr: "127.0.0.1:" + strconv.Itoa(q), FallbackPorts: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	_, port, _ := net.SplitHostPort(h.Listener.Addr())
	if n, _ := strconv.Atoi(port); n >= q && n <= q+9 {
		t.Errorf("listening on %d inside the busy run %d…%d", n, q, q+9)
	}
	if h.Notice == "" {
		t.Error("no notice for a random port")
	}

	// Without fallback (listen) a busy port is an error naming it.
	r, _ := freeRun(t, 1)
	if _, err := OpenHooklens(Config{Data: t.TempDir(), Addr: "127.0.0.1:" + strconv.Itoa(r), Logf: t.Logf}); err == nil {
		t.Error("a busy port without fallback opened")
	}
}
