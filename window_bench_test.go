//go:build ci

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
)

// Receive → row: how long after the listener takes a request its row is in
// the window's event list, at 1,000 requests a second and, as the baseline
// of the same run, at 10 a second. Issue #14's target is under 100 ms at
// 1,000/s with the window's anonymous memory under 150 MB.
const (
	rowLoadRate = 1000
	rowLoadFor  = 5 * time.Second
	rowIdleRate = 10
	rowIdleFor  = 4 * time.Second
	rowClients  = 32
	// rowSeenMin is the share of the answered requests whose rows must be
	// seen for the figures to mean anything.
	rowSeenMin = 0.95
)

// BenchmarkReceiveToRow opens a real Hooklens (a bbolt file in a temp dir,
// the listener on 127.0.0.1:0) with the window the app builds, on Fyne's
// test driver, and sends it requests with a real HTTP client at a paced
// rate, each to its own path /bench/N with a small JSON body. A goroutine
// standing in for Fyne's main loop runs the window's UI work and, after
// each piece of it, looks at the event list: the first time the row of
// /bench/N is among the rows the list holds with their data (within its
// length, its page arrived, after the coalesced refresh that brought it
// and the list's redraw) is when N became visible. The window shows what
// it shows a user: the first event opened, later ones pushing it down.
//
// At 1,000/s it reports p50, p99 and max of receive → row in ms (receive
// is the event's received time, taken by the listener as the request
// arrived; a row never seen counts as slower than any, so p99 is +Inf when
// more than 1% are missing), p99 from the client's send, and the p99 of
// the two parts: store (received → the store told subscribers: the
// durable commit and the copy into bbolt) and ui (told → row); p99 of the
// rows that reached the screen (the newest of each update); events per
// list update (the coalescing); the longest piece of UI work and the share
// of the time the UI goroutine was busy (while it works no frame is
// drawn); and the rate achieved. At 10/s it reports p50 and p99 as the
// baseline, with ratio_vs_idle = p99 at 1,000/s over p99 at 10/s (the
// idle p99 is the slowest of 41, so it moves from run to run) and the
// same for p50. Then
// the process's RssAnon in MiB before sending, at the end and the most
// sampled in between (the client's share is small; Fyne's test driver
// draws nothing, so a real window adds its GL buffers and a texture for
// each distinct text it draws, kept a minute — see the README — and the
// test driver never drops cached renderers, which a real window does after
// a minute). It fails
// when fewer than 95% of the answered requests were seen as rows, when a
// request failed, or when the rate fell short of 90% of the target.
func BenchmarkReceiveToRow(b *testing.B) {
	for range b.N {
		r := runReceiveToRow(b)
		load, idle := r.load, r.idle
		b.ReportMetric(ms(load.pct(0.50)), "p50-ms")
		b.ReportMetric(ms(load.pct(0.99)), "p99-ms")
		b.ReportMetric(ms(load.pct(1)), "max-ms")
		b.ReportMetric(ms(load.sendPct(0.99)), "send-p99-ms")
		b.ReportMetric(ms(load.storePct(0.99)), "store-p99-ms")
		b.ReportMetric(ms(load.uiPct(0.99)), "ui-p99-ms")
		b.ReportMetric(ms(load.screenPct(0.99)), "screen-p99-ms")
		b.ReportMetric(ms(idle.pct(0.50)), "idle-p50-ms")
		b.ReportMetric(ms(idle.pct(0.99)), "idle-p99-ms")
		b.ReportMetric(ms(load.pct(0.99))/ms(idle.pct(0.99)), "ratio_vs_idle")
		b.ReportMetric(ms(load.pct(0.50))/ms(idle.pct(0.50)), "p50-ratio_vs_idle")
		b.ReportMetric(load.rate, "sent/s")
		b.ReportMetric(float64(load.grown)/float64(max(load.updates, 1)), "events/update")
		b.ReportMetric(ms(load.longest), "ui-step-max-ms")
		b.ReportMetric(load.busy.Seconds()/rowLoadFor.Seconds()*100, "ui-busy-%")
		b.ReportMetric(float64(load.seen)/float64(load.answered)*100, "seen-%")
		b.ReportMetric(r.rssBefore, "rss-anon-start-MB")
		b.ReportMetric(r.rssEnd, "rss-anon-end-MB")
		b.ReportMetric(r.rssMax, "rss-anon-max-MB")
	}
}

