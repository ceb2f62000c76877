// Command million measures Hooklens on a big data directory: it fills one
// with `hooklens demo --events N` (kept and reused between runs), then
// opens the store and prints the file size per event against the body
// bytes, the time to the newest page, a page in the middle and at the end,
// a method filter with no match and an indexed filter, a free-text search
// over every body, and the process's memory (RSS, RssAnon, RssFile) at open
// and after the search. Page timings are also given as ratios to the
// newest page, measured in the same run.
//
//	go run ./bench/million -hooklens ./hooklens -events 1000000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/bench/internal/loadgen"
	"github.com/hooklens/hooklens/store"
)

func main() {
	bin := flag.String("hooklens", "./hooklens", "the hooklens binary (for demo --events)")
	n := flag.Int("events", 50000, "events in the data directory")
	dir := flag.String("data", "", "data directory (default: a kept one under the temp dir, per N)")
	cold := flag.Bool("cold", true, "drop the page cache before the cold figures (needs root; skipped otherwise)")
	flag.Parse()
	if *dir == "" {
		*dir = filepath.Join(os.TempDir(), fmt.Sprintf("hooklens-bench-%d", *n))
	}
	if err := run(*bin, *n, *dir, *cold); err != nil {
		fmt.Fprintln(os.Stderr, "million:", err)
		os.Exit(1)
	}
}

func run(bin string, n int, dir string, cold bool) error {
	if !filled(dir, n) {
		os.RemoveAll(dir)
		fmt.Printf("filling %s with %d demo events…\n", dir, n)
		cmd := exec.Command(bin, "demo", "--events", fmt.Sprint(n), "--data", dir)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("hooklens demo: %w", err)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, store.FileName))
	if err != nil {
		return err
	}
	if cold {
		dropCaches()
	}
	t0 := time.Now()
	st, err := store.Open(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	first, err := st.Events(app.Page{Limit: 100})
	if err != nil {
		return err
	}
	tFirst := time.Since(t0)
	count, _ := st.Count()
	stored, _ := st.StoredBytes()
	memOpen := loadgen.Memory(0)

	var bodies int64
	// Body bytes from the summaries' sizes (what was received), newest first.
	for off := 0; off < count; off += 5000 {
		page, err := st.Events(app.Page{Offset: off, Limit: 5000})
		if err != nil {
			return err
		}
		for _, s := range page {
			bodies += s.Size
		}
	}
	st.Search(context.Background(), app.Filter{}, func(app.SearchProgress) bool { return false }) // lets the pages of the walk go

	page := func(off int, f app.Filter) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 5 {
			t := time.Now()
			if _, err := st.Events(app.Page{Offset: off, Limit: 100, Filter: f}); err != nil {
				panic(err)
			}
			best = min(best, time.Since(t))
		}
		return best
	}
	newest := page(0, app.Filter{})
	middle := page(count/2, app.Filter{})
	end := page(max(count-100, 0), app.Filter{})

	noMatch, _ := app.ParseFilter("method:PATCH", time.Now())
	invalid, _ := app.ParseFilter("verdict:invalid endpoint:github", time.Now())
	if cold {
		dropCaches()
	}
	t := time.Now()
	nm, _ := st.Events(app.Page{Limit: 100, Filter: noMatch})
	tNoMatchCold := time.Since(t)
	tNoMatch := page(0, noMatch)
	tInvalid := page(0, invalid)
	tInvalidMid := page(1000, invalid)
	t = time.Now()
	nInvalid, _ := st.CountMatching(invalid)
	tCount := time.Since(t)

	text, _ := app.ParseFilter("walnut", time.Now())
	t = time.Now()
	var firstMatch time.Duration
	matches := 0
	peakAnon := int64(0)
	st.Search(context.Background(), text, func(p app.SearchProgress) bool {
		if matches == 0 && len(p.Matches) > 0 {
			firstMatch = time.Since(t)
		}
		matches += len(p.Matches)
		if m := loadgen.Memory(0); m.Anon > peakAnon {
			peakAnon = m.Anon
		}
		return true
	})
	tSearch := time.Since(t)
	runtime.GC()
	memSearch := loadgen.Memory(0)

	mb := func(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
	fmt.Printf("\n%d events in %s (%s)\n", count, dir, runtime.GOARCH)
	fmt.Printf("| figure | value |\n| --- | --- |\n")
	fmt.Printf("| file size | %s (%.0f B/event; body %.0f B/event, %.2f× the body bytes; stored records %.0f B/event) |\n",
		mb(fi.Size()), float64(fi.Size())/float64(count), float64(bodies)/float64(count), float64(fi.Size())/float64(max(bodies, 1)), float64(stored)/float64(count))
	cache := "warm page cache"
	if cold {
		cache = "page cache dropped first, when root"
	}
	if fi.Size() <= store.FullCheckSize() {
		// A file this small is read whole at open to check it before
		// anything is written to it: from a dropped cache that is a disk
		// read of the whole file.
		cache += fmt.Sprintf("; the whole file read to check it, as Open does up to %s", mb(store.FullCheckSize()))
	}
	fmt.Printf("| open + newest page (%s) | %s (%d rows) |\n", cache, ms(tFirst), len(first))
	fmt.Printf("| newest page | %s |\n", ms(newest))
	fmt.Printf("| page in the middle | %s (%.1f× the newest page) |\n", ms(middle), float64(middle)/float64(newest))
	fmt.Printf("| page at the end | %s (%.1f× the newest page) |\n", ms(end), float64(end)/float64(newest))
	fmt.Printf("| method:PATCH (no match), first page | %s first, %s again (%d rows) |\n", ms(tNoMatchCold), ms(tNoMatch), len(nm))
	fmt.Printf("| verdict:invalid endpoint:github, first page / offset 1000 / count | %s / %s / %s (%d match) |\n", ms(tInvalid), ms(tInvalidMid), ms(tCount), nInvalid)
	fmt.Printf("| text search \"walnut\" over every body | %s, first match after %s (%d matches) |\n", ms(tSearch), ms(firstMatch), matches)
	fmt.Printf("| memory at open | RSS %s, RssAnon %s, RssFile %s |\n", mb(memOpen.RSS), mb(memOpen.Anon), mb(memOpen.File))
	fmt.Printf("| memory after the search | RSS %s, RssAnon %s (peak during it %s), RssFile %s |\n", mb(memSearch.RSS), mb(memSearch.Anon), mb(peakAnon), mb(memSearch.File))
	st.Close()
	return pruneUnderLoad(bin, dir, count)
}

