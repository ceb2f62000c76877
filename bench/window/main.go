// Command window measures the memory of a real Hooklens window (the GLFW
// driver drawing into an X display, as a user runs it) while a stream of
// webhooks arrives: it starts `hooklens` on an empty home and data
// directory, lets it sit idle (the baseline), then sends -rate requests a
// second from -conns clients for -seconds, each client to its own path
// with its own event type, then lets it sit idle again. It samples the
// window's RssAnon and RssFile four times a second and prints a table with
// the peak under the stream as a ratio to the idle baseline of the same run.
//
// Without DISPLAY it starts Xvfb on a free display (1400x900x24) when
// Xvfb is installed (`make deps-shot`); software rendering keeps the
// window's textures in RssAnon, so this is the worst case for memory.
//
//	go run ./bench/window -hooklens ./hooklens
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hooklens/hooklens/bench/internal/loadgen"
	"github.com/hooklens/hooklens/store"
)

func main() {
	bin := flag.String("hooklens", "./hooklens", "the hooklens binary")
	rate := flag.Int("rate", 1000, "requests a second during the stream")
	conns := flag.Int("conns", 32, "clients, each with its own path")
	seconds := flag.Int("seconds", 30, "length of the stream")
	idle := flag.Int("idle", 10, "seconds idle before and after the stream")
	target := flag.Int64("target", 150, "RssAnon target in MB, printed beside the peak")
	data := flag.String("data", "", "open on a copy of this data directory's "+store.FileName+" (e.g. one `hooklens demo --events 1000000` filled) instead of an empty one")
	search := flag.String("search", "", "type this into the filter (with xdotool) as the stream starts: a free-text search runs over every event during it")
	flag.Parse()
	if err := run(*bin, *data, *search, *rate, *conns, *seconds, *idle, *target); err != nil {
		fmt.Fprintln(os.Stderr, "window:", err)
		os.Exit(1)
	}
}

func run(bin, data, search string, rate, conns, seconds, idle int, target int64) error {
	env := os.Environ()
	if os.Getenv("DISPLAY") == "" {
		display, stop, err := startXvfb()
		if err != nil {
			return err
		}
		defer stop()
		env = append(env, "DISPLAY="+display)
	}
	tmp, err := os.MkdirTemp("", "hooklens-window-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if data != "" {
		if err := os.MkdirAll(filepath.Join(tmp, "data"), 0o700); err != nil {
			return err
		}
		if err := loadgen.CopyFile(filepath.Join(data, store.FileName), filepath.Join(tmp, "data", store.FileName)); err != nil {
			return err
		}
	}
	addr := fmt.Sprintf("127.0.0.1:%d", loadgen.FreePort())
	cmd := exec.Command(bin, "--addr", addr, "--data", filepath.Join(tmp, "data"))
	cmd.Env = append(env, "HOME="+tmp, "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	if err := loadgen.WaitListening(addr, 60*time.Second); err != nil {
		return fmt.Errorf("%w\n%s", err, logs.String())
	}
	pid := cmd.Process.Pid
	time.Sleep(3 * time.Second) // the first frames and the welcome screen
	fmt.Printf("Hooklens window (pid %d) on %s; %d requests/s from %d clients for %d s, %d s idle before and after\n\n",
		pid, addr, rate, conns, seconds, idle)

	before := sample(pid, time.Duration(idle)*time.Second, nil)
	var sent, bad atomic.Int64
	cpu0 := loadgen.ProcCPU(pid)
	during := sample(pid, time.Duration(seconds)*time.Second, func(ctx context.Context) {
		if search != "" {
			if err := typeFilter(env, search); err != nil {
				fmt.Fprintln(os.Stderr, "window: typing the search:", err)
			}
		}
		stream(ctx, "http://"+addr, rate, conns, &sent, &bad)
	})
	cpu := loadgen.ProcCPU(pid) - cpu0
	after := sample(pid, time.Duration(idle)*time.Second, nil)

	fmt.Println("| phase | requests | RssAnon start → peak → end | RssFile end |")
	fmt.Println("| --- | --- | --- | --- |")
	row := func(name string, reqs string, p phase) {
		fmt.Printf("| %s | %s | %s → %s → %s | %s |\n", name, reqs, mb(p.first.Anon), mb(p.peak.Anon), mb(p.last.Anon), mb(p.last.File))
	}
	row("idle (baseline)", "0", before)
	row(fmt.Sprintf("%d/s", rate), fmt.Sprintf("%d (%d failed)", sent.Load(), bad.Load()), during)
	row("idle after", "0", after)
	peak := max(during.peak.Anon, after.peak.Anon)
	fmt.Printf("\npeak RssAnon %s (target %d MB), ratio_vs_idle %.2f; %.1f MB a second during the stream\n",
		mb(peak), target, float64(peak)/float64(max(before.peak.Anon, 1)),
		float64(during.last.Anon-during.first.Anon)/1e6/float64(seconds))
	fmt.Printf("the window's CPU during the stream: %.1f s in %d s (%.0f%% of a core), %.0f µs a request\n",
		cpu.Seconds(), seconds, 100*cpu.Seconds()/float64(seconds), float64(cpu.Microseconds())/float64(max(sent.Load(), 1)))
	select {
	case err := <-exited:
		exited <- err
		return fmt.Errorf("the window exited during the run (%v)\n%s", err, logs.String())
	default:
	}
	return nil
}

