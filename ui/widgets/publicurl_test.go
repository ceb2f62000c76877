//go:build ci

package widgets

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/tunnel"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// uiQueue stands in for the UI goroutine: Set may be called from any
// goroutine, and what it queues runs when the test pumps.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

func (q *uiQueue) pump() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

// setFrom sets st from another goroutine, as the tunnel's supervisor does.
func setFrom(p *PublicURL, q *uiQueue, st tunnel.Status) {
	done := make(chan struct{})
	go func() {
		p.Set(st)
		close(done)
	}()
	<-done
	q.pump()
}

func TestPublicURLFollowsTheTunnel(t *testing.T) {
	test.NewTempApp(t)
	q := &uiQueue{}
	p := NewPublicURL(q.do)
	w := test.NewWindow(p.Root)
	defer w.Close()
	w.Resize(w.Content().MinSize().AddWidthHeight(400, 0))

	if p.Light.Color != hltheme.Grey || p.Toggle.Text != "Start" || p.StatusLine.Visible() || !p.Copy.Disabled() {
		t.Errorf("before any tunnel: light %s, toggle %q, status shown %v, copy disabled %v", p.Light.Color, p.Toggle.Text, p.StatusLine.Visible(), p.Copy.Disabled())
	}

	setFrom(p, q, tunnel.Status{State: tunnel.Starting, Provider: "ssh"})
	if p.Light.Color != hltheme.Orange || p.Provider.Text != "ssh" || p.Toggle.Text != "Stop" || !strings.HasPrefix(p.StatusLine.Text, "Starting ssh") {
		t.Errorf("starting: light %s, provider %q, toggle %q, status %q", p.Light.Color, p.Provider.Text, p.Toggle.Text, p.StatusLine.Text)
	}

	url := "https://hooks.example.test/in"
	setFrom(p, q, tunnel.Status{State: tunnel.Reachable, Provider: "ssh", PublicURL: url, RTT: 42 * time.Millisecond})
	rtt := app.FormatDuration(42 * time.Millisecond)
	if p.Light.Color != hltheme.Green || p.URL.Text != url || !p.StatusLine.Visible() ||
		!strings.Contains(p.StatusLine.Text, "eachable at "+url) || !strings.Contains(p.StatusLine.Text, rtt) {
		t.Errorf("reachable: light %s, URL %q, status %q (want the round trip %s)", p.Light.Color, p.URL.Text, p.StatusLine.Text, rtt)
	}
	if p.Copy.Disabled() || p.Open.Disabled() {
		t.Error("copy or open is disabled while the URL is reachable")
	}

	setFrom(p, q, tunnel.Status{State: tunnel.Reconnecting, Provider: "ssh", PublicURL: url, Attempt: 3, NextRetry: 8 * time.Second,
		Reason: "the ssh connection to tunnel.example.test:22 dropped: EOF"})
	want := "Reconnecting (attempt 3, next in " + app.FormatDuration(8*time.Second) + "): the ssh connection to tunnel.example.test:22 dropped: EOF"
	if p.Light.Color != hltheme.Orange || p.StatusLine.Text != want || p.Toggle.Text != "Stop" || p.URL.Text != url {
		t.Errorf("reconnecting: light %s, toggle %q, URL %q, status\n%q, want\n%q", p.Light.Color, p.Toggle.Text, p.URL.Text, p.StatusLine.Text, want)
	}

	setFrom(p, q, tunnel.Status{State: tunnel.Unreachable, Provider: "ssh", PublicURL: url, Reason: "the probe did not arrive"})
	if p.Light.Color != hltheme.Red || !strings.Contains(p.StatusLine.Text, "the probe did not arrive") {
		t.Errorf("unreachable: light %s, status %q", p.Light.Color, p.StatusLine.Text)
	}

	setFrom(p, q, tunnel.Status{State: tunnel.Stopped, Provider: "ssh", PublicURL: url})
	if p.Light.Color != hltheme.Grey || p.Toggle.Text != "Start" {
		t.Errorf("stopped: light %s, toggle %q", p.Light.Color, p.Toggle.Text)
	}
}

