package capture

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/hooklens/hooklens/app"
)

// parseHeaderBlock reads header lines from b up to and including the empty
// line that ends the block. It returns the headers in the order they appear,
// names spelled as sent, and n, the number of bytes of b the block used.
// Lines may end in CRLF or a bare LF, as net/textproto accepts both. A line
// starting with a space or tab continues the previous value (obs-fold) and is
// joined to it with one space, as net/textproto does.
func parseHeaderBlock(b []byte) (h app.Headers, n int, err error) {
	for {
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			return h, n, errors.New("header block has no empty line at its end")
		}
		line := b[n : n+i]
		n += i + 1
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			return h, n, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) == 0 {
				return h, n, fmt.Errorf("header block starts with a continuation line %q", clip(line))
			}
			last := &h[len(h)-1]
			more := strings.Trim(string(line), " \t")
			if last.Value == "" {
				last.Value = more
			} else if more != "" {
				last.Value += " " + more
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 {
			return h, n, fmt.Errorf("header line %q has no name followed by ':'", clip(line))
		}
		h = append(h, app.Header{Name: string(name), Value: strings.Trim(string(value), " \t")})
	}
}

// clip shortens a line quoted in an error so a huge line cannot flood a log.
func clip(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}

// findHead looks in buf for the request line of r followed by its header
// block. It returns the headers and the offset just past the block. A match
// must start buf or follow a line end, and its headers must agree with what
// net/http parsed into r.Header, so bytes of an earlier body that happen to
// look like a request are passed over.
func findHead(buf []byte, r *http.Request) (h app.Headers, end int, ok bool) {
	line := []byte(r.Method + " " + r.RequestURI + " " + r.Proto)
	for from := 0; from < len(buf); {
		i := bytes.Index(buf[from:], line)
		if i < 0 {
			return nil, 0, false
		}
		start := from + i
		from = start + 1
		if start > 0 && buf[start-1] != '\n' {
			continue
		}
		rest := buf[start+len(line):]
		switch {
		case bytes.HasPrefix(rest, []byte("\r\n")):
			rest = rest[2:]
		case bytes.HasPrefix(rest, []byte("\n")):
			rest = rest[1:]
		default:
			continue
		}
		hs, n, err := parseHeaderBlock(rest)
		if err != nil || !agrees(hs, r.Header) {
			continue
		}
		return hs, len(buf) - len(rest) + n, true
	}
	return nil, 0, false
}

// rewritten are headers net/http moves out of Request.Header or changes
// while framing the request: Host goes to Request.Host, Transfer-Encoding to
// Request.TransferEncoding, Trailer to Request.Trailer, and Content-Length is
// deduplicated, or dropped when the body is chunked.
var rewritten = map[string]bool{"Host": true, "Transfer-Encoding": true, "Trailer": true, "Content-Length": true}

// agrees reports whether h and parsed hold the same headers with the same
// values in the same order, apart from the rewritten ones. parsed may hold
// Cache-Control in addition, which net/http adds to a request that sends
// only Pragma: no-cache.
func agrees(h app.Headers, parsed http.Header) bool {
	seen := make(map[string]int, len(h))
	for _, x := range h {
		key := textproto.CanonicalMIMEHeaderKey(x.Name)
		if rewritten[key] {
			continue
		}
		vs := parsed[key]
		k := seen[key]
		if k >= len(vs) || strings.TrimSpace(vs[k]) != strings.TrimSpace(x.Value) {
			return false
		}
		seen[key] = k + 1
	}
	for key, vs := range parsed {
		if rewritten[key] {
			continue
		}
		if seen[key] != len(vs) && !(key == "Cache-Control" && seen[key] == 0 && seen["Pragma"] > 0) {
			return false
		}
	}
	return true
}

// fallbackHeaders is used when the header block could not be found in the
// bytes read (only possible when the handler runs outside Server.Start, e.g.
// under httptest): Host first, then r.Header sorted by name. Order and the
// original spelling are lost.
func fallbackHeaders(r *http.Request) app.Headers {
	h := app.Headers{{Name: "Host", Value: r.Host}}
	for _, k := range sortedKeys(r.Header) {
		for _, v := range r.Header[k] {
			h = append(h, app.Header{Name: k, Value: v})
		}
	}
	return h
}
