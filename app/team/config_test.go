package team

import (
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

func TestConfigSaysWhatIsWrongAndNeverShowsPasswords(t *testing.T) {
	c := Config{URL: "nats://ops:s3cret-pw@10.1.1.1:4222, nats://ops:s3cret-pw@10.1.1.2:4222"}
	if r := c.Redacted(); strings.Contains(r, "s3cret-pw") || !strings.Contains(r, "10.1.1.2") {
		t.Errorf("Redacted() = %q", r)
	}
	for _, bad := range []Config{
		{},
		{URL: "http://host:4222"},
		{URL: "nats://h:4222", Creds: "x.creds", User: "u", Password: "p"},
		{URL: "nats://h:4222", User: "u"},
		{URL: "nats://h:4222", Stream: "has.dot"},
		{URL: "nats://x:hunter2@h:4222 bad", Instance: "a b"},
	} {
		err := bad.Validate()
		if err == nil {
			t.Errorf("%+v was accepted", bad)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	if err := (Config{URL: "tls://a:4222,nats://b:4222", User: "u", Password: "p"}).Validate(); err != nil {
		t.Errorf("a valid cluster config: %v", err)
	}
}

func TestMessageCarriesTheWholeEventAndItsOrigin(t *testing.T) {
	e := &app.Event{
		ID: 42, ReceivedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Method: "POST", Path: "/stripe/x", Query: "a=1",
		Proto: "HTTP/1.1", Host: "hooks.example.com", Endpoint: "stripe",
		Headers: app.Headers{{Name: "A", Value: "1"}, {Name: "a", Value: "2"}},
		Body:    []byte{0, 1, 0xff}, Size: 3, RemoteAddr: "1.2.3.4:5",
		Response: app.Response{Status: 503},
		Verdict:  app.Verdict{Scheme: "stripe", Result: app.VerdictInvalid, Reason: "no match", Details: "expected abc"},
	}
	if got := Subject("desk-1", e); got != "hooklens.events.desk-1.stripe" {
		t.Errorf("subject %q", got)
	}
	e2 := *e
	e2.Endpoint = ""
	if got := Subject("desk-1", &e2); got != "hooklens.events.desk-1._" {
		t.Errorf("subject without an endpoint %q", got)
	}
	if got := MsgID("desk-1", e); got != "desk-1:42" {
		t.Errorf("msg id %q", got)
	}
	b, err := encode("desk-1", e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Origin != "team:desk-1:42" || got.ID != 0 || got.Host != e.Host || got.Proto != e.Proto ||
		got.Verdict != e.Verdict || string(got.Body) != string(e.Body) || len(got.Headers) != 2 || got.Headers[1] != e.Headers[1] ||
		!got.ReceivedAt.Equal(e.ReceivedAt) || got.Response.Status != 503 || got.Query != "a=1" {
		t.Fatalf("decoded %+v", got)
	}
	// Bytes a JSON string cannot carry survive too.
	e.Headers = append(e.Headers, app.Header{Name: "X-Latin1", Value: "caf\xe9"})
	e.Path = "/stripe/\xff"
	b, _ = encode("desk-1", e)
	if got, err = decode(b); err != nil || got.Path != e.Path || got.Headers[2].Value != "caf\xe9" || len(got.Headers) != 3 {
		t.Fatalf("non-UTF-8 fields decoded as %q %q (%v)", got.Path, got.Headers, err)
	}
	if _, err := decode([]byte(`{"id":"1"}`)); err == nil {
		t.Error("a message without an instance was accepted")
	}
}
