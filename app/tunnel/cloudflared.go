package tunnel

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// CloudflaredDownload is where to get cloudflared; it is not in Debian's packages.
const CloudflaredDownload = "https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/ (or https://github.com/cloudflare/cloudflared/releases)"

// Cloudflared runs a cloudflared quick tunnel (a new
// https://<name>.trycloudflare.com URL on every start, no account needed).
type Cloudflared struct {
	// Path is the cloudflared program; default: cloudflared on PATH.
	Path string
	// StopGrace is how long cloudflared gets after SIGTERM before SIGKILL;
	// default 5 s.
	StopGrace time.Duration
}

// Name is "cloudflared".
func (c *Cloudflared) Name() string { return "cloudflared" }

// trycloudflare names the quick tunnel's URL on cloudflared's stderr;
// api.trycloudflare.com is the service it asks, never the tunnel.
var trycloudflare = regexp.MustCompile(`https://([a-z0-9-]+)\.trycloudflare\.com`)

func (c *Cloudflared) program() (string, error) {
	if c.Path != "" {
		p, err := exec.LookPath(c.Path)
		if err != nil {
			return "", permanent(fmt.Errorf("cloudflared at %s cannot be run (%v): fix the path, or get it from %s", c.Path, err, CloudflaredDownload))
		}
		return p, nil
	}
	p, err := exec.LookPath("cloudflared")
	if err != nil {
		return "", permanent(fmt.Errorf("cloudflared is not installed (it is not in Debian's packages): download it from %s, then put it on PATH or pass --cloudflared PATH", CloudflaredDownload))
	}
	return p, nil
}

// freePort asks the kernel for a port that is free now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

type cfTunnel struct {
	*base
	proc *process
	logs *lastLines
}

// Start runs cloudflared and returns once its metrics server (or its log)
// names the quick tunnel's host and it has registered a connection.
func (c *Cloudflared) Start(ctx context.Context, local Local) (Tunnel, error) {
	prog, err := c.program()
	if err != nil {
		return nil, err
	}
	metrics, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("cannot find a free port for cloudflared's metrics: %w", err)
	}
	args := []string{"tunnel", "--no-autoupdate", "--metrics", metrics, "--url", "http://" + local.Addr}
	grace := c.StopGrace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	logs := &lastLines{max: 20}
	var mu sync.Mutex
	var logURL string
	var registered bool
	changed := make(chan struct{}, 1)
	onLine := func(line string) {
		logs.add(line)
		local.logf("cloudflared: %s", line)
		mu.Lock()
		if m := trycloudflare.FindStringSubmatch(line); m != nil && m[1] != "api" && logURL == "" {
			logURL = m[0]
		}
		if strings.Contains(line, "Registered tunnel connection") {
			registered = true
		}
		mu.Unlock()
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	p, err := startProcess(prog, args, onLine, grace)
	if err != nil {
		return nil, fmt.Errorf("cannot run cloudflared at %s: %w", prog, err)
	}
	t := &cfTunnel{proc: p, logs: logs}
	ready := func() (string, bool) {
		mu.Lock()
		u, reg := logURL, registered
		mu.Unlock()
		if host := metricsHost(ctx, metrics); host != "" {
			u = "https://" + host
		}
		if !reg {
			reg = metricsReady(ctx, metrics)
		}
		return u, u != "" && reg
	}
	poll := time.NewTicker(250 * time.Millisecond)
	defer poll.Stop()
	for {
		if u, ok := ready(); ok {
			t.base = newBase(u, p.stop)
			go func() {
				<-p.exited
				t.end(fmt.Errorf("cloudflared exited (%s); its last lines:\n%s", p.exitReason(), logs.String()))
			}()
			local.logf("cloudflared: quick tunnel %s is ready (pid %d)", u, p.pid())
			return t, nil
		}
		select {
		case <-p.exited:
			<-p.drained
			return nil, fmt.Errorf("cloudflared exited before the tunnel was ready (%s); its last lines:\n%s", p.exitReason(), logs.String())
		case <-ctx.Done():
			p.stop()
			return nil, fmt.Errorf("cloudflared did not bring the tunnel up in time (%w); its last lines:\n%s", ctx.Err(), logs.String())
		case <-changed:
		case <-poll.C:
		}
	}
}

// Pid is the cloudflared process id, for diagnostics.
func (t *cfTunnel) Pid() int { return t.proc.pid() }

var metricsClient = &http.Client{Timeout: 2 * time.Second}

func metricsGet(ctx context.Context, addr, path string) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return 0, nil
	}
	resp, err := metricsClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, b
}

// metricsHost is the quick tunnel's host from /quicktunnel, "" before it is known.
func metricsHost(ctx context.Context, addr string) string {
	code, b := metricsGet(ctx, addr, "/quicktunnel")
	if code != http.StatusOK {
		return ""
	}
	var v struct {
		Hostname string `json:"hostname"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	h := strings.TrimPrefix(strings.TrimSpace(v.Hostname), "https://")
	if h == "" || strings.ContainsAny(h, "/ ") {
		return ""
	}
	return h
}

// metricsReady is /ready's verdict: 200 once a connection is registered.
func metricsReady(ctx context.Context, addr string) bool {
	code, b := metricsGet(ctx, addr, "/ready")
	if code != http.StatusOK {
		return false
	}
	var v struct {
		ReadyConnections int `json:"readyConnections"`
	}
	if json.Unmarshal(b, &v) != nil {
		return true
	}
	return v.ReadyConnections > 0
}

// lastLines keeps the last max lines of a program's output.
type lastLines struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (l *lastLines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
	if len(l.lines) > l.max {
		l.lines = l.lines[len(l.lines)-l.max:]
	}
}

func (l *lastLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == 0 {
		return "(no output)"
	}
	return strings.Join(l.lines, "\n")
}

// process is a child program in its own process group, its output always
// drained, reaped once it exits.
type process struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once reaped
	drained chan struct{} // closed once its output is read to the end
	waitErr error
	grace   time.Duration
	once    sync.Once
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exitReason() string {
	select {
	case <-p.exited:
	default:
		return "still running"
	}
	if p.waitErr == nil {
		return "exit status 0"
	}
	return p.waitErr.Error()
}

func startProcess(prog string, args []string, onLine func(string), grace time.Duration) (*process, error) {
	cmd := exec.Command(prog, args...)
	cmd.Stdin = nil
	setProcAttr(cmd)
	out, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = cmd.Stderr // both drained through the same pipe
	p := &process{cmd: cmd, exited: make(chan struct{}), drained: make(chan struct{}), grace: grace}
	started := make(chan error, 1)
	// The parent-death signal belongs to the thread that forks the child:
	// start and wait on one locked thread, kept until the child is reaped.
	go func() {
		lockThread()
		defer unlockThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		go func() {
			defer close(p.drained)
			sc := bufio.NewScanner(out)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				onLine(strings.ToValidUTF8(sc.Text(), "\uFFFD"))
			}
			io.Copy(io.Discard, out)
		}()
		<-p.drained // Wait closes the pipe: read it all first
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// stop asks the process group to end (SIGTERM), kills it after the grace
// period (SIGKILL) and returns once the process is reaped.
func (p *process) stop() error {
	p.once.Do(func() {
		select {
		case <-p.exited:
		default:
			terminateGroup(p.cmd)
			select {
			case <-p.exited:
			case <-time.After(p.grace):
				killGroup(p.cmd)
				<-p.exited
			}
		}
	})
	return nil
}
