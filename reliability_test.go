package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// A forward is stored with its event before the sender is answered: after
// SIGKILL under load, every acknowledged event has its forward delivered
// once Hooklens runs again (at least once).
func TestForwardsSurviveSIGKILL(t *testing.T) {
	dir := shortDir(t)
	var mu sync.Mutex
	got := map[string]int{}
	var answering atomic.Bool
	hold := make(chan struct{})
	app := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !answering.Load() {
			<-hold // the app is paused in a debugger: forwards pile up
			return
		}
		mu.Lock()
		got[string(b)]++
		mu.Unlock()
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Serve(ln)
	defer app.Close()
	defer close(hold)
	if _, errs, code := runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "dev", "--forward-to", "http://"+ln.Addr().String()+"/in"); code != 0 {
		t.Fatal(errs)
	}
	l := startListen(t, dir)
	client := &http.Client{Timeout: 10 * time.Second}
	var acked sync.Map
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for c := 0; c < 20; c++ {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("c%d-%d", c, i)
				resp, err := client.Post(l.url+"/dev/x", "text/plain", strings.NewReader(body))
				if err != nil {
					return
				}
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					acked.Store(body, true)
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	l.cmd.Process.Signal(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	l.cmd.Wait()
	n := 0
	acked.Range(func(_, _ any) bool { n++; return true })
	if n < 50 {
		t.Fatalf("only %d requests acknowledged before the kill", n)
	}
	answering.Store(true)
	startListen(t, dir)
	deadline := time.Now().Add(60 * time.Second)
	for {
		missing := 0
		acked.Range(func(k, _ any) bool {
			mu.Lock()
			if got[k.(string)] == 0 {
				missing++
			}
			mu.Unlock()
			return true
		})
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged events were never forwarded after the restart", missing, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("%d acknowledged before SIGKILL, all forwarded after the restart", n)
}

// A forward pointing at the listener itself is refused, and a request that
// went round a loop of Hooklens forwards is answered 508, not forwarded again.
func TestForwardLoopsAreStopped(t *testing.T) {
	dir := shortDir(t)
	l := startListen(t, dir)
	_, errs, code := runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "loop", "--forward-to", l.url+"/loop/again")
	if code != 2 || !strings.Contains(errs, "this Hooklens's own listener") {
		t.Fatalf("forward to itself: exit %d, %q", code, errs)
	}
	req, _ := http.NewRequest("POST", l.url+"/x", strings.NewReader("{}"))
	req.Header.Set("X-Hooklens-Hops", "2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusLoopDetected || !strings.Contains(string(b), "Hooklens forwards") {
		t.Fatalf("looped request answered %d %s", resp.StatusCode, b)
	}
}

// A password in a forward URL is never shown: not in the 502 a sender
// gets, not in endpoint list, deliveries or the log.
func TestForwardURLPasswordsAreMasked(t *testing.T) {
	dir := shortDir(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	fwd := "http://admin:hunter2@" + dead + "/hook"
	if _, errs, code := runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "dev", "--forward-to", fwd, "--forward-reply"); code != 0 {
		t.Fatal(errs)
	}
	l := startListen(t, dir)
	resp, err := http.Post(l.url+"/dev", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || strings.Contains(string(b), "hunter2") || !strings.Contains(string(b), "admin:xxxxx@") {
		t.Fatalf("sender got %d %s", resp.StatusCode, b)
	}
	l.next(t)
	for _, args := range [][]string{{"endpoint", "list"}, {"endpoint", "list", "--json"}, {"deliveries"}, {"deliveries", "--json"}} {
		out, errs, _ := runHooklens(t, append(args, "--data", dir)...)
		if strings.Contains(out+errs, "hunter2") {
			t.Errorf("%v shows the password: %s %s", args, out, errs)
		}
	}
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()
	if strings.Contains(l.errb.String(), "hunter2") {
		t.Errorf("the log shows the password: %s", l.errb)
	}
}

// listen prunes by age and by size, and says what it removed.
func TestListenPrunesByAgeAndSize(t *testing.T) {
	dir := shortDir(t)
	l := startListen(t, dir)
	for i := 0; i < 40; i++ {
		resp, err := http.Post(l.url+"/x", "text/plain", strings.NewReader(strings.Repeat("a", 1000)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		l.next(t)
	}
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()
	count := func() int {
		out, _, _ := runHooklens(t, "events", "--data", dir, "--limit", "1000", "--json")
		return strings.Count(out, "\n")
	}
	if n := count(); n != 40 {
		t.Fatalf("%d events stored, want 40", n)
	}
	l = startListen(t, dir, "--max-size", "10KiB")
	waitFor(t, func() bool { return strings.Contains(l.errb.String(), "retention removed") })
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()
	if n := count(); n == 0 || n >= 40 {
		t.Fatalf("%d events after a 10 KiB cap; want some pruned, the newest kept", n)
	}
	if !strings.Contains(l.errb.String(), "size cap") {
		t.Errorf("prune report does not say why: %s", l.errb)
	}
	time.Sleep(20 * time.Millisecond)
	l = startListen(t, dir, "--keep", "10ms")
	waitFor(t, func() bool { return strings.Contains(l.errb.String(), "retention removed") })
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()
	if n := count(); n != 0 {
		t.Fatalf("%d events left after --keep 10ms", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A stdout nobody reads does not grow memory without bound or hold up
// capture: lines are dropped and counted, the count is printed once output
// moves again, and SIGTERM still exits promptly and releases the database.
func TestBlockedStdoutIsBoundedAndSIGTERMExits(t *testing.T) {
	dir := shortDir(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cmd := hooklensCmd("listen", "--json", "--full", "--addr", addr, "--data", dir)
	// A soft memory limit makes the collector keep garbage low, so what is
	// measured is what listen holds on to: over 100 MiB of lines if it kept
	// them all, a few MiB when it drops them.
	cmd.Env = append(cmd.Env, "GOMEMLIMIT=40MiB")
	cmd.Stdout = pw
	errb := &syncBuffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	defer cmd.Process.Kill()
	body := strings.Repeat("z", 16<<10)
	client := &http.Client{Timeout: 10 * time.Second}
	var ok atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Go(func() {
			for i := 0; i < 600; i++ {
				resp, err := client.Post("http://"+addr+"/x", "text/plain", strings.NewReader(body))
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	// 4,800 lines of ~22 KiB each (over 100 MiB) were printed to a pipe
	// nobody reads.
	if ok.Load() < 4000 {
		t.Fatalf("only %d of 4800 requests answered 200 while stdout was blocked: capture waited on it; stderr: %s", ok.Load(), errb)
	}
	rss := processRSS(t, cmd.Process.Pid)
	if rss > 80<<20 && !raceEnabled { // over 100 MiB of lines were printed: unbounded, they would all be held
		t.Errorf("listen holds %d MiB with stdout blocked: output is not bounded", rss>>20)
	}
	// Output moves again: the drop count is printed.
	seen := make(chan bool, 1)
	go func() {
		b, _ := io.ReadAll(pr)
		seen <- strings.Contains(string(b), "line(s) were dropped while the output was not being read")
	}()
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("SIGTERM: still running after 10s")
	}
	t.Logf("%d requests, RSS %d MiB with stdout blocked; exited %s after SIGTERM", ok.Load(), rss>>20, time.Since(start).Round(time.Millisecond))
	if !<-seen {
		t.Error("no drop count printed once output moved again")
	}
	if _, errs, code := runHooklens(t, "events", "--data", dir, "--limit", "1"); code != 0 {
		t.Fatalf("database still locked after SIGTERM: %s", errs)
	}
}

// processRSS is a process's resident anonymous memory in bytes (RssAnon,
// from /proc): the heap and stacks, not the mapped database file.
func processRSS(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// A data dir already over the retention cap when the window opens is not
// pruned before the user is told: the assembly holds retention and says why.
func TestOverTheCapAtOpenIsReportedBeforeAnythingIsRemoved(t *testing.T) {
	dir := shortDir(t)
	h, err := OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		resp, err := http.Post(h.Listener.URL()+"/x", "text/plain", strings.NewReader(strings.Repeat("b", 2000)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	h.Close()
	h, err = OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", AskBeforePruning: true, Retention: Retention{MaxBytes: 10 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if !strings.Contains(h.PruneHeld, "over the 10 KiB retention cap") {
		t.Fatalf("held prune notice %q", h.PruneHeld)
	}
	time.Sleep(300 * time.Millisecond)
	if n, _ := h.Store.Count(); n != 30 {
		t.Fatalf("%d events left before the user was asked; want all 30", n)
	}
	h.PruneNow()
	waitFor(t, func() bool { n, _ := h.Store.Count(); return n < 30 && n > 0 })
}

// The count cap is held at open as the size cap is: reported first, and
// nothing removed until PruneNow; headless, the log says so before the
// first prune.
func TestOverTheCountCapAtOpenIsReportedFirst(t *testing.T) {
	dir := shortDir(t)
	h, err := OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		resp, err := http.Post(h.Listener.URL()+"/x", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	h.Close()
	h, err = OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", AskBeforePruning: true, Retention: Retention{MaxEvents: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.PruneHeld, "20 events are stored, over the retention cap of 5 events") {
		t.Fatalf("held prune notice %q", h.PruneHeld)
	}
	if r := h.Retention(); r.MaxEvents != 5 {
		t.Fatalf("Retention() = %+v while held, want the held limits", r)
	}
	time.Sleep(300 * time.Millisecond)
	if n, _ := h.Store.Count(); n != 20 {
		t.Fatalf("%d events left before the user was asked; want all 20", n)
	}
	h.PruneNow()
	waitFor(t, func() bool { n, _ := h.Store.Count(); return n == 5 })
	h.Close()

	// Headless (listen): the log line comes before anything is removed.
	var mu sync.Mutex
	var lines []string
	logf := func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(f, a...))
	}
	h, err = OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", Logf: logf, Retention: Retention{MaxEvents: 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	mu.Lock()
	said := strings.Join(lines, "\n")
	mu.Unlock()
	if !strings.Contains(said, "5 events are stored, over the retention cap of 2 events: pruning the oldest events beyond it now") {
		t.Fatalf("listen said %q before pruning", said)
	}
	waitFor(t, func() bool { n, _ := h.Store.Count(); return n == 2 })
}
