package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/capture"
	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/store"
)

const defaultAddr = "127.0.0.1:8790"

// commonFlags are the flags every subcommand takes.
type commonFlags struct {
	fs   *flag.FlagSet
	data string
}

func newFlags(name string, stderr io.Writer) *commonFlags {
	c := &commonFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.fs.SetOutput(stderr)
	c.fs.StringVar(&c.data, "data", "", "data directory (default: the hooklens folder in your user config directory)")
	return c
}

// parse reads args; leftover positional arguments are a usage error.
func (c *commonFlags) parse(args []string) error {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if c.fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, c.fs.Arg(0))
	}
	return nil
}

// open opens the store in the chosen data directory.
func (c *commonFlags) open() (*store.Store, error) {
	dir := c.data
	if dir == "" {
		d, err := store.DefaultDir()
		if err != nil {
			return nil, fmt.Errorf("no user config directory to keep data in: pass --data DIR: %w", err)
		}
		dir = d
	}
	return store.Open(dir)
}

// signalContext is cancelled by SIGINT or SIGTERM so commands stop cleanly.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// startListener starts capturing into st on addr. Endpoints that ask for
// their forward target's answer are relayed through q.
func startListener(st *store.Store, q *deliver.Queue, addr string, logf func(string, ...any)) (*capture.Server, error) {
	relay := func(ctx context.Context, e *app.Event, url string) (app.Response, func(uint64), error) {
		d, resp, err := q.Forward(ctx, e, url)
		link := func(id uint64) {
			if d == nil {
				return
			}
			d.EventID = id
			if err := st.PutDelivery(d); err != nil {
				logf("hooklens: linking forward %d to event %d: %v", d.ID, id, err)
			}
		}
		return resp, link, err
	}
	srv := capture.New(st, st, capture.Config{Addr: addr, Verify: judge(st), Relay: relay})
	if err := srv.Start(); err != nil {
		return nil, err
	}
	return srv, nil
}

// judge checks an event against its endpoint. On a mismatch, and only then,
// the other endpoints' keys are tried as well, to diagnose a secret pasted
// into the wrong endpoint; matching requests cost no extra store read.
func judge(eps app.EndpointStore) func(e *app.Event, ep *app.Endpoint) app.Verdict {
	return func(e *app.Event, ep *app.Endpoint) app.Verdict {
		r := verify.FromEvent(e, "")
		rep := verify.Endpoint(r, ep)
		if rep.Result != app.VerdictInvalid {
			return rep.Verdict
		}
		all, err := eps.Endpoints()
		if err != nil {
			return rep.Verdict
		}
		slug := ""
		if ep != nil {
			slug = ep.Slug
		}
		if others := verify.OtherKeys(all, slug); len(others) > 0 {
			rep = verify.Endpoint(r, ep, others...)
		}
		return rep.Verdict
	}
}

func cmdListen(args []string, stdout, stderr io.Writer) error {
	c := newFlags("listen", stderr)
	addr := c.fs.String("addr", defaultAddr, "address to listen on; 127.0.0.1:0 picks a free port; 0.0.0.0:PORT exposes it to your network")
	asJSON := c.fs.Bool("json", false, "print JSON lines: first {\"listening\":URL}, then one line per event")
	full := c.fs.Bool("full", false, "with --json, add headers and body_base64 to each line")
	if err := c.parse(args); err != nil {
		return err
	}
	if *full && !*asJSON {
		return fmt.Errorf("%w: --full needs --json", errUsage)
	}
	st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()

	// Events reach stdout from the store's subscriber goroutine, in commit
	// order. The subscription is left to st.Close, which prints every event
	// committed before it stops; cancelling first would drop the last few.
	lines := exchange.NewLineWriter(stdout, *full)
	st.Subscribe(func(e *app.Event) {
		if *asJSON {
			if err := lines.Write(e); err != nil {
				fmt.Fprintln(stderr, "hooklens: writing event:", err)
			}
			return
		}
		verdict := e.Verdict.Result
		if e.Verdict.Scheme != "" {
			verdict += " (" + e.Verdict.Scheme + ")"
		}
		fmt.Fprintf(stdout, "%s  #%s  %-7s %s  → %d  %s  %s\n", e.ReceivedAt.Format("15:04:05.000"), e.IDString(), e.Method, e.RequestURI(), e.Response.Status, app.HumanSize(e.Size), verdict)
		if r := e.Verdict.Result; r == app.VerdictInvalid || r == app.VerdictUnverified {
			fmt.Fprintf(stdout, "    %s\n", e.Verdict.Reason)
		}
	})

	logf := func(f string, a ...any) { fmt.Fprintf(stderr, f+"\n", a...) }
	queue, stopDeliveries := startDeliveries(st, logf)
	defer stopDeliveries()

	srv, err := startListener(st, queue, *addr, logf)
	if err != nil {
		return err
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(map[string]string{"listening": srv.URL()})
	} else {
		fmt.Fprintf(stdout, "Listening on %s — data in %s. Press Ctrl+C to stop.\n", srv.URL(), st.Path())
	}
	ctx, stop := signalContext()
	defer stop()
	<-ctx.Done()
	shut, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	return srv.Shutdown(shut)
}

