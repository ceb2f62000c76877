package tunnel

import (
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

const fakeToken = "2fAkEt0kEn_5tSoMeThInGlOnGeNoUgH9xYz"

// A blackhole accepts connections and never answers, as a network that
// swallows packets does; the SDK, pointed at it, would wait forever.
func blackhole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

func TestNgrokStartIsBoundedWithTheRealSDK(t *testing.T) {
	l := newLocal(t)
	p := &Ngrok{Authtoken: fakeToken, ConnectTimeout: 300 * time.Millisecond, connectURL: blackhole(t)}
	errc := make(chan error, 1)
	go func() {
		_, err := p.Start(context.Background(), l.Local())
		errc <- err
	}()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "ngrok did not connect") {
			t.Fatalf("error = %v, want ngrok did not connect", err)
		}
		if strings.Contains(err.Error(), fakeToken) {
			t.Fatal("the error shows the authtoken")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Start did not return: it is not bounded")
	}
	if strings.Contains(l.logs.String(), fakeToken) {
		t.Fatalf("the log shows the authtoken:\n%s", l.logs)
	}
}

func TestNgrokStartIsBoundedEvenIfTheSDKIgnoresTheDeadline(t *testing.T) {
	l := newLocal(t)
	release := make(chan struct{})
	closed := make(chan struct{})
	far, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Ngrok{Authtoken: fakeToken, open: func(ctx context.Context, n *Ngrok, _ *slog.Logger) (ngrokSession, error) {
		<-release // retries forever, deaf to ctx
		return ngrokSession{ln: far, url: "https://late.ngrok-free.app", close: func() error {
			far.Close()
			close(closed)
			return nil
		}}, nil
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = p.Start(ctx, l.Local())
	if err == nil || !strings.Contains(err.Error(), "did not connect in time") {
		t.Fatalf("error = %v, want did not connect in time", err)
	}
	close(release)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the session that came back late was never closed")
	}
}

func TestNgrokListenerIsCarriedByteExact(t *testing.T) {
	l := newLocal(t)
	far, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var gotToken string
	closed := make(chan struct{})
	p := &Ngrok{Authtoken: " " + fakeToken + " ", Domain: "hooks.example.ngrok.app", open: func(ctx context.Context, n *Ngrok, log *slog.Logger) (ngrokSession, error) {
		gotToken = n.Authtoken
		log.Info("connecting", "authtoken", n.Authtoken)
		return ngrokSession{ln: far, url: "https://" + n.Domain, close: func() error { far.Close(); close(closed); return nil }}, nil
	}}
	tun, err := p.Start(context.Background(), l.Local())
	if err != nil {
		t.Fatal(err)
	}
	if gotToken != fakeToken {
		t.Fatalf("the SDK got token %q, want it trimmed", gotToken)
	}
	if tun.PublicURL() != "https://hooks.example.ngrok.app" {
		t.Fatalf("public URL = %s", tun.PublicURL())
	}
	checkByteExact(t, l, far.Addr().String())
	logs := l.logs.String()
	if strings.Contains(logs, fakeToken) || !strings.Contains(logs, "authtoken=[redacted]") {
		t.Fatalf("log not redacted:\n%s", logs)
	}
	tun.Close()
	<-closed
	<-tun.Done()
}

func TestNgrokNeedsAToken(t *testing.T) {
	t.Setenv("NGROK_AUTHTOKEN", "")
	_, err := New(Settings{Provider: "ngrok"}, Credentials{})
	if err == nil || !strings.Contains(err.Error(), "dashboard.ngrok.com") {
		t.Fatalf("error = %v", err)
	}
	_, err = (&Ngrok{}).Start(context.Background(), Local{})
	if err == nil || !IsPermanent(err) {
		t.Fatalf("error = %v, want permanent", err)
	}
}

func TestRedactHandler(t *testing.T) {
	var lines []string
	h := &redactHandler{logf: func(f string, a ...any) {
		lines = append(lines, strings.TrimSpace(strings.ReplaceAll(sprintf(f, a...), "\n", " ")))
	}, secrets: []string{fakeToken}, level: slog.LevelInfo}
	log := slog.New(h).With("token", fakeToken).WithGroup("sess")
	log.Info("auth with "+fakeToken, "id", 7)
	log.Debug("hidden " + fakeToken)
	if len(lines) != 1 {
		t.Fatalf("lines = %q", lines)
	}
	if strings.Contains(lines[0], fakeToken) || !strings.Contains(lines[0], "auth with [redacted]") || !strings.Contains(lines[0], "sess.id=7") {
		t.Fatalf("line = %q", lines[0])
	}
}

// End to end through ngrok's service, only with a real token.
func TestNgrokEndToEnd(t *testing.T) {
	tok := os.Getenv("NGROK_AUTHTOKEN")
	if tok == "" {
		t.Skip("NGROK_AUTHTOKEN not set")
	}
	l := newLocal(t)
	p, err := New(Settings{Provider: "ngrok", Domain: os.Getenv("NGROK_DOMAIN")}, Credentials{NgrokAuthtoken: tok})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tun, err := p.Start(ctx, l.Local())
	if err != nil {
		t.Fatal(err)
	}
	defer tun.Close()
	sup := &Supervisor{Provider: p, Prober: l.prober, Settle: 20 * time.Second}
	sup.defaults()
	if res := sup.settle(ctx, tun); !res.Reachable {
		t.Fatalf("probe through ngrok: %s", res.Reason)
	}
}
