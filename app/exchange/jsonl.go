// Package exchange turns events into the formats other tools read and write.
// This file holds the JSON line form used by `hooklens listen --json` and
// `hooklens events --json`.
package exchange

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/hooklens/hooklens/app"
)

// EventLine is one event as a JSON line. Headers and BodyBase64 are present
// only in the full form.
type EventLine struct {
	ID         string       `json:"id"`
	ReceivedAt string       `json:"received_at"`
	Method     string       `json:"method"`
	Path       string       `json:"path"`
	Query      string       `json:"query"`
	Endpoint   string       `json:"endpoint"`
	Status     int          `json:"status"`
	Size       int64        `json:"size"`
	Truncated  bool         `json:"truncated"`
	Verdict    VerdictLine  `json:"verdict"`
	RemoteAddr string       `json:"remote_addr,omitempty"`
	Headers    *[][2]string `json:"headers,omitempty"`
	BodyBase64 *string      `json:"body_base64,omitempty"`
}

// VerdictLine is the verdict as it appears in a JSON line.
type VerdictLine struct {
	Scheme string `json:"scheme"`
	Result string `json:"result"`
	Reason string `json:"reason"`
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
		Status:     e.Response.Status,
		Size:       e.Size,
		Truncated:  e.Truncated,
		Verdict:    VerdictLine{Scheme: e.Verdict.Scheme, Result: e.Verdict.Result, Reason: e.Verdict.Reason},
		RemoteAddr: e.RemoteAddr,
	}
	if full {
		hs := make([][2]string, len(e.Headers))
		for i, h := range e.Headers {
			hs[i] = [2]string{h.Name, h.Value}
		}
		b := base64.StdEncoding.EncodeToString(e.Body)
		l.Headers, l.BodyBase64 = &hs, &b
	}
	return l
}

// Event converts a line back into an event (the inverse of NewEventLine).
func (l EventLine) Event() (*app.Event, error) {
	e := &app.Event{
		Method: l.Method, Path: l.Path, Query: l.Query, Endpoint: l.Endpoint,
		Size: l.Size, Truncated: l.Truncated, RemoteAddr: l.RemoteAddr,
		Response: app.Response{Status: l.Status},
		Verdict:  app.Verdict{Scheme: l.Verdict.Scheme, Result: l.Verdict.Result, Reason: l.Verdict.Reason},
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
	if l.Headers != nil {
		for _, h := range *l.Headers {
			e.Headers = append(e.Headers, app.Header{Name: h[0], Value: h[1]})
		}
	}
	if l.BodyBase64 != nil {
		b, err := base64.StdEncoding.DecodeString(*l.BodyBase64)
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
