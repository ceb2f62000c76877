package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/verify"
)

func cmdSend(args []string, stdout, stderr io.Writer) error {
	c := newFlags("send", stderr)
	to := c.fs.String("to", "", "http(s) URL to send to (required); 'self' is the running Hooklens, at the template's path")
	eventID := c.fs.String("event", "", "id of a stored event to resend (see 'hooklens events')")
	tplName := c.fs.String("template", "", "fire a template (see 'hooklens templates'), signed as its provider")
	var sets stringList
	c.fs.Var(&sets, "set", "with --template, a variable's value: name=value; repeatable")
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
	case countSet(*eventID, *bodyFile, *tplName) != 1:
		return fmt.Errorf("%w: give exactly one of --event ID, --body-file FILE or --template NAME", errUsage)
	case len(sets) > 0 && *tplName == "":
		return fmt.Errorf("%w: --set needs --template", errUsage)
	case *scheme != "" && len(secrets) == 0 && *privateKey == "" && *tplName == "":
		return fmt.Errorf("%w: --scheme needs --secret or --private-key", errUsage)
	case *scheme == "" && (len(secrets) > 0 || *privateKey != "") && *tplName == "":
		return fmt.Errorf("%w: --secret and --private-key need --scheme", errUsage)
	case len(secrets) > 1:
		return fmt.Errorf("%w: sign with one --secret", errUsage)
	case *retries < 0 || *retryDelay < 0 || *timeout <= 0:
		return fmt.Errorf("%w: --retries and --retry-delay cannot be negative, --timeout must be positive", errUsage)
	case *keep && *eventID == "":
		return fmt.Errorf("%w: --keep-original needs --event", errUsage)
	}
	if *to != "self" {
		if err := app.CheckURL(*to); err != nil {
			return fmt.Errorf("%w: --to: %v", errUsage, err)
		}
	} else if *tplName == "" {
		return fmt.Errorf("%w: --to self fires a --template at the running Hooklens", errUsage)
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
	switch {
	case *tplName != "":
		url := *to
		if url == "self" {
			st, err := b.Status()
			if err != nil || st.Listening == "" {
				return fmt.Errorf("--to self needs a running Hooklens (the window or 'hooklens listen') on this data directory")
			}
			url = st.Listening
		}
		if d, err = templateDelivery(*tplName, sets, url, *to == "self", *scheme, secret, c.data); err != nil {
			return err
		}
	case *eventID != "":
		id, err := app.ParseID(*eventID)
		if err != nil {
			return fmt.Errorf("%w: --event: %v", errUsage, err)
		}
		e, err := b.Event(id)
		if err != nil {
			return err
		}
		d = app.Resend(e, *to)
	default:
		body, err := readInput(*bodyFile)
		if err != nil {
			return err
		}
		d = &app.Delivery{Kind: app.KindSend, Request: app.Request{Method: "POST", URL: *to, Body: body}}
		d.Request.Headers = app.Headers{{Name: "Content-Type", Value: signal.ContentType(body)}}
	}
	if *method != "" {
		d.Request.Method = strings.ToUpper(*method)
	}
	d.Request.Headers = d.Request.Headers.With(extra)
	if *tplName == "" {
		d.Sign = app.Signing{Scheme: *scheme, Secret: secret, KeepOriginal: *keep}
	}
	d.Retry = app.RetryPolicy{Retries: *retries, Delay: *retryDelay, Backoff: *backoff}
	d.Timeout = *timeout

	return sendAndPrint(b, d, *asJSON, stdout)
}

// sendAndPrint sends d through b — the running Hooklens, or this process
// when none runs — waiting out the retry delays, and prints the outcome.
// The exit status is 0 only when it was delivered.
func sendAndPrint(b api.Backend, d *app.Delivery, asJSON bool, stdout io.Writer) error {
	ctx, stop := signalContext()
	defer stop()
	if err := b.Send(ctx, d); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stopped: delivery %d stays pending and resumes when Hooklens next runs", d.ID)
		}
		return usageOf(err)
	}
	if asJSON {
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

// countSet counts the non-empty values.
func countSet(vals ...string) int {
	n := 0
	for _, v := range vals {
		if v != "" {
			n++
		}
	}
	return n
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
		fmt.Fprintf(w, "  attempt %d at %s: %s in %s\n", i+1, a.At.Local().Format("15:04:05.000"), outcome, app.FormatElapsed(a.Duration))
	}
}