type phase struct{ first, peak, last loadgen.Mem }

// sample reads pid's memory every 250 ms for d, running work alongside.
func sample(pid int, d time.Duration, work func(context.Context)) phase {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	if work != nil {
		wg.Go(func() { work(ctx) })
	}
	p := phase{first: loadgen.Memory(pid)}
	p.peak = p.first
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
		}
		m := loadgen.Memory(pid)
		if m.Anon > p.peak.Anon {
			p.peak = m
		}
		p.last = m
	}
	wg.Wait()
	return p
}

// stream sends rate requests a second in all from conns clients, each
// paced on its own keep-alive connection.
func stream(ctx context.Context, base string, rate, conns int, sent, bad *atomic.Int64) {
	every := time.Duration(int64(time.Second) * int64(conns) / int64(rate))
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			url := fmt.Sprintf("%s/hooks/client-%02d", base, c)
			tick := time.NewTicker(every)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				body := fmt.Sprintf(`{"event":"visitor.chat.%02d","entity":{"id":"%d","seq":%d,"note":"%s"}}`,
					c, 7183000004021+c, n, bytes.Repeat([]byte("x"), 600))
				resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(body)))
				sent.Add(1)
				if err != nil {
					bad.Add(1)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
}

// startXvfb starts a virtual X display on the first free number from 90.
func startXvfb() (string, func(), error) {
	path, err := exec.LookPath("Xvfb")
	if err != nil {
		return "", nil, fmt.Errorf("no DISPLAY and no Xvfb to make one (make deps-shot installs it)")
	}
	for n := 90; n < 110; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command(path, display, "-screen", "0", "1400x900x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			return "", nil, err
		}
		for range 50 {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				return display, func() { cmd.Process.Kill(); cmd.Wait() }, nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	return "", nil, fmt.Errorf("could not start Xvfb on any display from :90 to :109")
}

// typeFilter focuses the window's filter box (Ctrl+F) and types text into it.
func typeFilter(env []string, text string) error {
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command("xdotool", args...)
		cmd.Env = env
		return cmd.Output()
	}
	out, err := run("search", "--name", "^Hooklens")
	if err != nil {
		return fmt.Errorf("finding the window: %w", err)
	}
	id := strings.Fields(string(out))
	if len(id) == 0 {
		return fmt.Errorf("no Hooklens window")
	}
	if _, err = run("windowfocus", "--sync", id[0], "key", "ctrl+f"); err != nil {
		return err
	}
	_, err = run("type", "--delay", "20", text)
	return err
}

func mb(b int64) string { return fmt.Sprintf("%d MB", b/1e6) }
