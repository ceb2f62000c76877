// Command capture measures Hooklens's durable capture against a plain Go
// net/http handler that reads the body (and, when given, a peer such as
// webhook-tester), with the same load in the same run, and prints the
// figures and their ratios. `make bench` runs it.
//
//	go run ./bench/capture -hooklens ./hooklens [-conns 50] [-duration 8s] [-peer 'webhook-tester serve --port {port}']
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hooklens/hooklens/bench/internal/loadgen"
	"github.com/hooklens/hooklens/store"
)

func main() {
	hooklens := flag.String("hooklens", "./hooklens", "the hooklens binary to measure")
	conns := flag.Int("conns", 50, "concurrent connections")
	duration := flag.Duration("duration", 8*time.Second, "how long each server is loaded")
	size := flag.Int("size", 1024, "request body bytes (JSON)")
	peer := flag.String("peer", os.Getenv("PEER"), "a peer server to measure too: a command with {port} for its port")
	peerPath := flag.String("peer-path", envOr("PEER_PATH", "/"), "the path the peer captures requests at (webhook-tester: /<session uuid> with --auto-create-sessions)")
	servePlain := flag.String("serve-plain", "", "internal: serve the plain baseline on this address")
	rounds := flag.Int("rounds", 4, "turns each server is loaded in, for duration/rounds each")
	useWrk := flag.Bool("wrk", true, "drive the load with wrk when it is on PATH (less CPU than the Go load generator, which is used otherwise)")
	flag.Parse()
	if *servePlain != "" {
		plain(*servePlain)
		return
	}
	body := loadgen.Payload(*size)
	// Every server is started first, then loaded in turns, rounds times,
	// for duration/rounds each turn: the machine's speed drifts (other
	// work on shared cores), and in turns every server sees the same drift.
	// Four turns of 2 s rather than two of 4 s: a burst of other work then
	// falls on a smaller part of one server's time. Turns of 1 s were
	// steadier still for the plain ratio but favoured the in-memory peer
	// (wrk's start, its connections, is a larger part of a short turn).
	type server struct {
		row
		url     string
		stop    func() string
		pid     int
		p50sum  time.Duration
		turnRPS []float64
	}
	var servers []*server
	add := func(name string, start func(port int) (url string, stop func() (ackedStored string), err error)) *server {
		port := loadgen.FreePort()
		url, stop, err := start(port)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			for _, sv := range servers {
				sv.stop()
			}
			os.Exit(1)
		}
		sv := &server{url: url, stop: stop, pid: lastPID}
		sv.name = name
		servers = append(servers, sv)
		return sv
	}
	self, _ := os.Executable()
	add("plain net/http handler (reads the body)", func(port int) (string, func() string, error) {
		cmd := exec.Command(self, "-serve-plain", fmt.Sprintf("127.0.0.1:%d", port))
		return startProcess(cmd, port, "/")
	})
	if *peer != "" {
		add("peer: "+*peer, func(port int) (string, func() string, error) {
			args := strings.Fields(strings.ReplaceAll(*peer, "{port}", fmt.Sprint(port)))
			return startProcess(exec.Command(args[0], args[1:]...), port, *peerPath)
		})
	}
	var disk string
	listen := func(timings bool) func(port int) (string, func() string, error) {
		return func(port int) (string, func() string, error) {
			dir, err := os.MkdirTemp("", "hlbench")
			if err != nil {
				return "", nil, err
			}
			args := []string{"listen", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data", dir}
			var stageOut syncBuffer
			if timings {
				args = append(args, "--timings")
			}
			cmd := exec.Command(*hooklens, args...)
			cmd.Stderr = &stageOut
			url, _, err := startProcess(cmd, port, "/bench/")
			if err != nil {
				os.RemoveAll(dir)
				return "", nil, err
			}
			return url, func() string {
				defer os.RemoveAll(dir)
				if timings {
					// Where the time went.
					cmd.Process.Signal(syscall.SIGUSR1)
					for i := 0; i < 100 && !strings.Contains(stageOut.String(), "stage timings: publish"); i++ {
						time.Sleep(20 * time.Millisecond)
					}
					cmd.Process.Signal(syscall.SIGKILL)
					cmd.Wait()
					return stageOut.String()
				}
				// SIGKILL, then count what survived against what was
				// acknowledged.
				cmd.Process.Signal(syscall.SIGKILL)
				cmd.Wait()
				out, err := exec.Command(*hooklens, "events", "--data", dir, "--limit", "1", "--json").Output()
				if err != nil {
					return "could not reopen: " + err.Error()
				}
				disk = diskUse(dir, out)
				return "reopened after SIGKILL: " + lastID(out)
			}, nil
		}
	}
	h := add("hooklens listen (durable: answered after the fsynced commit)", listen(false))

	wrk, err := exec.LookPath("wrk")
	haveWrk := err == nil && *useWrk
	drive := func(url string, d time.Duration) row {
		if haveWrk {
			return loadWrk(wrk, url, *conns, d, body)
		}
		return load(url, *conns, d, body)
	}
	turns := max(*rounds, 1)
	turn := *duration / time.Duration(turns)
	for range turns {
		for _, sv := range servers {
			cpu0 := loadgen.ProcCPU(sv.pid)
			r := drive(sv.url, turn)
			sv.cpu += loadgen.ProcCPU(sv.pid) - cpu0
			sv.requests += r.requests
			sv.bad += r.bad
			sv.p50sum += r.p50
			sv.p99 = max(sv.p99, r.p99)
			sv.turnRPS = append(sv.turnRPS, r.rps)
		}
	}
	var rows []row
	for _, sv := range servers {
		r := sv.row
		r.rps = float64(r.requests) / (float64(turns) * turn.Seconds())
		r.p50 = sv.p50sum / time.Duration(turns)
		if r.requests > 0 {
			r.cpu = sv.cpu / time.Duration(r.requests)
		}
		r.durable = sv.stop()
		rows = append(rows, r)
	}
	print(rows)
	if turns > 1 {
		var each []string
		for i, v := range h.turnRPS {
			each = append(each, fmt.Sprintf("%.2f", v/servers[0].turnRPS[i]))
		}
		fmt.Printf("hooklens / plain in each of the %d turns: %s\n", len(each), strings.Join(each, ", "))
	}
	fmt.Println(disk)

	// The stage table comes from a run of its own: taking the timings
	// costs time, which the figures above leave out.
	port := loadgen.FreePort()
	url, stop, err := listen(true)(port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hooklens listen --timings: %v\n", err)
		os.Exit(1)
	}
	timed := drive(url, turn)
	printStages(stop(), rows[len(rows)-1], rows[0], *conns, timed)
}