// unseen stands for the latency of a request whose row was never seen:
// longer than any, so the quantiles count it rather than leave it out.
const unseen = time.Duration(math.MaxInt64)

func ms(d time.Duration) float64 {
	if d == unseen {
		return math.Inf(1)
	}
	return float64(d.Microseconds()) / 1000
}

// rowRun is one run: the idle baseline, then the load.
type rowRun struct {
	idle, load                *rowPhase
	rssBefore, rssEnd, rssMax float64
}

// rowPhase is what one rate's requests went through. Markers are indexes
// into the slices; each slice is written by one goroutine at a time.
type rowPhase struct {
	first, n int // markers first ... first+n-1

	sent     []time.Time // when the client sent it (client goroutines)
	ok       []bool      // answered 2xx
	received []time.Time // the event's ReceivedAt, as the list holds it (UI loop)
	listed   []time.Time // first seen among the list's rows (UI loop)
	onScreen []time.Time // first seen drawn on screen (UI loop)
	stored   []time.Time // the store told subscribers (subscriber goroutine)

	answered, failed, seen int
	rate                   float64       // requests sent per second
	grown, updates         int           // rows added to the list, and the updates that added them
	biggest                int           // the most rows one update added
	busy, longest          time.Duration // the UI goroutine's work: in all, and its longest piece
	lat, send, store, ui   []time.Duration
	scr                    []time.Duration
}

func newRowPhase(first, n int) *rowPhase {
	return &rowPhase{first: first, n: n, sent: make([]time.Time, n), ok: make([]bool, n),
		received: make([]time.Time, n), listed: make([]time.Time, n), onScreen: make([]time.Time, n), stored: make([]time.Time, n)}
}

// index is marker m's place in the phase's slices, or -1.
func (p *rowPhase) index(m int) int {
	if m < p.first || m >= p.first+p.n {
		return -1
	}
	return m - p.first
}

// finish computes the latencies once every goroutine writing the slices
// has stopped.
func (p *rowPhase) finish() {
	for i := range p.n {
		if !p.ok[i] {
			continue
		}
		p.answered++
		if p.listed[i].IsZero() {
			p.lat, p.send = append(p.lat, unseen), append(p.send, unseen)
			continue
		}
		p.seen++
		p.lat = append(p.lat, p.listed[i].Sub(p.received[i]))
		p.send = append(p.send, p.listed[i].Sub(p.sent[i]))
		if !p.stored[i].IsZero() {
			p.store = append(p.store, p.stored[i].Sub(p.received[i]))
			p.ui = append(p.ui, p.listed[i].Sub(p.stored[i]))
		}
		if !p.onScreen[i].IsZero() {
			p.scr = append(p.scr, p.onScreen[i].Sub(p.received[i]))
		}
	}
	for _, d := range [][]time.Duration{p.lat, p.send, p.store, p.ui, p.scr} {
		slices.Sort(d)
	}
}

func (p *rowPhase) pct(q float64) time.Duration       { return quantile(p.lat, q) }
func (p *rowPhase) sendPct(q float64) time.Duration   { return quantile(p.send, q) }
func (p *rowPhase) storePct(q float64) time.Duration  { return quantile(p.store, q) }
func (p *rowPhase) uiPct(q float64) time.Duration     { return quantile(p.ui, q) }
func (p *rowPhase) screenPct(q float64) time.Duration { return quantile(p.scr, q) }

// quantile of sorted d (nearest rank).
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[max(int(math.Ceil(q*float64(len(d))))-1, 0)]
}

// rowLoop stands in for Fyne's main goroutine: other goroutines queue UI
// work with do; run executes it in order, calling after with how long
// each piece took, until stop closes.
type rowLoop struct {
	mu   sync.Mutex
	fns  []func()
	wake chan struct{}
}

func (q *rowLoop) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *rowLoop) run(stop <-chan struct{}, after func(took time.Duration)) {
	for {
		select {
		case <-stop:
			return
		case <-q.wake:
		}
		for {
			q.mu.Lock()
			fns := q.fns
			q.fns = nil
			q.mu.Unlock()
			if len(fns) == 0 {
				break
			}
			for _, fn := range fns {
				start := time.Now()
				fn()
				after(time.Since(start))
			}
		}
	}
}

