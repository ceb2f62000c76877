package team_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/team"
	"github.com/hooklens/hooklens/store"
)

// serve starts an embedded server on a free loopback port with JetStream in dir.
func serve(t *testing.T, addr, dir string) *team.Server {
	t.Helper()
	s, err := team.Serve(team.ServeConfig{Addr: addr, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close) // registered first: runs after the clients stopped
	return s
}

func openStore(t *testing.T, outbox bool) *store.Store {
	t.Helper()
	st, err := store.OpenWith(t.TempDir(), store.Options{Outbox: outbox})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// capture is a request as the listener would record it: a binary body and
// a repeated header make byte-exactness visible.
func capture(n int) *app.Event {
	body := []byte{0x00, 0xff, 0xfe, byte(n), byte(n >> 8), '\n', 0x80}
	return &app.Event{
		ReceivedAt: time.Now().Round(0), Method: "POST", Path: fmt.Sprintf("/gh/%d", n), Query: "a=1&a=2",
		Proto: "HTTP/1.1", Host: "127.0.0.1:8790",
		Headers: app.Headers{{Name: "X-Seq", Value: fmt.Sprint(n)}, {Name: "Set-Thing", Value: "a"}, {Name: "set-thing", Value: "b"}},
		Body:    body, Size: int64(len(body)), RemoteAddr: "127.0.0.1:5000", Endpoint: "gh",
		Response: app.Response{Status: 202},
		Verdict:  app.Verdict{Scheme: "github", Result: app.VerdictUnverified, Reason: "no secret"},
	}
}

func record(t *testing.T, st *store.Store, from, to int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := from; i < to; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := st.Record(context.Background(), capture(i), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func publisher(t *testing.T, st *store.Store, url, instance string, logf func(string, ...any)) *team.Publisher {
	t.Helper()
	p, err := team.NewPublisher(st, team.Config{URL: url, Instance: instance, Logf: logf})
	if err != nil {
		t.Fatal(err)
	}
	cancel := st.Subscribe(func(*app.Event) { p.Notify() })
	p.Start()
	t.Cleanup(func() { cancel(); p.Close() })
	return p
}

// follow runs a follower until the returned stop is called.
func follow(t *testing.T, st *store.Store, url, name string) (stop func()) {
	t.Helper()
	f, err := team.NewFollower(st, team.FollowConfig{Config: team.Config{URL: url}, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("follower %s: %v", name, err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 20s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(st *store.Store) int { n, _ := st.Count(); return n }

// followed reads every event of st by origin, failing on a repeated origin.
func followed(t *testing.T, st *store.Store) map[string]*app.Event {
	t.Helper()
	sums, err := st.Events(app.Page{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*app.Event{}
	for _, s := range sums {
		e, err := st.Event(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := out[e.Origin]; dup {
			t.Fatalf("origin %s stored twice", e.Origin)
		}
		out[e.Origin] = e
	}
	return out
}

func sameEvent(t *testing.T, got, want *app.Event) {
	t.Helper()
	if !bytes.Equal(got.Body, want.Body) || !slices.Equal(got.Headers, want.Headers) ||
		got.Method != want.Method || got.Path != want.Path || got.Query != want.Query || got.Host != want.Host ||
		got.Endpoint != want.Endpoint || got.Response.Status != want.Response.Status || got.Verdict != want.Verdict ||
		!got.ReceivedAt.Equal(want.ReceivedAt) || got.Size != want.Size || got.RemoteAddr != want.RemoteAddr {
		t.Fatalf("followed event differs:\n got %+v\nwant %+v", got, want)
	}
}

func TestPublishedEventsReachTwoFollowersOnceAndExactly(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", t.TempDir())
	pub := openStore(t, true)
	publisher(t, pub, srv.URL(), "staging", nil)
	a, b := openStore(t, false), openStore(t, false)
	follow(t, a, srv.URL(), "alice")
	stopB := follow(t, b, srv.URL(), "bob")

	record(t, pub, 0, 300)
	eventually(t, "both followers hold 300 events", func() bool { return count(a) == 300 && count(b) == 300 })
	eventually(t, "the outbox is empty", func() bool { n, _ := pub.OutboxCount(); return n == 0 })

	// Bob stops; events go on; Bob comes back and resumes with no gap and
	// no duplicate.
	stopB()
	record(t, pub, 300, 400)
	follow(t, b, srv.URL(), "bob")
	eventually(t, "both followers hold 400 events", func() bool { return count(a) == 400 && count(b) == 400 })
	time.Sleep(300 * time.Millisecond) // a duplicate would arrive now
	for _, st := range []*store.Store{a, b} {
		got := followed(t, st)
		if len(got) != 400 || count(st) != 400 {
			t.Fatalf("follower holds %d events (%d origins), want 400", count(st), len(got))
		}
		sums, _ := pub.Events(app.Page{Limit: 1000})
		for _, s := range sums {
			want, _ := pub.Event(s.ID)
			e := got["team:staging:"+want.IDString()]
			if e == nil {
				t.Fatalf("event %d never arrived", s.ID)
			}
			sameEvent(t, e, want)
		}
	}
}

func TestOutboxWaitsWhileNATSIsDownAndDrainsAfter(t *testing.T) {
	dir := t.TempDir()
	srv := serve(t, "127.0.0.1:0", dir)
	url := srv.URL()
	addr := strings.TrimPrefix(url, "nats://")
	pub := openStore(t, true)
	var mu sync.Mutex
	var logs []string
	publisher(t, pub, url, "desk", func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	})
	fol := openStore(t, false)
	follow(t, fol, url, "support")
	record(t, pub, 0, 50)
	eventually(t, "50 followed", func() bool { return count(fol) == 50 })

	srv.Close()
	record(t, pub, 50, 250) // capture goes on while NATS is down
	if n, _ := pub.OutboxCount(); n < 150 {
		t.Fatalf("outbox holds %d with NATS down, want the events captured meanwhile", n)
	}
	eventually(t, "a log line says why events wait", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.ContainsFunc(logs, func(l string) bool {
			return strings.Contains(l, "waiting to publish") && strings.Contains(l, "unreachable")
		})
	})

	// The same port and JetStream directory, as a restarted server.
	var err error
	var again *team.Server
	eventually(t, "the port is free again", func() bool {
		again, err = team.Serve(team.ServeConfig{Addr: addr, Dir: dir})
		return err == nil
	})
	t.Cleanup(again.Close)
	eventually(t, "the outbox drains", func() bool { n, _ := pub.OutboxCount(); return n == 0 })
	eventually(t, "250 followed", func() bool { return count(fol) == 250 })
	if got := followed(t, fol); len(got) != 250 {
		t.Fatalf("%d distinct origins, want 250", len(got))
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, "drained") }) {
		t.Errorf("no log line says the outbox drained: %q", logs)
	}
}

func TestFollowerRejudgesWithItsOwnSecretsAndKeepsBothVerdicts(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", t.TempDir())
	pub := openStore(t, true)
	publisher(t, pub, srv.URL(), "stage", nil)
	fol := openStore(t, false)
	if err := fol.PutEndpoint(app.Endpoint{Slug: "gh", Scheme: "github", Secrets: []string{"not-what-it-was-signed-with"}}); err != nil {
		t.Fatal(err)
	}
	follow(t, fol, srv.URL(), "me")
	e := capture(1)
	e.Headers = append(e.Headers, app.Header{Name: "X-Hub-Signature-256", Value: "sha256=" + strings.Repeat("ab", 32)})
	if err := pub.Record(context.Background(), e, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "followed", func() bool { return count(fol) == 1 })
	got := followed(t, fol)["team:stage:"+e.IDString()]
	if got == nil || got.Verdict.Result != app.VerdictInvalid || got.OriginVerdict == nil || got.OriginVerdict.Result != app.VerdictUnverified {
		t.Fatalf("verdicts %+v / origin %+v: want invalid here and unverified at the origin", got.Verdict, got.OriginVerdict)
	}
}

func TestServeBeyondLoopbackNeedsAPassword(t *testing.T) {
	// Any non-loopback address of this machine would do; 0.0.0.0 is the
	// usual one. Port 0 keeps it off any fixed port.
	dir := t.TempDir()
	s, err := team.Serve(team.ServeConfig{Addr: "0.0.0.0:0", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Generated || s.User == "" || len(s.Password) < 24 {
		t.Fatalf("beyond loopback without a password: generated=%v user=%q password length %d", s.Generated, s.User, len(s.Password))
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL(), "nats://"))
	local := "nats://127.0.0.1:" + port
	if err := tryPublish(local, "", ""); err == nil {
		t.Fatal("a client without the password was let in")
	}
	if err := tryPublish(local, s.User, s.Password); err != nil {
		t.Fatalf("with the generated password: %v", err)
	}
	pw := s.Password
	s.Close()
	s2, err := team.Serve(team.ServeConfig{Addr: "0.0.0.0:0", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Generated || s2.Password != pw {
		t.Fatal("a restart must keep the generated password and not print it again")
	}
}

func tryPublish(url, user, pass string) error {
	opts := []nats.Option{nats.Timeout(3 * time.Second)}
	if user != "" {
		opts = append(opts, nats.UserInfo(user, pass))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return err
	}
	defer nc.Close()
	return nc.Flush()
}
