package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// bodyVariant is the body as a sender may have signed it by mistake.
type bodyVariant struct {
	phrase, advice string
	body           []byte
}

const (
	adviceSerialise = "the sender signed other bytes than it sent: serialise the body once and sign exactly the bytes you send (a receiver must verify the raw body before parsing it)"
	adviceBytes     = "the sender signed other bytes than it sent: sign exactly the bytes you send"
)

// maxReserialise bounds the bodies whose JSON is re-serialised to look for
// a mismatch; larger ones only get the cheap variants.
const maxReserialise = 256 << 10

// bodyVariants are the bodies senders commonly sign instead of the one they
// send, each different from the body and from one another.
func bodyVariants(r Request) []bodyVariant {
	body := r.Body
	var out []bodyVariant
	add := func(phrase, advice string, b []byte) {
		if bytes.Equal(b, body) {
			return
		}
		for _, v := range out {
			if bytes.Equal(v.body, b) {
				return
			}
		}
		out = append(out, bodyVariant{phrase, advice, b})
	}
	// Newlines first: minifying also drops a final newline, and the
	// smaller change is the better explanation.
	switch {
	case bytes.HasSuffix(body, []byte("\r\n")):
		add("the trailing newline removed from the body", adviceBytes, body[:len(body)-2])
	case bytes.HasSuffix(body, []byte("\n")):
		add("the trailing newline removed from the body", adviceBytes, body[:len(body)-1])
	}
	add("a trailing newline added to the body", adviceBytes, join(body, []byte("\n")))
	if bytes.Contains(body, []byte("\r\n")) {
		add("the body's line endings changed from CRLF to LF", adviceBytes, bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")))
	} else if bytes.Contains(body, []byte("\n")) {
		add("the body's line endings changed from LF to CRLF", adviceBytes, bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n")))
	}
	if len(body) <= maxReserialise && json.Valid(body) {
		var compact bytes.Buffer
		if json.Compact(&compact, body) == nil {
			c := compact.Bytes()
			add("the body minified (JSON whitespace removed)", adviceSerialise, c)
			for _, ind := range []struct{ name, s string }{{"2-space", "  "}, {"4-space", "    "}, {"tab", "\t"}} {
				var pretty bytes.Buffer
				if json.Indent(&pretty, c, "", ind.s) == nil {
					add("the body pretty-printed ("+ind.name+" indent)", adviceSerialise, pretty.Bytes())
				}
			}
			add("the body with Python json.dumps spacing (\", \" and \": \")", adviceSerialise, spaced(c))
			add("the body with non-ASCII characters escaped as \\uXXXX", adviceSerialise, asciiEscaped(c))
			add("the body with Python json.dumps defaults (spacing, non-ASCII escaped)", adviceSerialise, spaced(asciiEscaped(c)))
			add("the body with <, > and & escaped as Go's json.Marshal does", adviceSerialise, htmlEscaped(c))
			if v, ok := decodeJSON(c); ok {
				add("the body re-serialised with its keys sorted", adviceSerialise, encodeJSON(v, ""))
				add("the body re-serialised with its keys sorted and pretty-printed", adviceSerialise, encodeJSON(v, "  "))
			}
		}
	}
	if dec, enc, err := app.DecodedBody(r.Headers, body, maxReserialise); err == nil && enc != "" {
		add("the body before "+enc+" compression", "the sender signed the body before compressing it: verify the decompressed body, or sign the bytes sent", dec)
	}
	add("an empty body", "the sender signed an empty body: its code read the body, or signed before filling it in", nil)
	return out
}

// spaced writes compact JSON with a space after each ',' and ':' outside
// strings, as Python's json.dumps does by default.
func spaced(c []byte) []byte {
	b := make([]byte, 0, len(c)+len(c)/8)
	inStr, esc := false, false
	for _, ch := range c {
		b = append(b, ch)
		switch {
		case esc:
			esc = false
		case inStr && ch == '\\':
			esc = true
		case ch == '"':
			inStr = !inStr
		case !inStr && (ch == ',' || ch == ':'):
			b = append(b, ' ')
		}
	}
	return b
}

// asciiEscaped writes every non-ASCII character of compact JSON as \uXXXX
// (surrogate pairs above U+FFFF).
func asciiEscaped(c []byte) []byte {
	b := make([]byte, 0, len(c)+len(c)/8)
	for len(c) > 0 {
		r, n := utf8.DecodeRune(c)
		if r < utf8.RuneSelf {
			b = append(b, c[0])
		} else if r > 0xffff {
			r -= 0x10000
			b = fmt.Appendf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		} else {
			b = fmt.Appendf(b, `\u%04x`, r)
		}
		c = c[n:]
	}
	return b
}

// htmlEscaped escapes <, > and & as \u003c, \u003e and \u0026 (they only
// occur inside strings in valid JSON).
func htmlEscaped(c []byte) []byte {
	var b bytes.Buffer
	json.HTMLEscape(&b, c)
	return b.Bytes()
}

// decodeJSON reads JSON keeping numbers as written.
func decodeJSON(c []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(c))
	d.UseNumber()
	var v any
	return v, d.Decode(&v) == nil
}

// encodeJSON writes v the way encoding/json does, object keys sorted, but
// with HTML characters left alone.
func encodeJSON(v any, indent string) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", indent)
	if e.Encode(v) != nil {
		return nil
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Display limits for signed content: long bodies keep their head and tail.
const (
	showMax  = 600
	showHead = 300
	showTail = 200
)

// showContent renders signed content exactly: backquoted when that is
// unambiguous, else Go-quoted so newlines and control bytes are visible.
func showContent(b []byte) string {
	if len(b) <= showMax {
		return quote(b)
	}
	h := showHead
	for h > 0 && !utf8.RuneStart(b[h]) {
		h--
	}
	t := len(b) - showTail
	for t < len(b) && !utf8.RuneStart(b[t]) {
		t++
	}
	return quote(b[:h]) + " … " + strconv.Itoa(t-h) + " bytes elided … " + quote(b[t:])
}

func quote(b []byte) string {
	s := string(b)
	if strconv.CanBackquote(s) && !strings.HasSuffix(s, " ") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// short is the first characters of a signature, see Report.Expected.
func short(sig string) string {
	const n = 12
	for _, c := range sig {
		if c < 0x21 || c > 0x7e { // signatures are printable ASCII; show anything else escaped
			sig = strconv.QuoteToASCII(sig)
			break
		}
	}
	if len(sig) <= n {
		return sig
	}
	return sig[:n] + "…"
}
