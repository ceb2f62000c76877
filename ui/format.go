package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2/theme"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// displayLimit is how much formatted body text the window draws; the rest
// stays one click away through Copy and Save.
const displayLimit = 256 << 10

func clockTime(t time.Time) string { return t.Local().Format("15:04:05.000") }

func fullTime(t time.Time) string { return t.Local().Format("Mon 2006-01-02 15:04:05.000 -07:00") }

// fullURL joins the listener's base URL with the event's path and query.
func fullURL(base string, e *app.Event) string {
	return strings.TrimSuffix(base, "/") + e.RequestURI()
}

// queryParam is one decoded name=value pair of a query string, in order.
type queryParam struct{ name, value string }

// parseQuery decodes a raw query keeping order and repeats; a pair that is
// not valid percent-encoding is shown as sent rather than dropped.
func parseQuery(raw string) []queryParam {
	var out []queryParam
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		out = append(out, queryParam{name, value})
	}
	return out
}

// Body view modes.
const (
	modePretty = "Pretty"
	modeText   = "Text"
	modeHex    = "Hex"
)

// bodyInfo is what the Body tab knows about a body once it has been looked at
// off the UI goroutine.
type bodyInfo struct {
	data      []byte // decoded body (or the wire bytes when not encoded)
	wire      int    // bytes on the wire (stored)
	encoding  string // gzip, deflate or ""
	decodeErr error
	isText    bool
	isJSON    bool
}

// inspectBody decodes and classifies a body. It may take a while for large
// bodies, so callers run it in a goroutine.
func inspectBody(e *app.Event) bodyInfo {
	data, enc, err := app.DecodedBody(e.Headers, e.Body, app.MaxDecodedBody)
	bi := bodyInfo{data: data, wire: len(e.Body), encoding: enc, decodeErr: err}
	if err != nil && enc == "" {
		// Not the encoding it claimed: show the bytes as they arrived.
		bi.data = e.Body
	}
	bi.isText = app.IsText(bi.data)
	bi.isJSON = bi.isText && len(bytes.TrimSpace(bi.data)) > 0 && json.Valid(bi.data)
	return bi
}

// defaultMode picks how a body is first shown.
func (b bodyInfo) defaultMode() string {
	switch {
	case b.isJSON:
		return modePretty
	case b.isText:
		return modeText
	}
	return modeHex
}

// formatBody renders data in mode, producing at most limit bytes of text
// (cut at a line end), and reports the full length of the rendering.
func formatBody(data []byte, mode string, limit int) (text string, full int) {
	switch mode {
	case modePretty:
		var buf bytes.Buffer
		buf.Grow(len(data) + len(data)/4)
		// json.Indent keeps key order and number spelling exactly as sent.
		if err := json.Indent(&buf, bytes.TrimSpace(data), "", "  "); err == nil {
			return cutText(buf.Bytes(), limit), buf.Len()
		}
		fallthrough
	case modeText:
		return cutText(data, limit), len(data)
	default:
		return hexDump(data, limit), hexDumpLen(len(data))
	}
}

// cutText returns b as a string of at most limit bytes, ending at a line
// break when one is near and never inside a UTF-8 sequence.
func cutText(b []byte, limit int) string {
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

const hexLineLen = 68 // "00000000: " + 8 groups "xxxx " (40) + " " + 16 ascii + "\n"

// hexDumpLen is the length of the full hex dump of n bytes.
func hexDumpLen(n int) int { return (n + 15) / 16 * hexLineLen }

// hexDump renders data like `xxd`: offset, 16 bytes in groups of two, and
// the printable ASCII. It stops before exceeding limit bytes of output.
func hexDump(data []byte, limit int) string {
	const digits = "0123456789abcdef"
	lines := min((len(data)+15)/16, limit/hexLineLen)
	var sb strings.Builder
	sb.Grow(lines * hexLineLen)
	line := make([]byte, 0, hexLineLen)
	for l := 0; l < lines; l++ {
		off := l * 16
		chunk := data[off:min(off+16, len(data))]
		line = fmt.Appendf(line[:0], "%08x: ", off)
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

// headerLines renders headers as `Name: value` lines in wire order.
func headerLines(h app.Headers) string {
	var sb strings.Builder
	for _, x := range h {
		sb.WriteString(x.Name)
		sb.WriteString(": ")
		sb.WriteString(x.Value)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// parseFilter turns what the user typed into a store filter: a bare method
// name filters by method, anything else searches path, query and body.
func parseFilter(s string) app.Filter {
	s = strings.TrimSpace(s)
	if s == "" {
		return app.Filter{}
	}
	switch up := strings.ToUpper(s); up {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT":
		return app.Filter{Method: up}
	}
	return app.Filter{Text: s}
}

// fileExt suggests an extension for a saved body.
func fileExt(h app.Headers, b bodyInfo) string {
	ct := strings.ToLower(h.Get("Content-Type"))
	switch {
	case b.isJSON || strings.Contains(ct, "json"):
		return ".json"
	case strings.Contains(ct, "xml"):
		return ".xml"
	case strings.Contains(ct, "x-www-form-urlencoded"):
		return ".txt"
	case b.isText:
		return ".txt"
	}
	return ".bin"
}

// highlightJSON colours one line of pretty-printed JSON: keys, strings,
// numbers and literals, the way most API tools do.
func highlightJSON(line []rune) []widgets.Span {
	var out []widgets.Span
	n := len(line)
	for i := 0; i < n; {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			j := i + 1
			for j < n && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, n)
			k := j
			for k < n && line[k] == ' ' {
				k++
			}
			col := hltheme.Green
			if k < n && line[k] == ':' {
				col = hltheme.Blue
			}
			out = append(out, widgets.Span{From: i, To: j, Color: col})
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < n && strings.ContainsRune("0123456789.eE+-", line[j]) {
				j++
			}
			out = append(out, widgets.Span{From: i, To: j, Color: hltheme.Orange})
			i = j
		case c >= 'a' && c <= 'z':
			j := i + 1
			for j < n && line[j] >= 'a' && line[j] <= 'z' {
				j++
			}
			out = append(out, widgets.Span{From: i, To: j, Color: hltheme.Purple})
			i = j
		default:
			j := i + 1
			for j < n && strings.ContainsRune("{}[],:", line[j]) {
				j++
			}
			out = append(out, widgets.Span{From: i, To: j, Color: theme.ColorNameForeground})
			i = j
		}
	}
	return out
}

// highlightHex dims the offset column and the ASCII column of a hex dump so
// the bytes stand out.
func highlightHex(line []rune) []widgets.Span {
	const asciiAt = 10 + 40 + 1
	if len(line) < 10 {
		return []widgets.Span{{From: 0, To: len(line), Color: hltheme.Grey}}
	}
	out := []widgets.Span{{From: 0, To: 10, Color: hltheme.Grey}, {From: 10, To: min(asciiAt, len(line)), Color: theme.ColorNameForeground}}
	if len(line) > asciiAt {
		out = append(out, widgets.Span{From: asciiAt, To: len(line), Color: hltheme.Purple})
	}
	return out
}
