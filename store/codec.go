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

// Records of schema 5 to 7 are binary (recordMagic, then recordVersion);
// records written before them are JSON (record above). Both are still read
// (to upgrade a file, and from a capture log left by an older release).
// That layout, all strings and byte strings as a uvarint length then the
// bytes:
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
// From schema 8 an event is one record holding its list row's summary,
// so a list page and a filter read one bucket, and the summary's fields
// are not stored twice (encodeRecord below).
//
// A JSON record starts with '{', a summary with summaryFormat and the two
// binary records with their magic bytes, so the first byte tells them
// apart (rawscan.go relies on it).
const (
	recordMagic   = 0xE7
	recordVersion = 1
)

// encodeRecordV1 is the binary layout of schemas 5 to 7; kept to write old
// files in tests and to measure against (bench_test.go).
func encodeRecordV1(e *app.Event) ([]byte, error) {
	n := 64 + len(e.Method) + len(e.Path) + len(e.Query) + len(e.Proto) + len(e.Host) +
		len(e.RemoteAddr) + len(e.Endpoint) + len(e.Type) + len(e.Origin) + len(e.Response.Body) +
		headersLen(e.Headers) + headersLen(e.Trailers) + headersLen(e.Response.Headers) + verdictLen(&e.Verdict)
	if e.OriginVerdict != nil {
		n += verdictLen(e.OriginVerdict)
	}
	return appendRecordV1(make([]byte, 0, n), e), nil
}

