package app

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxDecodedBody caps how many bytes a compressed body may expand to when
// shown, so a small "zip bomb" cannot exhaust memory.
const MaxDecodedBody = 32 << 20

// DecodedBody returns the body as the application would read it: bodies sent
// with Content-Encoding gzip or deflate are decompressed (the stored bytes stay
// as sent). It reports the encoding it undid; encoding is "" when the body is
// returned unchanged. A body that expands past limit is cut there and err says so.
func DecodedBody(h Headers, body []byte, limit int64) (out []byte, encoding string, err error) {
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	var r io.Reader
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return body, "", fmt.Errorf("body says Content-Encoding %s but is not gzip data: %w", enc, err)
		}
		defer zr.Close()
		r = zr
	case "deflate":
		// RFC 9110's deflate is zlib-wrapped; some senders send raw deflate.
		if isZlib(body) {
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				return body, "", fmt.Errorf("body says Content-Encoding deflate but its zlib header is damaged: %w", err)
			}
			defer zr.Close()
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(body))
		}
	default:
		return body, "", nil
	}
	out, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(out)) > limit {
		return out[:limit], enc, fmt.Errorf("decoded body is larger than %d bytes; showing the first %d", limit, limit)
	}
	if err != nil {
		return out, enc, fmt.Errorf("%s body is damaged after %d decoded bytes: %w", enc, len(out), err)
	}
	return out, enc, nil
}

// isZlib reports whether b starts with a zlib header (RFC 1950): deflate
// method, a window of at most 32 KiB, and a check value making the first
// two bytes a multiple of 31.
func isZlib(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

// IsText reports whether b looks like text a person can read: valid UTF-8
// without control characters other than tab, newline and carriage return.
func IsText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
		if c == 0x7f {
			return false
		}
	}
	return true
}
