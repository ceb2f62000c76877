package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app/exchange"
)

// The tests run hooklens as a real process: the test binary re-executes
// itself with HOOKLENS_TEST_MAIN=1 and behaves as the hooklens command.
func TestMain(m *testing.M) {
	if os.Getenv("HOOKLENS_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func hooklensCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HOOKLENS_TEST_MAIN=1")
	return cmd
}

// runHooklens runs a command to completion and returns stdout, stderr and the exit status.
func runHooklens(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := hooklensCmd(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running hooklens %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// listener is a running `hooklens listen --json`. Its stdout is read all
// the time, as a real consumer would, so it never blocks on a full pipe.
type listener struct {
	cmd   *exec.Cmd
	url   string
	lines chan []byte // closed when stdout ends
	errb  *syncBuffer
	// diagnoses are diagnosis lines next skipped over.
	diagnoses [][]byte
}

func startListen(t *testing.T, dir string, extra ...string) *listener {
	t.Helper()
	args := append([]string{"listen", "--json", "--addr", "127.0.0.1:0", "--data", dir}, extra...)
	cmd := hooklensCmd(args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errb := &syncBuffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l := &listener{cmd: cmd, lines: make(chan []byte, 100_000), errb: errb}
	go func() {
		defer close(l.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			l.lines <- bytes.Clone(sc.Bytes())
		}
	}()
	t.Cleanup(func() {
		if l.cmd.ProcessState == nil {
			l.cmd.Process.Kill()
			l.cmd.Wait()
		}
	})
	first := l.next(t)
	var hello struct{ Listening string }
	if err := json.Unmarshal(first, &hello); err != nil || !strings.HasPrefix(hello.Listening, "http://127.0.0.1:") {
		t.Fatalf("first line must be {\"listening\":URL}, got %q (%v); stderr: %s", first, err, errb)
	}
	l.url = hello.Listening
	return l
}

func (l *listener) next(t *testing.T) []byte {
	t.Helper()
	for {
		line := l.nextLine(t)
		// A diagnosis made after the answer follows its event; tests that
		// want it read it with nextDiagnosis.
		if bytes.Contains(line, []byte(`"diagnosed":true`)) {
			l.diagnoses = append(l.diagnoses, line)
			continue
		}
		return line
	}
}

// nextDiagnosis is the next diagnosis line, read or already seen.
func (l *listener) nextDiagnosis(t *testing.T) []byte {
	t.Helper()
	for len(l.diagnoses) == 0 {
		line := l.nextLine(t)
		if bytes.Contains(line, []byte(`"diagnosed":true`)) {
			return line
		}
	}
	d := l.diagnoses[0]
	l.diagnoses = l.diagnoses[1:]
	return d
}

func (l *listener) nextLine(t *testing.T) []byte {
	t.Helper()
	select {
	case line, ok := <-l.lines:
		if !ok {
			t.Fatalf("listen ended early; stderr: %s", l.errb)
		}
		return line
	case <-time.After(10 * time.Second):
		t.Fatalf("no line from listen within 10s; stderr: %s", l.errb)
	}
	return nil
}

func TestListenPrintsEachEventAsAJSONLine(t *testing.T) {
	l := startListen(t, t.TempDir(), "--full")
	resp, err := http.Post(l.url+"/anything?x=1", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, reply)
	}
	var ev exchange.EventLine
	line := l.next(t)
	if err := json.Unmarshal(line, &ev); err != nil {
		t.Fatalf("event line %q: %v", line, err)
	}
	if ev.Method != "POST" || ev.Path != "/anything" || ev.Query != "x=1" || ev.Status != 200 || ev.Size != 7 {
		t.Errorf("event line says %+v", ev)
	}
	if !strings.Contains(string(reply), `"id":"`+ev.ID+`"`) {
		t.Errorf("reply %s does not quote event id %s", reply, ev.ID)
	}
	if ev.BodyBase64 == nil || *ev.BodyBase64 != base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)) {
		t.Errorf("--full line lacks the exact body: %s", line)
	}
	if ev.Verdict.Result != "unsigned" {
		t.Errorf("verdict of an unsigned request: %+v", ev.Verdict)
	}
	// SIGINT stops it cleanly.
	l.cmd.Process.Signal(os.Interrupt)
	if err := l.cmd.Wait(); err != nil {
		t.Errorf("listen after SIGINT: %v; stderr: %s", err, l.errb)
	}
}

// storedEvents reads every stored event through `hooklens events --json`.
func storedEvents(t *testing.T, dir string) map[string]*exchange.EventLine {
	t.Helper()
	out, errs, code := runHooklens(t, "events", "--json", "--limit", "1000000", "--data", dir)
	if code != 0 {
		t.Fatalf("events exited %d: %s", code, errs)
	}
	got := map[string]*exchange.EventLine{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var ev exchange.EventLine
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("events line %q: %v", line, err)
		}
		got[ev.ID] = &ev
	}
	return got
}

// post sends one request and returns the id the listener answered with, or "" when it was not acknowledged.
func post(c *http.Client, url, body string) string {
	resp, err := c.Post(url, "text/plain", strings.NewReader(body))
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var r struct {
		OK bool
		ID string
	}
	if resp.StatusCode/100 != 2 || json.NewDecoder(resp.Body).Decode(&r) != nil || !r.OK {
		return ""
	}
	return r.ID
}

