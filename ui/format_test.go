//go:build ci

package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

func TestFormatBodyKeepsKeyOrderAndCutsAtLineEnds(t *testing.T) {
	in := []byte(`{"z":1,"a":[true,null],"m":1.50}`)
	text, full := formatBody(in, modePretty, widgets.ViewLimit)
	want := "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null\n  ],\n  \"m\": 1.50\n}"
	if text != want || full != len(want) {
		t.Errorf("pretty = %q (%d), want %q", text, full, want)
	}
	text, full = formatBody(in, modePretty, 20)
	if !strings.HasSuffix(text, "\n") || len(text) > 20 || full != len(want) {
		t.Errorf("cut pretty = %q, full %d", text, full)
	}
	// A cut never splits a UTF-8 character.
	s := strings.Repeat("é", 100)
	for limit := 1; limit < 20; limit++ {
		if got := widgets.CutText([]byte(s), limit); !utf8.ValidString(got) || len(got) > limit {
			t.Fatalf("widgets.CutText(%d) = %q", limit, got)
		}
	}
}

func TestInspectBodyClassifies(t *testing.T) {
	cases := []struct {
		body []byte
		mode string
	}{
		{[]byte(`{"a":1}`), modePretty},
		{[]byte("  [1, 2]\n"), modePretty},
		{[]byte("a=1&b=2"), modeText},
		{[]byte("héllo\tworld\r\n"), modeText},
		{[]byte{0x89, 'P', 'N', 'G', 0, 1}, modeHex},
		{[]byte("\xff\xfe"), modeHex},
	}
	for _, c := range cases {
		bi := inspectBody(&app.Event{Body: c.body})
		if got := bi.defaultMode(); got != c.mode {
			t.Errorf("%q opens in %s, want %s", c.body, got, c.mode)
		}
	}
	bad := inspectBody(&app.Event{Body: []byte("not gzip"), Headers: app.Headers{{Name: "Content-Encoding", Value: "gzip"}}})
	if bad.decodeErr == nil || string(bad.data) != "not gzip" {
		t.Errorf("a body falsely labelled gzip should be shown as sent with an error, got %q, %v", bad.data, bad.decodeErr)
	}
}

func TestParseFilter(t *testing.T) {
	for in, want := range map[string]app.Filter{
		"":        {},
		"  post ": {Method: "POST"},
		"DELETE":  {Method: "DELETE"},
	} {
		if got, err := parseFilter(in); err != nil || got != want {
			t.Errorf("parseFilter(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if f, err := parseFilter("posted verdict:invalid"); err != nil || f.Expr != "posted verdict:invalid" || len(f.Terms()) != 2 {
		t.Errorf("filter language: %+v %v", f, err)
	}
	if _, err := parseFilter("colour:red"); err == nil {
		t.Error("unknown key accepted")
	}
}

func TestCurlLineIsRunnable(t *testing.T) {
	got := curlLine("http://127.0.0.1:8790/")
	want := `curl -X POST -H 'Content-Type: application/json' -d '{"hello":"hooklens"}' http://127.0.0.1:8790/test`
	if got != want {
		t.Errorf("curl line %q", got)
	}
}
