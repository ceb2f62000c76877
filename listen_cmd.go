package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/store"
)

// retentionFlags are the retention settings `listen` takes.
type retentionFlags struct {
	keep      string
	maxBytes  string
	maxEvents int
}

func addRetentionFlags(c *commonFlags) *retentionFlags {
	r := &retentionFlags{}
	c.fs.StringVar(&r.keep, "keep", "60d", "prune events older than this (e.g. 12h, 7d, 60d)")
	c.fs.StringVar(&r.maxBytes, "max-size", "1GiB", "prune the oldest events when stored bytes exceed this (e.g. 500MiB, 2GiB)")
	c.fs.IntVar(&r.maxEvents, "max-events", 0, "prune the oldest events beyond this many (0: no limit on the number)")
	return r
}

func (r *retentionFlags) retention() (Retention, error) {
	age, err := app.ParseDuration("--keep", r.keep)
	if err != nil || age <= 0 {
		return Retention{}, fmt.Errorf("%w: --keep %q must be a positive duration such as 7d or 12h", errUsage, r.keep)
	}
	size, err := app.ParseSize(r.maxBytes)
	if err != nil || size <= 0 {
		return Retention{}, fmt.Errorf("%w: --max-size %q must be a size such as 500MiB or 2GiB", errUsage, r.maxBytes)
	}
	if r.maxEvents < 0 {
		return Retention{}, fmt.Errorf("%w: --max-events %d must be 0 (no limit) or more", errUsage, r.maxEvents)
	}
	return Retention{MaxAge: age, MaxBytes: size, MaxEvents: r.maxEvents}, nil
}

func cmdListen(args []string, stdout, stderr io.Writer) error {
	c := newFlags("listen", stderr)
	addr := c.fs.String("addr", defaultAddr, "address to listen on; 127.0.0.1:0 picks a free port; 0.0.0.0:PORT exposes it to your network")
	asJSON := c.fs.Bool("json", false, "print JSON lines: first {\"listening\":URL}, then one line per event")
	full := c.fs.Bool("full", false, "with --json, add headers and body_base64 to each line")
	timings := c.fs.Bool("timings", false, "add up where capture time goes, stage by stage, and print it to stderr on SIGUSR1 and when stopping")
	rf := addRetentionFlags(c)
	tf := addTunnelFlags(c)
	pf := addPublishFlags(c)
	if err := c.parse(args); err != nil {
		return err
	}
	pub, err := pf.config()
	if err != nil {
		return err
	}
	tun, err := tf.config(c.data)
	if err != nil {
		return err
	}
	if *full && !*asJSON {
		return fmt.Errorf("%w: --full needs --json", errUsage)
	}
	ret, err := rf.retention()
	if err != nil {
		return err
	}
	tuneGC()
	// Lines reach stdout through a bounded buffer: capture never waits for
	// a reader that is stuck, and stopping never hangs on one.
	out := newLineOutput(stdout)
	defer out.Close(2 * time.Second)
	logf := func(f string, a ...any) { fmt.Fprintf(stderr, f+"\n", a...) }
	h, err := OpenHooklens(Config{Data: c.data, Addr: *addr, Retention: ret, Logf: logf, Tunnel: tun,
		OnTunnel: printTunnel(out, *asJSON), Publish: pub})
	if err != nil {
		return err
	}
	// Events are printed from the store's subscriber goroutine, in commit
	// order. The subscription is left to Close, which publishes every event
	// committed before it stops; cancelling first would drop the last few.
	var buf bytes.Buffer
	lines := exchange.NewLineWriter(&buf, *full)
	h.Store.Subscribe(func(e *app.Event) {
		buf.Reset()
		if *asJSON {
			if err := lines.Write(e); err != nil {
				logf("hooklens: writing event: %v", err)
				return
			}
		} else {
			printEvent(&buf, e)
		}
		out.Write(buf.Bytes())
	})
	h.Store.OnPrune(func(p store.PruneReport) { logf("hooklens: %s", p) })
	// A failing signature is answered first and explained after: the
	// explanation follows the event's line.
	h.Store.OnVerdict(func(id uint64, v app.Verdict) {
		if *asJSON {
			b, _ := json.Marshal(diagnosisLine{ID: app.FormatID(id), Diagnosed: true,
				Verdict: exchange.VerdictLine{Scheme: v.Scheme, Result: v.Result, Reason: v.Reason}})
			out.Write(append(b, '\n'))
			return
		}
		fmt.Fprintf(out, "    #%s: %s\n", app.FormatID(id), v.Reason)
	})
	if *asJSON {
		b, _ := json.Marshal(map[string]string{"listening": h.Listener.URL()})
		out.Write(append(b, '\n'))
	} else {
		fmt.Fprintf(out, "Listening on %s — data in %s. Press Ctrl+C to stop.\n", h.Listener.URL(), h.Store.Path())
	}
	if *timings {
		app.EnableTimings()
		defer watchTimings(stderr)()
	}
	ctx, stop := signalContext()
	defer stop()
	<-ctx.Done()
	return h.Close()
}

// tuneGC lets the heap of `listen` grow to five times what is live before
// collecting (GOGC=400) instead of twice, capped by a soft 256 MiB limit
// near which the collector works harder again. Every request allocates a
// few KiB that die at once, so collections were about a tenth of the
// listener's CPU; this halves that share for about 20 MB more memory under
// load. GOGC and GOMEMLIMIT set in the environment are left alone.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}

// printEvent writes the human line `listen` prints for an event. It is
// built with appends rather than fmt: listen prints one per request.
func printEvent(w io.Writer, e *app.Event) {
	var a [256]byte
	b := e.ReceivedAt.AppendFormat(a[:0], "15:04:05.000")
	b = append(b, "  #"...)
	b = append(b, e.IDString()...)
	b = append(b, "  "...)
	b = append(b, e.Method...)
	for n := utf8.RuneCountInString(e.Method); n < 7; n++ {
		b = append(b, ' ')
	}
	b = append(b, ' ')
	b = append(b, e.RequestURI()...)
	b = append(b, "  → "...)
	b = strconv.AppendInt(b, int64(e.Response.Status), 10)
	b = append(b, "  "...)
	b = append(b, app.HumanSize(e.Size)...)
	b = append(b, "  "...)
	b = append(b, e.Verdict.Result...)
	if e.Verdict.Scheme != "" {
		b = append(append(append(b, " ("...), e.Verdict.Scheme...), ')')
	}
	b = append(b, '\n')
	if r := e.Verdict.Result; r == app.VerdictInvalid || r == app.VerdictUnverified {
		b = append(append(append(b, "    "...), e.Verdict.Reason...), '\n')
	}
	_, _ = w.Write(b)
}

// diagnosisLine is listen's line for a verdict explained after the answer.
type diagnosisLine struct {
	ID        string               `json:"id"`
	Diagnosed bool                 `json:"diagnosed"`
	Verdict   exchange.VerdictLine `json:"verdict"`
}