// listCommand parses the flags of a command that lists stored things
// newest first (--json, --limit, --data) and opens the store.
func listCommand(name, jsonHelp string, args []string, stderr io.Writer) (st *store.Store, asJSON bool, limit int, err error) {
	c := newFlags(name, stderr)
	c.fs.BoolVar(&asJSON, "json", false, jsonHelp)
	c.fs.IntVar(&limit, "limit", 50, "at most this many, newest first")
	if err := c.parse(args); err != nil {
		return nil, false, 0, err
	}
	if limit < 1 {
		return nil, false, 0, fmt.Errorf("%w: --limit must be at least 1", errUsage)
	}
	st, err = c.open()
	return st, asJSON, limit, err
}

func cmdEvents(args []string, stdout, stderr io.Writer) error {
	st, asJSON, limit, err := listCommand("events", "print one JSON line per event, with headers and body_base64", args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()

	lines := exchange.NewLineWriter(stdout, true)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ID\tRECEIVED\tMETHOD\tPATH\tSTATUS\tSIZE\tVERDICT")
	}
	err = inPages(limit, func(offset, n int) (int, error) {
		page, err := st.Events(app.Page{Offset: offset, Limit: n})
		for _, s := range page {
			if !asJSON {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", app.FormatID(s.ID), s.ReceivedAt.Local().Format("2006-01-02 15:04:05"), s.Method, s.RequestURI(), s.Status, app.HumanSize(s.Size), s.Verdict.Result)
				continue
			}
			e, err := st.Event(s.ID)
			if errors.Is(err, app.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return 0, err
			}
			if err := lines.Write(e); err != nil {
				return 0, err
			}
		}
		return len(page), err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

func cmdEndpoint(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: endpoint needs 'add' or 'list'", errUsage)
	}
	switch args[0] {
	case "add":
		return cmdEndpointAdd(args[1:], stdout, stderr)
	case "list":
		return cmdEndpointList(args[1:], stdout, stderr)
	default:
		return fmt.Errorf("%w: unknown endpoint command %q; use 'add' or 'list'", errUsage, args[0])
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdEndpointAdd(args []string, stdout, stderr io.Writer) error {
	c := newFlags("endpoint add", stderr)
	var ep app.Endpoint
	var secrets, headers stringList
	c.fs.StringVar(&ep.Slug, "slug", "", "the endpoint's path prefix: requests to /SLUG/... belong to it (required)")
	c.fs.StringVar(&ep.Scheme, "scheme", "", "signature scheme (e.g. stripe, github, standard-webhooks); empty detects it from the headers")
	c.fs.Var(&secrets, "secret", "signing secret; repeat for rotation")
	c.fs.StringVar(&ep.PublicKey, "public-key", "", "public key for asymmetric schemes (base64 DER or PEM)")
	c.fs.StringVar(&ep.ForwardTo, "forward-to", "", "relay each captured event to this http(s) URL")
	c.fs.BoolVar(&ep.ForwardReply, "forward-reply", false, "with --forward-to, wait for that app and answer the sender with its response")
	c.fs.IntVar(&ep.Response.Status, "status", 0, "status to answer (default 200)")
	c.fs.StringVar(&ep.Response.Body, "body", "", "body to answer; {{id}} becomes the event id (default {\"ok\":true,\"id\":\"...\"})")
	c.fs.Var(&headers, "header", "header to answer, 'Name: value'; repeatable")
	c.fs.DurationVar(&ep.Response.Delay, "delay", 0, "wait this long before answering (e.g. 2s) to simulate a slow app")
	if err := c.parse(args); err != nil {
		return err
	}
	if ep.Slug == "" {
		return fmt.Errorf("%w: --slug is required", errUsage)
	}
	if err := app.ValidateSlug(ep.Slug); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if s := ep.Response.Status; s != 0 && (s < 100 || s > 999) {
		return fmt.Errorf("%w: --status %d is not an HTTP status", errUsage, s)
	}
	if ep.ForwardTo != "" {
		if err := app.CheckURL(ep.ForwardTo); err != nil {
			return fmt.Errorf("%w: --forward-to: %v", errUsage, err)
		}
	}
	if ep.ForwardReply && ep.ForwardTo == "" {
		return fmt.Errorf("%w: --forward-reply needs --forward-to", errUsage)
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("%w: --header %q must look like 'Name: value'", errUsage, h)
		}
		ep.Response.Headers = append(ep.Response.Headers, app.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	ep.Secrets = secrets
	st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.PutEndpoint(ep); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "endpoint %q saved: requests to /%s/... belong to it\n", ep.Slug, ep.Slug)
	// Events already stored for this endpoint are judged again with its new
	// scheme and secrets, as of the time each arrived.
	verdict := judge(st)
	changed, err := st.Reverify(ep.Slug, func(e *app.Event) app.Verdict { return verdict(e, &ep) })
	if err != nil {
		return err
	}
	if changed > 0 {
		fmt.Fprintf(stdout, "re-checked its stored events: %d now have a different verdict\n", changed)
	}
	return nil
}

// endpointLine is an endpoint in `endpoint list --json`; secrets are counted,
// never printed.
type endpointLine struct {
	Slug      string `json:"slug"`
	Scheme    string `json:"scheme"`
	Secrets   int    `json:"secrets"`
	PublicKey bool   `json:"public_key"`
	ForwardTo string `json:"forward_to"`
	// ForwardReply: the sender gets the forward target's answer.
	ForwardReply bool   `json:"forward_reply"`
	Status       int    `json:"status"`
	CreatedAt    string `json:"created_at"`
}

func cmdEndpointList(args []string, stdout, stderr io.Writer) error {
	c := newFlags("endpoint list", stderr)
	asJSON := c.fs.Bool("json", false, "print one JSON line per endpoint")
	if err := c.parse(args); err != nil {
		return err
	}
	st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()
	eps, err := st.Endpoints()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		if len(eps) == 0 {
			fmt.Fprintln(stdout, "no endpoints yet: add one with 'hooklens endpoint add --slug NAME'")
			return nil
		}
		fmt.Fprintln(tw, "SLUG\tSCHEME\tSECRETS\tSTATUS\tFORWARD TO")
	}
	for _, ep := range eps {
		status := ep.Response.Status
		if status == 0 {
			status = 200
		}
		if *asJSON {
			enc.Encode(endpointLine{Slug: ep.Slug, Scheme: ep.Scheme, Secrets: len(ep.Secrets), PublicKey: ep.PublicKey != "", ForwardTo: ep.ForwardTo, ForwardReply: ep.ForwardReply, Status: status, CreatedAt: ep.CreatedAt.UTC().Format(time.RFC3339)})
			continue
		}
		scheme := ep.Scheme
		if scheme == "" {
			scheme = "(detect)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", ep.Slug, scheme, len(ep.Secrets), status, ep.ForwardTo)
	}
	return tw.Flush()
}

// inPages calls fetch for successive pages, newest first, until limit items
// were fetched or a page comes back short. fetch returns how many it got.
func inPages(limit int, fetch func(offset, n int) (int, error)) error {
	const pageSize = 500
	for offset := 0; offset < limit; {
		n := min(limit-offset, pageSize)
		got, err := fetch(offset, n)
		if err != nil {
			return err
		}
		if got < n {
			return nil
		}
		offset += got
	}
	return nil
}
