// Package app holds Hooklens's domain: plain types for captured events,
// endpoints and verdicts, and the small interfaces the listener, the store
// and the window consume. It imports only the standard library.
package app

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound is returned when an event, endpoint or setting does not exist.
var ErrNotFound = errors.New("not found")

// Header is one header line as it arrived: name in its original spelling.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Headers keeps header lines in wire order, repeats included.
type Headers []Header

// Get returns the first value of the named header (case-insensitive), or "".
func (h Headers) Get(name string) string {
	for _, x := range h {
		if strings.EqualFold(x.Name, name) {
			return x.Value
		}
	}
	return ""
}

// Values returns every value of the named header (case-insensitive), in order.
func (h Headers) Values(name string) []string {
	var out []string
	for _, x := range h {
		if strings.EqualFold(x.Name, name) {
			out = append(out, x.Value)
		}
	}
	return out
}

// Verdict results.
const (
	VerdictValid      = "valid"      // signature checked and matches
	VerdictInvalid    = "invalid"    // signature checked and does not match
	VerdictUnsigned   = "unsigned"   // no signature header present
	VerdictUnverified = "unverified" // signature present, nothing to check it with
)

// Verdict is the outcome of checking an event's signature.
type Verdict struct {
	Scheme  string `json:"scheme"`
	Result  string `json:"result"`
	Reason  string `json:"reason"`
	Details string `json:"details,omitempty"`
}

// Response is what the listener answered.
type Response struct {
	Status  int     `json:"status"`
	Headers Headers `json:"headers,omitempty"`
	Body    []byte  `json:"body,omitempty"`
}

// Event is one captured request.
type Event struct {
	ID         uint64    // assigned by the store; keys are time-ordered
	ReceivedAt time.Time // when the request line arrived
	Method     string    // raw method
	Path       string    // raw (escaped) path as sent
	Query      string    // raw query without '?'
	Proto      string    // e.g. HTTP/1.1
	Host       string    // Host header as sent
	Headers    Headers   // wire order, repeats kept, original case
	Body       []byte    // body bytes as sent (possibly only the first part, see Truncated)
	Size       int64     // body bytes received (the full size, even when truncated)
	Truncated  bool      // Body holds only the first bytes of a larger body
	Trailers   Headers   // trailer fields after a chunked body, wire order
	RemoteAddr string
	Endpoint   string // slug of the endpoint that matched, "" for none
	// Type is the provider's event name (EventType), worked out once when
	// the event is captured or imported; list rows and type: filters read it.
	Type     string
	Response Response
	Verdict  Verdict
	// Origin says where an event not captured here came from; "" for one
	// this listener captured. A followed team event is
	// "team:<instance>:<remote id>" (the publishing Hooklens's instance name
	// and its event id); one imported from a file or a paste is
	// "import:<source>#<n>" (see ImportOrigin). The store keeps an index by
	// Origin, so an event imported twice is stored once.
	Origin string
	// OriginVerdict is the verdict the origin gave (a followed Hooklens, a
	// Hooklens export judged at the original time), kept beside Verdict,
	// which is judged here; nil when there is none to show.
	OriginVerdict *Verdict
}

// ImportOrigin is the Origin of the n-th event (from 1) imported from source.
func ImportOrigin(source string, n int) string {
	return "import:" + source + "#" + strconv.Itoa(n)
}

// TeamOrigin is the Origin of event id followed from a team stream,
// published by the Hooklens named instance.
func TeamOrigin(instance string, id uint64) string {
	return "team:" + instance + ":" + FormatID(id)
}

// FollowedFrom is the publishing instance and its id of a followed event.
func (e *Event) FollowedFrom() (instance, remoteID string, ok bool) {
	rest, ok := strings.CutPrefix(e.Origin, "team:")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return rest, "", true
	}
	return rest[:i], rest[i+1:], true
}

// ImportedFrom is the source an imported event came from, and whether it was imported.
func (e *Event) ImportedFrom() (source string, ok bool) { return importedFrom(e.Origin) }

