package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app/exchange"
)

// Export into each format, import into an empty data dir: the same
// requests come back (body bytes, header order and repeats, query).
func TestExportImportRoundTripThroughTheCommandLine(t *testing.T) {
	src := shortDir(t)
	l := startListen(t, src)
	req, _ := http.NewRequest("POST", l.url+"/hook/a?x=1&x=2", strings.NewReader("\x00bin\xffary"))
	req.Header.Add("X-Rep", "one")
	req.Header.Add("X-Rep", "two")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	l.next(t)
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()
	orig, _, _ := runHooklens(t, "events", "--data", src, "--json")
	var want exchange.EventLine
	if err := json.Unmarshal([]byte(orig), &want); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "har", "raw"} {
		file := filepath.Join(t.TempDir(), "out."+format)
		if _, errs, code := runHooklens(t, "export", "--data", src, "--format", format, "-o", file); code != 0 {
			t.Fatalf("export %s: %s", format, errs)
		}
		dst := shortDir(t)
		if out, errs, code := runHooklens(t, "import", file, "--data", dst); code != 0 {
			t.Fatalf("import %s: exit %d %s %s", format, code, out, errs)
		}
		back, _, _ := runHooklens(t, "events", "--data", dst, "--json")
		var got exchange.EventLine
		if err := json.Unmarshal([]byte(back), &got); err != nil {
			t.Fatalf("%s: %v %q", format, err, back)
		}
		if *got.BodyBase64 != *want.BodyBase64 || got.Path != want.Path || got.Query != want.Query {
			t.Errorf("%s: imported %s?%s %s, exported %s?%s %s", format, got.Path, got.Query, *got.BodyBase64, want.Path, want.Query, *want.BodyBase64)
		}
		if !strings.Contains(back, `["X-Rep","one"],["X-Rep","two"]`) {
			t.Errorf("%s: headers not in order with repeats: %s", format, back)
		}
	}
}

// A support bundle carries no secret of any endpoint, target or
// connection, in any of its files.
func TestSupportBundleHoldsNoSecret(t *testing.T) {
	dir := shortDir(t)
	const epSecret, tgSecret = "whsec_EndpointSecretValue1234", "targetHmacSecretValue5678"
	if _, errs, code := runHooklens(t, "endpoint", "add", "--data", dir, "--slug", "shop", "--scheme", "stripe", "--secret", epSecret); code != 0 {
		t.Fatal(errs)
	}
	l := startListen(t, dir)
	resp, err := http.Post(l.url+"/shop/x", "application/json", strings.NewReader(`{"note":"`+epSecret+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	l.next(t)
	if _, errs, code := runHooklens(t, "send", "--data", dir, "--event", "1", "--to", "http://127.0.0.1:1/x", "--scheme", "github", "--secret", tgSecret, "--retries", "0"); code == 2 {
		t.Fatal(errs)
	}
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()
	file := filepath.Join(t.TempDir(), "bundle.zip")
	if out, errs, code := runHooklens(t, "bundle", "--data", dir, "-o", file); code != 0 {
		t.Fatalf("bundle: %s %s", out, errs)
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) < 3 {
		t.Fatalf("bundle holds %d files", len(zr.File))
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		for _, s := range []string{epSecret, strings.TrimPrefix(epSecret, "whsec_"), tgSecret} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds a secret", f.Name)
			}
		}
	}
}

// An exported curl script, run against a real listener, sends the captured
// requests again byte for byte: method, path and query, every header in
// order with its case and repeats, and the body (binary ones through a
// file written beside the script).
func TestExportedCurlScriptReplaysRequestsExactly(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	src := shortDir(t)
	l := startListen(t, src)
	send := func(method, uri string, body []byte, headers ...string) {
		req, _ := http.NewRequest(method, l.url+uri, bytes.NewReader(body))
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header[headers[i]] = append(req.Header[headers[i]], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		l.next(t)
	}
	send("POST", "/gh/push?x=1&x=2&q=a%20b", []byte(`{"it's":"quoted \"json\"","n":1}`),
		"Content-Type", "application/json", "X-GitHub-Event", "push", "x-lower-case", "kept", "X-Rep", "one", "X-Rep", "two")
	send("PUT", "/bin", []byte("\x00\x01binary\xff\xfe\n'\"$(not run)"), "Content-Type", "application/octet-stream")
	send("DELETE", "/empty/it's", nil, "X-Empty", "")
	l.cmd.Process.Signal(os.Interrupt)
	l.cmd.Wait()

	dst := shortDir(t)
	d := startListen(t, dst)
	dir := t.TempDir()
	script := filepath.Join(dir, "replay.sh")
	if _, errs, code := runHooklens(t, "export", "--data", src, "--format", "curl", "--base-url", d.url, "-o", script); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	if out, err := exec.Command("bash", script).CombinedOutput(); err != nil {
		t.Fatalf("running the exported script: %v\n%s", err, out)
	}
	for range 3 {
		d.next(t)
	}
	d.cmd.Process.Signal(os.Interrupt)
	d.cmd.Wait()

	lines := func(dir string) []exchange.EventLine {
		out, errs, code := runHooklens(t, "events", "--data", dir, "--json")
		if code != 0 {
			t.Fatal(errs)
		}
		var evs []exchange.EventLine
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var e exchange.EventLine
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		return evs
	}
	want, got := lines(src), lines(dst)
	if len(got) != len(want) {
		t.Fatalf("the script sent %d requests, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.Method != w.Method || g.Path != w.Path || g.Query != w.Query {
			t.Errorf("request %d: %s %s?%s, want %s %s?%s", i, g.Method, g.Path, g.Query, w.Method, w.Path, w.Query)
		}
		if fmt.Sprint(*g.Headers) != fmt.Sprint(*w.Headers) {
			t.Errorf("request %d headers:\n got %q\nwant %q", i, *g.Headers, *w.Headers)
		}
		if (g.BodyBase64 == nil) != (w.BodyBase64 == nil) || g.BodyBase64 != nil && *g.BodyBase64 != *w.BodyBase64 {
			t.Errorf("request %d body differs", i)
		}
	}
}
