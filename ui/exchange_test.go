//go:build ci

package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/store"
)

// storeExchange is the window's Exchange over the test's real store, as
// package main's windowExchange is: exchange.Import and a Bundle. hold,
// when set, keeps the import waiting at its first progress report until
// it is closed, so a test can press Cancel mid-import.
type storeExchange struct {
	st   *store.Store
	hold chan struct{}
	once sync.Once
}

func (x *storeExchange) Import(ctx context.Context, source string, events []*app.Event, progress func(done, total int)) (exchange.Result, error) {
	return exchange.Import(ctx, x.st, events, exchange.Options{Source: source, Progress: func(done, total int) {
		if x.hold != nil {
			x.once.Do(func() { <-x.hold })
		}
		progress(done, total)
	}})
}

func (x *storeExchange) Bundle(w io.Writer, events []*app.Event, secrets bool) error {
	eps, err := x.st.Endpoints()
	if err != nil {
		return err
	}
	b := &exchange.Bundle{Version: "test", Events: events, Endpoints: eps, Secrets: secrets}
	return b.Write(w)
}

func (x *storeExchange) Version() string { return "test" }

func newExchangeHarness(t *testing.T) (*harness, *storeExchange) {
	x := &storeExchange{}
	h := newHarnessWith(t, false, func(h *harness) { h.exchange = x })
	x.st = h.st
	return h, x
}

// A curl command pasted into the Import box is detected, imported, judged
// and shown: marked imported, in the list, selected by Show.
func TestImportBoxImportsAPastedCurlCommand(t *testing.T) {
	h, _ := newExchangeHarness(t)
	h.sendN(1, 1)
	h.w.ctl.showImport()
	b := h.w.ctl.importBox
	test.Type(b.entry, "curl 'https://api.example.com/hooks/shop?x=1' \\\n  -H 'Content-Type: application/json' \\\n  -H 'X-Shop: a' --data-raw '{\"it'\\''s\":1}'")
	h.pumpUntil("the paste to be detected", func() bool { return !b.run.Disabled() })
	if got := b.detect.Text; !strings.Contains(got, "curl · 1 event: POST /hooks/shop?x=1") {
		t.Errorf("detected %q", got)
	}
	test.Tap(b.run)
	h.pumpUntil("the import", func() bool { return b.status.Text != "" })
	if !strings.HasPrefix(b.status.Text, "Imported 1 event") {
		t.Fatalf("status %q", b.status.Text)
	}
	h.pumpUntil("the list to show it", func() bool { return h.w.model.Len() == 2 })
	test.Tap(b.show)
	h.pumpUntil("the imported event", func() bool { return h.w.detail.ev != nil && h.w.detail.ev.Path == "/hooks/shop" })
	e := h.w.detail.ev
	if src, ok := e.ImportedFrom(); !ok || src != "paste" {
		t.Errorf("origin %q", e.Origin)
	}
	if string(e.Body) != `{"it's":1}` || e.Headers.Get("X-Shop") != "a" || e.Verdict.Result == "" {
		t.Errorf("imported %q %v verdict %q", e.Body, e.Headers, e.Verdict.Result)
	}
	if !contains(labels(h.w.detail.overview), "Imported from") {
		t.Error("the Overview does not say the event was imported")
	}
}

// What does not parse is refused with where and why, and nothing can be
// imported from it.
func TestImportBoxRefusesMalformedInputAndSaysWhere(t *testing.T) {
	h, _ := newExchangeHarness(t)
	h.w.ctl.showImport()
	b := h.w.ctl.importBox
	test.Type(b.entry, `{"method":"POST","path":"/a","headers":[],"body_base64":""}`+"\n"+`{"method":"POST","path":`)
	h.pumpUntil("the refusal", func() bool { return b.errLbl.Visible() })
	if !strings.Contains(b.errLbl.Text, "line 2") {
		t.Errorf("error %q does not say which line", b.errLbl.Text)
	}
	if !b.run.Disabled() {
		t.Error("Import is offered for input that does not parse")
	}
}

