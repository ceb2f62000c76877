package exchange

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// tricky is an event with everything that is easy to lose: a binary body
// with NULs and invalid UTF-8, repeated headers, header spelling and order,
// a query with repeats and escapes, a non-UTF-8 header value.
func tricky() *app.Event {
	body := []byte{0x00, 0xff, 0xfe, '{', '\'', '"', '}', '\r', '\n', 0x80}
	return &app.Event{
		ID:         7,
		ReceivedAt: time.Date(2026, 11, 23, 10, 4, 5, 123456789, time.UTC),
		Method:     "POST", Path: "/stripe/hook%20x", Query: "a=1&a=2&b=%C3%A9&c",
		Proto: "HTTP/1.1", Host: "127.0.0.1:8790",
		Headers: app.Headers{
			{Name: "Host", Value: "127.0.0.1:8790"},
			{Name: "X-B", Value: "1"}, {Name: "x-a", Value: "it's \"quoted\""}, {Name: "X-B", Value: "3"},
			{Name: "X-Raw", Value: "caf\xe9"},
			{Name: "Content-Type", Value: "application/octet-stream"},
			{Name: "Content-Length", Value: "10"},
		},
		Body: body, Size: int64(len(body)), Endpoint: "stripe", RemoteAddr: "127.0.0.1:5555",
		Response: app.Response{Status: 200, Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(`{"ok":true,"id":"7"}`)},
		Verdict:  app.Verdict{Scheme: "stripe", Result: app.VerdictInvalid, Reason: "signature does not match", Details: "expected: ab12"},
	}
}

func textEvent() *app.Event {
	return &app.Event{
		ID: 8, ReceivedAt: time.Date(2026, 11, 23, 10, 4, 6, 0, time.UTC),
		Method: "PUT", Path: "/github/x", Query: "q=$(rm%20-rf)&z='1'", Proto: "HTTP/1.1", Host: "h.test",
		Headers: app.Headers{{Name: "Host", Value: "h.test"}, {Name: "X-Empty", Value: ""}, {Name: "Content-Length", Value: "18"}},
		Body:    []byte("line one\n'quoted'@"), Size: 18, Response: app.Response{Status: 202},
		Verdict: app.Verdict{Result: app.VerdictUnsigned, Reason: "no signature header"},
	}
}

// request is what any format must keep of an event.
func request(e *app.Event) any {
	return []any{e.Method, e.Path, e.Query, e.Headers, string(e.Body), e.Size}
}

func TestEveryFormatRoundTripsTheRequestByteForByte(t *testing.T) {
	in := []*app.Event{tricky(), textEvent()}
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(&buf, f, in, "test"); err != nil {
				t.Fatal(err)
			}
			got, err := Detect(buf.Bytes())
			if err != nil || got != f {
				t.Fatalf("detected %q (%v), want %q", got, err, f)
			}
			_, out, err := Parse(buf.Bytes(), ParseOptions{})
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			if len(out) != len(in) {
				t.Fatalf("got %d events, want %d", len(out), len(in))
			}
			for i := range in {
				if !reflect.DeepEqual(request(out[i]), request(in[i])) {
					t.Errorf("event %d changed:\n got %q\nwant %q", i, request(out[i]), request(in[i]))
				}
			}
			if f == FormatHAR || f == FormatJSONL {
				for i := range in {
					o := out[i]
					if !o.ReceivedAt.Equal(in[i].ReceivedAt) || o.Endpoint != in[i].Endpoint || o.RemoteAddr != in[i].RemoteAddr ||
						!reflect.DeepEqual(o.Response, in[i].Response) || o.Verdict != in[i].Verdict || o.Proto != in[i].Proto {
						t.Errorf("event %d lost metadata:\n got %+v\nwant %+v", i, o, in[i])
					}
				}
			}
		})
	}
}

func TestHARMarksBinaryBodiesBase64(t *testing.T) {
	var buf bytes.Buffer
	if err := HAR(&buf, []*app.Event{tricky()}, "test"); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{`"_encoding": "base64"`, `"_hooklens"`, `"result": "invalid"`, `"version": "1.2"`, `"url": "http://127.0.0.1:8790/stripe/hook%20x?a=1&a=2&b=%C3%A9&c"`} {
		if !strings.Contains(s, want) {
			t.Errorf("HAR lacks %s:\n%s", want, s)
		}
	}
}

