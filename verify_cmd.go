package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/verify"
)

// verifyLine is the JSON `hooklens verify` prints.
type verifyLine struct {
	Scheme        string   `json:"scheme"`
	Result        string   `json:"result"`
	Reason        string   `json:"reason"`
	Key           string   `json:"key,omitempty"`
	Expected      string   `json:"expected,omitempty"`
	Received      string   `json:"received,omitempty"`
	SignedContent string   `json:"signed_content,omitempty"`
	SkewSeconds   float64  `json:"skew_seconds,omitempty"`
	Diagnosis     []string `json:"diagnosis,omitempty"`
}

// cmdVerify checks a raw HTTP request file against a scheme and key. It
// needs no data directory: nothing is stored.
func cmdVerify(args []string, stdout, stderr io.Writer) error {
	c := newFlags("verify", stderr)
	scheme := c.fs.String("scheme", "", "signature scheme: "+strings.Join(verify.Schemes(), ", ")+" (options after ';', e.g. 'hmac;header=X-Sig;encoding=base64'); empty detects it")
	var secrets stringList
	c.fs.Var(&secrets, "secret", "signing secret; repeat to try several")
	publicKey := c.fs.String("public-key", "", "public key (base64 DER or PEM) for salesiq or discord; @FILE reads it from a file")
	request := c.fs.String("request", "", "file holding the raw HTTP/1.1 request (request line, headers, blank line, body); - reads standard input")
	url := c.fs.String("url", "", "the URL the sender used, for schemes that sign it (twilio); default: rebuilt from the Host header")
	at := c.fs.String("at", "", "judge timestamps as if the request arrived at this time (RFC 3339 or Unix seconds); default now")
	eventID := c.fs.String("event", "", "judge a stored event again, against its endpoint (or --scheme and --secret when given)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *eventID != "" {
		if *request != "" || *at != "" {
			return fmt.Errorf("%w: --event judges a stored event as of when it arrived: drop --request and --at", errUsage)
		}
		return verifyEvent(c, *eventID, *scheme, secrets, *publicKey, *url, stdout)
	}
	if *request == "" {
		return fmt.Errorf("%w: --request FILE or --event ID is required", errUsage)
	}
	if len(secrets) == 0 && *publicKey == "" {
		return fmt.Errorf("%w: give --secret or --public-key to check against", errUsage)
	}
	when := time.Now()
	if *at != "" {
		t, err := parseWhen(*at)
		if err != nil {
			return fmt.Errorf("%w: --at %q: %v", errUsage, *at, err)
		}
		when = t
	}
	raw, err := readInput(*request)
	if err != nil {
		return err
	}
	e, err := exchange.ParseRawRequest(raw)
	if err != nil {
		return fmt.Errorf("reading the request in %s: %w", *request, err)
	}
	e.ReceivedAt = when
	ep := app.Endpoint{Scheme: *scheme, Secrets: secrets}
	if *publicKey != "" {
		k, err := readKeyArg(*publicKey)
		if err != nil {
			return err
		}
		ep.PublicKey = k
	}
	r := verify.FromEvent(e, "")
	if *url != "" {
		r.URL = *url
	}
	return printReport(stdout, verify.Endpoint(r, &ep))
}

// verifyEvent judges stored event id: against its endpoint with
// verify.Judge (through the running instance when one runs), or against the
// scheme and keys given.
func verifyEvent(c *commonFlags, id, scheme string, secrets []string, publicKey, url string, stdout io.Writer) error {
	n, err := app.ParseID(id)
	if err != nil {
		return fmt.Errorf("%w: --event: %v", errUsage, err)
	}
	b, done, err := c.backend()
	if err != nil {
		return err
	}
	defer done()
	if scheme == "" && len(secrets) == 0 && publicKey == "" && url == "" {
		rep, err := b.Judge(n)
		if err != nil {
			return err
		}
		return printReport(stdout, rep)
	}
	e, err := b.Event(n)
	if err != nil {
		return err
	}
	ep := app.Endpoint{Scheme: scheme, Secrets: secrets}
	if publicKey != "" {
		if ep.PublicKey, err = readKeyArg(publicKey); err != nil {
			return err
		}
	}
	r := verify.FromEvent(e, url)
	return printReport(stdout, verify.Endpoint(r, &ep))
}

// printReport prints a verdict as `hooklens verify` does; exit 1 unless valid.
func printReport(stdout io.Writer, rep verify.Report) error {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(verifyLine{Scheme: rep.Scheme, Result: rep.Result, Reason: rep.Reason, Key: rep.Key,
		Expected: rep.Expected, Received: rep.Received, SignedContent: rep.SignedContent,
		SkewSeconds: rep.Skew.Seconds(), Diagnosis: rep.Diagnosis}); err != nil {
		return err
	}
	if rep.Result != app.VerdictValid {
		return errQuiet
	}
	return nil
}

// parseWhen reads RFC 3339 or Unix seconds.
func parseWhen(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not RFC 3339 (2026-11-23T10:00:00Z) nor Unix seconds")
	}
	return t, nil
}

// readInput reads a file, or standard input for "-".
func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return b, nil
}

// readKeyArg returns a key given inline or as @FILE.
func readKeyArg(v string) (string, error) {
	if name, ok := strings.CutPrefix(v, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return "", fmt.Errorf("reading the public key: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return v, nil
}
