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
