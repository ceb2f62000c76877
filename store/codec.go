package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// key is the 8-byte big-endian form of an id: byte order equals id order,
// and ids come from NextSequence, so cursor order is commit order.
func key(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

func idOf(k []byte) uint64 { return binary.BigEndian.Uint64(k) }

// rawString is a string that survives JSON byte for byte. encoding/json
// replaces invalid UTF-8 with U+FFFD, but header values (obs-text), raw paths
// and imported requests may hold any byte; those are written as
// {"b64":"..."} instead of a JSON string.
type rawString string

func (r rawString) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(string(r)) {
		return json.Marshal(string(r))
	}
	return json.Marshal(struct {
		B64 []byte `json:"b64"`
	}{[]byte(r)})
}

func (r *rawString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			B64 []byte `json:"b64"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*r = rawString(v.B64)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*r = rawString(s)
	return nil
}

type header struct {
	Name  rawString `json:"n"`
	Value rawString `json:"v"`
}

func toHeaders(h app.Headers) []header {
	if h == nil {
		return nil
	}
	out := make([]header, len(h))
	for i, x := range h {
		out[i] = header{rawString(x.Name), rawString(x.Value)}
	}
	return out
}

func fromHeaders(h []header) app.Headers {
	if h == nil {
		return nil
	}
	out := make(app.Headers, len(h))
	for i, x := range h {
		out[i] = app.Header{Name: string(x.Name), Value: string(x.Value)}
	}
	return out
}

// record is the JSON layout of the events bucket before schema 5:
// everything but the id (the key) and the body (the bodies bucket, raw
// bytes). Such records are still read; new ones are binary (below).
type record struct {
	ReceivedAt time.Time   `json:"received_at"`
	Method     rawString   `json:"method"`
	Path       rawString   `json:"path"`
	Query      rawString   `json:"query,omitempty"`
	Proto      rawString   `json:"proto,omitempty"`
	Host       rawString   `json:"host,omitempty"`
	Headers    []header    `json:"headers,omitempty"`
	Size       int64       `json:"size"`
	Truncated  bool        `json:"truncated,omitempty"`
	Trailers   []header    `json:"trailers,omitempty"`
	RemoteAddr rawString   `json:"remote_addr,omitempty"`
	Endpoint   rawString   `json:"endpoint,omitempty"`
	Type       rawString   `json:"type,omitempty"`
	Status     int         `json:"status,omitempty"`
	RespHdrs   []header    `json:"response_headers,omitempty"`
	RespBody   []byte      `json:"response_body,omitempty"` // what we answered; small, ours
	Verdict    app.Verdict `json:"verdict"`
	// Origin and OriginVerdict are set on imported events only; records
	// written before they existed decode with both empty.
	Origin        rawString    `json:"origin,omitempty"`
	OriginVerdict *app.Verdict `json:"origin_verdict,omitempty"`
}

// Records are written in a binary layout (recordMagic, then
// recordVersion); records written before it are JSON (record above) and
// still read. The binary layout, all strings and byte strings as a uvarint
// length then the bytes:
//
//	byte 0-1   recordMagic, recordVersion
//	bytes 2-9  received-at, Unix ns, big-endian (zeroTime for the zero time)
//	then       method, path, query, proto, host, remote address, endpoint,
//	           type, origin; headers (uvarint count, then name, value each);
//	           varint size; flags byte (1 truncated, 2 origin verdict);
//	           trailers; varint response status; response headers;
//	           response body; verdict (scheme, result, reason, details);
//	           the origin verdict when flag 2 is set.
//
// A JSON record starts with '{' and a summary with summaryFormat, so the
// first byte tells the three apart (rawscan.go relies on it).
const (
	recordMagic   = 0xE7
	recordVersion = 1
)

func encodeRecord(e *app.Event) ([]byte, error) {
	n := 64 + len(e.Method) + len(e.Path) + len(e.Query) + len(e.Proto) + len(e.Host) +
		len(e.RemoteAddr) + len(e.Endpoint) + len(e.Type) + len(e.Origin) + len(e.Response.Body) +
		headersLen(e.Headers) + headersLen(e.Trailers) + headersLen(e.Response.Headers) + verdictLen(&e.Verdict)
	if e.OriginVerdict != nil {
		n += verdictLen(e.OriginVerdict)
	}
	return appendRecord(make([]byte, 0, n), e), nil
}

// appendRecord appends e's binary record to b.
func appendRecord(b []byte, e *app.Event) []byte {
	b = append(b, recordMagic, recordVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(unixNano(e.ReceivedAt)))
	for _, s := range [...]string{e.Method, e.Path, e.Query, e.Proto, e.Host, e.RemoteAddr, e.Endpoint, e.Type, e.Origin} {
		b = appendStr(b, s)
	}
	b = appendHeaders(b, e.Headers)
	b = binary.AppendVarint(b, e.Size)
	var flags byte
	if e.Truncated {
		flags |= 1
	}
	if e.OriginVerdict != nil {
		flags |= 2
	}
	b = append(b, flags)
	b = appendHeaders(b, e.Trailers)
	b = binary.AppendVarint(b, int64(e.Response.Status))
	b = appendHeaders(b, e.Response.Headers)
	b = binary.AppendUvarint(b, uint64(len(e.Response.Body)))
	b = append(b, e.Response.Body...)
	b = appendVerdict(b, &e.Verdict)
	if e.OriginVerdict != nil {
		b = appendVerdict(b, e.OriginVerdict)
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendHeaders(b []byte, h app.Headers) []byte {
	b = binary.AppendUvarint(b, uint64(len(h)))
	for _, x := range h {
		b = appendStr(b, x.Name)
		b = appendStr(b, x.Value)
	}
	return b
}

func headersLen(h app.Headers) int {
	n := binary.MaxVarintLen64
	for _, x := range h {
		n += 2*binary.MaxVarintLen64 + len(x.Name) + len(x.Value)
	}
	return n
}

func appendVerdict(b []byte, v *app.Verdict) []byte {
	for _, s := range [...]string{v.Scheme, v.Result, v.Reason, v.Details} {
		b = appendStr(b, s)
	}
	return b
}

func verdictLen(v *app.Verdict) int {
	return 4*binary.MaxVarintLen64 + len(v.Scheme) + len(v.Result) + len(v.Reason) + len(v.Details)
}

var errRecord = errors.New("record is damaged")

func decodeRecord(id uint64, b []byte) (*app.Event, error) {
	if len(b) > 0 && b[0] == '{' {
		return decodeJSONRecord(id, b)
	}
	if len(b) < 10 || b[0] != recordMagic || b[1] != recordVersion {
		return nil, fmt.Errorf("event %d is damaged in the store: %w", id, errRecord)
	}
	e := &app.Event{ID: id, ReceivedAt: fromUnixNano(int64(binary.BigEndian.Uint64(b[2:])))}
	d := summaryDecoder{b: b[10:]}
	for _, p := range [...]*string{&e.Method, &e.Path, &e.Query, &e.Proto, &e.Host, &e.RemoteAddr, &e.Endpoint, &e.Type, &e.Origin} {
		*p = d.str()
	}
	e.Headers = d.headers()
	e.Size = d.varint()
	flags := d.byte()
	e.Truncated = flags&1 != 0
	e.Trailers = d.headers()
	e.Response.Status = int(d.varint())
	e.Response.Headers = d.headers()
	e.Response.Body = d.bytes()
	e.Verdict = d.verdict()
	if flags&2 != 0 {
		v := d.verdict()
		e.OriginVerdict = &v
	}
	if d.bad || len(d.b) != 0 || flags&^3 != 0 {
		return nil, fmt.Errorf("event %d is damaged in the store: %w", id, errRecord)
	}
	return e, nil
}

func decodeJSONRecord(id uint64, b []byte) (*app.Event, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("event %d is damaged in the store: %w", id, err)
	}
	return &app.Event{
		ID:         id,
		ReceivedAt: r.ReceivedAt,
		Method:     string(r.Method),
		Path:       string(r.Path),
		Query:      string(r.Query),
		Proto:      string(r.Proto),
		Host:       string(r.Host),
		Headers:    fromHeaders(r.Headers),
		Size:       r.Size,
		Truncated:  r.Truncated,
		Trailers:   fromHeaders(r.Trailers),
		RemoteAddr: string(r.RemoteAddr),
		Endpoint:   string(r.Endpoint),
		Type:       string(r.Type),
		Response:   app.Response{Status: r.Status, Headers: fromHeaders(r.RespHdrs), Body: r.RespBody},
		Verdict:    r.Verdict,

		Origin:        string(r.Origin),
		OriginVerdict: r.OriginVerdict,
	}, nil
}

// encodeJSONRecord is the layout before the binary one; kept to measure
// against (bench_test.go) and to write old files in tests.
func encodeJSONRecord(e *app.Event) ([]byte, error) {
	return json.Marshal(record{
		ReceivedAt: e.ReceivedAt,
		Method:     rawString(e.Method),
		Path:       rawString(e.Path),
		Query:      rawString(e.Query),
		Proto:      rawString(e.Proto),
		Host:       rawString(e.Host),
		Headers:    toHeaders(e.Headers),
		Size:       e.Size,
		Truncated:  e.Truncated,
		Trailers:   toHeaders(e.Trailers),
		RemoteAddr: rawString(e.RemoteAddr),
		Endpoint:   rawString(e.Endpoint),
		Type:       rawString(e.Type),
		Status:     e.Response.Status,
		RespHdrs:   toHeaders(e.Response.Headers),
		RespBody:   e.Response.Body,
		Verdict:    e.Verdict,

		Origin:        rawString(e.Origin),
		OriginVerdict: e.OriginVerdict,
	})
}

// Summary encoding, so a list page never parses JSON or touches headers:
//
//	byte 0      format (1)
//	bytes 1-8   stored-at, Unix ns, big-endian (read alone by retention)
//	bytes 9-16  received-at, Unix ns, big-endian (zeroTime for the zero time)
//	then        uvarint-length strings: method, path, query, endpoint,
//	            verdict scheme, result, reason, details;
//	            varint size, uvarint status, one byte truncated.
const (
	summaryFormat = 1
	summaryFixed  = 17
	zeroTime      = math.MinInt64
)

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return zeroTime
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n)
}

func encodeSummary(e *app.Event, storedAt time.Time) []byte {
	// What a row shows, as app.Event.Summary gives it (without the
	// verdict's Details, which stay in the record).
	sum := e.Summary()
	strs := [...]string{sum.Method, sum.Path, sum.Query, sum.Endpoint,
		sum.Verdict.Scheme, sum.Verdict.Result, sum.Verdict.Reason, sum.Verdict.Details}
	n := summaryFixed + 3*binary.MaxVarintLen64 + 1
	for _, s := range strs {
		n += binary.MaxVarintLen64 + len(s)
	}
	b := make([]byte, summaryFixed, n)
	b[0] = summaryFormat
	binary.BigEndian.PutUint64(b[1:], uint64(storedAt.UnixNano()))
	binary.BigEndian.PutUint64(b[9:], uint64(unixNano(sum.ReceivedAt)))
	for _, s := range strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, sum.Size)
	b = binary.AppendUvarint(b, uint64(max(sum.Status, 0)))
	if sum.Truncated {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	// Fields added later follow; summaries written before them end here.
	b = binary.AppendUvarint(b, uint64(len(sum.Type)))
	b = append(b, sum.Type...)
	b = binary.AppendUvarint(b, uint64(len(sum.Origin)))
	b = append(b, sum.Origin...)
	return b
}

var errSummary = errors.New("summary is damaged")

// storedAt reads only the fixed stored-at field.
func storedAt(b []byte) (time.Time, error) {
	if len(b) < summaryFixed || b[0] != summaryFormat {
		return time.Time{}, errSummary
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b[1:]))), nil
}

func decodeSummary(id uint64, b []byte) (app.EventSummary, error) {
	s := app.EventSummary{ID: id}
	if len(b) < summaryFixed || b[0] != summaryFormat {
		return s, fmt.Errorf("event %d: %w", id, errSummary)
	}
	s.ReceivedAt = fromUnixNano(int64(binary.BigEndian.Uint64(b[9:])))
	d := summaryDecoder{b: b[summaryFixed:]}
	for _, p := range [...]*string{&s.Method, &s.Path, &s.Query, &s.Endpoint,
		&s.Verdict.Scheme, &s.Verdict.Result, &s.Verdict.Reason, &s.Verdict.Details} {
		*p = d.str()
	}
	s.Size = d.varint()
	s.Status = int(d.uvarint())
	s.Truncated = d.byte() == 1
	if !d.bad && len(d.b) > 0 {
		s.Type = d.str()
	}
	if !d.bad && len(d.b) > 0 {
		s.Origin = d.str()
	}
	if d.bad {
		return s, fmt.Errorf("event %d: %w", id, errSummary)
	}
	return s, nil
}

// summaryDecoder reads fields in order; any short read marks it bad and
// the rest return zero values.
type summaryDecoder struct {
	b   []byte
	bad bool
}

func (d *summaryDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *summaryDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *summaryDecoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n]) // copies out of the transaction's memory
	d.b = d.b[n:]
	return s
}

func (d *summaryDecoder) bytes() []byte {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return nil
	}
	if n == 0 {
		return nil
	}
	v := bytes.Clone(d.b[:n])
	d.b = d.b[n:]
	return v
}

func (d *summaryDecoder) headers() app.Headers {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b))/2 { // each header takes two bytes at least
		d.bad = true
		return nil
	}
	if n == 0 {
		return nil
	}
	h := make(app.Headers, n)
	for i := range h {
		h[i] = app.Header{Name: d.str(), Value: d.str()}
	}
	return h
}

func (d *summaryDecoder) verdict() app.Verdict {
	return app.Verdict{Scheme: d.str(), Result: d.str(), Reason: d.str(), Details: d.str()}
}

func (d *summaryDecoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// recordSize is what one event costs in the size counter: its key in the
// three event buckets plus the three values.
func recordSize(k, meta, body, summary []byte) int {
	return 3*len(k) + len(meta) + len(body) + len(summary)
}
