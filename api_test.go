package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/exchange"
)

// shortDir is a data dir whose socket path fits a Unix socket address.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// With `listen` holding the database, events, endpoint add/list, send
// --event, verify --event and wait all work through the local API, with the
// output they give when they open the file themselves.
func TestCommandsWorkBesideARunningListener(t *testing.T) {
	dir := shortDir(t)
	l := startListen(t, dir)
	sock := filepath.Join(dir, api.SocketName)
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("local API socket %s: %v, mode %v; want a 0600 socket", sock, err, fi.Mode())
	}

	// endpoint add through the running instance, secrets and all.
	out, errs, code := runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "gh", "--scheme", "github", "--secret", "It's a Secret to Everybody")
	if code != 0 || !strings.Contains(out, `endpoint "gh" saved`) {
		t.Fatalf("endpoint add beside listen: exit %d, %q %q", code, out, errs)
	}
	// The same refusal as when no instance runs.
	_, errs, code = runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "bad", "--status", "150")
	if code != 2 || !strings.Contains(errs, "status 150 is not a final HTTP status") {
		t.Fatalf("status 150: exit %d, %q", code, errs)
	}
	_, errs, code = runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "bad", "--scheme", "bogus")
	if code != 2 || !strings.Contains(errs, `unknown signature scheme "bogus"`) {
		t.Fatalf("bogus scheme: exit %d, %q", code, errs)
	}
	out, _, _ = runHooklens(t, "endpoint", "list", "--data", dir, "--json")
	var line endpointLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &line); err != nil || line.Slug != "gh" || line.Secrets != 1 {
		t.Fatalf("endpoint list --json beside listen: %q (%v)", out, err)
	}

	// wait, started before the request arrives.
	type res struct {
		out, errs string
		code      int
	}
	waited := make(chan res, 1)
	go func() {
		o, e, c := runHooklens(t, "wait", "--data", dir, "--endpoint", "gh", "--verdict", "valid", "--timeout", "20s", "--json")
		waited <- res{o, e, c}
	}()
	// The GitHub documentation's test vector, signed correctly.
	body := "Hello, World!"
	// wait hears only events that arrive after it subscribed, and on a
	// busy machine it may subscribe late: send again until it answers.
	var w res
	deadline := time.After(30 * time.Second)
	for got := false; !got; {
		select {
		case w = <-waited:
			got = true
		case <-deadline:
			t.Fatal("wait did not return")
		case <-time.After(500 * time.Millisecond):
			req, _ := http.NewRequest("POST", l.url+"/gh/push", strings.NewReader(body))
			req.Header.Set("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
			req.Header.Set("X-GitHub-Event", "push")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("listener answered %d", resp.StatusCode)
			}
		}
	}
	var ev exchange.EventLine
	if w.code != 0 || json.Unmarshal([]byte(w.out), &ev) != nil || ev.Endpoint != "gh" || ev.Verdict.Result != "valid" {
		t.Fatalf("wait: exit %d, %q %q", w.code, w.out, w.errs)
	}

	// events --json through the API is the same line as the file gives.
	// (The loop above may have sent more than one push: wait reported one.)
	waitedLine := strings.TrimSpace(w.out)
	out, errs, code = runHooklens(t, "events", "--data", dir, "--json")
	if code != 0 || !slices.Contains(strings.Split(strings.TrimSpace(out), "\n"), waitedLine) {
		t.Fatalf("events --json beside listen: exit %d\n%s\nlacks\n%s\n%s", code, out, w.out, errs)
	}

	// The filter language, through the API.
	out, errs, code = runHooklens(t, "events", "--data", dir, "--filter", "verdict:valid endpoint:gh type:push", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !slices.Contains(lines, waitedLine) {
		t.Fatalf("events --filter beside listen: exit %d %q %q", code, out, errs)
	}
	for _, l := range lines {
		if !strings.Contains(l, `"endpoint":"gh"`) {
			t.Fatalf("events --filter endpoint:gh gave %s", l)
		}
	}
	out, _, code = runHooklens(t, "events", "--data", dir, "--filter", "-endpoint:gh", "--json")
	if code != 0 || out != "" {
		t.Fatalf("events --filter -endpoint:gh: exit %d %q", code, out)
	}
	if _, errs, code = runHooklens(t, "events", "--data", dir, "--filter", "colour:red"); code != 2 || !strings.Contains(errs, "colour: is not a filter key") {
		t.Fatalf("unknown filter key: exit %d %q", code, errs)
	}

	// verify --event judges the stored event against its endpoint.
	out, errs, code = runHooklens(t, "verify", "--data", dir, "--event", ev.ID)
	if code != 0 || !strings.Contains(out, `"result": "valid"`) {
		t.Fatalf("verify --event: exit %d, %q %q", code, out, errs)
	}

	// send --event: the running instance sends it to a real receiver.
	var mu sync.Mutex
	var got []string
	rcv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 100)
		n, _ := r.Body.Read(b)
		mu.Lock()
		got = append(got, string(b[:n]))
		mu.Unlock()
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go rcv.Serve(ln)
	defer rcv.Close()
	out, errs, code = runHooklens(t, "send", "--data", dir, "--event", ev.ID, "--to", "http://"+ln.Addr().String()+"/in", "--json")
	var dl app.DeliveryLine
	if code != 0 || json.Unmarshal([]byte(out), &dl) != nil || dl.State != app.Delivered || dl.EventID == 0 {
		t.Fatalf("send --event beside listen: exit %d, %q %q", code, out, errs)
	}
	mu.Lock()
	if len(got) != 1 || got[0] != body {
		t.Fatalf("receiver got %q", got)
	}
	mu.Unlock()
	out, _, code = runHooklens(t, "deliveries", "--data", dir)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d", dl.ID)) || !strings.Contains(out, "delivered") {
		t.Fatalf("deliveries beside listen: %q", out)
	}

	// wait times out with exit 1 and says so.
	_, errs, code = runHooklens(t, "wait", "--data", dir, "--path", "/never", "--timeout", "500ms")
	if code != 1 || !strings.Contains(errs, "no matching event arrived within 500ms") {
		t.Fatalf("wait timeout: exit %d, %q", code, errs)
	}
}

// Without a running instance, wait listens itself.
func TestWaitListensWhenNothingRuns(t *testing.T) {
	dir := shortDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan string, 1)
	go func() {
		o, e, c := runHooklens(t, "wait", "--data", dir, "--addr", addr, "--path", "/hi", "--timeout", "20s")
		done <- fmt.Sprintf("%d|%s|%s", c, o, e)
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		time.Sleep(100 * time.Millisecond)
		if resp, err = http.Post("http://"+addr+"/hi/there", "text/plain", strings.NewReader("x")); err == nil {
			resp.Body.Close()
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if !strings.HasPrefix(r, "0|") || !strings.Contains(r, "/hi/there") {
			t.Fatalf("wait: %s", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("wait did not return")
	}
}
