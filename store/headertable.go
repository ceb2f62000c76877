package store

import (
	"encoding/binary"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hooklens/hooklens/app"
)

// Headers in a record (schema 8 on) are packed against a fixed table of
// the headers webhooks and Hooklens's own answers carry most, as HTTP/2's
// HPACK does with its static table: a header in the table is written as
// its one-byte code, a header whose name is in it as the code and the
// value. Two values are worked out instead of stored: a Content-Length
// that equals the body's length, and a Date within a few seconds of the
// event's received-at time (the delta is stored). Every other header is
// code 0, then its name and value. Each header decodes to exactly the
// bytes it was captured with.
//
// The table is part of the file format: append only, never reorder or
// edit an entry.

type headerKind byte

const (
	hdrFixed   headerKind = iota // name and value both from the table
	hdrLiteral                   // name from the table, value stored
	hdrLength                    // value is the body's length in decimal
	hdrDate                      // value is an HTTP date: received-at second + a stored delta
)

type headerEntry struct {
	name, value string
	kind        headerKind
}

// headerTable[i] has code i+1.
var headerTable = [...]headerEntry{
	{"Host", "", hdrLiteral},
	{"Content-Length", "", hdrLength},
	{"Content-Length", "", hdrLiteral},
	{"Content-Type", "application/json", hdrFixed},
	{"Content-Type", "", hdrLiteral},
	{"User-Agent", "", hdrLiteral},
	{"Accept", "*/*", hdrFixed},
	{"Accept", "", hdrLiteral},
	{"Accept-Encoding", "gzip", hdrFixed},
	{"Accept-Encoding", "", hdrLiteral},
	{"Connection", "close", hdrFixed},
	{"Connection", "keep-alive", hdrFixed},
	{"Connection", "", hdrLiteral},
	{"Date", "", hdrDate},
	{"Date", "", hdrLiteral},
	{"Access-Control-Allow-Origin", "*", hdrFixed},
	{"Access-Control-Allow-Origin", "", hdrLiteral},
	{"Content-Type", "application/x-www-form-urlencoded", hdrFixed},
	{"Content-Type", "text/plain; charset=utf-8", hdrFixed},
	{"Content-Type", "application/json; charset=utf-8", hdrFixed},
	{"Accept-Encoding", "gzip, deflate", hdrFixed},
	{"Accept-Encoding", "gzip, deflate, br", hdrFixed},
	{"Content-Encoding", "gzip", hdrFixed},
	{"Content-Encoding", "", hdrLiteral},
	{"X-Forwarded-For", "", hdrLiteral},
	{"X-Forwarded-Proto", "https", hdrFixed},
	{"X-Forwarded-Proto", "", hdrLiteral},
	{"X-Forwarded-Host", "", hdrLiteral},
	{"X-Request-Id", "", hdrLiteral},
	{"Authorization", "", hdrLiteral},
	{"Stripe-Signature", "", hdrLiteral},
	{"X-Hub-Signature-256", "", hdrLiteral},
	{"X-Hub-Signature", "", hdrLiteral},
	{"X-GitHub-Event", "", hdrLiteral},
	{"X-GitHub-Delivery", "", hdrLiteral},
	{"X-GitHub-Hook-ID", "", hdrLiteral},
	{"X-Slack-Signature", "", hdrLiteral},
	{"X-Slack-Request-Timestamp", "", hdrLiteral},
	{"X-Twilio-Signature", "", hdrLiteral},
	{"X-Shopify-Hmac-Sha256", "", hdrLiteral},
	{"X-Shopify-Topic", "", hdrLiteral},
	{"X-Signalzen-Signature", "", hdrLiteral},
	{"X-Signature", "", hdrLiteral},
	{"X-Signature-Ed25519", "", hdrLiteral},
	{"X-Signature-Timestamp", "", hdrLiteral},
	{"Webhook-Id", "", hdrLiteral},
	{"Webhook-Timestamp", "", hdrLiteral},
	{"Webhook-Signature", "", hdrLiteral},
	{"Traceparent", "", hdrLiteral},
	{"Accept-Language", "", hdrLiteral},
	{"Cache-Control", "no-cache", hdrFixed},
	{"Cache-Control", "", hdrLiteral},
	{"Origin", "", hdrLiteral},
	{"Referer", "", hdrLiteral},
	{"Cookie", "", hdrLiteral},
	{"X-Real-Ip", "", hdrLiteral},
	{"Via", "", hdrLiteral},
	{"Cdn-Loop", "", hdrLiteral},
	{"Transfer-Encoding", "chunked", hdrFixed},
	{"Expect", "100-continue", hdrFixed},
}

// The table's lookups, built once: a fixed pair, a name whose value is
// worked out (length, date), a name with its value stored.
var (
	hdrFixedCode   = map[[2]string]byte{}
	hdrLengthCode  = map[string]byte{}
	hdrDateCode    = map[string]byte{}
	hdrLiteralCode = map[string]byte{}
)

