package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/store"
)

// startDeliveries runs the delivery worker (pending retries resume) and
// relays captured events to their endpoint's forward_to. stop must be called
// before the store is closed; it gives forwards in flight a few seconds to
// finish so that stopping Hooklens does not lose their outcome.
func startDeliveries(st *store.Store, logf func(string, ...any)) (q *deliver.Queue, stop func()) {
	q = deliver.New(st, deliver.Options{OnError: func(err error) { logf("hooklens: deliveries: %v", err) }})
	ctx, cancel := context.WithCancel(context.Background())
	q.Start(ctx)
	// inflight counts forwards under way; once stopping is set no new one
	// starts (a subscriber call may still be running after unsubscribe).
	var (
		inflight sync.WaitGroup
		mu       sync.Mutex
		stopping bool
	)
	unsubscribe := st.Subscribe(func(e *app.Event) {
		if e.Endpoint == "" {
			return
		}
		ep, err := st.Endpoint(e.Endpoint)
		if err != nil || ep.ForwardTo == "" || ep.ForwardReply {
			return // ForwardReply endpoints were relayed before the sender was answered
		}
		// The sender was already answered; the forward's outcome is
		// recorded as a delivery of this event.
		mu.Lock()
		defer mu.Unlock()
		if stopping {
			return
		}
		inflight.Go(func() {
			if _, _, err := q.Forward(ctx, e, ep.ForwardTo); err != nil && ctx.Err() == nil {
				logf("hooklens: forwarding event %s to %s: %v", e.IDString(), ep.ForwardTo, err)
			}
		})
	})
	return q, func() {
		unsubscribe()
		mu.Lock()
		stopping = true
		mu.Unlock()
		done := make(chan struct{})
		go func() { inflight.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		cancel()
		q.Stop()
	}
}

func cmdSend(args []string, stdout, stderr io.Writer) error {
	c := newFlags("send", stderr)
	to := c.fs.String("to", "", "http(s) URL to send to (required)")
	eventID := c.fs.String("event", "", "id of a stored event to resend (see 'hooklens events')")
	bodyFile := c.fs.String("body-file", "", "file holding the body to send; - reads standard input")
	method := c.fs.String("method", "", "HTTP method (default: the event's, or POST)")
	var headers, secrets stringList
	c.fs.Var(&headers, "header", "header to send, 'Name: value'; repeatable")
	scheme := c.fs.String("scheme", "", "sign for this scheme: "+strings.Join(verify.Schemes(), ", "))
	c.fs.Var(&secrets, "secret", "signing secret for --scheme")
	privateKey := c.fs.String("private-key", "", "file holding the private key (PEM) for salesiq or discord")
	keep := c.fs.Bool("keep-original", false, "with --event, replay its headers byte for byte instead of re-signing")
	retries := c.fs.Int("retries", app.DefaultRetry.Retries, "retries after the first attempt")
	retryDelay := c.fs.Duration("retry-delay", app.DefaultRetry.Delay, "wait before each retry (Go duration: 200ms, 1m)")
	backoff := c.fs.Bool("backoff", false, "double the delay after each retry, with jitter")
	timeout := c.fs.Duration("timeout", app.DefaultTimeout, "per-attempt timeout")
	asJSON := c.fs.Bool("json", false, "print the delivery as JSON")
	if err := c.parse(args); err != nil {
		return err
	}
	switch {
	case *to == "":
		return fmt.Errorf("%w: --to URL is required", errUsage)
	case (*eventID == "") == (*bodyFile == ""):
		return fmt.Errorf("%w: give exactly one of --event ID or --body-file FILE", errUsage)
	case *scheme != "" && len(secrets) == 0 && *privateKey == "":
		return fmt.Errorf("%w: --scheme needs --secret or --private-key", errUsage)
	case *scheme == "" && (len(secrets) > 0 || *privateKey != ""):
		return fmt.Errorf("%w: --secret and --private-key need --scheme", errUsage)
	case len(secrets) > 1:
		return fmt.Errorf("%w: sign with one --secret", errUsage)
	case *retries < 0 || *retryDelay < 0 || *timeout <= 0:
		return fmt.Errorf("%w: --retries and --retry-delay cannot be negative, --timeout must be positive", errUsage)
	case *keep && *eventID == "":
		return fmt.Errorf("%w: --keep-original needs --event", errUsage)
	}
	if err := app.CheckURL(*to); err != nil {
		return fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	if *scheme != "" {
		if _, err := verify.ParseConfig(*scheme); err != nil {
			return fmt.Errorf("%w: --scheme: %v", errUsage, err)
		}
	}
	var extra app.Headers
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("%w: --header %q must look like 'Name: value'", errUsage, h)
		}
		extra = append(extra, app.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	secret := ""
	if len(secrets) == 1 {
		secret = secrets[0]
	}
	if *privateKey != "" {
		k, err := readKeyArg("@" + *privateKey)
		if err != nil {
			return err
		}
		secret = k
	}

	st, err := c.open()
	if err != nil {
		return err
	}
	defer st.Close()

	var d *app.Delivery
	if *eventID != "" {
		id, err := app.ParseID(*eventID)
		if err != nil {
			return fmt.Errorf("%w: --event: %v", errUsage, err)
		}
		e, err := st.Event(id)
		if err != nil {
			return err
		}
		d = app.Resend(e, *to)
	} else {
		body, err := readInput(*bodyFile)
		if err != nil {
			return err
		}
		d = &app.Delivery{Kind: app.KindSend, Request: app.Request{Method: "POST", URL: *to, Body: body}}
		if json.Valid(body) {
			d.Request.Headers = app.Headers{{Name: "Content-Type", Value: "application/json"}}
		}
	}
	if *method != "" {
		d.Request.Method = strings.ToUpper(*method)
	}
	d.Request.Headers = withHeaders(d.Request.Headers, extra)
	d.Sign = app.Signing{Scheme: *scheme, Secret: secret, KeepOriginal: *keep}
	d.Retry = app.RetryPolicy{Retries: *retries, Delay: *retryDelay, Backoff: *backoff}
	d.Timeout = *timeout

	// This process is the only worker: Send waits out the retry delays.
	q := deliver.New(st, deliver.Options{OnError: func(err error) { log.Printf("hooklens: %v", err) }})
	ctx, stop := signalContext()
	defer stop()
	if err := q.Send(ctx, d); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stopped: delivery %d stays pending and resumes when Hooklens next runs", d.ID)
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(d.Line())
	} else {
		printDelivery(stdout, d)
	}
	if d.State != app.Delivered {
		return errQuiet
	}
	return nil
}

// withHeaders sets each of extra on h, replacing headers of the same name.
func withHeaders(h, extra app.Headers) app.Headers {
	for _, x := range extra {
		kept := h[:0:0]
		for _, y := range h {
			if !strings.EqualFold(y.Name, x.Name) {
				kept = append(kept, y)
			}
		}
		h = append(kept, x)
	}
	return h
}

func printDelivery(w io.Writer, d *app.Delivery) {
	fmt.Fprintf(w, "delivery %d to %s: %s", d.ID, d.Request.URL, d.State)
	if d.Reason != "" {
		fmt.Fprintf(w, " (%s)", d.Reason)
	}
	fmt.Fprintln(w)
	for i, a := range d.Attempts {
		outcome := a.Error
		if a.Status != 0 {
			outcome = fmt.Sprintf("%d", a.Status)
		}
		fmt.Fprintf(w, "  attempt %d at %s: %s in %s\n", i+1, a.At.Local().Format("15:04:05.000"), outcome, a.Duration.Round(time.Millisecond))
	}
}

func cmdDeliveries(args []string, stdout, stderr io.Writer) error {
	st, asJSON, limit, err := listCommand("deliveries", "print one JSON line per delivery with its attempts", args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ID\tCREATED\tKIND\tSTATE\tATTEMPTS\tLAST\tURL")
	}
	err = inPages(limit, func(offset, n int) (int, error) {
		page, err := st.Deliveries(app.DeliveryPage{Offset: offset, Limit: n})
		for _, s := range page {
			if !asJSON {
				last := s.LastError
				if s.LastStatus != 0 {
					last = fmt.Sprint(s.LastStatus)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", s.ID, s.CreatedAt.Local().Format("2006-01-02 15:04:05"), s.Kind, s.State, s.Attempts, last, s.URL)
				continue
			}
			d, err := st.Delivery(s.ID)
			if errors.Is(err, app.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return 0, err
			}
			if err := enc.Encode(d.Line()); err != nil {
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