// A 10,000-event file shows progress and can be cancelled: nothing is stored.
func TestImportBoxCancelsALargeFileAndStoresNothing(t *testing.T) {
	h, x := newExchangeHarness(t)
	var sb strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&sb, `{"method":"POST","path":"/bulk/%d","received_at":"2026-11-30T10:00:00Z","headers":[["Content-Type","application/json"]],"body_base64":"e30="}`+"\n", i)
	}
	file := filepath.Join(t.TempDir(), "big.jsonl")
	os.WriteFile(file, []byte(sb.String()), 0o600)
	h.w.ctl.showImport()
	b := h.w.ctl.importBox
	b.openFile(file)
	h.pumpUntil("the file to be parsed", func() bool { return !b.run.Disabled() })
	if !strings.Contains(b.detect.Text, "big.jsonl · JSON lines · 10,000 events") {
		t.Errorf("detected %q", b.detect.Text)
	}
	x.hold = make(chan struct{})
	test.Tap(b.run)
	if !b.bar.Visible() || !b.stop.Visible() {
		t.Error("no progress bar or Cancel while importing")
	}
	test.Tap(b.stop)
	close(x.hold)
	h.pumpUntil("the cancelled import", func() bool { return b.errLbl.Visible() })
	if !strings.Contains(b.errLbl.Text, "nothing was stored") {
		t.Errorf("after Cancel: %q", b.errLbl.Text)
	}
	if n, _ := h.st.Count(); n != 0 {
		t.Errorf("%d events stored by a cancelled import", n)
	}
}

// Export writes the filter's matches as HAR that imports back; Copy as
// curl puts the exact command on the clipboard; a bundle is a zip.
func TestExportWritesTheFiltersMatchesAndCopyAsCurl(t *testing.T) {
	h, _ := newExchangeHarness(t)
	h.send("POST", "/keep/1", "application/json", []byte(`{"a":1}`))
	h.send("PUT", "/drop/2", "text/plain", []byte("x"))
	h.send("POST", "/keep/3", "application/octet-stream", []byte{0, 1, 2, 0xff})
	h.pumpUntil("three rows", func() bool { return h.w.model.Len() == 3 })
	h.w.filter.SetText("method:POST")
	h.pumpUntil("the filter", func() bool { return h.w.applied == "method:POST" && h.w.model.Len() == 2 })

	h.w.ctl.showExport(h.w.exportScope())
	var which *widget.RadioGroup
	walk(h.w.ctl.exportDlg, func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			which = r
		}
	})
	if which == nil || which.Selected != "The events the filter matches (2, 'method:POST')" {
		t.Errorf("the Export dialog does not offer the filter's matches first: %+v", which)
	}
	f, _ := parseFilter("method:POST")
	path := filepath.Join(t.TempDir(), "out.har")
	n, err := h.w.ctl.export(context.Background(), exportJob{scope: scopeFiltered, filter: f, format: exchange.FormatHAR, path: path}, func(string) {})
	if err != nil || n != 2 {
		t.Fatalf("export: %d, %v", n, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("export written %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	evs, err := exchange.ParseHAR(data)
	if err != nil || len(evs) != 2 || evs[0].Path != "/keep/1" || string(evs[1].Body) != "\x00\x01\x02\xff" {
		t.Fatalf("HAR holds %d events (%v)", len(evs), err)
	}
	zip := filepath.Join(t.TempDir(), "b.zip")
	if n, err := h.w.ctl.export(context.Background(), exportJob{scope: scopeAll, format: formatBundle, path: zip}, func(string) {}); err != nil || n != 3 {
		t.Fatalf("bundle: %d, %v", n, err)
	}
	if b, _ := os.ReadFile(zip); !strings.HasPrefix(string(b), "PK") {
		t.Error("the bundle is not a zip")
	}

	h.selectPath("/keep/1")
	test.Tap(h.w.detail.curl)
	want := exchange.Curl(h.w.detail.ev, "")
	if got := h.app.Clipboard().Content(); got != want || !strings.Contains(got, "--data-raw '{\"a\":1}'") {
		t.Errorf("clipboard %q, want %q", got, want)
	}
}

// An event exported with its verdict and imported elsewhere shows both:
// the verdict judged here now and the one it carried.
func TestImportedEventShowsTheVerdictItCarried(t *testing.T) {
	h, x := newExchangeHarness(t)
	e := &app.Event{ID: 9, Method: "POST", Path: "/stripe/hook", Host: "staging.example.com", ReceivedAt: time.Now(),
		Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(`{"id":"evt_1"}`),
		Verdict: app.Verdict{Scheme: "stripe", Result: app.VerdictInvalid, Reason: "signature does not match"}}
	var buf bytes.Buffer
	if err := exchange.Export(&buf, exchange.FormatJSONL, []*app.Event{e}, "test"); err != nil {
		t.Fatal(err)
	}
	_, evs, err := exchange.Parse(buf.Bytes(), exchange.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Import(context.Background(), "staging.jsonl", evs, func(int, int) {}); err != nil {
		t.Fatal(err)
	}
	h.selectPath("/stripe/hook")
	got := labels(h.w.detail.overview)
	if !contains(got, "At the original time") || !contains(got, "signature does not match") || !contains(got, "staging.jsonl") {
		t.Errorf("the Overview does not show the carried verdict and the source: %q", got)
	}
	if h.w.detail.ev.Verdict.Result == app.VerdictInvalid {
		t.Errorf("the verdict judged here is the carried one (%+v)", h.w.detail.ev.Verdict)
	}
}
