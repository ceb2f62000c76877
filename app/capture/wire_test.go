package capture

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A chunked body that holds a lookalike request head must not become the
// next request's recorded headers.
func TestChunkedBodyCannotSpoofTheNextHead(t *testing.T) {
	h := start(t, nil, Config{})
	c := h.dial(t)
	br := bufio.NewReader(c)
	fake := "\r\nPOST /next HTTP/1.1\r\nHost: spoofed.example\r\nX-Real: 1\r\n\r\n"
	first := "POST /first HTTP/1.1\r\nHost: real.example\r\nTransfer-Encoding: chunked\r\n\r\n" +
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(fake), fake)
	second := "POST /next HTTP/1.1\r\nHost: real.example\r\nX-Real: 1\r\n\r\n"
	if _, err := io.WriteString(c, first); err != nil {
		t.Fatal(err)
	}
	readReply(t, br, "POST")
	if _, err := io.WriteString(c, second); err != nil {
		t.Fatal(err)
	}
	readReply(t, br, "POST")
	evs := h.events(t, 2)
	if string(evs[0].Body) != fake {
		t.Fatalf("first body %q", evs[0].Body)
	}
	if got := evs[1].Headers; got.Get("Host") != "real.example" || len(got) != 2 {
		t.Fatalf("second request recorded with headers %q, want its own (Host: real.example)", got)
	}
	if evs[1].Host != "real.example" {
		t.Fatalf("second request's host recorded as %q", evs[1].Host)
	}
}

// The framing tracker looks at each byte once, whatever the bytes: 126 KB of
// lookalike request lines inside a chunked body, and heads with thousands
// of folded continuation lines.
func TestHeadSearchIsLinear(t *testing.T) {
	const keep = 1 << 20
	tr := tracker{keep: keep}
	look := strings.Repeat("POST /x HTTP/1.1\r\n", 126_000/18)
	in := "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(look), look) +
		"POST /x HTTP/1.1\r\nHost: h\r\n\r\n"
	for i := 0; i < len(in); i += 1000 { // arriving in small reads
		tr.feed([]byte(in[i:min(i+1000, len(in))]))
	}
	if tr.lost || len(tr.heads) != 2 {
		t.Fatalf("lost %v, %d heads", tr.lost, len(tr.heads))
	}
	if tr.work > int64(len(in)) {
		t.Fatalf("looked at %d bytes for %d bytes of input", tr.work, len(in))
	}

	// 40,000 folded lines: parsing allocates in proportion to the input,
	// not to the square of the number of lines.
	var b strings.Builder
	b.WriteString("X-Long: start\r\n")
	for range 40_000 {
		b.WriteString(" x\r\n")
	}
	b.WriteString("\r\n")
	block := []byte(b.String())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	hs, _, err := parseHeaderBlock(block)
	runtime.ReadMemStats(&after)
	if err != nil || len(hs) != 1 || len(hs[0].Value) != len("start")+2*40_000 {
		t.Fatalf("parse: %v, %d headers", err, len(hs))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(20*len(block)) {
		t.Fatalf("parsing a %d-byte block allocated %d bytes", len(block), alloc)
	}
}

// BenchmarkHeadSearch times the framing tracker over 126 KB of lookalike
// request lines in a chunked body, and the header parser over 40,000
// folded lines, against a baseline in the same run: one bytes.Count of the
// line ends over the same bytes (the least any line-by-line reader does).
func BenchmarkHeadSearch(b *testing.B) {
	look := strings.Repeat("POST /x HTTP/1.1\r\n", 126_000/18)
	in := []byte("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(look), look))
	var fold strings.Builder
	fold.WriteString("X-Long: start\r\n")
	for range 40_000 {
		fold.WriteString(" x\r\n")
	}
	fold.WriteString("\r\n")
	folded := []byte(fold.String())
	ratio := func(b *testing.B, in []byte, run func()) {
		b.SetBytes(int64(len(in)))
		begin := time.Now()
		for range b.N {
			bytes.Count(in, []byte{'\n'})
		}
		base := time.Since(begin)
		b.ResetTimer()
		begin = time.Now()
		for range b.N {
			run()
		}
		b.ReportMetric(float64(time.Since(begin))/float64(base), "x-baseline")
	}
	b.Run("lookalike-lines", func(b *testing.B) {
		ratio(b, in, func() {
			tr := tracker{keep: 1 << 20}
			tr.feed(in)
		})
	})
	b.Run("folded-lines", func(b *testing.B) {
		ratio(b, folded, func() { parseHeaderBlock(folded) })
	})
}

func TestChunkedTrailersAreCaptured(t *testing.T) {
	h := start(t, nil, Config{})
	c := h.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, "POST /t HTTP/1.1\r\nHost: h\r\nTrailer: X-Checksum, X-Count\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"5\r\nhello\r\n0\r\nX-Checksum: abc123\r\nx-count: 5\r\n\r\n")
	readReply(t, br, "POST")
	e := h.events(t, 1)[0]
	if string(e.Body) != "hello" {
		t.Fatalf("body %q", e.Body)
	}
	if want := pairs("X-Checksum", "abc123", "x-count", "5"); fmt.Sprint(e.Trailers) != fmt.Sprint(want) {
		t.Fatalf("trailers %q, want %q", e.Trailers, want)
	}
}

func TestOptionsStarIsCaptured(t *testing.T) {
	h := start(t, nil, Config{})
	c := h.dial(t)
	io.WriteString(c, "OPTIONS * HTTP/1.1\r\nHost: h\r\nX-Probe: 1\r\n\r\n")
	r := readReply(t, bufio.NewReader(c), "OPTIONS")
	e := h.events(t, 1)[0]
	if e.Method != "OPTIONS" || e.Path != "*" || e.Headers.Get("X-Probe") != "1" {
		t.Fatalf("recorded %s %s %q", e.Method, e.Path, e.Headers)
	}
	sameResponse(t, e.Response, r)
}

func TestHTTP2PrefaceIsAnsweredAndRecorded(t *testing.T) {
	h := start(t, nil, Config{})
	c := h.dial(t)
	io.WriteString(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := readReply(t, bufio.NewReader(c), "PRI")
	if r.status != http.StatusHTTPVersionNotSupported || !strings.Contains(string(r.body), "HTTP/1.1") {
		t.Fatalf("answered %d %q", r.status, r.body)
	}
	e := h.events(t, 1)[0]
	if e.Method != "PRI" || e.Proto != "HTTP/2.0" || e.Response.Status != http.StatusHTTPVersionNotSupported {
		t.Fatalf("recorded %s %s answered %d", e.Method, e.Proto, e.Response.Status)
	}
	if !strings.Contains(e.Verdict.Reason, "HTTP/2") {
		t.Fatalf("verdict %+v does not say what it was", e.Verdict)
	}
}
