package app

import (
	"bytes"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
)

// An incoming-SMS webhook as Twilio sends it (form fields in Twilio's order).
const twilioSMS = "ToCountry=US&ToState=CA&SmsMessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&NumMedia=0&ToCity=&FromZip=94105" +
	"&SmsSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&FromState=CA&SmsStatus=received&FromCity=SAN+FRANCISCO" +
	"&Body=Hello+from+Twilio%21+%F0%9F%91%8B+50%25+off&FromCountry=US&To=%2B15005550006&ToZip=" +
	"&NumSegments=1&MessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&AccountSid=ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" +
	"&From=%2B14158675309&ApiVersion=2010-04-01"

// A Slack slash command, as documented by Slack.
const slackCommand = "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&enterprise_id=E0001" +
	"&enterprise_name=Globular%20Construct%20Inc&channel_id=C2147483705&channel_name=test&user_id=U2147483697" +
	"&user_name=Steve&command=/weather&text=94070" +
	"&response_url=https://hooks.slack.com/commands/1234/5678&trigger_id=13345224609.738474920.8088930838d88f008e0&api_app_id=A123456"

func TestParseFormTwilioAndSlack(t *testing.T) {
	f := ParseForm(twilioSMS)
	if len(f) != 19 {
		t.Fatalf("Twilio body: %d fields, want 19: %q", len(f), f)
	}
	if f[0] != (FormField{"ToCountry", "US"}) || f[18] != (FormField{"ApiVersion", "2010-04-01"}) {
		t.Errorf("order not kept: first %q, last %q", f[0], f[18])
	}
	want := map[string]string{"Body": "Hello from Twilio! 👋 50% off", "To": "+15005550006", "FromCity": "SAN FRANCISCO", "ToCity": ""}
	for _, fl := range f {
		if w, ok := want[fl.Name]; ok {
			if fl.Value != w {
				t.Errorf("%s = %q, want %q", fl.Name, fl.Value, w)
			}
			delete(want, fl.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("fields missing: %v", want)
	}

	s := ParseForm(slackCommand)
	byName := map[string]string{}
	for _, fl := range s {
		byName[fl.Name] = fl.Value
	}
	if byName["enterprise_name"] != "Globular Construct Inc" || byName["command"] != "/weather" ||
		byName["response_url"] != "https://hooks.slack.com/commands/1234/5678" || len(s) != 14 {
		t.Errorf("Slack command decoded as %q", s)
	}

	// Slack interactions put JSON in one field.
	p := ParseForm("payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U1%22%7D%7D")
	if len(p) != 1 || p[0].Value != `{"type":"block_actions","user":{"id":"U1"}}` {
		t.Errorf("interaction payload %q", p)
	}
}

func TestParseFormKeepsRepeatsAndBadEscapes(t *testing.T) {
	got := ParseForm("b=2&a=J%C3%BCrgen&b=x+y&flag&bad=%zz&&tail=1\r\n")
	want := []FormField{{"b", "2"}, {"a", "Jürgen"}, {"b", "x y"}, {"flag", ""}, {"bad", "%zz"}, {"tail", "1"}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestFormKind(t *testing.T) {
	for ct, want := range map[string]string{
		"application/x-www-form-urlencoded":                    FormURLEncoded,
		"application/x-www-form-urlencoded; charset=utf-8":     FormURLEncoded,
		"Application/X-WWW-Form-Urlencoded":                    FormURLEncoded,
		"multipart/form-data; boundary=----WebKitFormBoundary": FormMultipart,
		"application/json":                                     "",
		"":                                                     "",
		"text/plain; ;;=":                                      "",
		"multipart/related":                                    FormMultipart,
	} {
		if got := FormKind(Headers{{Name: "Content-Type", Value: ct}}); got != want {
			t.Errorf("FormKind(%q) = %q, want %q", ct, got, want)
		}
	}
}

// multipartBody builds a real multipart/form-data body with mime/multipart.
func multipartBody(t *testing.T) (contentType string, body []byte, png []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("event", "invoice.paid")
	mw.WriteField("note", "line one\nline two")
	png = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'}
	fw, err := mw.CreateFormFile("receipt", "receipt 42.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(png)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="meta"; filename="meta.json"`)
	h.Set("Content-Type", "application/json")
	pw, _ := mw.CreatePart(h)
	pw.Write([]byte(`{"id":42}`))
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes(), png
}

func TestParseMultipartListsParts(t *testing.T) {
	ct, body, png := multipartBody(t)
	parts, err := ParseMultipart(ct, body)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 4 {
		t.Fatalf("%d parts, want 4", len(parts))
	}
	if p := parts[0]; p.Name != "event" || p.Filename != "" || string(p.Body) != "invoice.paid" || p.ContentType != "" {
		t.Errorf("part 1 %+v", p)
	}
	if p := parts[1]; string(p.Body) != "line one\nline two" {
		t.Errorf("part 2 body %q", p.Body)
	}
	if p := parts[2]; p.Name != "receipt" || p.Filename != "receipt 42.png" || p.ContentType != "application/octet-stream" || !bytes.Equal(p.Body, png) {
		t.Errorf("file part %+v", p)
	}
	if p := parts[3]; p.ContentType != "application/json" || p.Filename != "meta.json" || string(p.Body) != `{"id":42}` {
		t.Errorf("json part %+v", p)
	}
	if h := parts[3].Headers; len(h) != 2 || h[0].Name != "Content-Disposition" || h[1].Name != "Content-Type" {
		t.Errorf("part headers %+v", h)
	}
}

func TestParseMultipartDamagedKeepsWhatItRead(t *testing.T) {
	ct, body, _ := multipartBody(t)
	// Cut inside the third part: the first two survive, the error says where.
	cut := body[:bytes.Index(body, []byte("PNG"))+2]
	parts, err := ParseMultipart(ct, cut)
	if err == nil || len(parts) < 2 || parts[0].Name != "event" {
		t.Fatalf("cut body: %d parts, %v", len(parts), err)
	}
	if !strings.Contains(err.Error(), "part 3") && !strings.Contains(err.Error(), "after 2 parts") {
		t.Errorf("error %q does not say where the damage is", err)
	}
	if _, err := ParseMultipart("multipart/form-data", body); err == nil || !strings.Contains(err.Error(), "boundary") {
		t.Errorf("no boundary: %v", err)
	}
	if _, err := ParseMultipart("multipart/form-data; boundary=nothere", body); err == nil {
		t.Error("a wrong boundary should be an error, not an empty list")
	}
	if parts, err := ParseMultipart(ct, nil); err == nil || len(parts) != 0 {
		t.Errorf("empty body: %d parts, %v", len(parts), err)
	}
}

func FuzzParseMultipart(f *testing.F) {
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		parts, _ := ParseMultipart(ct, body)
		if len(parts) > MaxParts {
			t.Fatalf("%d parts", len(parts))
		}
	})
}

func FuzzParseForm(f *testing.F) {
	f.Add(twilioSMS)
	f.Add("a=%zz&&b&=c%")
	f.Fuzz(func(t *testing.T, raw string) {
		for _, fl := range ParseForm(raw) {
			if strings.Contains(fl.Name, "&") && !strings.Contains(raw, "%26") {
				t.Fatalf("field %q split wrong from %q", fl.Name, raw)
			}
		}
	})
}
