package ui

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// fullURL joins the listener's base URL with the event's path and query.
func fullURL(base string, e *app.Event) string {
	if e.Origin != "" {
		// Followed and imported events were sent to another listener.
		return e.SenderURL("")
	}
	return e.URL(base)
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
			return widgets.CutText(buf.Bytes(), limit), buf.Len()
		}
		fallthrough
	case modeText:
		return widgets.CutText(data, limit), len(data)
	default:
		return widgets.HexDump(data, limit), widgets.HexDumpLen(len(data))
	}
}

// parseFilter turns what the user typed into a store filter with the filter
// language the command line reads (app.ParseFilter); a bare method name
// filters by method.
func parseFilter(s string) (app.Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return app.Filter{}, nil
	}
	switch up := strings.ToUpper(s); up {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT":
		return app.Filter{Method: up}, nil
	}
	return app.ParseFilter(s, time.Now())
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
