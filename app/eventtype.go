package app

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// eventTypeHeaders name the event in a header, for senders that do so
// (GitHub, GitLab, Shopify, Bitbucket and generic ones), in the order
// EventType looks.
var eventTypeHeaders = []string{
	"X-GitHub-Event",
	"X-Gitlab-Event",
	"X-Shopify-Topic",
	"X-Event-Key",
	"X-Event-Type",
	"X-Webhook-Event",
}

// eventTypeScan is how much of a body EventType reads: a provider's event
// name sits in the envelope, near the start, and a 10 MiB body must not be
// parsed whole for a list row.
const eventTypeScan = 64 << 10

// EventType names the provider's event a request carries, or "" when it
// names none: a header such as X-GitHub-Event, else the JSON body's
// top-level "event" (SalesIQ, SignalZen), "event_type" or "type" (Stripe,
// Standard Webhooks, Ziwo) string. Ziwo's call events, whose type is only
// "ringing" or "ended", read as call.ringing and call.ended, and a Bigin
// signal reads as its signal namespace. Only the first 64 KiB of the
// (decoded) body are looked at.
func EventType(e *Event) string {
	for _, h := range eventTypeHeaders {
		if v := strings.TrimSpace(e.Headers.Get(h)); v != "" {
			return clean(v)
		}
	}
	body := e.Body
	if enc := e.Headers.Get("Content-Encoding"); enc != "" {
		body, _, _ = DecodedBody(e.Headers, e.Body, eventTypeScan)
	}
	return clean(bodyEventType(body))
}

// bodyEventType reads the top-level keys of a JSON object within the
// first eventTypeScan bytes; a body cut there gives what was read so far.
func bodyEventType(body []byte) string {
	body = body[:min(len(body), eventTypeScan)]
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return ""
	}
	if v, ok := leadingEvent(trimmed); ok {
		return v
	}
	return decodedEventType(trimmed)
}

// decodedEventType reads the top-level keys of the object trimmed with a
// JSON decoder.
func decodedEventType(trimmed []byte) string {
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if _, err := dec.Token(); err != nil {
		return ""
	}
	var event, eventType, typ, namespace string
	var callID bool
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
		switch key {
		case "event":
			event = jsonText(raw)
			if event != "" {
				return event
			}
		case "event_type":
			eventType = jsonText(raw)
		case "type":
			typ = jsonText(raw)
		case "callID":
			callID = true
		case "signal_namespace":
			namespace = jsonText(raw)
		case "signals":
			var ss []struct {
				Namespace string `json:"signal_namespace"`
			}
			if json.Unmarshal(raw, &ss) == nil && len(ss) > 0 {
				namespace = ss[0].Namespace
			}
		}
	}
	switch {
	case eventType != "":
		return eventType
	case typ != "" && callID && !strings.Contains(typ, "."):
		return "call." + typ
	case typ != "":
		return typ
	}
	return namespace
}

// jsonText is raw's value when it is a JSON string, else "".
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// clean keeps an event type fit for a list row: valid UTF-8, one line, at
// most 100 bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 100 {
		i := 100
		for i > 0 && s[i]&0xc0 == 0x80 {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

// leadingEvent is the common case read without a JSON decoder (which costs
// more than the rest of judging a request): an object whose first key is
// "event" with a plain string value, no escapes or control bytes, valid
// UTF-8. It gives what the decoder would; ok is false for anything else.
func leadingEvent(b []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"event":"`))
	if !ok {
		return "", false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return "", false
	}
	v := rest[:end]
	for _, c := range v {
		if c == '\\' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(v) {
		return "", false
	}
	t := strings.TrimSpace(string(v))
	return t, t != ""
}
