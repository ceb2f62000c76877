package tunnel

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	chserver "github.com/jpillora/chisel/server"
)

const chiselTestAuth = "hook:s3cret-pass"

// runChiselServer is the child process: a chisel server with reverse
// tunnels on CHISEL_ADDR, its key from CHISEL_SEED, printing its
// fingerprint, until killed.
func runChiselServer() {
	srv, err := chserver.NewServer(&chserver.Config{
		KeySeed: os.Getenv("CHISEL_SEED"),
		Auth:    chiselTestAuth,
		Reverse: true,
	})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	srv.Info = false
	host, port, _ := net.SplitHostPort(os.Getenv("CHISEL_ADDR"))
	if err := srv.StartContext(context.Background(), host, port); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("FINGERPRINT", srv.GetFingerprint())
	srv.Wait()
	os.Exit(0)
}

type chiselProc struct {
	cmd         *exec.Cmd
	fingerprint string
}

// startChisel runs a chisel server in a child process on addr.
func startChisel(t *testing.T, addr, seed string) *chiselProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOOKLENS_TUNNEL_HELPER=chisel-server", "CHISEL_ADDR="+addr, "CHISEL_SEED="+seed)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &chiselProc{cmd: cmd}
	t.Cleanup(p.kill)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "FINGERPRINT ") {
		t.Fatalf("chisel server did not start: %q %v", line, err)
	}
	p.fingerprint = strings.TrimSpace(strings.TrimPrefix(line, "FINGERPRINT "))
	return p
}

func (p *chiselProc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

func TestChiselCarriesRequestsByteExactAndProbePasses(t *testing.T) {
	l := newLocal(t)
	srvAddr := freeAddr(t)
	cs := startChisel(t, srvAddr, "hooklens-test-seed")
	_, port, _ := net.SplitHostPort(freeAddr(t))
	var rp int
	fmt.Sscan(port, &rp)
	p, err := New(Settings{Provider: "chisel", Server: srvAddr, Fingerprint: cs.fingerprint, RemoteHost: "127.0.0.1", RemotePort: rp},
		Credentials{ChiselAuth: chiselTestAuth})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tun, err := p.Start(ctx, l.Local())
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer tun.Close()
	if want := "http://127.0.0.1:" + port; tun.PublicURL() != want {
		t.Fatalf("public URL = %s, want %s", tun.PublicURL(), want)
	}
	// The same settle a Supervisor does: the server binds the port just
	// after the client connects.
	sup := &Supervisor{Provider: p, Prober: l.prober, Settle: 10 * time.Second}
	sup.defaults()
	if res := sup.settle(ctx, tun); !res.Reachable {
		t.Fatalf("probe through chisel: %s", res.Reason)
	}
	checkByteExact(t, l, hostPort(t, tun.PublicURL()))
	if err := tun.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := tun.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	select {
	case <-tun.Done():
	default:
		t.Fatal("Done not closed after Close")
	}
	if tun.Err() != nil {
		t.Fatalf("Err after Close = %v, want nil", tun.Err())
	}
}

func TestChiselWrongFingerprintIsRefused(t *testing.T) {
	l := newLocal(t)
	srvAddr := freeAddr(t)
	startChisel(t, srvAddr, "hooklens-test-seed")
	other := startChisel(t, freeAddr(t), "some-other-seed")
	p := &Chisel{Server: srvAddr, Fingerprint: other.fingerprint, Auth: chiselTestAuth, RemotePort: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.Start(ctx, l.Local())
	if err == nil {
		t.Fatal("a chisel server with another fingerprint was accepted")
	}
	if !IsPermanent(err) || !strings.Contains(err.Error(), "not the pinned "+other.fingerprint) {
		t.Fatalf("error = %v, want a permanent one naming the pinned fingerprint", err)
	}
}

func TestChiselWrongAuthIsRefused(t *testing.T) {
	l := newLocal(t)
	srvAddr := freeAddr(t)
	cs := startChisel(t, srvAddr, "hooklens-test-seed")
	p := &Chisel{Server: srvAddr, Fingerprint: cs.fingerprint, Auth: "hook:wrong", RemotePort: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.Start(ctx, l.Local())
	if err == nil || !strings.Contains(err.Error(), "refused the credentials") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("error = %v, want the credentials refused (without the password)", err)
	}
}

func TestChiselSupervisorReconnectsWhenServerReturns(t *testing.T) {
	l := newLocal(t)
	srvAddr := freeAddr(t)
	cs := startChisel(t, srvAddr, "hooklens-test-seed")
	_, port, _ := net.SplitHostPort(freeAddr(t))
	var rp int
	fmt.Sscan(port, &rp)
	p := &Chisel{Server: srvAddr, Fingerprint: cs.fingerprint, Auth: chiselTestAuth, RemoteHost: "127.0.0.1", RemotePort: rp}
	st := newStatuses()
	sup := &Supervisor{Provider: p, Local: l.Local(), Prober: l.prober, OnStatus: st.on,
		ProbeEvery: 200 * time.Millisecond, Settle: 10 * time.Second, MinBackoff: 50 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, StartTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()

	up := st.waitFor(t, Reachable, 20*time.Second)
	if up.PublicURL != "http://127.0.0.1:"+port || up.RTT <= 0 {
		t.Fatalf("reachable status = %+v", up)
	}
	cs.kill()
	down := st.waitFor(t, Reconnecting, 20*time.Second)
	if down.Attempt < 1 || down.NextRetry <= 0 || !strings.Contains(down.Reason, "chisel") {
		t.Fatalf("reconnecting status = %+v", down)
	}
	if s := down.String(); !strings.HasPrefix(s, fmt.Sprintf("reconnecting (attempt %d, next in ", down.Attempt)) {
		t.Fatalf("reconnecting line = %q", s)
	}
	// While the server is away, each start fails and says why.
	for {
		r := st.waitFor(t, Reconnecting, 20*time.Second)
		if strings.Contains(r.Reason, "cannot reach the chisel server") && strings.Contains(r.Reason, "refused") {
			if r.Attempt < 2 {
				t.Fatalf("a failed start after the drop is attempt %d, want 2 or more", r.Attempt)
			}
			break
		}
	}
	startChisel(t, srvAddr, "hooklens-test-seed")
	again := st.waitFor(t, Reachable, 30*time.Second)
	if again.URLChanged {
		t.Fatalf("same remote port, yet the URL is said to have changed: %+v", again)
	}
	checkByteExact(t, l, hostPort(t, again.PublicURL))
	st.log(t)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := sup.Status().State; got != Stopped {
		t.Fatalf("after cancel the state is %s, want stopped", got)
	}
}
