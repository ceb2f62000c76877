package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/team"
	"github.com/hooklens/hooklens/store"
)

// teamServer is an embedded NATS server in the test process: a free port on
// 127.0.0.1, JetStream in a temporary directory.
func teamServer(t *testing.T) (*team.Server, string) {
	t.Helper()
	dir := t.TempDir()
	srv, err := team.Serve(team.ServeConfig{Addr: "127.0.0.1:0", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, dir
}

// follower imports the stream at url into a store of its own, in process,
// until stop; the store stays open for reading.
type follower struct {
	st   *store.Store
	stop func()
}

func startFollower(t *testing.T, dir, url, name string) *follower {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := team.NewFollower(st, team.FollowConfig{Config: team.Config{URL: url}, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	var once sync.Once
	fl := &follower{st: st}
	fl.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("follower %s: %v", name, err)
			}
			st.Close()
		})
	}
	t.Cleanup(fl.stop)
	return fl
}

func (f *follower) count() int { n, _ := f.st.Count(); return n }

var instanceLine = regexp.MustCompile(`team: publishing to \S+, stream \S+, as (\S+);`)

// instanceOf reads the instance name a publishing listen announced.
func instanceOf(t *testing.T, l *listener) string {
	t.Helper()
	var m []string
	waitFor(t, func() bool { m = instanceLine.FindStringSubmatch(l.errb.String()); return m != nil })
	return m[1]
}

// binaryBody is a body that is not UTF-8, with every byte value in it.
func binaryBody(n int) []byte {
	b := make([]byte, 0, 300)
	for i := range 256 {
		b = append(b, byte(i))
	}
	return append(b, fmt.Sprintf("#%d", n)...)
}

// postBinary sends one request with a binary body and a repeated header and
// returns the acknowledged event id, "" when not acknowledged.
func postBinary(c *http.Client, url string, n int) string {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(binaryBody(n)))
	req.Header["X-Repeat"] = []string{"one", "two", fmt.Sprint(n)}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var r struct{ ID string }
	if resp.StatusCode/100 != 2 || json.NewDecoder(resp.Body).Decode(&r) != nil {
		return ""
	}
	return r.ID
}

