package signal

import "testing"

func TestContentType(t *testing.T) {
	for body, want := range map[string]string{
		`{"event":"a"}`:                       "application/json",
		" [1,2]\n":                            "application/json",
		`<?xml version="1.0"?><a><b/></a>`:    "application/xml",
		"<Response><Say>hi</Say></Response>":  "application/xml",
		"JSONString=%7B%22a%22%3A1%7D&x=2":    "application/x-www-form-urlencoded",
		"hello, world\n":                      "text/plain; charset=utf-8",
		`{"broken":`:                          "text/plain; charset=utf-8",
		"a=b c":                               "text/plain; charset=utf-8",
		"":                                    "text/plain; charset=utf-8",
		"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR": "image/png",
		"\x00\x01\x02\xff":                    "application/octet-stream",
	} {
		if got := ContentType([]byte(body)); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", body, got, want)
		}
	}
}