// lastPID is the server process startProcess started last.
var lastPID int

type row struct {
	cpu           time.Duration // server CPU per request
	name          string
	requests, bad int64
	rps           float64
	p50, p99      time.Duration
	maxID         uint64
	durable       string
}

func print(rows []row) {
	base := rows[0].rps
	fmt.Printf("%-62s %10s %8s %9s %9s %8s %12s\n", "server", "req/s", "ratio", "p50", "p99", "non-2xx", "CPU µs/req")
	for _, r := range rows {
		fmt.Printf("%-62s %10.0f %8.2f %9s %9s %8d %12.1f\n", r.name, r.rps, r.rps/base, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.bad, float64(r.cpu.Nanoseconds())/1000)
	}
	last := rows[len(rows)-1]
	if len(rows) > 2 {
		fmt.Printf("\nhooklens / peer: %.2f\n", last.rps/rows[1].rps)
	}
	fmt.Printf("hooklens / plain: %.2f\n", last.rps/base)
	fmt.Printf("hooklens acknowledged %d requests; %s\n", last.requests-last.bad, last.durable)
}

func plain(addr string) {
	http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
}

// startProcess starts cmd and waits until its port answers.
func startProcess(cmd *exec.Cmd, port int, path string) (string, func() string, error) {
	// Output goes to /dev/null itself, not through a pipe this process
	// would have to drain while it measures.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout = devnull
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	lastPID = cmd.Process.Pid
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := loadgen.WaitListening(addr, 5*time.Second); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return "", nil, fmt.Errorf("%s did not start listening on %s", filepath.Base(cmd.Path), addr)
	}
	return "http://" + addr + path, func() string {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		return "not durable"
	}, nil
}

// load drives url with conns keep-alive connections for d.
func load(url string, conns int, d time.Duration, body []byte) row {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	r := loadgen.Run(ctx, url, conns, body)
	return row{requests: r.Requests, bad: r.Bad, rps: r.RPS, p50: r.P50, p99: r.P99, maxID: r.MaxID}
}

// storedEvent is the part of an `events --json` line the benchmark reads.
type storedEvent struct {
	ID      string     `json:"id"`
	Headers [][]string `json:"headers"`
	Body    []byte     `json:"body_base64"`
}

func newest(out []byte) (storedEvent, bool) {
	var e storedEvent
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	if !sc.Scan() || json.Unmarshal(sc.Bytes(), &e) != nil || e.ID == "" {
		return e, false
	}
	return e, true
}

func lastID(out []byte) string {
	e, ok := newest(out)
	if !ok {
		return "no events"
	}
	return "newest stored event id " + e.ID
}

