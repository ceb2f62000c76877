package widgets

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// Text as the window shows it: times, bodies cut to what a view can draw, hex dumps, headers, requests.

func ClockTime(t time.Time) string { return t.Local().Format("15:04:05.000") }

// RowTime is a list row's time: the clock time today, with the date before
// it on other days ("Nov 30 15:04:05.000"; with the year in other years).
func RowTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	switch {
	case t.YearDay() == now.YearDay() && t.Year() == now.Year():
		return ClockTime(t)
	case t.Year() == now.Year():
		return t.Format("Jan 2 15:04:05.000")
	}
	return t.Format("2006-01-02 15:04:05")
}

func FullTime(t time.Time) string { return t.Local().Format("Mon 2006-01-02 15:04:05.000 -07:00") }

// CutText returns b as a string of at most limit bytes, ending at a line
// break when one is near and never inside a UTF-8 sequence.
func CutText(b []byte, limit int) string {
	if len(b) <= limit {
		return string(b)
	}
	cut := b[:limit]
	if i := bytes.LastIndexByte(cut, '\n'); i > limit/2 {
		cut = cut[:i+1]
	}
	for i := len(cut) - 1; i >= 0 && i >= len(cut)-utf8.UTFMax; i-- {
		if utf8.RuneStart(cut[i]) {
			if !utf8.FullRune(cut[i:]) {
				cut = cut[:i]
			}
			break
		}
	}
	return string(cut)
}

// HexLineLen is the length of a full line of a hex dump.
const HexLineLen = 68 // "00000000: " + 8 groups "xxxx " (40) + " " + 16 ascii + "\n"

// HexDumpLen is the length of the full hex dump of n bytes.
func HexDumpLen(n int) int { return (n + 15) / 16 * HexLineLen }

// HexDump renders data like `xxd`: offset, 16 bytes in groups of two, and
// the printable ASCII. It stops before exceeding limit bytes of output.
func HexDump(data []byte, limit int) string { return HexDumpAt(data, 0, limit) }

// HexDumpAt is HexDump of data that starts at offset base of a larger body
// (base a multiple of 16): the offsets shown count from the body's start.
func HexDumpAt(data []byte, base, limit int) string {
	const digits = "0123456789abcdef"
	lines := min((len(data)+15)/16, limit/HexLineLen)
	var sb strings.Builder
	sb.Grow(lines * HexLineLen)
	line := make([]byte, 0, HexLineLen)
	for l := 0; l < lines; l++ {
		off := l * 16
		chunk := data[off:min(off+16, len(data))]
		line = fmt.Appendf(line[:0], "%08x: ", base+off)
		for i := 0; i < 16; i++ {
			if i < len(chunk) {
				line = append(line, digits[chunk[i]>>4], digits[chunk[i]&0xf])
			} else {
				line = append(line, ' ', ' ')
			}
			if i%2 == 1 {
				line = append(line, ' ')
			}
		}
		line = append(line, ' ')
		for _, c := range chunk {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			line = append(line, c)
		}
		line = append(line, '\n')
		sb.Write(line)
	}
	return sb.String()
}

// HeaderLines renders headers as `Name: value` lines in wire order.
func HeaderLines(h app.Headers) string {
	var sb strings.Builder
	for _, x := range h {
		sb.WriteString(x.Name)
		sb.WriteString(": ")
		sb.WriteString(x.Value)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// ViewLimit is how much formatted body text the window draws; the rest
// stays one click away through Copy and Save.
const ViewLimit = 256 << 10

// BodyText renders a body for reading: pretty JSON, text, or a hex dump.
func BodyText(b []byte) (text string, isJSON bool) {
	if len(b) == 0 {
		return "", false
	}
	if app.IsText(b) {
		if LooksJSON("", b) {
			if p, err := PrettyJSON(b); err == nil {
				return CutText([]byte(p), ViewLimit), true
			}
		}
		return CutText(b, ViewLimit), false
	}
	return HexDump(b, ViewLimit), false
}

// RequestText is a request as it went out, credentials masked: request
// line, headers, a blank line and the body.
func RequestText(r app.Request) string {
	var sb strings.Builder
	sb.WriteString(r.Method + " " + app.RedactURL(r.URL) + "\n")
	sb.WriteString(HeaderLines(app.MaskHeaders(r.Headers)))
	if len(r.Body) > 0 {
		// The bytes as sent, not re-indented: a signature covers exactly these.
		if app.IsText(r.Body) {
			sb.WriteString("\n" + CutText(r.Body, ViewLimit))
		} else {
			sb.WriteString("\n" + HexDump(r.Body, ViewLimit))
		}
	}
	return sb.String()
}

// CurlCommand is a shell command that sends r again, as it was sent.
func CurlCommand(r app.Request) string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	parts := []string{"curl", "-X", r.Method, q(r.URL)}
	for _, h := range r.Headers {
		parts = append(parts, "-H", q(h.Name+": "+h.Value))
	}
	if len(r.Body) > 0 {
		if app.IsText(r.Body) {
			parts = append(parts, "--data-binary", q(string(r.Body)))
		} else {
			parts = append(parts, "--data-binary", "@body.bin")
		}
	}
	return strings.Join(parts, " ")
}
