package signal

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"

	"github.com/hooklens/hooklens/app"
)

// ContentType is the Content-Type to send a composed body with when no
// template gives one: JSON, XML, a form, plain text, or what the bytes
// look like (image/png, ...), application/octet-stream when nothing fits.
func ContentType(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return "text/plain; charset=utf-8"
	case json.Valid(trimmed):
		return "application/json"
	case trimmed[0] == '<' && app.IsText(trimmed) && xml.Unmarshal(trimmed, new(struct{})) == nil:
		return "application/xml"
	case isForm(trimmed):
		return "application/x-www-form-urlencoded"
	case app.IsText(body):
		return "text/plain; charset=utf-8"
	}
	if ct := http.DetectContentType(body); ct != "text/plain; charset=utf-8" {
		return ct
	}
	return "application/octet-stream"
}

// isForm reports whether b reads as a URL-encoded form: key=value pairs
// joined by &, with nothing a form encoder would have escaped.
func isForm(b []byte) bool {
	if !bytes.Contains(b, []byte("=")) || bytes.ContainsAny(b, " \t\r\n\"<>{}") {
		return false
	}
	v, err := url.ParseQuery(string(b))
	return err == nil && len(v) > 0
}