// benchMarker reads the marker from a path /bench/N.
func benchMarker(path string) (int, bool) {
	s, ok := strings.CutPrefix(path, "/bench/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func runReceiveToRow(b *testing.B) rowRun {
	b.Helper()
	dir := b.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // as Hooklens keeps it, without a word about it
		b.Fatal(err)
	}
	wteam := &windowTeam{}
	h, err := OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", Logf: b.Logf,
		BeforeListen: func(h *Hooklens) error { wteam.h = h; return nil }})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()

	var run rowRun
	run.idle = newRowPhase(0, int(rowIdleRate*rowIdleFor.Seconds())+1)
	run.load = newRowPhase(run.idle.n, int(rowLoadRate*rowLoadFor.Seconds())+1)
	phases := []*rowPhase{run.idle, run.load}
	find := func(path string) (*rowPhase, int) {
		m, ok := benchMarker(path)
		if !ok {
			return nil, -1
		}
		for _, p := range phases {
			if i := p.index(m); i >= 0 {
				return p, i
			}
		}
		return nil, -1
	}

	// When the store tells subscribers, as the window hears it.
	cancel := h.Store.Subscribe(func(e *app.Event) {
		if p, i := find(e.Path); p != nil {
			p.stored[i] = time.Now()
		}
	})

	a := test.NewTempApp(b)
	loop := &rowLoop{wake: make(chan struct{}, 1)}
	w := windowParts{keys: signal.NewKeyStore(dir), team: wteam, do: loop.do}.mainWindow(a, h)
	w.Show()

	// After each piece of UI work: which rows does the list hold now, and
	// which are drawn? Only the phase being measured counts list updates.
	var seen atomic.Int64
	var counting atomic.Pointer[rowPhase]
	lastLen := 0
	after := func(took time.Duration) {
		now := time.Now()
		p := counting.Load()
		if p != nil {
			p.busy += took
			p.longest = max(p.longest, took)
		}
		if n := w.ListLen(); n != lastLen {
			if p != nil && n > lastLen {
				p.updates++
				p.grown += n - lastLen
				p.biggest = max(p.biggest, n-lastLen)
			}
			lastLen = n
		}
		w.ListedRows(func(_ int, s app.EventSummary) {
			if p, i := find(s.Path); p != nil && p.listed[i].IsZero() {
				p.listed[i], p.received[i] = now, s.ReceivedAt
				seen.Add(1)
			}
		})
		w.ScreenRows(func(_ int, s app.EventSummary) {
			if p, i := find(s.Path); p != nil && p.onScreen[i].IsZero() {
				p.onScreen[i] = now
			}
		})
	}
	stopLoop := make(chan struct{})
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		loop.run(stopLoop, after)
	}()
	shutdown := func() {
		closed := make(chan struct{})
		loop.do(func() { w.Close(); close(closed) })
		<-closed
		close(stopLoop)
		<-loopDone
		cancel()
	}

	time.Sleep(300 * time.Millisecond) // the window's first reads
	run.rssBefore = rssAnonMB()
	var rssMax atomic.Uint64
	rssMax.Store(math.Float64bits(run.rssBefore))
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-sampling:
				return
			case <-t.C:
				if v := rssAnonMB(); v > math.Float64frombits(rssMax.Load()) {
					rssMax.Store(math.Float64bits(v))
				}
			}
		}
	}()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: rowClients}}
	url := h.Listener.URL()
	want := int64(0)
	for _, p := range []struct {
		phase *rowPhase
		rate  float64
		dur   time.Duration
	}{{run.idle, rowIdleRate, rowIdleFor}, {run.load, rowLoadRate, rowLoadFor}} {
		counting.Store(p.phase)
		driveRows(client, url, p.phase, p.rate, p.dur)
		for i := range p.phase.n {
			if p.phase.ok[i] {
				want++
			}
		}
		// The last rows come in the next refreshes.
		deadline := time.Now().Add(3 * time.Second)
		for seen.Load() < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
	}
	close(sampling)
	<-sampled
	run.rssEnd = rssAnonMB()
	run.rssMax = max(math.Float64frombits(rssMax.Load()), run.rssEnd)
	shutdown()

	for _, p := range phases {
		p.finish()
		if p.failed > 0 {
			b.Fatalf("%d of %d requests at %.0f/s failed or were not answered 2xx", p.failed, p.n, p.rate)
		}
		if p.seen < p.answered {
			b.Logf("%d of %d answered requests at %.0f/s were never seen as rows; the biggest update added %d rows, the store told subscribers at p99 %.1f ms after receiving",
				p.answered-p.seen, p.answered, p.rate, p.biggest, ms(p.storePct(0.99)))
		}
		if float64(p.seen) < rowSeenMin*float64(p.answered) {
			b.Fatalf("only %d of %d answered requests at %.0f/s were seen as rows in the list; the biggest update added %d rows "+
				"(the list reads the rows on screen and up to two pages below), the store told subscribers at p99 %.1f ms after receiving",
				p.seen, p.answered, p.rate, p.biggest, ms(p.storePct(0.99)))
		}
	}
	if run.load.rate < 0.9*rowLoadRate {
		b.Fatalf("the client sent %.0f requests/s, short of %d: the figures would not be at the target rate", run.load.rate, rowLoadRate)
	}
	if run.load.updates == 0 || run.idle.seen == 0 {
		b.Fatal("the list never grew")
	}
	return run
}