// importedFrom reads an import Origin (see ImportOrigin).
func importedFrom(origin string) (source string, ok bool) {
	rest, ok := strings.CutPrefix(origin, "import:")
	if !ok {
		return "", false
	}
	if i := strings.LastIndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// IDString is the event id as shown to users and in JSON.
func (e *Event) IDString() string { return FormatID(e.ID) }

// RequestURI is the path with its query, as sent.
func (e *Event) RequestURI() string { return requestURI(e.Path, e.Query) }

// RequestURI is the path with its query, as sent.
func (s EventSummary) RequestURI() string { return requestURI(s.Path, s.Query) }

func requestURI(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// Summary is the part of an event a list row shows. Its verdict has no
// Details: the diagnosis is read with the whole event.
func (e *Event) Summary() EventSummary {
	v := e.Verdict
	v.Details = ""
	return EventSummary{
		ID: e.ID, ReceivedAt: e.ReceivedAt, Method: e.Method, Path: e.Path,
		Query: e.Query, Endpoint: e.Endpoint, Type: e.Type, Origin: e.Origin, Size: e.Size, Truncated: e.Truncated,
		Status: e.Response.Status, Verdict: v,
	}
}

// EventSummary is a list row's worth of an event, without headers or body.
type EventSummary struct {
	ID         uint64
	ReceivedAt time.Time
	Method     string
	Path       string
	Query      string
	Endpoint   string
	Type       string // the provider's event name, "" when none
	Origin     string // where an imported or followed event came from, "" when captured here
	Size       int64
	Truncated  bool
	Status     int
	Verdict    Verdict
}

// FormatID renders an event id for users and JSON.
func FormatID(id uint64) string { return strconv.FormatUint(id, 10) }

// ParseID reads an id written by FormatID.
func ParseID(s string) (uint64, error) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil || id == 0 {
		return 0, errors.New("event id must be a positive number, as shown by 'hooklens events'")
	}
	return id, nil
}

// hopByHop are the headers that describe one connection, not the message
// (RFC 9110 section 7.6.1), plus the ones the client computes itself: a relay
// must not copy them.
var hopByHop = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
	"TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
}

// Relayable is h without hop-by-hop headers (including any that its
// Connection header names), Host and Content-Length: what a relay passes on.
func (h Headers) Relayable() Headers {
	drop := func(name string) bool {
		if slices.ContainsFunc(hopByHop, func(x string) bool { return strings.EqualFold(x, name) }) ||
			strings.HasPrefix(strings.ToLower(name), "proxy-") {
			return true
		}
		for _, v := range h.Values("Connection") {
			for _, tok := range strings.Split(v, ",") {
				if strings.EqualFold(strings.TrimSpace(tok), name) {
					return true
				}
			}
		}
		return false
	}
	out := make(Headers, 0, len(h))
	for _, x := range h {
		if !drop(x.Name) {
			out = append(out, x)
		}
	}
	return out
}

// With is h with every header of add set: earlier ones of the same name
// (any case) are removed, the new ones appended.
func (h Headers) With(add Headers) Headers {
	if len(add) == 0 {
		return h
	}
	out := make(Headers, 0, len(h)+len(add))
	for _, x := range h {
		if !slices.ContainsFunc(add, func(a Header) bool { return strings.EqualFold(a.Name, x.Name) }) {
			out = append(out, x)
		}
	}
	return append(out, add...)
}

// URL is the absolute URL of e at base (scheme://host); base "" uses http
// and the Host the request named (localhost when it named none).
func (e *Event) URL(base string) string {
	if base == "" {
		base = "http://" + e.requestHost()
	}
	uri := e.RequestURI()
	if !strings.HasPrefix(uri, "/") {
		uri = "/" + uri
	}
	return strings.TrimRight(base, "/") + uri
}

// SenderURL is the URL the sender used: publicURL when given (the address
// senders were told), else the scheme and host a proxy or tunnel reported
// (X-Forwarded-Proto, X-Forwarded-Host), else the request's Host.
func (e *Event) SenderURL(publicURL string) string {
	if publicURL != "" {
		return e.URL(publicURL)
	}
	scheme := "http"
	if p := strings.ToLower(firstToken(e.Headers.Get("X-Forwarded-Proto"))); p == "https" || p == "http" {
		scheme = p
	}
	host := firstToken(e.Headers.Get("X-Forwarded-Host"))
	if host == "" {
		host = e.requestHost()
	}
	return e.URL(scheme + "://" + host)
}

// requestHost is the host the request named (localhost when it named none).
func (e *Event) requestHost() string {
	if e.Host != "" {
		return e.Host
	}
	if h := e.Headers.Get("Host"); h != "" {
		return h
	}
	return "localhost"
}

// firstToken is the first comma-separated value: proxies append theirs.
func firstToken(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}
