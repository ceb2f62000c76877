package exchange

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

func sampleEvent() *app.Event {
	return &app.Event{
		ID:         42,
		ReceivedAt: time.Date(2026, 11, 23, 10, 4, 5, 123456789, time.UTC),
		Method:     "POST", Path: "/stripe/hook", Query: "a=1&a=2",
		Headers: app.Headers{{Name: "X-B", Value: "1"}, {Name: "x-a", Value: "2"}, {Name: "X-B", Value: "3"}},
		Body:    []byte{0x00, 0xff, 0xfe, '{', '}'},
		Size:    5, Endpoint: "stripe", RemoteAddr: "127.0.0.1:5555",
		Response: app.Response{Status: 200},
		Verdict:  app.Verdict{Scheme: "stripe", Result: app.VerdictInvalid, Reason: "signature does not match"},
	}
}

func TestEventLineHasTheDocumentedFields(t *testing.T) {
	var buf bytes.Buffer
	if err := NewLineWriter(&buf, false).Write(sampleEvent()); err != nil {
		t.Fatal(err)
	}
	line := buf.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("want exactly one line, got %q", line)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "received_at", "method", "path", "query", "endpoint", "status", "size", "truncated", "verdict"} {
		if _, ok := m[k]; !ok {
			t.Errorf("line lacks %q: %s", k, line)
		}
	}
	if _, ok := m["headers"]; ok {
		t.Errorf("short form must not carry headers: %s", line)
	}
	if m["id"] != "42" || m["received_at"] != "2026-11-23T10:04:05.123456789Z" {
		t.Errorf("id/received_at wrong: %s", line)
	}
	v := m["verdict"].(map[string]any)
	if v["scheme"] != "stripe" || v["result"] != "invalid" || v["reason"] == "" {
		t.Errorf("verdict wrong: %v", v)
	}
}

func TestFullLineRoundTripsHeadersAndBinaryBody(t *testing.T) {
	var buf bytes.Buffer
	in := sampleEvent()
	if err := NewLineWriter(&buf, true).Write(in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"headers":[["X-B","1"],["x-a","2"],["X-B","3"]]`) {
		t.Fatalf("headers not in wire order as pairs: %s", buf.String())
	}
	var l EventLine
	if err := json.Unmarshal(buf.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	out, err := l.Event()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Body, in.Body) || !reflect.DeepEqual(out.Headers, in.Headers) || !out.ReceivedAt.Equal(in.ReceivedAt) || out.ID != 42 {
		t.Fatalf("round trip changed the event:\n in %+v\nout %+v", in, out)
	}
}

func TestEventLineRejectsBadInput(t *testing.T) {
	bad := "%%%"
	for _, l := range []EventLine{{ID: "x"}, {ReceivedAt: "yesterday"}, {BodyBase64: &bad}} {
		if _, err := l.Event(); err == nil {
			t.Errorf("%+v: want error", l)
		}
	}
}

// Bytes that are not UTF-8 in the path, query, header names and values and
// trailers survive a JSON line and come back byte for byte.
func TestEventLineIsLossless(t *testing.T) {
	e := sampleEvent()
	e.Path, e.Query = "/caf\xe9/\xff", "q=\xfe\x00"
	e.Headers = app.Headers{{Name: "X-Latin1", Value: "Zo\xeb"}, {Name: "X-\xc0", Value: "ok"}, {Name: "X-B", Value: "plain"}}
	e.Trailers = app.Headers{{Name: "X-Sum", Value: "\x80\x81"}}
	var buf bytes.Buffer
	if err := NewLineWriter(&buf, true).Write(e); err != nil {
		t.Fatal(err)
	}
	var l EventLine
	if err := json.Unmarshal(buf.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	back, err := l.Event()
	if err != nil {
		t.Fatal(err)
	}
	if back.Path != e.Path || back.Query != e.Query || !reflect.DeepEqual(back.Headers, e.Headers) || !reflect.DeepEqual(back.Trailers, e.Trailers) || !bytes.Equal(back.Body, e.Body) {
		t.Fatalf("round trip lost bytes:\n got %q %q %q %q\nwant %q %q %q %q", back.Path, back.Query, back.Headers, back.Trailers, e.Path, e.Query, e.Headers, e.Trailers)
	}
	// The plain fields stay readable; valid events carry no extra fields.
	if !strings.Contains(buf.String(), `"X-B","plain"`) {
		t.Errorf("plain pairs missing: %s", buf.String())
	}
	buf.Reset()
	NewLineWriter(&buf, true).Write(sampleEvent())
	if strings.Contains(buf.String(), "path_base64") || strings.Contains(buf.String(), "headers_base64") {
		t.Errorf("a UTF-8 event got base64 copies: %s", buf.String())
	}
}