func init() {
	if len(headerTable) > 255 {
		panic("store: header table holds more than 255 entries")
	}
	for i, h := range headerTable {
		c := byte(i + 1)
		switch h.kind {
		case hdrFixed:
			hdrFixedCode[[2]string{h.name, h.value}] = c
		case hdrLength:
			hdrLengthCode[h.name] = c
		case hdrDate:
			hdrDateCode[h.name] = c
		case hdrLiteral:
			hdrLiteralCode[h.name] = c
		}
	}
}

// headerContext is what worked-out values are worked out from.
type headerContext struct {
	length int64 // the body's length, for Content-Length
	at     int64 // received-at, Unix seconds, for Date; ok false without one
	atOK   bool
}

// dateDeltaMax bounds how far a Date may lie from received-at and still be
// stored as a delta (an answer is written within seconds of its request).
const dateDeltaMax = 4

// appendPackedHeaders appends h packed against the table.
func appendPackedHeaders(b []byte, h app.Headers, ctx headerContext) []byte {
	b = binary.AppendUvarint(b, uint64(len(h)))
	for _, x := range h {
		if c, ok := hdrFixedCode[[2]string{x.Name, x.Value}]; ok {
			b = append(b, c)
			continue
		}
		if c, ok := hdrLengthCode[x.Name]; ok && x.Value == strconv.FormatInt(ctx.length, 10) {
			b = append(b, c)
			continue
		}
		if c, ok := hdrDateCode[x.Name]; ok && ctx.atOK {
			if d, ok := dateDelta(x.Value, ctx.at); ok {
				b = append(b, c)
				b = binary.AppendVarint(b, d)
				continue
			}
		}
		if c, ok := hdrLiteralCode[x.Name]; ok {
			b = append(b, c)
			b = appendStr(b, x.Value)
			continue
		}
		b = append(b, 0)
		b = appendStr(b, x.Name)
		b = appendStr(b, x.Value)
	}
	return b
}

// packedHeaders reads headers written by appendPackedHeaders.
func (d *summaryDecoder) packedHeaders(ctx headerContext) app.Headers {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) { // each header takes a byte at least
		d.bad = true
		return nil
	}
	if n == 0 {
		return nil
	}
	h := make(app.Headers, n)
	for i := range h {
		c := d.byte()
		if c == 0 {
			h[i] = app.Header{Name: d.str(), Value: d.str()}
			continue
		}
		if d.bad || int(c) > len(headerTable) {
			d.bad = true
			return nil
		}
		t := headerTable[c-1]
		h[i].Name = t.name
		switch t.kind {
		case hdrFixed:
			h[i].Value = t.value
		case hdrLiteral:
			h[i].Value = d.str()
		case hdrLength:
			h[i].Value = strconv.FormatInt(ctx.length, 10)
		case hdrDate:
			delta := d.varint()
			if !ctx.atOK || delta < -dateDeltaMax || delta > dateDeltaMax {
				d.bad = true
				return nil
			}
			h[i].Value = dateText(ctx.at + delta)
		}
	}
	return h
}

// dateDelta is how many seconds the HTTP date v lies after second at, if
// it is an HTTP date (exactly as net/http writes one) within dateDeltaMax.
func dateDelta(v string, at int64) (int64, bool) {
	if len(v) != len(http.TimeFormat) {
		return 0, false
	}
	// Nearly always the same second or the next: try those by text first.
	for _, d := range [...]int64{0, 1} {
		if dateText(at+d) == v {
			return d, true
		}
	}
	t, err := time.Parse(http.TimeFormat, v)
	if err != nil {
		return 0, false
	}
	d := t.Unix() - at
	if d < -dateDeltaMax || d > dateDeltaMax || dateText(t.Unix()) != v {
		return 0, false
	}
	return d, true
}

// dateText is second sec as an HTTP date; the last two are kept, as
// captures mostly come in the same second or the one after.
func dateText(sec int64) string {
	for i := range lastDates {
		if d := lastDates[i].Load(); d != nil && d.sec == sec {
			return d.text
		}
	}
	d := &secondText{sec: sec, text: time.Unix(sec, 0).UTC().Format(http.TimeFormat)}
	lastDates[sec&1].Store(d)
	return d.text
}

type secondText struct {
	sec  int64
	text string
}

var lastDates [2]atomic.Pointer[secondText]

// skipHeaders moves d past headers written by appendPackedHeaders.
func skipHeaders(d *summaryDecoder) {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return
	}
	for range n {
		c := d.byte()
		switch {
		case d.bad:
			return
		case c == 0:
			d.skipStr()
			d.skipStr()
		case int(c) > len(headerTable):
			d.bad = true
			return
		case headerTable[c-1].kind == hdrLiteral:
			d.skipStr()
		case headerTable[c-1].kind == hdrDate:
			d.varint()
		}
	}
}

func (d *summaryDecoder) skipStr() {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return
	}
	d.b = d.b[n:]
}