func TestTeamFollowerGetsEveryPublishedRequestOnceByteExact(t *testing.T) {
	srv, _ := teamServer(t)
	dir := shortDir(t)
	l := startListen(t, dir, "--publish", srv.URL())
	inst := instanceOf(t, l)
	a := startFollower(t, t.TempDir(), srv.URL(), "alice")
	b := startFollower(t, t.TempDir(), srv.URL(), "bob")

	const clients, perClient = 50, 40 // 2,000 requests
	var wg sync.WaitGroup
	var acked atomic.Int64
	for c := range clients {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second}
			defer client.CloseIdleConnections()
			for i := range perClient {
				if postBinary(client, l.url+"/gh/push", c*perClient+i) != "" {
					acked.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if acked.Load() != clients*perClient {
		t.Fatalf("%d of %d requests acknowledged", acked.Load(), clients*perClient)
	}
	waitFor(t, func() bool { return a.count() == 2000 && b.count() == 2000 })
	l.cmd.Process.Signal(syscall.SIGINT)
	if err := l.cmd.Wait(); err != nil {
		t.Fatalf("listen: %v; %s", err, l.errb)
	}
	time.Sleep(200 * time.Millisecond) // a duplicate would arrive now
	pub, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if n, _ := pub.OutboxCount(); n != 0 {
		t.Errorf("%d events still waiting to publish after all were followed", n)
	}
	sums, err := pub.Events(app.Page{Limit: 10000})
	if err != nil || len(sums) != 2000 {
		t.Fatalf("publisher holds %d events (%v)", len(sums), err)
	}
	for _, f := range []*follower{a, b} {
		if f.count() != 2000 {
			t.Fatalf("follower holds %d events, want exactly 2000", f.count())
		}
		for _, s := range sums {
			want, err := pub.Event(s.ID)
			if err != nil {
				t.Fatal(err)
			}
			id, err := f.st.ByOrigin("team:" + inst + ":" + want.IDString())
			if err != nil {
				t.Fatalf("event %d never followed: %v", s.ID, err)
			}
			got, err := f.st.Event(id)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Body, want.Body) || !slices.Equal(got.Headers, want.Headers) ||
				got.Method != want.Method || got.Path != want.Path || got.Endpoint != want.Endpoint ||
				got.Response.Status != want.Response.Status || got.Verdict != want.Verdict || !got.ReceivedAt.Equal(want.ReceivedAt) {
				t.Fatalf("followed event %d differs:\n got %+v\nwant %+v", s.ID, got, want)
			}
			if vals := got.Headers.Values("X-Repeat"); len(vals) != 3 || vals[0] != "one" || vals[1] != "two" {
				t.Fatalf("repeated header arrived as %q", vals)
			}
		}
	}
}

func TestTeamPublisherSIGKILLedUnderLoadLosesAndRepeatsNothing(t *testing.T) {
	srv, _ := teamServer(t)
	dir := shortDir(t)
	l := startListen(t, dir, "--publish", srv.URL())
	inst := instanceOf(t, l)
	f := startFollower(t, t.TempDir(), srv.URL(), "desk")

	var acked sync.Map
	load := func(url string, d time.Duration) {
		var wg sync.WaitGroup
		end := time.Now().Add(d)
		var n atomic.Int64
		for range 20 {
			wg.Go(func() {
				client := &http.Client{Timeout: 10 * time.Second}
				// Spare connections the transport dialled but never used
				// would hold the listener's shutdown for 5 s.
				defer client.CloseIdleConnections()
				for time.Now().Before(end) {
					if id := postBinary(client, url+"/gh/x", int(n.Add(1))); id != "" {
						acked.Store(id, true)
					} else if time.Now().Before(end) {
						return // the listener is gone
					}
				}
			})
		}
		if d > 0 {
			wg.Wait()
		}
	}
	go load(l.url, 5*time.Second) // still sending when the kill comes
	time.Sleep(1500 * time.Millisecond)
	l.cmd.Process.Signal(syscall.SIGKILL)
	l.cmd.Wait()
	time.Sleep(200 * time.Millisecond) // the load's last requests fail
	before := 0
	acked.Range(func(_, _ any) bool { before++; return true })
	if before < 50 {
		t.Fatalf("only %d acknowledged before the kill", before)
	}
	l2 := startListen(t, dir, "--publish", srv.URL())
	load(l2.url, time.Second)
	total := 0
	acked.Range(func(_, _ any) bool { total++; return true })
	l2.cmd.Process.Signal(syscall.SIGINT) // it publishes what waits before it exits
	if err := l2.cmd.Wait(); err != nil {
		t.Fatalf("listen: %v; %s", err, l2.errb)
	}
	// Every stored event reaches the follower, the acknowledged ones and
	// those committed just before the kill whose answer never left.
	pub, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	stored, _ := pub.Count()
	waitFor(t, func() bool { return f.count() >= stored })
	time.Sleep(300 * time.Millisecond) // a duplicate would arrive now
	missing := 0
	acked.Range(func(k, _ any) bool {
		if _, err := f.st.ByOrigin("team:" + inst + ":" + k.(string)); err != nil {
			missing++
		}
		return true
	})
	if missing > 0 || f.count() != stored {
		t.Fatalf("%d acknowledged (%d before SIGKILL), %d stored: %d acknowledged never followed, follower holds %d", total, before, stored, missing, f.count())
	}
	if n, _ := pub.OutboxCount(); n != 0 {
		t.Errorf("%d events still waiting to publish", n)
	}
	t.Logf("%d acknowledged, %d of them before SIGKILL: each followed once", total, before)
}

func TestTeamCaptureGoesOnWhileNATSIsDownAndTheOutboxDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("keeps NATS down for 20 s")
	}
	jsDir := t.TempDir()
	srv, err := team.Serve(team.ServeConfig{Addr: "127.0.0.1:0", Dir: jsDir})
	if err != nil {
		t.Fatal(err)
	}
	url := srv.URL()
	dir := shortDir(t)
	l := startListen(t, dir, "--publish", url)
	inst := instanceOf(t, l)
	f := startFollower(t, t.TempDir(), url, "ops")
	client := &http.Client{Timeout: 10 * time.Second}
	var ids []string
	for i := range 20 {
		ids = append(ids, postBinary(client, l.url+"/gh/x", i))
	}
	waitFor(t, func() bool { return f.count() == 20 })

	srv.Close()
	down := time.Now()
	for i := 20; time.Since(down) < 20*time.Second; i++ {
		id := postBinary(client, l.url+"/gh/x", i)
		if id == "" {
			t.Fatalf("request %d was not answered 2xx while NATS was down", i)
		}
		ids = append(ids, id)
		time.Sleep(40 * time.Millisecond)
	}
	if !strings.Contains(l.errb.String(), "waiting to publish") || !strings.Contains(l.errb.String(), "unreachable") {
		t.Errorf("listen did not say events wait, and why:\n%s", l.errb)
	}
	var again *team.Server
	waitFor(t, func() bool { // the same port and JetStream directory
		again, err = team.Serve(team.ServeConfig{Addr: strings.TrimPrefix(url, "nats://"), Dir: jsDir})
		return err == nil
	})
	t.Cleanup(again.Close)
	waitFor(t, func() bool { return f.count() == len(ids) })
	waitFor(t, func() bool { return strings.Contains(l.errb.String(), "outbox drained") })
	for _, id := range ids {
		if _, err := f.st.ByOrigin("team:" + inst + ":" + id); err != nil {
			t.Fatalf("event %s never followed: %v", id, err)
		}
	}
	t.Logf("%d requests, %d while NATS was down: all followed once", len(ids), len(ids)-20)
}

