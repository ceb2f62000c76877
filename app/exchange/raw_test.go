package exchange

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app"
)

func TestParseRawRequestKeepsWireOrderAndExactBody(t *testing.T) {
	raw := "POST /hooks/stripe?x=1&x=2 HTTP/1.1\r\nHost: example.test\r\nX-B: 1\r\nx-a: 2\r\nX-B: 3\r\nContent-Length: 7\r\n\r\n{\"a\":1}\n"
	e, err := ParseRawRequest([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := app.Headers{{Name: "Host", Value: "example.test"}, {Name: "X-B", Value: "1"}, {Name: "x-a", Value: "2"}, {Name: "X-B", Value: "3"}, {Name: "Content-Length", Value: "7"}}
	if len(e.Headers) != len(want) {
		t.Fatalf("headers %q", e.Headers)
	}
	for i := range want {
		if e.Headers[i] != want[i] {
			t.Errorf("header %d: %q, want %q", i, e.Headers[i], want[i])
		}
	}
	if e.Method != "POST" || e.Path != "/hooks/stripe" || e.Query != "x=1&x=2" || e.Host != "example.test" || string(e.Body) != `{"a":1}` || e.Size != 7 {
		t.Errorf("parsed %+v body %q", e, e.Body)
	}
}

func TestParseRawRequestAcceptsHandWrittenFiles(t *testing.T) {
	// Bare LF line ends, no Content-Length, absolute-form target, folded header.
	raw := "\nPUT https://api.example.test/v1/items?id=9 HTTP/1.1\nHost: api.example.test\nX-Long: first\n  second\n\nline one\nline two"
	e, err := ParseRawRequest([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if e.Path != "/v1/items" || e.Query != "id=9" || e.Headers.Get("X-Long") != "first second" || string(e.Body) != "line one\nline two" {
		t.Errorf("parsed %+v body %q", e, e.Body)
	}
}

func TestParseRawRequestDecodesChunkedBodies(t *testing.T) {
	raw := "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"
	e, err := ParseRawRequest([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Body) != "Wikipedia" {
		t.Errorf("body %q", e.Body)
	}
}

func TestParseRawRequestBinaryBody(t *testing.T) {
	body := []byte{0, 0xff, 0xfe, '\r', '\n', '\r', '\n', 1}
	raw := append([]byte("POST /b HTTP/1.1\r\nContent-Length: 8\r\n\r\n"), body...)
	e, err := ParseRawRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Body, body) {
		t.Errorf("body %v, want %v", e.Body, body)
	}
}

func TestParseRawRequestExplainsBadInput(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                   "no blank line",
		"hello world\r\n\r\n":                "not a request line",
		"POST / HTTP/1.1\r\nNoColon\r\n\r\n": "not 'Name: value'",
		"POST / HTTP/1.1\r\n folded\r\n\r\n": "follows no header",
		"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n":                "not a byte count",
		"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc":             "cut short",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n": "chunks are damaged",
	} {
		_, err := ParseRawRequest([]byte(raw))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to say %q", raw, err, want)
		}
	}
}

func FuzzParseRawRequest(f *testing.F) {
	f.Add([]byte("POST /x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"))
	f.Add([]byte("GET / HTTP/1.0\n\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseRawRequest(data)
		if err != nil {
			return
		}
		if e.Method == "" || e.Path == "" {
			t.Fatalf("parsed a request with no method or path from %q", data)
		}
		if e.Size != int64(len(e.Body)) {
			t.Fatalf("size %d but body has %d bytes", e.Size, len(e.Body))
		}
	})
}
