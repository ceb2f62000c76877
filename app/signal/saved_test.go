package signal

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

func captured(t *testing.T, headers app.Headers, body []byte) *app.Event {
	t.Helper()
	return &app.Event{
		ID: 42, ReceivedAt: time.Date(2026, 12, 1, 21, 10, 25, 0, time.UTC), Method: "POST",
		Path: "/salesiq/webhook", Query: "tenant=zylker", Proto: "HTTP/1.1", Host: "127.0.0.1:8790",
		Headers: headers, Body: body, Size: int64(len(body)),
	}
}

func TestSaveAsTemplateFromASignedEvent(t *testing.T) {
	ks := NewKeyStore(t.TempDir())
	pretty := []byte("{\n  \"version\": \"1\",\n  \"event\": \"conversation.rated\",\n  \"org_id\": \"71830452\",\n  \"entity_type\": \"conversation\",\n  \"attempt\": 2\n}\n")
	hs, err := ks.Sign("salesiq", verify.Key{}, verify.Request{Body: pretty, Headers: app.Headers{
		{Name: "Host", Value: "abc.ngrok.app"},
		{Name: "User-Agent", Value: "Zoho-SalesIQ-Webhook/1.0"},
		{Name: "Content-Length", Value: "130"},
		{Name: "Content-Type", Value: "application/json; charset=UTF-8"},
		{Name: "Authorization", Value: "Bearer hunter2-token"},
		{Name: "X-Forwarded-For", Value: "203.0.113.7"},
		{Name: "X-Request-Id", Value: "r-1"},
		{Name: "X-Request-Id", Value: "r-2"},
		{Name: "Accept-Encoding", Value: "gzip"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := captured(t, hs, pretty)
	tp := FromEvent(e, "my.salesiq.rated")
	if err := tp.Check(); err != nil {
		t.Fatalf("saved template does not check: %v", err)
	}
	if tp.Provider != SavedProvider || tp.Event != "conversation.rated" || tp.Method != "POST" || tp.Path != "/salesiq/webhook?tenant=zylker" ||
		tp.Scheme != "salesiq" || tp.SignatureHeader != "x-siqsignature" || tp.Source() != "my" {
		t.Errorf("template %+v", tp)
	}
	want := app.Headers{
		{Name: "User-Agent", Value: "Zoho-SalesIQ-Webhook/1.0"},
		{Name: "Content-Type", Value: "application/json; charset=UTF-8"},
		{Name: "X-Request-Id", Value: "r-1"},
		{Name: "X-Request-Id", Value: "r-2"},
	}
	if len(tp.Headers) != len(want) {
		t.Fatalf("headers %v, want %v", tp.Headers, want)
	}
	for i := range want {
		if tp.Headers[i] != want[i] {
			t.Errorf("header %d %v, want %v", i, tp.Headers[i], want[i])
		}
	}
	if string(tp.Body) != `{"version":"1","event":"conversation.rated","org_id":"71830452","entity_type":"conversation","attempt":2}` {
		t.Errorf("body %s", tp.Body)
	}
	if !strings.Contains(tp.Description, "event 42") || !strings.Contains(tp.Description, "Authorization") {
		t.Errorf("description %q", tp.Description)
	}
	file, err := tp.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(file), "hunter2") || strings.Contains(string(file), hs.Get("x-siqsignature")) {
		t.Errorf("the saved file keeps a credential or the old signature:\n%s", file)
	}
	back, err := Decode(file)
	if err != nil || !equalTemplates(tp, back) {
		t.Fatalf("reading the saved file back: %v\n%s", err, file)
	}
	// Fired again it is re-signed and verifies, attempt counted afresh.
	body, rhs, err := back.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	body = StampAttempt(body, 1)
	signed, _ := ks.Sign(back.Scheme, verify.Key{}, verify.Request{Body: body, Headers: rhs})
	pub, _ := ks.PublicKeyBase64()
	if err := stdlibVerify(t, pub, body, signed.Get("x-siqsignature")); err != nil || !bytes.Contains(body, []byte(`"attempt":1`)) {
		t.Errorf("refired: %v\n%s", err, body)
	}
}

func TestSaveAsTemplateOtherBodies(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"coreUUID":"c","callID":"x","type":"ended"}`))
	zw.Close()
	zipped := FromEvent(captured(t, app.Headers{{Name: "Content-Type", Value: "application/json"}, {Name: "Content-Encoding", Value: "gzip"}}, gz.Bytes()), "ziwo.saved")
	if string(zipped.Body) != `{"coreUUID":"c","callID":"x","type":"ended"}` || zipped.Headers.Get("Content-Encoding") != "" || zipped.Event != "call.ended" || zipped.Scheme != "" {
		t.Errorf("gzip event: body %q headers %v event %q scheme %q", zipped.Body, zipped.Headers, zipped.Event, zipped.Scheme)
	}
	broken := FromEvent(captured(t, app.Headers{{Name: "Content-Encoding", Value: "gzip"}}, []byte("not gzip")), "broken.gzip")
	if string(broken.Body) != "not gzip" || broken.Headers.Get("Content-Encoding") != "gzip" {
		t.Errorf("undecodable body: %q %v", broken.Body, broken.Headers)
	}

	form := FromEvent(captured(t, app.Headers{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}}, []byte("a=1&b=%7B%7D")), "books.form")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
	binary := FromEvent(captured(t, app.Headers{{Name: "Content-Type", Value: "image/png"}}, png), "upload.png")
	for _, c := range []struct {
		tp    Template
		field string
	}{{form, `"body_text": "a=1&b=%7B%7D"`}, {binary, `"body_base64"`}} {
		if c.tp.Event != "request" {
			t.Errorf("%s: event %q, want request", c.tp.Name, c.tp.Event)
		}
		file, err := c.tp.Encode()
		if err != nil || !strings.Contains(string(file), c.field) {
			t.Fatalf("%s: %v\n%s", c.tp.Name, err, file)
		}
		back, err := Decode(file)
		if err != nil || !bytes.Equal(back.Body, c.tp.Body) {
			t.Errorf("%s: body after the round trip %q, %v", c.tp.Name, back.Body, err)
		}
		if body, _, err := back.Render(nil); err != nil || !bytes.Equal(body, c.tp.Body) {
			t.Errorf("%s: rendered %q, %v", c.tp.Name, body, err)
		}
	}

	cut := captured(t, app.Headers{{Name: "Content-Type", Value: "application/json"}}, []byte(`{"event":"big","data":"aaaa`))
	cut.Truncated, cut.Size = true, 11<<20
	if tp := FromEvent(cut, "big.one"); !strings.Contains(tp.Description, "cut at 27 of 11534336 bytes") || tp.Check() != nil {
		t.Errorf("truncated: %q %v", tp.Description, tp.Check())
	}
	if err := FromEvent(cut, "no spaces allowed").Check(); err == nil {
		t.Error("a name with spaces checks")
	}

	// A Standard Webhooks event loses its id, timestamp and signature.
	sw, _ := verify.GenerateKey("standard-webhooks")
	hs, _ := verify.Sign(verify.Config{Scheme: "standard-webhooks"}, sw, verify.Request{Body: []byte(`{"type":"a.b"}`)})
	tp := FromEvent(captured(t, append(app.Headers{{Name: "Content-Type", Value: "application/json"}}, hs...), []byte(`{"type":"a.b"}`)), "sw.a")
	if len(tp.Headers) != 1 || tp.Scheme != "standard-webhooks" || tp.SignatureHeader != "webhook-signature" || tp.Event != "a.b" {
		t.Errorf("standard webhooks: %+v", tp)
	}
	var f map[string]any
	b, _ := json.Marshal(tp)
	json.Unmarshal(b, &f)
	if f["scheme"] != "standard-webhooks" {
		t.Errorf("file form %s", b)
	}
}
