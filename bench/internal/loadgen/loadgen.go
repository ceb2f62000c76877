// Package loadgen is the benchmarks' Go load generator: conns keep-alive
// connections each POSTing body in a loop until the context ends, with
// every latency kept for percentiles. (bench/capture drives the load with
// wrk instead when it is installed: it costs the 2-core machine less CPU.)
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what one run measured.
type Result struct {
	Requests, Bad int64 // all requests answered or failed; non-2xx and failures
	RPS           float64
	P50, P99, Max time.Duration
	MaxID         uint64 // the highest event id a Hooklens acknowledged
}

// Run drives url until ctx ends.
func Run(ctx context.Context, url string, conns int, body []byte) Result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var total, bad atomic.Int64
	var maxID atomic.Uint64
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					if ctx.Err() == nil {
						bad.Add(1)
						total.Add(1)
					}
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				total.Add(1)
				if resp.StatusCode/100 != 2 {
					bad.Add(1)
					continue
				}
				var ack struct {
					ID string `json:"id"`
				}
				if json.Unmarshal(b, &ack) == nil && ack.ID != "" {
					var id uint64
					fmt.Sscan(ack.ID, &id)
					for {
						old := maxID.Load()
						if id <= old || maxID.CompareAndSwap(old, id) {
							break
						}
					}
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	r := Result{Requests: total.Load(), Bad: bad.Load(), P50: pct(0.50), P99: pct(0.99), MaxID: maxID.Load()}
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	r.RPS = float64(r.Requests-r.Bad) / el.Seconds()
	return r
}

// Payload is an n-byte JSON body shaped like a SalesIQ event.
func Payload(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"event":"conversation.created","entity":{"id":"7183000004021","note":"`)
	for b.Len() < n-3 {
		b.WriteByte('x')
	}
	b.WriteString(`"}}`)
	return b.Bytes()
}

// FreePort is a TCP port on 127.0.0.1 free at the time of the call.
func FreePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Mem is a process's resident memory, in bytes: all of it, the anonymous
// part (heap, stacks, and under software rendering the textures) and the
// part that maps files.
type Mem struct{ RSS, Anon, File int64 }

// Memory reads process pid's resident memory from /proc (0: this process);
// zeros where it cannot.
func Memory(pid int) Mem {
	name := "/proc/self/status"
	if pid > 0 {
		name = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return Mem{}
	}
	var m Mem
	for line := range strings.Lines(string(b)) {
		var kb int64
		key, val, _ := strings.Cut(line, ":")
		fmt.Sscanf(strings.TrimSpace(val), "%d", &kb)
		switch key {
		case "VmRSS":
			m.RSS = kb * 1024
		case "RssAnon":
			m.Anon = kb * 1024
		case "RssFile":
			m.File = kb * 1024
		}
	}
	return m
}

// ProcCPU is the user and system CPU time process pid has used, from
// /proc/pid/stat; zero where it cannot be read.
func ProcCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name in parentheses: state is field 3,
	// utime and stime are fields 14 and 15, in clock ticks (100 a second).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// WaitListening waits until addr accepts a TCP connection, for at most limit.
func WaitListening(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s after %s", addr, limit)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// CopyFile copies src to dst (created 0600, or truncated).
func CopyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
