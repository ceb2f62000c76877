// Command hooklens is a desktop webhook inspector: one window with an
// embedded HTTP listener, captured events stored in bbolt, and a command line
// for headless use. This file dispatches to one file per command
// (listen_cmd.go, events_cmd.go, ...); hooklens.go is the one assembly they
// and the window run.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// errUsage marks a wrong command line: exit status 2.
var errUsage = errors.New("usage")

// errQuiet is a failure the command has already reported on stdout: exit
// status 1 with nothing more said.
var errQuiet = errors.New("")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status:
// 0 success, 1 failure, 2 wrong usage.
func run(args []string, stdout, stderr io.Writer) int {
	var err error
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "listen":
		err = cmdListen(args[1:], stdout, stderr)
	case "events":
		err = cmdEvents(args[1:], stdout, stderr)
	case "endpoint":
		err = cmdEndpoint(args[1:], stdout, stderr)
	case "verify":
		err = cmdVerify(args[1:], stdout, stderr)
	case "send":
		err = cmdSend(args[1:], stdout, stderr)
	case "deliveries":
		err = cmdDeliveries(args[1:], stdout, stderr)
	case "wait":
		err = cmdWait(args[1:], stdout, stderr)
	case "repair":
		err = cmdRepair(args[1:], stdout, stderr)
	case "tunnel":
		err = cmdTunnel(args[1:], stdout, stderr)
	case "templates":
		err = cmdTemplates(args[1:], stdout, stderr)
	case "signal":
		err = cmdSignal(args[1:], stdout, stderr)
	case "keys":
		err = cmdKeys(args[1:], stdout, stderr)
	case "team":
		err = cmdTeam(args[1:], stdout, stderr)
	case "demo":
		err = cmdDemo(args[1:], stdout, stderr)
	case "compact":
		err = cmdCompact(args[1:], stdout, stderr)
	case "follow":
		err = cmdFollow(args[1:], stdout, stderr)
	case "export":
		err = cmdExport(args[1:], stdout, stderr)
	case "import":
		err = cmdImport(args[1:], stdout, stderr)
	case "bundle":
		err = cmdBundle(args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usageText)
		return 0
	default:
		err = cmdWindow(args, stdout, stderr)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errQuiet):
		return 1
	case errors.Is(err, errUsage):
		if msg := err.Error(); msg != errUsage.Error() {
			fmt.Fprintln(stderr, "hooklens:", msg)
		}
		fmt.Fprintln(stderr, "run 'hooklens help' for usage")
		return 2
	default:
		fmt.Fprintln(stderr, "hooklens:", err)
		return 1
	}
}

const usageText = `Hooklens — a local webhook inspector.

Usage:
  hooklens [--addr A] [--data DIR] [--demo]   open the window (the listener starts with it)
  hooklens listen [--addr A] [--data DIR] [--json [--full]] [--keep 60d] [--max-size 1GiB] [--max-events N]
                [--tunnel manual|ngrok|cloudflared|ssh|chisel [--public-url U] [--tunnel-server S]
                 [--tunnel-key F] [--tunnel-host-key K] [--tunnel-auth U:P] [--tunnel-fingerprint F]
                 [--tunnel-port N] [--tunnel-domain D] [--cloudflared PATH]]
                                              headless: print each captured event; prunes
                                              events older than --keep or beyond --max-size
                                              or --max-events (0: any number);
                                              --tunnel gives the listener a public URL, probed
  hooklens repair [--data DIR]                check hooklens.db; when damaged, copy every readable
                                              record into a fresh file and keep the damaged one beside it
  hooklens listen ... --publish nats://HOST:4222 [--stream HOOKLENS] [--creds F | --user U --password P]
                [--tls-ca F]                  also publish every captured event to a team stream
  hooklens team serve [--addr 127.0.0.1:4222] [--data DIR] [--user U --password P]
                                              run a NATS server for the team (JetStream in DIR)
  hooklens follow nats://HOST:4222 [--name NAME] [--filter EXPR] [--json] [--data DIR]
                                              import the team's events into this data directory
  hooklens tunnel check URL [--json]          probe a public URL once: exit 0 only when it
                                              reaches this Hooklens
  hooklens events [--json] [--limit N] [--data DIR]
                                              list stored events, newest first
  hooklens endpoint add --slug S [--scheme NAME] [--secret S]... [--public-key K]
                        [--forward-to URL [--forward-reply]] [--status N] [--body B] [--delay D]
  hooklens endpoint list [--json] [--data DIR]
  hooklens verify --scheme S (--secret X | --public-key K) --request FILE [--at TIME] [--url URL]
  hooklens verify --event ID [--scheme S (--secret X | --public-key K)]
                                              check a raw HTTP request file's (or a stored event's)
                                              signature; prints the verdict as JSON, exit 0 only when valid
  hooklens templates [--json]                 the template library: every seed event, and more
  hooklens send --to URL (--event ID | --body-file F | --template NAME [--set k=v]...)
                [--method M] [--header 'K: V']...
                [--scheme S (--secret X | --private-key F)] [--keep-original]
                [--retries N] [--retry-delay D] [--backoff] [--timeout D] [--json]
                                              deliver once with retries; exit 0 when delivered;
                                              --to self fires at the running Hooklens; a template is
                                              signed as its provider (salesiq and signalzen with
                                              Hooklens's own keys unless --secret/--private-key)
  hooklens signal --namespace N (--email E | --record-id R) --subject S --message M
                  [--action 'Name|URL|tab']... (--to URL | --dry-run) [--header 'K: V']...
                                              send a Bigin signal; invalid input exits 2
  hooklens keys show salesiq [--pem]          Hooklens's SalesIQ public key, for your receiver
  hooklens deliveries [--json] [--limit N]    list deliveries with their attempts
  hooklens export --format har|jsonl|curl|raw|bundle [--filter EXPR] [--id N]... -o FILE
                [--base-url URL] [--secrets]   write events (all, the filter's, or by id) for other
                                              tools; curl writes binary bodies beside the script
  hooklens import FILE [--format har|jsonl|curl|raw]
                                              import a HAR, JSON lines, curl commands or a raw request
                                              (detected); judged now, all or nothing; prints counts
  hooklens bundle [--filter EXPR] [--id N]... [--secrets] -o FILE.zip
                                              a support bundle: events (HAR, JSON lines), verdicts,
                                              deliveries, settings with secrets redacted
  hooklens demo --events N --data DIR [--days 30]
                                              fill a data directory with N varied demo events
                                              (for trying Hooklens with a big history)
  hooklens compact [--data DIR]               rewrite hooklens.db without the free pages left
                                              by deletes and pruning (Hooklens must be closed)
  hooklens wait [--path P] [--endpoint S] [--verdict V] [--timeout 30s] [--json] [--addr A]
                                              block until a matching event is captured; exit 1
                                              on timeout (for scripts and CI)

The listener binds to 127.0.0.1:8790 unless --addr says otherwise
(--addr 127.0.0.1:0 picks a free port). Data lives in --data DIR, by default
the hooklens folder in your user config directory.

While the window or 'hooklens listen' runs on a data directory, the other
commands reach it through its local API (the Unix socket hooklens.sock in the
data directory, owner only) and print the same as when they open the file.

Exit status: 0 success, 1 failure, 2 wrong usage.
`