// appendRecordV1 appends e's record of schemas 5 to 7 to b.
func appendRecordV1(b []byte, e *app.Event) []byte {
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

// The record of schema 8 on:
//
//	byte 0     recordV2Magic
//	then       uvarint length, then the event's summary (encodeSummary:
//	           stored-at, received-at, method, path, query, endpoint,
//	           type, origin, size, truncated, response status, verdict
//	           scheme, result and reason)
//	byte       proto: 0 then the string, else protoCodes[code-1]
//	byte       flags: 1 the host is the first Host header's value (else
//	           the string follows), 2 an origin verdict follows, 4 the
//	           response status is stored here (a negative one, which the
//	           summary cannot hold)
//	then       [host]; remote address; headers and trailers, packed
//	           (headertable.go; a Content-Length is worked out from the
//	           size); [varint response status]; response headers, packed
//	           (Content-Length from the response body, Date from
//	           received-at); the response body: byte 0 then the bytes,
//	           or 1 for Hooklens's own answer {"ok":true,"id":"<id>"};
//	           the verdict's details; [the origin verdict]
//
// The body stays in the bodies bucket, so a filter or a list page never
// reads bodies it does not ask for.
const recordV2Magic = 0xE8

var protoCodes = [...]string{"HTTP/1.1", "HTTP/1.0", "HTTP/2.0"}

const (
	v2HostIsHeader  = 1
	v2OriginVerdict = 2
	v2Status        = 4
)

// encodeRecord is e's record as stored from schema 8 on, stored at storedAt.
func encodeRecord(e *app.Event, storedAt time.Time) ([]byte, error) {
	sum := encodeSummary(e, storedAt)
	n := 32 + len(sum) + len(e.Host) + len(e.RemoteAddr) + len(e.Response.Body) +
		headersLen(e.Headers) + headersLen(e.Trailers) + headersLen(e.Response.Headers) + len(e.Verdict.Details)
	if e.OriginVerdict != nil {
		n += verdictLen(e.OriginVerdict)
	}
	b := make([]byte, 0, n)
	b = append(b, recordV2Magic)
	b = binary.AppendUvarint(b, uint64(len(sum)))
	b = append(b, sum...)
	proto := byte(0)
	for i, p := range protoCodes {
		if e.Proto == p {
			proto = byte(i + 1)
		}
	}
	b = append(b, proto)
	if proto == 0 {
		b = appendStr(b, e.Proto)
	}
	var flags byte
	if v, ok := firstHost(e.Headers); ok && v == e.Host {
		flags |= v2HostIsHeader
	}
	if e.OriginVerdict != nil {
		flags |= v2OriginVerdict
	}
	if e.Response.Status < 0 {
		flags |= v2Status
	}
	b = append(b, flags)
	if flags&v2HostIsHeader == 0 {
		b = appendStr(b, e.Host)
	}
	b = appendStr(b, e.RemoteAddr)
	at, atOK := e.ReceivedAt.Unix(), !e.ReceivedAt.IsZero()
	b = appendPackedHeaders(b, e.Headers, headerContext{length: e.Size, at: at, atOK: atOK})
	b = appendPackedHeaders(b, e.Trailers, headerContext{length: e.Size, at: at, atOK: atOK})
	if flags&v2Status != 0 {
		b = binary.AppendVarint(b, int64(e.Response.Status))
	}
	b = appendPackedHeaders(b, e.Response.Headers, headerContext{length: int64(len(e.Response.Body)), at: at, atOK: atOK})
	if isOwnAnswer(e.Response.Body, e.ID) {
		b = append(b, 1)
	} else {
		b = append(b, 0)
		b = binary.AppendUvarint(b, uint64(len(e.Response.Body)))
		b = append(b, e.Response.Body...)
	}
	b = appendStr(b, e.Verdict.Details)
	if e.OriginVerdict != nil {
		b = appendVerdict(b, e.OriginVerdict)
	}
	return b, nil
}

// firstHost is the value of the first header named Host exactly.
func firstHost(h app.Headers) (string, bool) {
	for _, x := range h {
		if x.Name == "Host" {
			return x.Value, true
		}
	}
	return "", false
}

// ownAnswer is the body of the listener's default answer to event id.
func ownAnswer(id uint64) []byte {
	return []byte(`{"ok":true,"id":"` + app.FormatID(id) + `"}`)
}

func isOwnAnswer(body []byte, id uint64) bool {
	const pre, post = `{"ok":true,"id":"`, `"}`
	if len(body) < len(pre)+len(post)+1 || string(body[:len(pre)]) != pre || string(body[len(body)-len(post):]) != post {
		return false
	}
	return string(body[len(pre):len(body)-len(post)]) == app.FormatID(id)
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

// recordSummary is the summary held in a record of schema 8, or nil for
// a record of another layout or one too short for its summary.
func recordSummary(v []byte) []byte {
	sum, _, _ := splitRecordV2(v)
	return sum
}

// splitRecordV2 cuts a record of schema 8 into its summary and the rest.
func splitRecordV2(v []byte) (sum, rest []byte, ok bool) {
	if len(v) < 2 || v[0] != recordV2Magic {
		return nil, nil, false
	}
	n, k := binary.Uvarint(v[1:])
	if k <= 0 || n > uint64(len(v)-1-k) {
		return nil, nil, false
	}
	end := 1 + k + int(n)
	return v[1+k : end], v[end:], true
}

var errRecord = errors.New("record is damaged")

func decodeRecord(id uint64, b []byte) (*app.Event, error) {
	if len(b) > 0 && b[0] == recordV2Magic {
		return decodeRecordV2(id, b)
	}
	if len(b) > 0 && b[0] == '{' {
		return decodeJSONRecord(id, b)
	}
	return decodeRecordV1(id, b)
}

func decodeRecordV2(id uint64, b []byte) (*app.Event, error) {
	bad := func() (*app.Event, error) {
		return nil, fmt.Errorf("event %d is damaged in the store: %w", id, errRecord)
	}
	sb, rest, ok := splitRecordV2(b)
	if !ok {
		return bad()
	}
	sum, err := decodeSummary(id, sb)
	if err != nil {
		return bad()
	}
	e := &app.Event{ID: id, ReceivedAt: sum.ReceivedAt, Method: sum.Method, Path: sum.Path, Query: sum.Query,
		Endpoint: sum.Endpoint, Type: sum.Type, Origin: sum.Origin, Size: sum.Size, Truncated: sum.Truncated,
		Verdict: sum.Verdict}
	e.Response.Status = sum.Status
	d := summaryDecoder{b: rest}
	if p := d.byte(); p == 0 {
		e.Proto = d.str()
	} else if int(p) <= len(protoCodes) {
		e.Proto = protoCodes[p-1]
	} else {
		return bad()
	}
	flags := d.byte()
	if flags&^(v2HostIsHeader|v2OriginVerdict|v2Status) != 0 {
		return bad()
	}
	if flags&v2HostIsHeader == 0 {
		e.Host = d.str()
	}
	e.RemoteAddr = d.str()
	at, atOK := e.ReceivedAt.Unix(), !e.ReceivedAt.IsZero()
	e.Headers = d.packedHeaders(headerContext{length: e.Size, at: at, atOK: atOK})
	e.Trailers = d.packedHeaders(headerContext{length: e.Size, at: at, atOK: atOK})
	if flags&v2HostIsHeader != 0 {
		h, ok := firstHost(e.Headers)
		if !ok {
			return bad()
		}
		e.Host = h
	}
	if flags&v2Status != 0 {
		e.Response.Status = int(d.varint())
	}
	// The response headers' Content-Length is worked out from the body,
	// which follows them: read the body first.
	hd := d
	skipHeaders(&d)
	switch d.byte() {
	case 0:
		e.Response.Body = d.bytes()
	case 1:
		e.Response.Body = ownAnswer(id)
	default:
		return bad()
	}
	e.Response.Headers = hd.packedHeaders(headerContext{length: int64(len(e.Response.Body)), at: at, atOK: atOK})
	e.Verdict.Details = d.str()
	if flags&v2OriginVerdict != 0 {
		v := d.verdict()
		e.OriginVerdict = &v
	}
	if d.bad || hd.bad || len(d.b) != 0 {
		return bad()
	}
	return e, nil
}

func decodeRecordV1(id uint64, b []byte) (*app.Event, error) {
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
// events and bodies buckets plus the two values.
func recordSize(k, rec, body []byte) int {
	return 2*len(k) + len(rec) + len(body)
}

// decodeRow decodes the summary held in record v of event key k.
func decodeRow(k, v []byte) (app.EventSummary, error) {
	return decodeSummary(idOf(k), recordSummary(v))
}