// diskUse compares the database's size per stored event with the
// event's body and headers (target: at most 300 B more).
func diskUse(dir string, out []byte) string {
	e, ok := newest(out)
	if !ok {
		return "disk: no events stored"
	}
	var n uint64
	fmt.Sscan(e.ID, &n)
	var files, dbUsed int64
	ents, _ := os.ReadDir(dir)
	var parts []string
	for _, d := range ents {
		if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() {
			var st syscall.Stat_t
			used := fi.Size()
			if syscall.Stat(filepath.Join(dir, d.Name()), &st) == nil {
				used = st.Blocks * 512 // what the file takes on disk
			}
			files += used
			if d.Name() == store.FileName {
				dbUsed = used
			}
			parts = append(parts, fmt.Sprintf("%s %.1f MiB", d.Name(), float64(used)/(1<<20)))
		}
	}
	hdr := 0
	for _, h := range e.Headers {
		for _, x := range h {
			hdr += len(x)
		}
	}
	if dbUsed == 0 {
		return "disk: " + store.FileName + " not found in " + dir
	}
	per := float64(files) / float64(max(n, 1))
	dbPer := float64(dbUsed) / float64(max(n, 1))
	body := float64(len(e.Body) + hdr)
	// The target is per event: the capture log is a fixed size (two
	// regions it turns between), so its share is shown apart.
	return fmt.Sprintf("disk: the database %.0f B per event for %d events = body %d B + headers %d B + %.0f B (target: at most 300 B over); with the capture log's fixed size (%s), %.0f B per event at this count",
		dbPer, n, len(e.Body), hdr, dbPer-body, strings.Join(parts, ", "), per)
}

// syncBuffer is a bytes.Buffer the child's stderr is copied into while the
// benchmark reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// printStages prints listen --timings' table per request, and what each
// stage allows: the writer's stages run one group at a time, so their time
// per event bounds the rate; the handler's are spread over the cores.
func printStages(out string, h, plain row, conns int, timed row) {
	type st struct {
		name         string
		calls, items float64
		perCall      float64 // µs
		perItem      float64 // µs
	}
	var stages []st
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "stage timings: ")
		if !ok || strings.HasPrefix(rest, "stage ") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 5 {
			continue
		}
		var x st
		x.name = strings.Join(f[:len(f)-4], " ")
		fmt.Sscan(f[len(f)-4], &x.calls)
		fmt.Sscan(f[len(f)-3], &x.items)
		fmt.Sscan(f[len(f)-2], &x.perCall)
		fmt.Sscan(f[len(f)-1], &x.perItem)
		stages = append(stages, x)
	}
	if len(stages) == 0 {
		fmt.Println("\n(no stage timings: the hooklens binary has no --timings)")
		return
	}
	fmt.Printf("\nwhere a durable capture's time goes (a run of its own with hooklens listen --timings, %.0f req/s; wall time):\n", timed.rps)
	fmt.Printf("%-24s %12s %12s %14s\n", "stage", "µs/event", "µs/group", "events/group")
	for _, x := range stages {
		group := ""
		if x.calls > 0 && x.items > x.calls*1.05 {
			group = fmt.Sprintf("%12.1f %14.1f", x.perCall, x.items/x.calls)
		}
		fmt.Printf("%-24s %12.2f %s\n", x.name, x.perItem, group)
	}
	target := plain.rps / 2
	if h.rps >= target {
		return
	}
	// With conns requests in flight, the rate is conns / latency.
	fmt.Printf("\nshort of 0.5x plain (%.0f req/s) by %.0f req/s: at %d connections that needs a request answered in %.2f ms; it took %.2f ms at p50.\n",
		target, target-h.rps, conns, float64(conns)/target*1000, float64(h.p50.Microseconds())/1000)
}

// loadWrk drives url with wrk (2 threads, conns connections) and reads its
// report.
func loadWrk(wrk, url string, conns int, d time.Duration, body []byte) row {
	script, err := os.CreateTemp("", "hlbench-*.lua")
	if err != nil {
		panic(err)
	}
	defer os.Remove(script.Name())
	quoted, _ := json.Marshal(string(body))
	fmt.Fprintf(script, "wrk.method = \"POST\"\nwrk.body = %s\nwrk.headers[\"Content-Type\"] = \"application/json\"\n", quoted)
	script.Close()
	out, err := exec.Command(wrk, "-t2", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", int(d.Seconds())), "--latency", "-s", script.Name(), url).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "wrk: %v\n%s", err, out)
		os.Exit(1)
	}
	var r row
	var total int64
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "Requests/sec:":
			fmt.Sscan(f[1], &r.rps)
		case len(f) >= 2 && f[0] == "50%":
			r.p50 = wrkDur(f[1])
		case len(f) >= 2 && f[0] == "99%":
			r.p99 = wrkDur(f[1])
		case strings.Contains(line, "requests in"):
			fmt.Sscan(f[0], &total)
		case strings.HasPrefix(strings.TrimSpace(line), "Non-2xx"):
			fmt.Sscan(f[len(f)-1], &r.bad)
		case strings.HasPrefix(strings.TrimSpace(line), "Socket errors"):
			var c, rd, w, to int64
			fmt.Sscanf(strings.TrimSpace(line), "Socket errors: connect %d, read %d, write %d, timeout %d", &c, &rd, &w, &to)
			r.bad += c + rd + w + to
		}
	}
	r.requests = total
	r.maxID = uint64(total - r.bad)
	return r
}

func wrkDur(s string) time.Duration {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			var f float64
			fmt.Sscan(v, &f)
			return time.Duration(f * float64(u.unit))
		}
	}
	return 0
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