// pruneUnderLoad opens a copy of dir with `hooklens listen --max-events`
// a tenth of count, which prunes the other nine tenths in the background
// (saying so first), while 50 connections post 1 KiB events; then drives
// the same load for 10 s once the prune has finished, as the baseline the
// figures during it are compared with.
func pruneUnderLoad(bin, dir string, count int) error {
	if count < 10000 {
		return nil
	}
	tmp, err := os.MkdirTemp("", "hooklens-prune-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := loadgen.CopyFile(filepath.Join(dir, store.FileName), filepath.Join(tmp, store.FileName)); err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", loadgen.FreePort())
	keep := count / 10
	cmd := exec.Command(bin, "listen", "--addr", addr, "--data", tmp, "--max-events", fmt.Sprint(keep), "--max-size", "1000GiB")
	out, _ := cmd.StdoutPipe()
	errs, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "Listening on") {
				close(listening)
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	removed := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errs)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "retention removed") {
				removed <- sc.Text()
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("hooklens listen on the copy did not start")
	}
	body := loadgen.Payload(1024)
	url := "http://" + addr + "/"
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	var took time.Duration
	var report string
	go func() {
		select {
		case report = <-removed:
			took = time.Since(start)
		case <-time.After(10 * time.Minute):
		}
		cancel()
	}()
	during := loadgen.Run(ctx, url, 50, body)
	if took == 0 {
		return fmt.Errorf("the prune did not finish within 10 minutes")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	after := loadgen.Run(ctx, url, 50, body)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	line := func(r loadgen.Result) string {
		return fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, max %s, %d non-2xx", r.RPS, ms(r.P50), ms(r.P99), ms(r.Max), r.Bad)
	}
	fmt.Printf("| capture while retention prunes %d of %d events (%.0f s; target p99 < 20 ms) | %s |\n", count-keep, count, took.Seconds(), line(during))
	fmt.Printf("| capture after the prune (same load, 10 s) | %s; p99 during the prune %.1f× this |\n", line(after), float64(during.P99)/float64(max(after.P99, 1)))
	fmt.Printf("\nlisten said: %s\n", strings.TrimSpace(report))
	return nil
}

// filled reports whether dir already holds n events (a kept fill).
func filled(dir string, n int) bool {
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
		return false
	}
	st, err := store.Open(dir)
	if err != nil {
		return false
	}
	defer st.Close()
	c, err := st.Count()
	return err == nil && c == n
}

// dropCaches empties the page cache so the cold figures read the disk;
// without root it does nothing.
func dropCaches() {
	exec.Command("sync").Run()
	os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200)
}
