package signal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// SavedProvider groups the templates users save from captured events.
const SavedProvider = "My templates"

// dropped are the headers a saved template leaves out: the transport sets
// them, a proxy or tunnel added them, or they carry the sender's
// credentials. Signature headers go too: firing signs afresh.
var dropped = []string{
	"Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE", "Trailer", "Upgrade",
	"Accept-Encoding", "Content-Encoding", "Proxy-Connection", "Proxy-Authorization",
	"Authorization", "Cookie",
	"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Real-Ip",
	"Cf-Ray", "Cf-Connecting-Ip", "Cf-Ipcountry", "Cf-Visitor", "Cdn-Loop", "Cf-Warp-Tag-Id", "Ngrok-Trace-Id",
	"webhook-id", "webhook-timestamp", "svix-id", "svix-timestamp", "X-Slack-Request-Timestamp",
}

// FromEvent is "Save as template" for a captured event: its method, path,
// body (decompressed; JSON compacted) and headers, less those the transport
// sets, tunnels add, credentials (Authorization, Cookie) and the
// signature headers, since firing signs again. The signing scheme is the
// one the event's headers show. name should be source.event shaped; run
// Check before saving.
func FromEvent(e *app.Event, name string) Template {
	t := Template{
		Name:     name,
		Provider: SavedProvider,
		Event:    app.EventType(e),
		Method:   e.Method,
		Path:     e.RequestURI(),
	}
	if t.Event == "" {
		t.Event = "request"
	}
	if t.Method == "" {
		t.Method = "POST"
	}
	if !strings.HasPrefix(t.Path, "/") {
		t.Path = "/" + t.Path
	}
	var sigCfg verify.Config
	if c, ok := verify.Detect(e.Headers); ok {
		sigCfg = c
		t.Scheme = c.String()
	}
	body, _, err := app.DecodedBody(e.Headers, e.Body, app.MaxDecodedBody)
	keepEncoding := err != nil
	if keepEncoding {
		body = e.Body // cannot decode: keep the bytes as sent, with their encoding
	}
	for _, h := range e.Headers {
		if isSignature(h, sigCfg) {
			if t.SignatureHeader == "" {
				t.SignatureHeader = h.Name
			}
			continue
		}
		if isDropped(h.Name, sigCfg) && !(keepEncoding && strings.EqualFold(h.Name, "Content-Encoding")) {
			continue
		}
		t.Headers = append(t.Headers, h)
	}
	if json.Valid(body) {
		var buf bytes.Buffer
		json.Compact(&buf, body) // valid, so it compacts
		body = buf.Bytes()
	}
	t.Body = bytes.Clone(body)
	desc := fmt.Sprintf("Saved from event %s: %s %s, received %s.", e.IDString(), e.Method, e.RequestURI(),
		e.ReceivedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	if e.Truncated {
		desc += fmt.Sprintf(" The body was cut at %d of %d bytes when captured.", len(e.Body), e.Size)
	}
	for _, h := range e.Headers {
		if strings.EqualFold(h.Name, "Authorization") || strings.EqualFold(h.Name, "Cookie") {
			desc += " Its Authorization and Cookie headers were left out."
			break
		}
	}
	t.Description = desc
	return t
}

// isSignature reports whether h is a signature header: one that scheme
// detection recognises by itself, or the header of the detected scheme.
func isSignature(h app.Header, c verify.Config) bool {
	if c.Header != "" && strings.EqualFold(h.Name, c.Header) {
		return true
	}
	_, ok := verify.Detect(app.Headers{h})
	return ok
}

func isDropped(name string, c verify.Config) bool {
	for _, d := range dropped {
		if strings.EqualFold(name, d) {
			return true
		}
	}
	for _, d := range []string{c.TimestampHeader, c.IDHeader} {
		if d != "" && strings.EqualFold(name, d) {
			return true
		}
	}
	return false
}
