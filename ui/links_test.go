//go:build ci

package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

func TestBodyLinksAreOnlyHTTPAndHTTPS(t *testing.T) {
	body := `{"actions":[{"url":"https://bigin.zoho.com/signals?x=1"},{"url":"javascript:alert(1)"},` +
		`{"url":"file:///etc/passwd"},{"url":"http://example.test/a"},{"url":"https://bigin.zoho.com/signals?x=1"}]}`
	got := bodyLinks(app.Headers{{Name: "Content-Type", Value: "application/json"}}, []byte(body))
	want := []string{"https://bigin.zoho.com/signals?x=1", "http://example.test/a"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("links %q, want %q", got, want)
	}
	if bodyLinks(nil, []byte{0xff, 0x00, 'h', 't', 't', 'p', ':', '/', '/', 'x'}) != nil {
		t.Error("links found in a binary body")
	}
}

// A link from a payload opens in the browser only when Open is tapped.
func TestLinkOpensOnlyAfterAClick(t *testing.T) {
	dir := t.TempDir()
	record := filepath.Join(dir, "opened")
	fake := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> " + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	h := newHarness(t)
	body := `{"subject":"Survey viewed","actions":[{"type":"link","display_name":"Open survey","url":"https://bigin.zoho.com/survey/42"}]}`
	h.send("POST", "/bigin/signals", "application/json", []byte(body))
	h.pumpUntil("the row", func() bool { return h.rowFor("/bigin/signals") != nil })
	h.selectPath("/bigin/signals")
	if _, err := os.Stat(record); err == nil {
		t.Fatal("a link was opened without a click")
	}
	var openBtn *widget.Button
	for _, o := range test.LaidOutObjects(h.w.detail.root) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Open" && b.Visible() {
			openBtn = b
		}
	}
	if openBtn == nil {
		t.Fatal("no Open button for the payload's link in the Overview")
	}
	test.Tap(openBtn)
	h.pumpUntil("xdg-open to be run with the link", func() bool {
		b, _ := os.ReadFile(record)
		return string(b) == "https://bigin.zoho.com/survey/42\n"
	})
}

func TestOpenLinkRefusesOtherSchemes(t *testing.T) {
	h := newHarness(t)
	h.w.openLink("file:///etc/passwd")
	if !h.w.top.errText.Visible() || !strings.Contains(h.w.top.errText.Text, "only http and https") {
		t.Errorf("error shown: %q", h.w.top.errText.Text)
	}
}
