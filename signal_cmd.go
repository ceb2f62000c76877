package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
)

// templateLine is a template in `hooklens templates --json`.
type templateLine struct {
	Name      string   `json:"name"`
	Source    string   `json:"source"`
	Provider  string   `json:"provider"`
	Event     string   `json:"event"`
	Variables []string `json:"variables"`
	Scheme    string   `json:"scheme"`
	Path      string   `json:"path"`
}

func cmdTemplates(args []string, stdout, stderr io.Writer) error {
	c := newFlags("templates", stderr)
	asJSON := c.fs.Bool("json", false, "print one JSON line per template")
	if err := c.parse(args); err != nil {
		return err
	}
	tpls, err := signal.Builtin()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "NAME\tPROVIDER\tEVENT\tSCHEME\tVARIABLES")
	}
	for _, t := range tpls {
		var vars []string
		for _, v := range t.Variables() {
			vars = append(vars, v.Name)
		}
		if *asJSON {
			enc.Encode(templateLine{Name: t.Name, Source: t.Source(), Provider: t.Provider, Event: t.Event, Variables: vars, Scheme: t.Scheme, Path: t.Path})
			continue
		}
		scheme := t.Scheme
		if scheme == "" {
			scheme = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Provider, t.Event, scheme, strings.Join(vars, " "))
	}
	return tw.Flush()
}

// templateDelivery is a fired template: rendered with vars, to url (the
// template's path is appended when url is the running listener), signed as
// scheme with secret, or with Hooklens's own key for salesiq and signalzen.
func templateDelivery(name string, sets []string, url string, self bool, scheme, secret, dataFlag string) (*app.Delivery, error) {
	tpls, err := signal.Builtin()
	if err != nil {
		return nil, err
	}
	t, ok := signal.Find(tpls, name)
	if !ok {
		return nil, fmt.Errorf("%w: no template %q: see 'hooklens templates'", errUsage, name)
	}
	vars := map[string]string{}
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%w: --set %q must look like name=value", errUsage, kv)
		}
		vars[k] = v
	}
	if self {
		url = signal.SelfURL(url, t)
	}
	var keys *signal.KeyStore
	if secret == "" {
		dir, err := dataDir(dataFlag)
		if err != nil {
			return nil, err
		}
		keys = signal.NewKeyStore(dir)
	}
	d, err := signal.Fire(t, vars, url, scheme, secret, keys)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return d, nil
}

// cmdSignal sends a Bigin signal: the signals API's payload, validated per
// field before anything is sent.
func cmdSignal(args []string, stdout, stderr io.Writer) error {
	c := newFlags("signal", stderr)
	var s signal.Signal
	var actions stringList
	c.fs.StringVar(&s.Namespace, "namespace", "", "signal namespace: <topping namespace>_<signal name>, lower case (required)")
	c.fs.StringVar(&s.Email, "email", "", "the contact's email")
	c.fs.StringVar(&s.RecordID, "record-id", "", "the contact's record id, instead of --email")
	c.fs.StringVar(&s.Subject, "subject", "", "subject, at most 100 characters")
	c.fs.StringVar(&s.Message, "message", "", "message, at most 1,000 characters")
	c.fs.Var(&actions, "action", "link action 'Name|URL|tab' or 'Name|URL|popup'; repeatable")
	to := c.fs.String("to", "", "http(s) URL to send to: the signals API, your topping's function URL, or a Hooklens endpoint")
	dry := c.fs.Bool("dry-run", false, "print the payload and send nothing")
	asJSON := c.fs.Bool("json", false, "print the delivery as JSON")
	var headers stringList
	c.fs.Var(&headers, "header", "header to send, 'Name: value' (e.g. 'Authorization: Zoho-oauthtoken ...'); repeatable")
	if err := c.parse(args); err != nil {
		return err
	}
	for _, a := range actions {
		parts := strings.Split(a, "|")
		if len(parts) < 2 || len(parts) > 3 {
			return fmt.Errorf("%w: --action %q must look like 'Name|URL|tab'", errUsage, a)
		}
		act := signal.Action{DisplayName: parts[0], URL: parts[1]}
		if len(parts) == 3 {
			act.OpenIn = parts[2]
		}
		s.Actions = append(s.Actions, act)
	}
	if errs := s.Validate(); len(errs) > 0 {
		var msgs []string
		for _, e := range errs {
			m := e.Error()
			if e.Fix != "" {
				m += " (did you mean " + e.Fix + "?)"
			}
			msgs = append(msgs, m)
		}
		return fmt.Errorf("%w: the signal is not valid:\n  %s", errUsage, strings.Join(msgs, "\n  "))
	}
	payload := s.Payload()
	if *dry {
		fmt.Fprintln(stdout, string(payload))
		return nil
	}
	if *to == "" {
		return fmt.Errorf("%w: --to URL is required (or --dry-run)", errUsage)
	}
	if err := app.CheckURL(*to); err != nil {
		return fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	extra, err := parseHeaders("--header", headers)
	if err != nil {
		return err
	}
	d := &app.Delivery{Kind: app.KindSignal, Request: app.Request{Method: "POST", URL: *to,
		Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}.With(extra), Body: payload}}
	b, done, err := c.backend()
	if err != nil {
		return err
	}
	defer done()
	return sendAndPrint(b, d, *asJSON, stdout)
}

func cmdKeys(args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "show" {
		return fmt.Errorf("%w: use 'hooklens keys show salesiq [--pem]'", errUsage)
	}
	if args[1] != "salesiq" {
		return fmt.Errorf("%w: Hooklens keeps a key pair for salesiq only (signalzen uses a shared secret)", errUsage)
	}
	c := newFlags("keys show", stderr)
	pem := c.fs.Bool("pem", false, "print the public key as PEM instead of base64 DER")
	if err := c.parse(args[2:]); err != nil {
		return err
	}
	dir, err := dataDir(c.data)
	if err != nil {
		return err
	}
	ks := signal.NewKeyStore(dir)
	var k string
	if *pem {
		k, err = ks.PublicKeyPEM()
	} else {
		k, err = ks.PublicKeyBase64()
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, strings.TrimSpace(k))
	return nil
}