func TestBrowserHARImports(t *testing.T) {
	data, err := os.ReadFile("testdata/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	f, evs, err := Parse(data, ParseOptions{})
	if err != nil || f != FormatHAR {
		t.Fatalf("%s %v", f, err)
	}
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	if e.Method != "POST" || e.Path != "/stripe/webhook" || e.Query != "attempt=2&source=dashboard" || e.Host != "hooks.example.com" ||
		!strings.HasPrefix(string(e.Body), `{"id":"evt_1"`) || e.Headers.Get("Stripe-Signature") == "" || e.Response.Status != 400 {
		t.Errorf("first entry: %+v body %q", e, e.Body)
	}
	if evs[1].Path != "/health" || string(evs[1].Response.Body) != "ok" {
		t.Errorf("second entry: path %q response %q", evs[1].Path, evs[1].Response.Body)
	}
	if !evs[0].ReceivedAt.Equal(time.Date(2026, 11, 30, 9, 12, 1, 934e6, time.UTC)) {
		t.Errorf("time %v", evs[0].ReceivedAt)
	}
}

func TestMalformedInputSaysWhere(t *testing.T) {
	for name, c := range map[string]struct{ in, format, want string }{
		"har syntax":    {"{\"log\":\n{\"entries\": [,]}}", "har", "line 2"},
		"har path":      {`{"log":{"version":"1.2","entries":[{"request":{"url":"http://a/"}}]}}`, "har", "$.log.entries[0].request.method"},
		"har type":      {`{"log":{"version":"1.2","entries":[{"request":{"method":5}}]}}`, "har", "log.entries.request.method"},
		"har base64":    {`{"log":{"version":"1.2","entries":[{"request":{"method":"POST","url":"http://a/","postData":{"text":"%%","_encoding":"base64"}}}]}}`, "har", "postData.text"},
		"jsonl line":    {"{\"method\":\"GET\",\"headers\":[]}\nnot json\n", "jsonl", "line 2"},
		"jsonl headers": {"{\"method\":\"GET\"}\n", "jsonl", "line 1: $.headers"},
		"curl quote":    {"curl -X POST \\\n  -d 'oops http://a/\n", "curl", "never closed"},
		"curl second":   {"curl http://a/\ncurl -H nocolon http://a/\n", "curl", "line 2"},
		"curl no url":   {"curl -X POST", "curl", "no URL"},
		"curl file":     {"curl --data-binary @body.bin http://a/", "curl", "not available"},
		"raw second":    {"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n\r\nnonsense here\r\n\r\n", "raw", "request at line 5"},
		"raw cut short": {"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc", "raw", "cut short"},
		"detect":        {"hello", "", "line 1"},
	} {
		_, evs, err := Parse([]byte(c.in), ParseOptions{Format: c.format})
		if err == nil || !strings.Contains(err.Error(), c.want) || evs != nil {
			t.Errorf("%s: events %d, error %v; want it to say %q", name, len(evs), err, c.want)
		}
	}
}

func TestParseCurlReadsWhatPeoplePaste(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/b.bin", []byte{0, 1, 2}, 0o600)
	cases := []struct {
		cmd     string
		method  string
		uri     string
		body    string
		headers app.Headers
	}{
		{`curl 'https://api.example.com/v1/x?a=1' -H 'Content-Type: application/json' --data-raw '{"a":"it'\''s"}' --compressed`,
			"POST", "/v1/x?a=1", `{"a":"it's"}`,
			app.Headers{{Name: "Host", Value: "api.example.com"}, {Name: "Content-Type", Value: "application/json"}, {Name: "Accept-Encoding", Value: "deflate, gzip, br, zstd"}, {Name: "Content-Length", Value: "12"}}},
		{"curl -X PUT \\\n  -H \"X-A: \\\"q\\\"\" \\\n  -d a=1 -d b=2 \\\n  --url http://h/p", "PUT", "/p", "a=1&b=2",
			app.Headers{{Name: "Host", Value: "h"}, {Name: "X-A", Value: `"q"`}, {Name: "Content-Type", Value: "application/x-www-form-urlencoded"}, {Name: "Content-Length", Value: "7"}}},
		{"curl -u user:pass --data-urlencode 'msg=a b&c' http://h/u", "POST", "/u", "msg=a+b%26c",
			app.Headers{{Name: "Host", Value: "h"}, {Name: "Authorization", Value: "Basic dXNlcjpwYXNz"}, {Name: "Content-Type", Value: "application/x-www-form-urlencoded"}, {Name: "Content-Length", Value: "11"}}},
		{"curl ^\n  -H \"X-Win: 1\" ^\n  http://h/w", "GET", "/w", "",
			app.Headers{{Name: "Host", Value: "h"}, {Name: "X-Win", Value: "1"}}},
		{"curl --data-binary @b.bin -H $'X-Tab: a\\tb' -H 'User-Agent:' http://h/b", "POST", "/b", "\x00\x01\x02",
			app.Headers{{Name: "Host", Value: "h"}, {Name: "X-Tab", Value: "a\tb"}, {Name: "Content-Type", Value: "application/x-www-form-urlencoded"}, {Name: "Content-Length", Value: "3"}}},
		{"printf '\\000\\377' | curl -XPATCH --data-binary @- -H 'Content-Type:' http://h/p", "PATCH", "/p", "\x00\xff",
			app.Headers{{Name: "Host", Value: "h"}, {Name: "Content-Length", Value: "2"}}},
	}
	for _, c := range cases {
		e, err := ParseCurl(c.cmd, CurlOptions{Dir: dir, ReadFile: os.ReadFile})
		if err != nil {
			t.Errorf("%s: %v", c.cmd, err)
			continue
		}
		if e.Method != c.method || e.RequestURI() != c.uri || string(e.Body) != c.body || !reflect.DeepEqual(e.Headers, c.headers) {
			t.Errorf("%s:\n got %s %s %q %q\nwant %s %s %q %q", c.cmd, e.Method, e.RequestURI(), e.Body, e.Headers, c.method, c.uri, c.body, c.headers)
		}
	}
	e, err := ParseCurl(`curl -F name=ann -F file=@b.bin http://h/f`, CurlOptions{Dir: dir, ReadFile: os.ReadFile})
	if err != nil || !strings.HasPrefix(e.Headers.Get("Content-Type"), "multipart/form-data; boundary=") || !bytes.Contains(e.Body, []byte(`name="file"; filename="b.bin"`)) {
		t.Errorf("-F: %v %q", err, e.Body)
	}
}

func FuzzParseHAR(f *testing.F) {
	var buf bytes.Buffer
	HAR(&buf, []*app.Event{tricky(), textEvent()}, "fuzz")
	f.Add(buf.Bytes())
	if b, err := os.ReadFile("testdata/chrome.har"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := ParseHAR(data)
		if err != nil {
			if evs != nil {
				t.Fatal("events with an error")
			}
			return
		}
		for _, e := range evs {
			if e.Method == "" || e.Size < int64(len(e.Body)) {
				t.Fatalf("bad event %+v", e)
			}
		}
	})
}

