package app

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEventType(t *testing.T) {
	js := Headers{{Name: "Content-Type", Value: "application/json"}}
	cases := []struct {
		name string
		h    Headers
		body string
		want string
	}{
		{"github header", Headers{{Name: "X-GitHub-Event", Value: "push"}}, `{"ref":"refs/heads/main","type":"x"}`, "push"},
		{"shopify topic", Headers{{Name: "x-shopify-topic", Value: "orders/create"}}, `{}`, "orders/create"},
		{"generic header", Headers{{Name: "X-Event-Type", Value: " invoice.created "}}, ``, "invoice.created"},
		{"salesiq event", js, `{"version":"1","event":"conversation.rated","entity_type":"conversation","entity":{"type":"x"}}`, "conversation.rated"},
		{"signalzen event", js, `{"event":"user.blocked","user":{"id":1}}`, "user.blocked"},
		{"event after type wins", js, `{"type":"event_callback","event":"app_mention"}`, "app_mention"},
		{"event object is skipped", js, `{"type":"event_callback","event":{"type":"app_mention"}}`, "event_callback"},
		{"event_type", js, `{"event_type":"booking.created","type":"booking"}`, "booking.created"},
		{"stripe type at the end", js, `{"id":"evt_1","object":"event","data":{"object":{"type":"card"}},"type":"payment_intent.succeeded"}`, "payment_intent.succeeded"},
		{"ziwo call", js, `{"coreUUID":"a","callID":"b","type":"ringing"}`, "call.ringing"},
		{"ziwo agent", js, `{"coreUUID":"a","status":"available","type":"agent-connected"}`, "agent-connected"},
		{"bigin signal", js, `{"signal_namespace":"zylkersurveys_survey_viewed","subject":"s"}`, "zylkersurveys_survey_viewed"},
		{"signals api", js, `{"signals":[{"signal_namespace":"zylkerdesk_ticket_escalated"}]}`, "zylkerdesk_ticket_escalated"},
		{"leading space and BOM", js, "\ufeff \n {\"event\":\"a.b\"}", "a.b"},
		{"nested only", js, `{"entity":{"event":"x"}}`, ""},
		{"array body", js, `[{"event":"x"}]`, ""},
		{"form body", nil, `event=x&type=y`, ""},
		{"broken JSON keeps what was read", js, `{"type":"early","x":`, "early"},
		{"number event", js, `{"event":42,"type":"t"}`, "t"},
		{"empty", nil, ``, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := &Event{Headers: c.h, Body: []byte(c.body)}
			if got := EventType(e); got != c.want {
				t.Errorf("EventType = %q, want %q", got, c.want)
			}
		})
	}
}

func TestEventTypeGzipBody(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"coreUUID":"a","callID":"b","type":"ended"}`))
	zw.Close()
	e := &Event{Headers: Headers{{Name: "Content-Encoding", Value: "gzip"}}, Body: buf.Bytes()}
	if got := EventType(e); got != "call.ended" {
		t.Errorf("gzip body: %q, want call.ended", got)
	}
}

func TestEventTypeLargeBodies(t *testing.T) {
	pad := strings.Repeat("x", 10<<20)
	early := &Event{Body: []byte(`{"event":"conversation.created","entity":{"blob":"` + pad + `"}}`)}
	if got := EventType(early); got != "conversation.created" {
		t.Errorf("10 MiB body with the event first: %q", got)
	}
	// Past the first 64 KiB nothing is read, so the answer is "" rather
	// than a parse of the whole body.
	late := &Event{Body: []byte(`{"blob":"` + pad + `","type":"late.type"}`)}
	if got := EventType(late); got != "" {
		t.Errorf("type after 10 MiB: %q, want \"\" (not scanned)", got)
	}
	// A huge gzip body decodes only as far as the scan needs.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"type":"zipped","blob":"` + pad + `"}`))
	zw.Close()
	if got := EventType(&Event{Headers: Headers{{Name: "Content-Encoding", Value: "gzip"}}, Body: buf.Bytes()}); got != "zipped" {
		t.Errorf("10 MiB gzip body: %q", got)
	}
}

func TestEventTypeIsOneShortLine(t *testing.T) {
	e := &Event{Body: []byte(`{"event":"a\nb\u0000` + strings.Repeat("é", 80) + `"}`)}
	got := EventType(e)
	if strings.ContainsAny(got, "\n\x00") || len(got) > 110 || !utf8.ValidString(got) || !strings.HasPrefix(got, "ab") {
		t.Errorf("EventType = %q", got)
	}
	bad := &Event{Headers: Headers{{Name: "X-Event-Type", Value: "\xff\xfeok"}}}
	if got := EventType(bad); !utf8.ValidString(got) || !strings.HasSuffix(got, "ok") {
		t.Errorf("invalid UTF-8 header gave %q", got)
	}
}

