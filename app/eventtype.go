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
	return scanEventType(trimmed)
}

// scanEventType reads the top-level keys of the object b (b[0] is '{') the
// way encoding/json's Decoder reads them key by key, stopping at the first
// malformed or unfinished value and keeping what was read before it, but
// without the decoder: it was a fifth of the listener's CPU per request.
// Values are checked as strictly as the decoder checks them (strings,
// numbers, literals, nesting depth), so both give the same name for every
// body (FuzzScanEventTypeAgreesWithTheDecoder).
func scanEventType(b []byte) string {
	var keys typeKeys
	i := 1
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			break
		}
		kEnd, ok := skipString(b, i)
		if !ok {
			break
		}
		key := b[i:kEnd]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			break
		}
		i = skipSpace(b, i+1)
		vEnd, ok := skipValue(b, i, 1)
		if !ok {
			break
		}
		if keys.take(jsonKey(key), b[i:vEnd]) {
			break
		}
		i = skipSpace(b, vEnd)
		if i >= len(b) || b[i] != ',' {
			break
		}
		i++
	}
	return keys.name()
}

// typeKeys gathers the top-level keys that name an event, in the order
// they come.
type typeKeys struct {
	event, eventType, typ, namespace string
	callID                           bool
}

// take notes one top-level key and its raw value; it says true once the
// name is known (a non-empty "event" wins outright).
func (k *typeKeys) take(key, raw []byte) bool {
	switch string(key) {
	case "event":
		k.event = jsonText(raw)
		return k.event != ""
	case "event_type":
		k.eventType = jsonText(raw)
	case "type":
		k.typ = jsonText(raw)
	case "callID":
		k.callID = true
	case "signal_namespace":
		k.namespace = jsonText(raw)
	case "signals":
		var ss []struct {
			Namespace string `json:"signal_namespace"`
		}
		if json.Unmarshal(raw, &ss) == nil && len(ss) > 0 {
			k.namespace = ss[0].Namespace
		}
	}
	return false
}

// name is the event the keys name, "" when none.
func (k *typeKeys) name() string {
	switch {
	case k.event != "":
		return k.event
	case k.eventType != "":
		return k.eventType
	case k.typ != "" && k.callID && !strings.Contains(k.typ, "."):
		return "call." + k.typ
	case k.typ != "":
		return k.typ
	}
	return k.namespace
}

// jsonMaxDepth is encoding/json's limit on nesting.
const jsonMaxDepth = 10000

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the JSON string starting at b[i].
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return 0, false
		case c == '\\':
			if i++; i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return 0, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return 0, false
					}
				}
				i += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// skipValue returns the index after the JSON value starting at b[i], at
// nesting depth depth when it is an object or array.
func skipValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		return skipComposite(b, i, depth)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return skipNumber(b, i)
	}
	return 0, false
}

func skipLiteral(b []byte, i int, lit string) (int, bool) {
	if !bytes.HasPrefix(b[i:], []byte(lit)) {
		return 0, false
	}
	return i + len(lit), true
}

// skipNumber follows JSON's number grammar. A number that reaches the end
// of b is complete, as it is for the decoder at the end of its input.
func skipNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	return i, true
}

// skipComposite returns the index after the object or array at b[i].
func skipComposite(b []byte, i, depth int) (int, bool) {
	if depth > jsonMaxDepth {
		return 0, false
	}
	closer := byte(']')
	if b[i] == '{' {
		closer = '}'
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, true
	}
	for {
		var ok bool
		if closer == '}' {
			if i >= len(b) || b[i] != '"' {
				return 0, false
			}
			if i, ok = skipString(b, i); !ok {
				return 0, false
			}
			if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
				return 0, false
			}
			i = skipSpace(b, i+1)
		}
		if i, ok = skipValue(b, i, depth+1); !ok {
			return 0, false
		}
		i = skipSpace(b, i)
		switch {
		case i >= len(b):
			return 0, false
		case b[i] == closer:
			return i + 1, true
		case b[i] != ',':
			return 0, false
		}
		i = skipSpace(b, i+1)
	}
}

// jsonKey is a raw JSON string key's text; only keys with escapes are
// decoded (and allocated).
func jsonKey(raw []byte) []byte {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	var s string
	json.Unmarshal(raw, &s)
	return []byte(s)
}

// jsonText is raw's value when it is a JSON string, else "".
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	if v := raw[1 : len(raw)-1]; bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
		return strings.TrimSpace(string(v))
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// cleanMax is how many bytes of an event type a list row keeps.
const cleanMax = 100

// clean keeps an event type fit for a list row: valid UTF-8 (a run of
// invalid bytes becomes one U+FFFD), one line (control characters are
// dropped), at most cleanMax bytes then "…". It reads only as far as it
// keeps: the value may be most of a 64 KiB body.
func clean(s string) string {
	if len(s) <= cleanMax && plainASCII(s) {
		return s // nearly every event type: nothing to change
	}
	var b strings.Builder
	b.Grow(min(len(s), cleanMax+len("…")))
	invalid := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			if invalid {
				continue
			}
			invalid = true
		case r < 0x20 || r == 0x7f:
			invalid = false // it parts two runs of invalid bytes
			continue
		default:
			invalid = false
		}
		if b.Len()+utf8.RuneLen(r) > cleanMax {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plainASCII says whether s is printable ASCII only.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
