// Package exchange turns events into the formats other tools read and write.
// This file holds the JSON line form used by `hooklens listen --json` and
// `hooklens events --json`.
package exchange

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// EventLine is one event as a JSON line. Headers, Trailers and BodyBase64
// are present only in the full form.
//
// JSON strings hold only UTF-8, and encoding/json turns other bytes into
// U+FFFD. So that a line read back gives the event byte for byte, a path or
// query that is not valid UTF-8 is also written in base64 (path_base64,
// query_base64), and when any header or trailer name or value is not,
// headers_base64 (trailers_base64) repeats every pair in base64. Readers
// prefer the base64 forms.
type EventLine struct {
	ID         string       `json:"id"`
	ReceivedAt string       `json:"received_at"`
	Method     string       `json:"method"`
	Path       string       `json:"path"`
	Query      string       `json:"query"`
	Endpoint   string       `json:"endpoint"`
	Type       string       `json:"type,omitempty"` // the provider's event name
	Status     int          `json:"status"`
	Size       int64        `json:"size"`
	Truncated  bool         `json:"truncated"`
	Verdict    VerdictLine  `json:"verdict"`
	RemoteAddr string       `json:"remote_addr,omitempty"`
	Headers    *[][2]string `json:"headers,omitempty"`
	Trailers   *[][2]string `json:"trailers,omitempty"`
	BodyBase64 *string      `json:"body_base64,omitempty"`

	PathBase64     string       `json:"path_base64,omitempty"`
	QueryBase64    string       `json:"query_base64,omitempty"`
	HeadersBase64  *[][2]string `json:"headers_base64,omitempty"`
	TrailersBase64 *[][2]string `json:"trailers_base64,omitempty"`

	// The full form also carries what an import needs to restore the
	// event: the protocol, Hooklens's answer and where it came from.
	Proto         string        `json:"proto,omitempty"`
	Response      *ResponseLine `json:"response,omitempty"`
	Origin        string        `json:"origin,omitempty"`
	OriginVerdict *VerdictLine  `json:"origin_verdict,omitempty"`
}

// ResponseLine is what Hooklens answered (its status is EventLine.Status).
type ResponseLine struct {
	Headers       *[][2]string `json:"headers,omitempty"`
	HeadersBase64 *[][2]string `json:"headers_base64,omitempty"`
	BodyBase64    string       `json:"body_base64,omitempty"`
}

func verdictLine(v app.Verdict, full bool) VerdictLine {
	l := VerdictLine{Scheme: v.Scheme, Result: v.Result, Reason: v.Reason}
	if full {
		l.Details = v.Details
	}
	return l
}

func (v VerdictLine) verdict() app.Verdict {
	return app.Verdict{Scheme: v.Scheme, Result: v.Result, Reason: v.Reason, Details: v.Details}
}

var b64 = base64.StdEncoding

// inBase64 is s in base64 when s is not valid UTF-8, else "".
func inBase64(s string) string {
	if utf8.ValidString(s) {
		return ""
	}
	return b64.EncodeToString([]byte(s))
}

// pairs turns headers into [name, value] pairs, and into base64 pairs too
// when any of them is not valid UTF-8.
func pairs(h app.Headers) (plain, enc *[][2]string) {
	ps := make([][2]string, len(h))
	lossy := false
	for i, x := range h {
		ps[i] = [2]string{x.Name, x.Value}
		lossy = lossy || !utf8.ValidString(x.Name) || !utf8.ValidString(x.Value)
	}
	if !lossy {
		return &ps, nil
	}
	bs := make([][2]string, len(h))
	for i, x := range h {
		bs[i] = [2]string{b64.EncodeToString([]byte(x.Name)), b64.EncodeToString([]byte(x.Value))}
	}
	return &ps, &bs
}

// headersOf reads pairs back, from the base64 form when there is one.
func headersOf(plain, enc *[][2]string, id, what string) (app.Headers, error) {
	if enc != nil {
		h := make(app.Headers, 0, len(*enc))
		for i, p := range *enc {
			n, err1 := b64.DecodeString(p[0])
			v, err2 := b64.DecodeString(p[1])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("event line %s: %s_base64 pair %d is not base64: %w", id, what, i+1, errors.Join(err1, err2))
			}
			h = append(h, app.Header{Name: string(n), Value: string(v)})
		}
		return h, nil
	}
	if plain == nil {
		return nil, nil
	}
	h := make(app.Headers, 0, len(*plain))
	for _, p := range *plain {
		h = append(h, app.Header{Name: p[0], Value: p[1]})
	}
	return h, nil
}

// VerdictLine is the verdict as it appears in a JSON line.
type VerdictLine struct {
	Scheme string `json:"scheme"`
	Result string `json:"result"`
	Reason string `json:"reason"`
	// Details is the explanation, in the full form only.
	Details string `json:"details,omitempty"`
}

