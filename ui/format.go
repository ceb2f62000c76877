package ui

import (
	"bytes"
	"encoding/json"
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

// requestLine is the event's request line as it arrived:
// "POST /hooks/github?x=1 HTTP/1.1".
func requestLine(e *app.Event) string {
	proto := e.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	return e.Method + " " + e.RequestURI() + " " + proto
}

// Body view modes.
const (
	modePretty = "Pretty"
	modeText   = "Text"
	modeHex    = "Hex"
	modeFields = "Fields" // a urlencoded form's decoded fields
	modeParts  = "Parts"  // a multipart body's parts
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

	formKind string          // app.FormURLEncoded, app.FormMultipart or ""
	fields   []app.FormField // a urlencoded body's fields
	parts    []app.Part      // a multipart body's parts
	partsErr error           // why the multipart body could not be read whole
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
	bi.formKind = app.FormKind(e.Headers)
	switch bi.formKind {
	case app.FormURLEncoded:
		if bi.isText {
			bi.fields = app.ParseForm(string(bi.data))
		}
	case app.FormMultipart:
		bi.parts, bi.partsErr = app.ParseMultipart(e.Headers.Get("Content-Type"), bi.data)
	}
	return bi
}

// has reports whether mode can show this body.
func (b bodyInfo) has(mode string) bool {
	switch mode {
	case modePretty:
		return b.isJSON
	case modeText:
		return b.isText
	case modeFields:
		return b.fields != nil
	case modeParts:
		return b.formKind == app.FormMultipart
	}
	return true
}

// defaultMode picks how a body is first shown.
func (b bodyInfo) defaultMode() string {
	switch {
	case b.fields != nil && !b.isJSON:
		// JSON sent as a form (curl -d's default content type) reads as JSON.
		return modeFields
	case len(b.parts) > 0:
		return modeParts
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

// renderBody is the whole text mode shows data as, for paging: pretty JSON
// (the data itself when it does not indent), or the data as it is.
func renderBody(data []byte, mode string) []byte {
	if mode == modePretty {
		var buf bytes.Buffer
		buf.Grow(len(data) + len(data)/4)
		if json.Indent(&buf, bytes.TrimSpace(data), "", "  ") == nil {
			return buf.Bytes()
		}
	}
	return data
}

// bodyPage is the text of one page of src in mode, starting at byte start:
// at most limit bytes of view text, text pages cut at a line end. end is
// where the next page starts.
func bodyPage(src []byte, mode string, start, limit int) (text string, end int) {
	if mode == modeHex {
		n := limit / widgets.HexLineLen * 16
		end = min(len(src), start+n)
		return widgets.HexDumpAt(src[start:end], start, limit), end
	}
	text = widgets.CutText(src[start:], limit)
	return text, start + len(text)
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
