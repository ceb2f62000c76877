package capture

import (
	"bufio"
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app"
)

func TestParseHeaderBlock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want app.Headers
		n    int
		bad  bool
	}{
		{in: "A: 1\r\nb:2\r\n\r\nbody", want: pairs("A", "1", "b", "2"), n: 13},
		{in: "A: 1\nB: 2\n\nbody", want: pairs("A", "1", "B", "2"), n: 11},
		{in: "\r\n", n: 2},
		{in: "A:\t x \t\r\n  y\r\n\tz\r\n\r\n", want: pairs("A", "x y z"), n: 20},
		{in: "A: 1\r\n", bad: true},
		{in: " A: 1\r\n\r\n", bad: true},
		{in: "no colon\r\n\r\n", bad: true},
		{in: ": no name\r\n\r\n", bad: true},
	} {
		h, n, err := parseHeaderBlock([]byte(tc.in))
		if tc.bad {
			if err == nil {
				t.Errorf("parse %q: no error", tc.in)
			}
			continue
		}
		if err != nil || n != tc.n || !slices.Equal(h, tc.want) {
			t.Errorf("parse %q = %q, %d, %v; want %q, %d", tc.in, h, n, err, tc.want, tc.n)
		}
	}
}

// headersFrom turns arbitrary bytes into header pairs a sender could put on
// the wire: names made of token characters, values without line breaks and
// without surrounding blanks.
func headersFrom(seed []byte) app.Headers {
	var h app.Headers
	parts := bytes.Split(seed, []byte{0})
	for i := 0; i+1 < len(parts); i += 2 {
		name := strings.Map(func(r rune) rune {
			if r < 0x80 && app.IsHeaderName(string(r)) {
				return r
			}
			return -1
		}, string(parts[i]))
		if name == "" {
			continue
		}
		value := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, string(parts[i+1]))
		h = append(h, app.Header{Name: name, Value: strings.Trim(value, " \t")})
	}
	return h
}

func FuzzParseHeaderBlock(f *testing.F) {
	f.Add([]byte("Host: h\r\nX-A: 1\r\n\r\n"), []byte("X-B\x001\x00x-a\x002\x00X-B\x003"))
	f.Add([]byte("A: x\r\n y\r\n\r\n"), []byte("Content-Type\x00application/json\x00Stripe-Signature\x00t=1,v1=ab"))
	f.Add([]byte("\n\n"), []byte("\x00\x00 \x00\t"))
	f.Add([]byte(" :\r\n"), []byte("a\x00\xff\xfe"))
	f.Fuzz(func(t *testing.T, raw, seed []byte) {
		// Any bytes: no panic, and a block found lies within the input.
		if _, n, err := parseHeaderBlock(raw); err == nil && (n <= 0 || n > len(raw) || raw[n-1] != '\n') {
			t.Fatalf("block of %q ends at %d", raw, n)
		}

		// A block written from header pairs parses back to the same pairs.
		want := headersFrom(seed)
		var block strings.Builder
		for _, x := range want {
			block.WriteString(x.Name + ": " + x.Value + "\r\n")
		}
		block.WriteString("\r\n")
		got, n, err := parseHeaderBlock([]byte(block.String() + "trailing body"))
		if err != nil || n != block.Len() || !slices.Equal(got, want) {
			t.Fatalf("round trip of %q: got %q, %d, %v", want, got, n, err)
		}

		// And where net/http accepts the request, the listener finds the
		// same headers in the bytes that net/http parsed.
		head := "POST /f?x HTTP/1.1\r\nHost: fuzz\r\n" + block.String()
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			return
		}
		tr := tracker{keep: 1 << 20}
		tr.feed([]byte(head))
		if tr.lost || len(tr.heads) != 1 || !agrees(tr.heads[0].headers, r.Header) ||
			!slices.Equal(tr.heads[0].headers, append(pairs("Host", "fuzz"), want...)) {
			t.Fatalf("head of %q: lost %v, %d heads", head, tr.lost, len(tr.heads))
		}
	})
}

// TestTrackerKeepsLittle checks the recording conn's memory bound: body
// bytes are counted, not kept, and a chunked body streams through.
func TestTrackerKeepsLittle(t *testing.T) {
	const keep = 1000
	tr := tracker{keep: keep}
	tr.feed([]byte("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\nstart of body"))
	for range 100 {
		tr.feed(bytes.Repeat([]byte("b"), 999))
		if len(tr.buf) != 0 {
			t.Fatalf("kept %d body bytes", len(tr.buf))
		}
	}
	tr.feed([]byte(strings.Repeat("b", 100000-13-99900) + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"))
	if len(tr.heads) != 2 || tr.heads[1].target != "/next" || tr.heads[1].headers.Get("Host") != "h" {
		t.Fatalf("next request's head not found after a skipped body: %+v", tr.heads)
	}
	tr.feed([]byte("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"))
	for i := range 5000 {
		tr.feed([]byte("25\r\n" + strings.Repeat(string(rune('a'+i%26)), 37) + "\r\n"))
		if len(tr.buf) > keep || tr.lost {
			t.Fatalf("kept %d bytes (lost %v), bound is %d", len(tr.buf), tr.lost, keep)
		}
	}
	tr.feed([]byte("0\r\nX-Sum: 42\r\n\r\n"))
	if h := tr.heads[2]; h.target != "/c" || h.trailers.Get("X-Sum") != "42" {
		t.Fatalf("trailers = %q", h.trailers)
	}
	if cap(tr.buf) > 4*keep {
		t.Errorf("buffer grew to %d bytes for a bound of %d", cap(tr.buf), keep)
	}
}