// NewEventLine converts e; full adds headers (as [name, value] pairs in wire
// order) and the body in base64.
func NewEventLine(e *app.Event, full bool) EventLine {
	l := EventLine{
		ID:         e.IDString(),
		ReceivedAt: e.ReceivedAt.UTC().Format(time.RFC3339Nano),
		Method:     e.Method,
		Path:       e.Path,
		Query:      e.Query,
		Endpoint:   e.Endpoint,
		Type:       e.Type,
		Status:     e.Response.Status,
		Size:       e.Size,
		Truncated:  e.Truncated,
		Verdict:    verdictLine(e.Verdict, full),
		RemoteAddr: e.RemoteAddr,

		PathBase64:  inBase64(e.Path),
		QueryBase64: inBase64(e.Query),
	}
	if full {
		l.Headers, l.HeadersBase64 = pairs(e.Headers)
		if len(e.Trailers) > 0 {
			l.Trailers, l.TrailersBase64 = pairs(e.Trailers)
		}
		b := b64.EncodeToString(e.Body)
		l.BodyBase64 = &b
		l.Proto, l.Origin = e.Proto, e.Origin
		if len(e.Response.Headers) > 0 || len(e.Response.Body) > 0 {
			r := &ResponseLine{BodyBase64: b64.EncodeToString(e.Response.Body)}
			r.Headers, r.HeadersBase64 = pairs(e.Response.Headers)
			l.Response = r
		}
		if e.OriginVerdict != nil {
			v := verdictLine(*e.OriginVerdict, true)
			l.OriginVerdict = &v
		}
	}
	return l
}

// Event converts a line back into an event (the inverse of NewEventLine).
func (l EventLine) Event() (*app.Event, error) {
	e := &app.Event{
		Method: l.Method, Path: l.Path, Query: l.Query, Endpoint: l.Endpoint, Type: l.Type,
		Size: l.Size, Truncated: l.Truncated, RemoteAddr: l.RemoteAddr,
		Response: app.Response{Status: l.Status},
		Verdict:  l.Verdict.verdict(),
		Proto:    l.Proto, Origin: l.Origin,
	}
	if l.OriginVerdict != nil {
		v := l.OriginVerdict.verdict()
		e.OriginVerdict = &v
	}
	if l.ID != "" {
		id, err := app.ParseID(l.ID)
		if err != nil {
			return nil, fmt.Errorf("event line has id %q: %w", l.ID, err)
		}
		e.ID = id
	}
	if l.ReceivedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, l.ReceivedAt)
		if err != nil {
			return nil, fmt.Errorf("event line %s has received_at %q, not RFC 3339: %w", l.ID, l.ReceivedAt, err)
		}
		e.ReceivedAt = t
	}
	for _, x := range []struct {
		b64  string
		to   *string
		what string
	}{{l.PathBase64, &e.Path, "path"}, {l.QueryBase64, &e.Query, "query"}} {
		if x.b64 == "" {
			continue
		}
		b, err := b64.DecodeString(x.b64)
		if err != nil {
			return nil, fmt.Errorf("event line %s has a %s_base64 that is not base64: %w", l.ID, x.what, err)
		}
		*x.to = string(b)
	}
	var err error
	if e.Headers, err = headersOf(l.Headers, l.HeadersBase64, l.ID, "headers"); err != nil {
		return nil, err
	}
	if e.Trailers, err = headersOf(l.Trailers, l.TrailersBase64, l.ID, "trailers"); err != nil {
		return nil, err
	}
	e.Host = e.Headers.Get("Host")
	if r := l.Response; r != nil {
		if e.Response.Headers, err = headersOf(r.Headers, r.HeadersBase64, l.ID, "response headers"); err != nil {
			return nil, err
		}
		b, err := b64.DecodeString(r.BodyBase64)
		if err != nil {
			return nil, fmt.Errorf("event line %s has a response body_base64 that is not base64: %w", l.ID, err)
		}
		if len(b) > 0 {
			e.Response.Body = b
		}
	}
	if l.BodyBase64 != nil {
		b, err := b64.DecodeString(*l.BodyBase64)
		if err != nil {
			return nil, fmt.Errorf("event line %s has a body_base64 that is not base64: %w", l.ID, err)
		}
		e.Body = b
	}
	return e, nil
}

// LineWriter writes events as JSON lines. It is not safe for concurrent use.
type LineWriter struct {
	enc  *json.Encoder
	full bool
}

// NewLineWriter writes to w; full adds headers and body_base64.
func NewLineWriter(w io.Writer, full bool) *LineWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &LineWriter{enc: enc, full: full}
}

// Write writes one event as one line.
func (lw *LineWriter) Write(e *app.Event) error {
	return lw.enc.Encode(NewEventLine(e, lw.full))
}
