package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// printEvent builds its line with appends; it must print what the format
// string it replaced printed.
func TestPrintEventLine(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.Local)
	for _, e := range []*app.Event{
		{ID: 1, ReceivedAt: at, Method: "POST", Path: "/gh/x", Query: "a=1", Size: 1024, Response: app.Response{Status: 200},
			Verdict: app.Verdict{Scheme: "github", Result: app.VerdictValid}},
		{ID: 123456, ReceivedAt: at, Method: "OPTIONS", Path: "/", Size: 12, Response: app.Response{Status: 503},
			Verdict: app.Verdict{Result: app.VerdictUnsigned, Reason: "no signature header of any known scheme"}},
		{ID: 7, ReceivedAt: at, Method: "PROPFINDX", Path: "/é/ü", Size: 5 << 20, Response: app.Response{Status: 413},
			Verdict: app.Verdict{Scheme: "stripe", Result: app.VerdictInvalid, Reason: "signature does not match"}},
		{ID: 8, ReceivedAt: at, Method: "PÖST", Path: "/x", Size: 1536, Response: app.Response{Status: 0},
			Verdict: app.Verdict{Scheme: "hmac", Result: app.VerdictUnverified, Reason: "add a secret"}},
	} {
		var got, want bytes.Buffer
		printEvent(&got, e)
		verdict := e.Verdict.Result
		if e.Verdict.Scheme != "" {
			verdict += " (" + e.Verdict.Scheme + ")"
		}
		fmt.Fprintf(&want, "%s  #%s  %-7s %s  → %d  %s  %s\n", e.ReceivedAt.Format("15:04:05.000"), e.IDString(), e.Method, e.RequestURI(), e.Response.Status, app.HumanSize(e.Size), verdict)
		if r := e.Verdict.Result; r == app.VerdictInvalid || r == app.VerdictUnverified {
			fmt.Fprintf(&want, "    %s\n", e.Verdict.Reason)
		}
		if got.String() != want.String() {
			t.Errorf("printEvent wrote\n%q\nwant\n%q", got.String(), want.String())
		}
	}
}