// cleanInThreeSteps is clean as three whole-string passes: what clean
// must give while reading only as far as it keeps.
func cleanInThreeSteps(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > cleanMax {
		i := cleanMax
		for i > 0 && s[i]&0xc0 == 0x80 {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

func TestCleanKeepsOneShortValidLine(t *testing.T) {
	long := strings.Repeat("é", 60<<10)
	for _, in := range []string{
		"", "order.created", strings.Repeat("a", 100), strings.Repeat("a", 101),
		strings.Repeat("a", 99) + "é", strings.Repeat("a", 98) + "é", "\xff\xfe\xfdok", "\xff\x01\xffok",
		"a\x00b\nc\x7fd", "\uFFFD\xff", long,
	} {
		if got, want := clean(in), cleanInThreeSteps(in); got != want {
			t.Errorf("clean(%.40q) = %q, want %q", in, got, want)
		}
	}
	if got := clean(long); len(got) != 100+len("…") {
		t.Errorf("a 120 KB type cleaned to %d bytes, want 100 and the ellipsis", len(got))
	}
}

func FuzzClean(f *testing.F) {
	f.Add("\xff\x01\xff" + strings.Repeat("é", 60))
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := clean(s), cleanInThreeSteps(s); got != want {
			t.Fatalf("clean(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzEventType(f *testing.F) {
	f.Add([]byte(`{"event":"x","type":"y","signals":[{"signal_namespace":"a_b"}]}`), "")
	f.Add([]byte(`{"callID":"1","type":"ringing"}`), "gzip")
	f.Add([]byte("\x1f\x8b\x08"), "gzip")
	f.Fuzz(func(t *testing.T, body []byte, enc string) {
		e := &Event{Headers: Headers{{Name: "Content-Encoding", Value: enc}}, Body: body}
		got := EventType(e)
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("EventType = %q", got)
		}
	})
}

// The scanner gives what encoding/json's Decoder gives, read key by key,
// for bodies written to sit on each edge of its rules.
func TestScanEventTypeAgreesWithTheDecoder(t *testing.T) {
	for _, body := range []string{
		`{"event":"conversation.created","entity":{"id":1}}`,
		`{"event":" padded ","x":1}`,
		`{"event":"","type":"ping"}`,
		`{"event":"a\"b","x":1}`,
		`{"event":"caf\u00e9"}`,
		`{"\u0065vent":"escaped key"}`,
		"{\"event\":\"bad\xff\"}",
		"{\"event\":\"tab\there\"}",
		`{"event":"unterminated`,
		`{"event":12}`,
		`{ "event":"spaced"}`,
		`{"type":"x"y`,
		`{"type":"a","n":01,"event_type":"b"}`,
		`{"type":"a","n":-,"event_type":"b"}`,
		`{"type":"a","n":1.,"event_type":"b"}`,
		`{"type":"a","n":1e+5,"event_type":"b"}`,
		`{"type":"a","n":-0.5E-2,"event_type":"b"}`,
		`{"type":"a","n":truex,"event_type":"b"}`,
		`{"type":"a","n":tru`,
		`{"type":"a","n":[1,2,],"event_type":"b"}`,
		`{"type":"a","n":{"k":1,},"event_type":"b"}`,
		`{"type":"a","n":{"k" 1},"event_type":"b"}`,
		`{"type":"a","n":"\x","event_type":"b"}`,
		`{"type":"a","n":"\u12g4","event_type":"b"}`,
		`{"type":"a","n":[[[{"a":[null,true,false]}]]],"event_type":"b"}`,
		`{"type":"ringing","callID":1x}`,
		`{"callID":1,"type":"ringing"}`,
		`{"signals":[{"signal_namespace":"a_b"}],"type":"t"}`,
		`{"signals":"nope","signal_namespace":"n"}`,
		`{,"type":"a"}`,
		`{"type":"a",,"event_type":"b"}`,
		`{"type":"a" "event_type":"b"}`,
		`{"type":"a"}trailing`,
		`{}`,
		`{"type":"a","deep":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `,"event_type":"b"}`,
		`{"type":"a","deep":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `,"event_type":"b"}`,
	} {
		if got, want := scanEventType([]byte(body)), decodedEventType([]byte(body)); got != want {
			t.Errorf("%.80q: scanner %q, decoder %q", body, got, want)
		}
	}
}

func FuzzScanEventTypeAgreesWithTheDecoder(f *testing.F) {
	f.Add([]byte(`{"event":"x","type":"y","signals":[{"signal_namespace":"a_b"}]}`))
	f.Add([]byte(`{"callID":"1","type":"ringing","n":-1.5e3,"o":{"a":[true,null]}}`))
	f.Add([]byte(`{"type":"a\u00e9\n","x":"\ud800"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 || body[0] != '{' {
			return
		}
		if got, want := scanEventType(body), decodedEventType(body); got != want {
			t.Fatalf("%q: scanner %q, decoder %q", body, got, want)
		}
	})
}

// decodedEventType is how EventType read a body before the scanner: with
// encoding/json's Decoder, key by key. The scanner must agree with it.
func decodedEventType(trimmed []byte) string {
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if _, err := dec.Token(); err != nil {
		return ""
	}
	var keys typeKeys
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		if keys.take([]byte(key), raw) {
			break
		}
	}
	return keys.name()
}

func BenchmarkEventType(b *testing.B) {
	e := &Event{Body: []byte(`{"id":"evt_1","object":"event","data":{"object":{"amount":1200,"note":"` + strings.Repeat("x", 900) + `"}},"type":"payment_intent.succeeded"}`)}
	b.SetBytes(int64(len(e.Body)))
	for b.Loop() {
		EventType(e)
	}
}