func TestPublicURLSaysLoudlyWhenTheURLChangedOrSalesIQWillRefuseIt(t *testing.T) {
	test.NewTempApp(t)
	q := &uiQueue{}
	p := NewPublicURL(q.do)
	url := "http://tunnel.example.test:8080"
	setFrom(p, q, tunnel.Status{State: tunnel.Reachable, Provider: "chisel", PublicURL: url, RTT: time.Millisecond,
		URLChanged: true, PreviousURL: "http://tunnel.example.test:9090", Quirks: tunnel.Quirks(url)})
	if !p.changedBox.Visible() || !strings.Contains(p.Changed.Text, "changed from http://tunnel.example.test:9090 to "+url) {
		t.Errorf("URL change shown %v: %q", p.changedBox.Visible(), p.Changed.Text)
	}
	if !p.quirkBox.Visible() || !strings.HasPrefix(p.Quirks.Text, "SalesIQ will refuse this URL") {
		t.Errorf("SalesIQ quirk shown %v: %q", p.quirkBox.Visible(), p.Quirks.Text)
	}
	if strings.Contains(p.StatusLine.Text, "SalesIQ") || strings.Contains(p.StatusLine.Text, "changed") {
		t.Errorf("the status line repeats the warnings: %q", p.StatusLine.Text)
	}

	setFrom(p, q, tunnel.Status{State: tunnel.Reachable, Provider: "chisel", PublicURL: "https://hooks.example.test", Quirks: tunnel.Quirks("https://hooks.example.test")})
	if p.changedBox.Visible() || p.quirkBox.Visible() {
		t.Error("warnings still shown for a URL without a port that did not change")
	}
}

func TestPublicURLCopiesTheURLItself(t *testing.T) {
	a := test.NewTempApp(t)
	q := &uiQueue{}
	p := NewPublicURL(q.do)
	url := "https://abc-def.trycloudflare.com"
	setFrom(p, q, tunnel.Status{State: tunnel.Reachable, Provider: "cloudflared", PublicURL: url})
	test.Tap(p.Copy)
	if got := a.Clipboard().Content(); got != url {
		t.Errorf("clipboard %q, want %q", got, url)
	}
}

// fakeOpener puts an xdg-open on PATH that records what it was asked to open.
func fakeOpener(t *testing.T) (record string) {
	dir := t.TempDir()
	record = filepath.Join(dir, "opened")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> " + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return record
}

func TestPublicURLOpensOnlyWebURLsAndOnlyWhenTapped(t *testing.T) {
	test.NewTempApp(t)
	record := fakeOpener(t)
	q := &uiQueue{}
	p := NewPublicURL(q.do)

	setFrom(p, q, tunnel.Status{State: tunnel.Reachable, Provider: "manual", PublicURL: "file:///etc/passwd"})
	if !p.Open.Disabled() {
		t.Error("open is enabled for a file: URL")
	}
	test.Tap(p.Open)
	p.openURL() // even when reached past the disabled button
	if OpenLink("file:///etc/passwd", q.do, nil) {
		t.Error("OpenLink tried to open a file: URL")
	}
	q.pump()
	if b, err := os.ReadFile(record); err == nil {
		t.Fatalf("a file: URL was opened: %q", b)
	}

	url := "https://hooks.example.test/in"
	setFrom(p, q, tunnel.Status{State: tunnel.Reachable, Provider: "manual", PublicURL: url})
	if _, err := os.Stat(record); err == nil {
		t.Fatal("the URL was opened without a tap")
	}
	test.Tap(p.Open)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(record)
		if string(b) == url+"\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("xdg-open was run with %q, want %q", b, url)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPublicURLReportsABrowserThatCannotOpen(t *testing.T) {
	test.NewTempApp(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	q := &uiQueue{}
	p := NewPublicURL(q.do)
	setFrom(p, q, tunnel.Status{State: tunnel.Reachable, Provider: "manual", PublicURL: "https://hooks.example.test"})
	test.Tap(p.Open)
	deadline := time.Now().Add(10 * time.Second)
	for !p.Err.Visible() {
		if time.Now().After(deadline) {
			t.Fatal("no error shown when the browser could not be opened")
		}
		time.Sleep(20 * time.Millisecond)
		q.pump()
	}
	if !strings.Contains(p.Err.Text, "ould not open https://hooks.example.test in the browser: exit status 3") {
		t.Errorf("error %q", p.Err.Text)
	}
}