// driveRows sends p's requests at rate per second for dur from rowClients
// goroutines, each to /bench/N with a small JSON body that varies, paced by
// a ticker (a slow answer holds up one client, not the rate).
func driveRows(client *http.Client, url string, p *rowPhase, rate float64, dur time.Duration) {
	jobs := make(chan int, p.n)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range rowClients {
		wg.Go(func() {
			for i := range jobs {
				m := p.first + i
				req, err := http.NewRequest(http.MethodPost, url+"/bench/"+strconv.Itoa(m), bytes.NewReader(benchBody(m)))
				if err != nil {
					panic(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Bench-Seq", strconv.Itoa(m))
				p.sent[i] = time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					p.ok[i] = true
				} else {
					failed.Add(1)
				}
			}
		})
	}
	tick := time.NewTicker(time.Millisecond)
	start := time.Now()
	queued := 0
	for queued < p.n {
		now := <-tick.C
		due := min(int(now.Sub(start).Seconds()*rate)+1, p.n)
		for ; queued < due; queued++ {
			jobs <- queued
		}
		if now.Sub(start) > 2*dur {
			break // the clients could not keep up; the rate check says so
		}
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	p.failed = int(failed.Load()) + p.n - queued
	p.rate = rate
	if queued > 1 {
		first, last := p.sent[0], p.sent[0]
		for _, t := range p.sent[:queued] {
			if t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
		if span := last.Sub(first).Seconds(); span > 0 {
			p.rate = float64(queued-1) / span
		}
	}
}

// benchBody is a small JSON body of one of four shapes, 100–700 bytes.
func benchBody(m int) []byte {
	switch m % 4 {
	case 0:
		return fmt.Appendf(nil, `{"event":"order.created","id":%d,"amount":%d,"currency":"EUR","items":[{"sku":"SKU-%d","qty":%d}]}`, m, 100+m%9000, m%97, 1+m%5)
	case 1:
		return fmt.Appendf(nil, `{"type":"customer.updated","data":{"object":{"id":"cus_%08d","email":"user%d@example.com","name":"Customer %d"}},"created":%d}`, m, m, m, 1700000000+m)
	case 2:
		return fmt.Appendf(nil, `{"event":"conversation.rated","data":{"rating":%d,"visitor":{"name":"Visitor %d","email":"v%d@example.org"},"comment":%q}}`, m%5+1, m, m, strings.Repeat("fine ", m%40))
	default:
		notes := make([]string, 1+m%12)
		for i := range notes {
			notes[i] = fmt.Sprintf(`{"at":%d,"text":"note %d of event %d"}`, 1700000000+m+i, i, m)
		}
		return fmt.Appendf(nil, `{"event":"ticket.updated","ticket":%d,"status":"open","notes":[%s]}`, m, strings.Join(notes, ","))
	}
}

// rssAnonMB is the process's anonymous resident memory (RssAnon in
// /proc/self/status) in MB, or 0 where there is none.
func rssAnonMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "RssAnon:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