// The README's commands, each a real process: team serve, listen
// --publish, follow, and events reading the follower's data directory.
func TestTeamServeListenFollowFromTheCommandLine(t *testing.T) {
	serveDir, pubDir, folDir := shortDir(t), shortDir(t), shortDir(t)
	srv := hooklensCmd("team", "serve", "--addr", "127.0.0.1:0", "--data", serveDir)
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(syscall.SIGINT); srv.Wait() })
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatal("team serve printed nothing")
	}
	url := regexp.MustCompile(`nats://127\.0\.0\.1:\d+`).FindString(sc.Text())
	if url == "" {
		t.Fatalf("team serve's first line names no URL: %q", sc.Text())
	}
	go func() {
		for sc.Scan() {
		}
	}()

	l := startListen(t, pubDir, "--publish", url)
	fol := hooklensCmd("follow", url, "--data", folDir, "--json", "--filter", "method:POST")
	fout, err := fol.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	ferr := &syncBuffer{}
	fol.Stderr = ferr
	if err := fol.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fol.Process.Kill(); fol.Wait() })
	lines := make(chan followLine, 10)
	go func() {
		s := bufio.NewScanner(fout)
		for s.Scan() {
			var fl followLine
			if json.Unmarshal(s.Bytes(), &fl) == nil {
				lines <- fl
			}
		}
		close(lines)
	}()
	client := &http.Client{Timeout: 10 * time.Second}
	id := postBinary(client, l.url+"/gh/cli", 1)
	if resp, err := client.Get(l.url + "/gh/not-a-post"); err == nil {
		resp.Body.Close()
	}
	select {
	case fl := <-lines:
		if !strings.HasPrefix(fl.Origin, "team:") || !strings.HasSuffix(fl.Origin, ":"+id) || fl.Path != "/gh/cli" {
			t.Fatalf("follow printed %+v for event %s", fl, id)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("follow printed nothing; stderr: %s", ferr)
	}
	// events reaches the running follower through its local API.
	got := storedEvents(t, folDir)
	if len(got) != 1 {
		t.Fatalf("the follower's data directory holds %d events, want the one POST (the GET is filtered out)", len(got))
	}
	for _, ev := range got {
		if ev.BodyBase64 == nil || ev.Path != "/gh/cli" {
			t.Fatalf("followed event %+v", ev)
		}
	}
	fol.Process.Signal(syscall.SIGINT)
	if err := fol.Wait(); err != nil {
		t.Fatalf("follow after SIGINT: %v; %s", err, ferr)
	}
}

