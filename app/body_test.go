package app

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"testing"
)

// Content-Encoding: deflate is zlib-wrapped (RFC 9110); some senders send
// raw deflate. Both decode.
func TestDecodedBodyDeflate(t *testing.T) {
	want := []byte(`{"event":"contact.created","data":{"id":42}}`)
	var z, raw bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(want)
	zw.Close()
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	fw.Write(want)
	fw.Close()
	for name, body := range map[string][]byte{"zlib": z.Bytes(), "raw": raw.Bytes()} {
		out, enc, err := DecodedBody(Headers{{Name: "Content-Encoding", Value: "deflate"}}, body, MaxDecodedBody)
		if err != nil || enc != "deflate" || !bytes.Equal(out, want) {
			t.Errorf("%s deflate: %q, %q, %v", name, out, enc, err)
		}
	}
}
