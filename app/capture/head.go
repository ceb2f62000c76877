package capture

import (
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
	return parseHeaderText(string(b))
}

// parseHeaderText is parseHeaderBlock on a string: names and values are
// substrings of s (one allocation for the whole block, as a head is
// captured once per request), only folded values are new strings.
func parseHeaderText(s string) (h app.Headers, n int, err error) {
	// Continuation lines are gathered in fold and joined once, when the
	// next header starts: appending to the value line by line would copy it
	// again for every line.
	var fold []byte
	folding := false
	flush := func() {
		if folding {
			h[len(h)-1].Value = string(fold)
			fold, folding = fold[:0], false
		}
	}
	defer flush()
	// Room for the usual number of headers (not for every line: folded
	// lines are not headers).
	h = make(app.Headers, 0, min(max(strings.Count(s, "\n")-1, 0), 32))
	for {
		i := strings.IndexByte(s[n:], '\n')
		if i < 0 {
			return h, n, errors.New("header block has no empty line at its end")
		}
		line := s[n : n+i]
		n += i + 1
		line = strings.TrimSuffix(line, "\r")
		if len(line) == 0 {
			return h, n, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) == 0 {
				return h, n, fmt.Errorf("header block starts with a continuation line %q", clip(line))
			}
			if !folding {
				fold, folding = append(fold[:0], h[len(h)-1].Value...), true
			}
			more := strings.Trim(line, " \t")
			if len(fold) == 0 {
				fold = append(fold, more...)
			} else if len(more) > 0 {
				fold = append(append(fold, ' '), more...)
			}
			continue
		}
		flush()
		name, value, ok := strings.Cut(line, ":")
		if !ok || len(name) == 0 {
			return h, n, fmt.Errorf("header line %q has no name followed by ':'", clip(line))
		}
		h = append(h, app.Header{Name: name, Value: strings.Trim(value, " \t")})
	}
}

// clip shortens a line quoted in an error so a huge line cannot flood a log.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80]
	}
	return s
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
