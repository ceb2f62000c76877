package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

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
	extra, err := parseHeaders("--header", headers)
	if err != nil {
		return err
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

	b, done, err := c.backend()
	if err != nil {
		return err
	}
	defer done()

	var d *app.Delivery
	if *eventID != "" {
		id, err := app.ParseID(*eventID)
		if err != nil {
			return fmt.Errorf("%w: --event: %v", errUsage, err)
		}
		e, err := b.Event(id)
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
	d.Request.Headers = d.Request.Headers.With(extra)
	d.Sign = app.Signing{Scheme: *scheme, Secret: secret, KeepOriginal: *keep}
	d.Retry = app.RetryPolicy{Retries: *retries, Delay: *retryDelay, Backoff: *backoff}
	d.Timeout = *timeout

	// The running Hooklens, or this process when none runs, sends it and
	// waits out the retry delays.
	ctx, stop := signalContext()
	defer stop()
	if err := b.Send(ctx, d); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stopped: delivery %d stays pending and resumes when Hooklens next runs", d.ID)
		}
		return usageOf(err)
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

func printDelivery(w io.Writer, d *app.Delivery) {
	fmt.Fprintf(w, "delivery %d to %s: %s", d.ID, app.RedactURL(d.Request.URL), d.State)
	if d.Reason != "" {
		fmt.Fprintf(w, " (%s)", d.Reason)
	}
	fmt.Fprintln(w)
	for i, a := range d.Attempts {
		outcome := a.Error
		if a.Status != 0 {
			outcome = fmt.Sprintf("%d", a.Status)
		}
		fmt.Fprintf(w, "  attempt %d at %s: %s in %s\n", i+1, a.At.Local().Format("15:04:05.000"), outcome, app.FormatDuration(a.Duration))
	}
}