func FuzzParseLines(f *testing.F) {
	var buf bytes.Buffer
	Export(&buf, FormatJSONL, []*app.Event{tricky(), textEvent()}, "")
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := ParseLines(data)
		if err != nil && evs != nil {
			t.Fatal("events with an error")
		}
		for _, e := range evs {
			if e.Method == "" {
				t.Fatalf("event without a method")
			}
		}
	})
}

func FuzzParseCurl(f *testing.F) {
	f.Add(Curl(tricky(), "http://127.0.0.1:8790"))
	f.Add(Curl(textEvent(), ""))
	f.Add("curl -X POST -H 'A: b' -d x=1 --data-urlencode 'y=a b' -F f=v -u a:b --compressed --url http://h/p")
	f.Add("curl $'http://h/\\x41' ^\n -d \"a\\\"b\"")
	f.Fuzz(func(t *testing.T, cmd string) {
		e, err := ParseCurl(cmd, CurlOptions{})
		if err != nil {
			return
		}
		if e.Method == "" || !strings.HasPrefix(e.Path, "/") || e.Size != int64(len(e.Body)) {
			t.Fatalf("bad event from %q: %+v", cmd, e)
		}
		// What we export, we read back the same.
		again, err := ParseCurl(Curl(e, "http://h"), CurlOptions{})
		if err != nil {
			t.Fatalf("exported command does not parse: %v\n%s", err, Curl(e, "http://h"))
		}
		if again.Method != e.Method || !bytes.Equal(again.Body, e.Body) {
			t.Fatalf("round trip changed %q %q -> %q %q", e.Method, e.Body, again.Method, again.Body)
		}
	})
}

func FuzzParseRawRequests(f *testing.F) {
	var buf bytes.Buffer
	WriteRaw(&buf, []*app.Event{tricky(), textEvent()})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := ParseRawRequests(data)
		if err != nil && evs != nil {
			t.Fatal("events with an error")
		}
		for _, e := range evs {
			if e.Method == "" || e.Path == "" || e.Size != int64(len(e.Body)) {
				t.Fatalf("bad event %+v", e)
			}
		}
	})
}
