package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/hooklens/hooklens/app"
)

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
	c.fs.IntVar(&ep.Response.Status, "status", 0, "status to answer, 200-599 (default 200)")
	c.fs.StringVar(&ep.Response.Body, "body", "", "body to answer; {{id}} becomes the event id (default {\"ok\":true,\"id\":\"...\"})")
	c.fs.Var(&headers, "header", "header to answer, 'Name: value'; repeatable")
	delay := c.fs.String("delay", "", "wait this long before answering (e.g. 2s) to simulate a slow app")
	if err := c.parse(args); err != nil {
		return err
	}
	if ep.Slug == "" {
		return fmt.Errorf("%w: --slug is required", errUsage)
	}
	hs, err := parseHeaders("--header", headers)
	if err != nil {
		return err
	}
	ep.Response.Headers = hs
	if *delay != "" {
		if ep.Response.Delay, err = app.ParseDuration("--delay", *delay); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	ep.Secrets = secrets
	ep.CreatedAt = time.Now()
	// The one endpoint check, the same the window's editor and the running
	// instance apply.
	if err := ep.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	b, done, err := c.backend()
	if err != nil {
		return err
	}
	defer done()
	rj, err := b.SaveEndpoint(ep)
	if err != nil {
		return usageOf(err)
	}
	fmt.Fprintf(stdout, "endpoint %q saved: requests to /%s/... belong to it\n", ep.Slug, ep.Slug)
	if rj.Changed > 0 {
		fmt.Fprintf(stdout, "re-judged its stored events: %d of %d now have a different verdict\n", rj.Changed, rj.Checked)
	}
	return nil
}

// endpointLine is an endpoint in `endpoint list --json`; secrets are counted,
// never printed, and a password in forward_to is masked.
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
	b, done, err := c.backend()
	if err != nil {
		return err
	}
	defer done()
	eps, err := b.Endpoints()
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
		fwd := app.RedactURL(ep.ForwardTo)
		if *asJSON {
			enc.Encode(endpointLine{Slug: ep.Slug, Scheme: ep.Scheme, Secrets: len(ep.Secrets), PublicKey: ep.PublicKey != "", ForwardTo: fwd, ForwardReply: ep.ForwardReply, Status: status, CreatedAt: ep.CreatedAt.UTC().Format(time.RFC3339)})
			continue
		}
		scheme := ep.Scheme
		if scheme == "" {
			scheme = "(detect)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", ep.Slug, scheme, len(ep.Secrets), status, fwd)
	}
	return tw.Flush()
}