// The window's Team control follows a stream into the window's store: the
// events a publishing listen captured appear, marked with their origin.
func TestWindowTeamFollowsIntoTheWindowsStore(t *testing.T) {
	srv, _ := teamServer(t)
	url := srv.URL()
	pub := startListen(t, shortDir(t), "--publish", url)
	for i := 0; i < 5; i++ {
		resp, err := http.Post(pub.url+"/x", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	h, err := OpenHooklens(Config{Data: shortDir(t), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	wt := &windowTeam{h: h}
	var mu sync.Mutex
	var said []string
	wt.OnStatus(func(s string) { mu.Lock(); said = append(said, s); mu.Unlock() })
	if err := wt.Follow(url, "desk-1"); err != nil {
		t.Fatal(err)
	}
	defer wt.Stop()
	waitFor(t, func() bool { n, _ := h.Store.Count(); return n == 5 })
	rows, _ := h.Store.Events(app.Page{})
	for _, r := range rows {
		if !strings.HasPrefix(r.Origin, "team:") {
			t.Fatalf("followed row without its team origin: %+v", r)
		}
	}
	wt.Stop()
	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(said, func(s string) bool { return strings.Contains(s, "following stream") }) {
		t.Errorf("status lines %q", said)
	}
}

// The window's Team control publishes what the window captures: a follower
// receives it, the status line counts what waits, Stop publishing stops
// queueing, and a window opened again on the same data dir publishes at
// once because the choice was kept.
func TestWindowTeamPublishesTheWindowsCaptures(t *testing.T) {
	srv, _ := teamServer(t)
	dir := shortDir(t)
	open := func() (*Hooklens, *windowTeam) {
		wt := &windowTeam{}
		h, err := OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", BeforeListen: func(h *Hooklens) error {
			wt.h = h
			return wt.resume()
		}})
		if err != nil {
			t.Fatal(err)
		}
		return h, wt
	}
	post := func(h *Hooklens, n int) {
		for i := range n {
			resp, err := http.Post(h.Listener.URL()+"/gh/push", "application/json", strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	h, wt := open()
	var mu sync.Mutex
	var said []string
	wt.OnPublishStatus(func(s string, _ bool) { mu.Lock(); said = append(said, s); mu.Unlock() })
	if wt.Publishing() != "" {
		t.Fatalf("a new window publishes to %q before being asked", wt.Publishing())
	}
	if err := wt.Publish("http://not-nats"); err == nil {
		t.Fatal("Publish accepted a URL that is not nats://")
	}
	if err := wt.Publish(srv.URL()); err != nil {
		t.Fatal(err)
	}
	fol := startFollower(t, t.TempDir(), srv.URL(), "desk")
	post(h, 7)
	waitFor(t, func() bool { return fol.count() == 7 })
	waitFor(t, func() bool { n, _ := h.Store.OutboxCount(); return n == 0 })
	mu.Lock()
	if !slices.ContainsFunc(said, func(s string) bool { return strings.Contains(s, "0 waiting to publish") }) {
		t.Errorf("status lines %q never said nothing waits", said)
	}
	mu.Unlock()

	if err := wt.StopPublishing(); err != nil {
		t.Fatal(err)
	}
	post(h, 3) // not published, not queued
	if n, _ := h.Store.OutboxCount(); n != 0 {
		t.Errorf("%d events queued to publish after Stop publishing", n)
	}
	if err := wt.Publish(srv.URL()); err != nil { // publishing again, kept for the next start
		t.Fatal(err)
	}
	wt.stopPublisher()
	h.Close()

	h, wt = open()
	defer h.Close()
	defer wt.stopPublisher()
	if wt.Publishing() == "" {
		t.Fatal("the window opened again does not publish, although it did when it closed")
	}
	post(h, 2)
	waitFor(t, func() bool { return fol.count() == 9 })
	if n, _ := h.Store.Count(); n != 12 {
		t.Errorf("store holds %d events, want 12", n)
	}
}
