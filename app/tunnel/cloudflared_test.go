//go:build unix

package tunnel

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	standinOnce sync.Once
	standinPath string
	standinErr  error
)

// standin builds the cloudflared stand-in once per test run.
func standin(t *testing.T) string {
	t.Helper()
	standinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hooklens-cloudflared-")
		if err != nil {
			standinErr = err
			return
		}
		standinPath = filepath.Join(dir, "cloudflared")
		out, err := exec.Command("go", "build", "-o", standinPath, "./testdata/cloudflared").CombinedOutput()
		if err != nil {
			standinErr = fmt.Errorf("building the stand-in: %v\n%s", err, out)
		}
	})
	if standinErr != nil {
		t.Fatal(standinErr)
	}
	return standinPath
}

// alive reports whether pid is a live process (a zombie counts as gone).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc here: the signal check is all there is
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("cloudflared (pid %d) is still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readPid(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the stand-in wrote no pid: %v", err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestCloudflaredReportsTheQuickTunnelURL(t *testing.T) {
	l := newLocal(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("STANDIN_PIDFILE", pidFile)
	t.Setenv("STANDIN_MODE", "ok")
	p, err := New(Settings{Provider: "cloudflared", Cloudflared: standin(t)}, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tun, err := p.Start(ctx, l.Local())
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if got, want := tun.PublicURL(), "https://seasonal-deck-organisms-sf.trycloudflare.com"; got != want {
		t.Errorf("public URL = %s, want %s", got, want)
	}
	pid := readPid(t, pidFile)
	if !alive(pid) {
		t.Fatal("cloudflared is not running after start")
	}
	logs := l.logs.String()
	if !strings.Contains(logs, "cloudflared: ") || !strings.Contains(logs, "Registered tunnel connection") {
		t.Errorf("cloudflared's lines did not reach the log:\n%s", logs)
	}
	if strings.Contains(logs, "api.trycloudflare.com") {
		t.Errorf("unexpected api host in logs")
	}
	if err := tun.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	waitGone(t, pid)
	tun.Close()
	if tun.Err() != nil {
		t.Fatalf("Err after Close = %v", tun.Err())
	}
}

func TestCloudflaredIgnoringSIGTERMIsKilled(t *testing.T) {
	l := newLocal(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("STANDIN_PIDFILE", pidFile)
	t.Setenv("STANDIN_MODE", "stubborn")
	p := &Cloudflared{Path: standin(t), StopGrace: 200 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tun, err := p.Start(ctx, l.Local())
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	pid := readPid(t, pidFile)
	tun.Close()
	if alive(pid) {
		t.Fatalf("Close returned with cloudflared (pid %d) still running", pid)
	}
}

func TestCloudflaredEarlyExitIsReportedWithItsLastLines(t *testing.T) {
	l := newLocal(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("STANDIN_PIDFILE", pidFile)
	t.Setenv("STANDIN_MODE", "exit")
	p := &Cloudflared{Path: standin(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := p.Start(ctx, l.Local())
	if err == nil {
		t.Fatal("start succeeded though cloudflared exited")
	}
	for _, want := range []string{"cloudflared exited before the tunnel was ready", "exit status 1", "429 Too Many Requests", "failed to unmarshal quick Tunnel"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if IsPermanent(err) {
		t.Error("an early exit was marked permanent; a retry may work")
	}
	waitGone(t, readPid(t, pidFile))
}

func TestCloudflaredMissingSaysWhereToGetIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := (&Cloudflared{}).Start(context.Background(), Local{Addr: "127.0.0.1:1"})
	if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "developers.cloudflare.com") || !strings.Contains(err.Error(), "--cloudflared PATH") {
		t.Fatalf("error = %v, want where to get cloudflared", err)
	}
	_, err = (&Cloudflared{Path: filepath.Join(t.TempDir(), "nope")}).Start(context.Background(), Local{Addr: "127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), "cannot be run") {
		t.Fatalf("error = %v, want the path cannot be run", err)
	}
}

// runCloudflaredProvider is the child process standing for Hooklens: it
// starts the provider, prints the stand-in's pid and waits to be killed.
func runCloudflaredProvider() {
	p := &Cloudflared{Path: os.Getenv("CLOUDFLARED_PATH")}
	tun, err := p.Start(context.Background(), Local{Addr: "127.0.0.1:9"})
	if err != nil {
		fmt.Println("ERROR", strings.ReplaceAll(err.Error(), "\n", " | "))
		os.Exit(1)
	}
	fmt.Println("PID", tun.(*cfTunnel).Pid())
	select {}
}

func TestCloudflaredDiesWithHooklensEvenOnSIGKILL(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOOKLENS_TUNNEL_HELPER=cloudflared-provider", "CLOUDFLARED_PATH="+standin(t), "STANDIN_MODE=ok")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "PID ") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the provider did not start in the child: %q %v", line, err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "PID ")))
	if !alive(pid) {
		t.Fatal("cloudflared is not running")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	waitGone(t, pid)
}

func TestCloudflaredDyingLaterEndsTheTunnelWithItsLastLines(t *testing.T) {
	l := newLocal(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("STANDIN_PIDFILE", pidFile)
	t.Setenv("STANDIN_MODE", "ok")
	tun, err := (&Cloudflared{Path: standin(t)}).Start(context.Background(), l.Local())
	if err != nil {
		t.Fatal(err)
	}
	defer tun.Close()
	syscall.Kill(readPid(t, pidFile), syscall.SIGKILL)
	select {
	case <-tun.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done did not fire when cloudflared died")
	}
	err = tun.Err()
	if err == nil || !strings.Contains(err.Error(), "cloudflared exited (signal: killed)") || !strings.Contains(err.Error(), "Registered tunnel connection") {
		t.Fatalf("Err = %v, want the exit and the last lines", err)
	}
}
