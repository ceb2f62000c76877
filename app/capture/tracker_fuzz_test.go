package capture

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

// FuzzTracker feeds a connection's bytes to net/http's request parser and
// to the framing tracker: for every request net/http reads whole, the
// tracker holds that request's own head, in order, with the headers
// net/http parsed and the trailers it read.
func FuzzTracker(f *testing.F) {
	f.Add([]byte("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: h\r\n\r\n"), uint8(7))
	f.Add([]byte("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX-T: 1\r\n\r\nGET /d HTTP/1.0\r\n\r\n"), uint8(1))
	f.Add([]byte("POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1c\r\n\r\nGET /spoof HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n"), uint8(5))
	f.Add([]byte("GET /f HTTP/1.1\nHost: h\nX: a\n  b\n\n"), uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		tr := tracker{keep: 1 << 16}
		n := int(step%32) + 1
		for i := 0; i < len(in); i += n {
			tr.feed(in[i:min(i+n, len(in))])
		}
		br := bufio.NewReader(bytes.NewReader(in))
		for i := 0; ; i++ {
			r, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				return
			}
			if r.Method == "PRI" || r.ContentLength < 0 && len(r.TransferEncoding) == 0 {
				return // the rest of the connection is the body
			}
			if i >= maxQueued {
				return // a real connection hands heads out as it goes
			}
			if tr.lost && i >= len(tr.heads) {
				t.Fatalf("request %d (%s %s): the tracker lost the framing", i, r.Method, r.RequestURI)
			}
			if i >= len(tr.heads) {
				t.Fatalf("request %d (%s %s): the tracker has only %d heads", i, r.Method, r.RequestURI, len(tr.heads))
			}
			h := tr.heads[i]
			if h.method != r.Method || h.target != r.RequestURI || h.proto != r.Proto || !agrees(h.headers, r.Header) {
				t.Fatalf("request %d: tracker has %s %s %s %q, net/http read %s %s %s %q", i, h.method, h.target, h.proto, h.headers, r.Method, r.RequestURI, r.Proto, r.Header)
			}
			for k, vs := range r.Trailer {
				if got := h.trailers.Values(k); len(got) != len(vs) {
					t.Fatalf("request %d: trailer %s: tracker %q, net/http %q", i, k, got, vs)
				}
			}
			// net/http's server skips line ends before the next request.
			for {
				b, err := br.Peek(1)
				if err != nil || (b[0] != '\r' && b[0] != '\n') {
					break
				}
				br.Discard(1)
			}
		}
	})
}
