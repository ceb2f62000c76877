package app

import (
	"bytes"
	"compress/gzip"
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

// The quick read of a leading "event" key gives what the JSON decoder
// gives, and declines whatever it cannot read the same way.
func TestLeadingEventAgreesWithTheDecoder(t *testing.T) {
	for _, body := range []string{
		`{"event":"conversation.created","entity":{"id":1}}`,
		`{"event":" padded ","x":1}`,
		`{"event":"","type":"ping"}`,
		`{"event":"a\"b","x":1}`,
		`{"event":"caf\u00e9"}`,
		"{\"event\":\"bad\xff\"}",
		"{\"event\":\"tab\there\"}",
		`{"event":"unterminated`,
		`{"event":12}`,
		`{ "event":"spaced"}`,
	} {
		quick, ok := leadingEvent([]byte(body))
		slow := bodyEventTypeDecoded([]byte(body))
		if ok && quick != slow {
			t.Errorf("%q: quick read %q, decoder %q", body, quick, slow)
		}
		if got := bodyEventType([]byte(body)); got != slow {
			t.Errorf("%q: bodyEventType %q, decoder %q", body, got, slow)
		}
	}
}

// bodyEventTypeDecoded is bodyEventType without the quick read.
func bodyEventTypeDecoded(body []byte) string {
	if len(body) == 0 || body[0] != '{' {
		return ""
	}
	return decodedEventType(body)
}