func TestConcurrentClientsAreAllStored(t *testing.T) {
	dir := t.TempDir()
	l := startListen(t, dir)
	const clients, perClient = 50, 40 // 2,000 requests
	acked := make([]map[string]string, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second}
			acked[c] = map[string]string{}
			for i := range perClient {
				body := fmt.Sprintf(`{"client":%d,"n":%d}`, c, i)
				if id := post(client, l.url+fmt.Sprintf("/c%d/%d", c, i), body); id != "" {
					acked[c][id] = body
				}
			}
		}()
	}
	wg.Wait()
	l.cmd.Process.Signal(syscall.SIGTERM)
	l.cmd.Wait()
	// listen printed one line per event, the last ones too, before it exited.
	printed := 0
	for range l.lines {
		printed++
	}
	if printed != clients*perClient {
		t.Errorf("listen printed %d event lines, want %d", printed, clients*perClient)
	}

	stored := storedEvents(t, dir)
	n := 0
	for _, m := range acked {
		for id, body := range m {
			n++
			ev := stored[id]
			if ev == nil {
				t.Fatalf("acknowledged id %s is not stored", id)
			}
			if got, _ := base64.StdEncoding.DecodeString(*ev.BodyBase64); string(got) != body {
				t.Fatalf("event %s body %q, sent %q", id, got, body)
			}
		}
	}
	if n != clients*perClient || len(stored) != n {
		t.Fatalf("%d requests acknowledged, %d stored; want %d of each", n, len(stored), clients*perClient)
	}
}

// SIGKILL while requests arrive must lose no event that was answered 2xx.
func TestKillDuringCaptureLosesNoAcknowledgedEvent(t *testing.T) {
	dir := t.TempDir()
	l := startListen(t, dir)
	var mu sync.Mutex
	acked := map[string]string{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("client %d request %d", c, i)
				if id := post(client, l.url+"/kill", body); id != "" {
					mu.Lock()
					acked[id] = body
					mu.Unlock()
				}
			}
		}()
	}
	// Kill once a good number of requests were acknowledged, mid-stream.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 400 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.cmd.Process.Signal(syscall.SIGKILL)
	l.cmd.Wait()
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 50 {
		t.Fatalf("only %d requests were acknowledged before the kill; the test did not exercise anything", len(acked))
	}
	stored := storedEvents(t, dir)
	for id, body := range acked {
		ev := stored[id]
		if ev == nil {
			t.Fatalf("event %s was answered 2xx but is gone after SIGKILL (%d acknowledged, %d stored)", id, len(acked), len(stored))
		}
		if got, _ := base64.StdEncoding.DecodeString(*ev.BodyBase64); string(got) != body {
			t.Fatalf("event %s body %q after SIGKILL, sent %q", id, got, body)
		}
	}
	t.Logf("%d acknowledged, %d stored after SIGKILL", len(acked), len(stored))
}

func TestSecondInstanceFailsFastWithAClearError(t *testing.T) {
	dir := t.TempDir()
	startListen(t, dir)
	start := time.Now()
	// Another listener on the same data dir cannot hold the database too;
	// the other commands reach the running one (see the local API tests).
	_, errs, code := runHooklens(t, "listen", "--data", dir, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "already open by another Hooklens") {
		t.Fatalf("second open: exit %d, stderr %q", code, errs)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("second open took %s; it must fail fast, not hang", took)
	}
}

func TestPortInUseNamesThePortAndTheFix(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	_, errs, code := runHooklens(t, "listen", "--addr", addr, "--data", t.TempDir())
	_, port, _ := net.SplitHostPort(addr)
	if code != 1 || !strings.Contains(errs, port) || !strings.Contains(errs, "--addr 127.0.0.1:0") {
		t.Fatalf("port in use: exit %d, stderr %q", code, errs)
	}
}

func TestEndpointAddAndList(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := runHooklens(t, "endpoint", "add", "--slug", "stripe", "--scheme", "stripe", "--secret", "whsec_one", "--secret", "whsec_two", "--status", "202", "--data", dir); code != 0 {
		t.Fatalf("endpoint add: %d %s", code, errs)
	}
	out, errs, code := runHooklens(t, "endpoint", "list", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("endpoint list: %d %s", code, errs)
	}
	var ep endpointLine
	if err := json.Unmarshal([]byte(out), &ep); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if ep.Slug != "stripe" || ep.Scheme != "stripe" || ep.Secrets != 2 || ep.Status != 202 {
		t.Errorf("listed %+v", ep)
	}
	if strings.Contains(out, "whsec_") {
		t.Errorf("endpoint list printed a secret: %s", out)
	}
	// The endpoint's response rule is what the listener answers.
	l := startListen(t, dir)
	resp, err := http.Post(l.url+"/stripe/events", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ev exchange.EventLine
	json.Unmarshal(l.next(t), &ev)
	if resp.StatusCode != 202 || ev.Endpoint != "stripe" || ev.Status != 202 {
		t.Errorf("request to /stripe/events: status %d, event %+v", resp.StatusCode, ev)
	}
}

func TestWrongUsageExitsTwo(t *testing.T) {
	for _, args := range [][]string{
		{"events", "--limit", "0"},
		{"events", "--bogus"},
		{"endpoint"},
		{"endpoint", "add"},
		{"endpoint", "add", "--slug", "Bad Slug"},
		{"endpoint", "add", "--slug", "x", "--forward-to", "ftp://x"},
		{"listen", "--full"},
	} {
		_, errs, code := runHooklens(t, append(args, "--data", t.TempDir())...)
		if code != 2 || errs == "" {
			t.Errorf("hooklens %v: exit %d, stderr %q; want 2 and a message", args, code, errs)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
