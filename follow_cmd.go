package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/team"
)

// followLine is an event line of `follow --json`: the event line and where
// it came from.
type followLine struct {
	exchange.EventLine
	Origin        string                `json:"origin"`
	OriginVerdict *exchange.VerdictLine `json:"origin_verdict,omitempty"`
}

// cmdFollow is `hooklens follow nats://HOST:4222`: import a team stream into
// this data directory until stopped.
func cmdFollow(args []string, stdout, stderr io.Writer) error {
	var url string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		url, args = args[0], args[1:]
	}
	c := newFlags("follow", stderr)
	name := c.fs.String("name", "", "durable follower name: the same name resumes where it stopped (default: this data directory's instance name)")
	expr := c.fs.String("filter", "", "only events the filter matches, e.g. 'endpoint:github verdict:invalid'")
	asJSON := c.fs.Bool("json", false, "print one JSON line per followed event")
	nf := addNATSFlags(c)
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if url == "" && c.fs.NArg() > 0 {
		url = c.fs.Arg(0)
	} else if c.fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, c.fs.Arg(0))
	}
	if url == "" {
		return fmt.Errorf("%w: hooklens follow nats://HOST:4222 [--name NAME] [--filter EXPR] [--json]", errUsage)
	}
	cfg, err := nf.config(url)
	if err != nil {
		return err
	}
	f, err := app.ParseFilter(*expr, time.Now())
	if err != nil {
		return fmt.Errorf("%w: --filter: %v", errUsage, err)
	}
	out := newLineOutput(stdout)
	defer out.Close(2 * time.Second)
	logf := func(f string, a ...any) { fmt.Fprintf(stderr, f+"\n", a...) }
	// The assembly without a listener: the store, retention and the local
	// API, so `hooklens events` reads followed events while this runs.
	h, err := OpenHooklens(Config{Data: c.data, NoListener: true, Logf: logf})
	if err != nil {
		return err
	}
	defer h.Close()
	inst, err := team.InstanceName(h.Store)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = inst
	}
	cfg.Instance, cfg.Logf = inst, logf // own events are not imported back
	var buf bytes.Buffer
	fol, err := team.NewFollower(h.Store, team.FollowConfig{Config: cfg, Name: *name, Filter: f, OnEvent: func(e *app.Event) {
		buf.Reset()
		if *asJSON {
			l := followLine{EventLine: exchange.NewEventLine(e, false), Origin: e.Origin}
			if v := e.OriginVerdict; v != nil {
				l.OriginVerdict = &exchange.VerdictLine{Scheme: v.Scheme, Result: v.Result, Reason: v.Reason}
			}
			b, _ := json.Marshal(l)
			buf.Write(append(b, '\n'))
		} else {
			fmt.Fprintf(&buf, "[%s] ", e.Origin)
			printEvent(&buf, e)
			if v := e.OriginVerdict; v != nil {
				fmt.Fprintf(&buf, "    the origin judged it %s: %s\n", v.Result, v.Reason)
			}
		}
		out.Write(buf.Bytes())
	}})
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	fmt.Fprintf(stderr, "Following %s into %s as %s. Press Ctrl+C to stop.\n", cfg.Redacted(), h.Store.Path(), *name)
	ctx, stop := signalContext()
	defer stop()
	return fol.Run(ctx)
}
