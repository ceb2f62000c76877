package signal

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

func tmpl(t *testing.T, body string, headers ...app.Header) Template {
	t.Helper()
	tp := Template{Name: "test.event", Provider: "Test", Event: "event", Method: "POST", Path: "/t",
		Headers: append(app.Headers{{Name: "Content-Type", Value: "application/json"}}, headers...), Body: []byte(body)}
	return tp
}

func TestVariablesListsWhatTheFormShows(t *testing.T) {
	tp := tmpl(t, `{"id":"{{uuid}}","name":"{{visitor_name}}","n":"{{count|number}}","again":"{{visitor_name}} {{now}}"}`,
		app.Header{Name: "X-Delivery", Value: "{{seq}}-{{tenant}}"})
	tp.Defaults = map[string]string{"visitor_name": "Lena Fischer", "count": "3"}
	if err := tp.Check(); err != nil {
		t.Fatal(err)
	}
	want := []Variable{
		{Name: "seq", Builtin: true},
		{Name: "tenant"},
		{Name: "uuid", Builtin: true},
		{Name: "visitor_name", Default: "Lena Fischer"},
		{Name: "count", Default: "3", Number: true},
		{Name: "now", Builtin: true},
	}
	got := tp.Variables()
	if len(got) != len(want) {
		t.Fatalf("Variables = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("variable %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The SalesIQ chat's form.
	siq := mustFind(t, library(t), "salesiq.conversation.visitor.replied")
	var names []string
	for _, v := range siq.Variables() {
		if !v.Builtin {
			names = append(names, v.Name)
		}
	}
	if strings.Join(names, " ") != "conversation_id visitor_name message visitor_email visitor_phone visitor_id" {
		t.Errorf("SalesIQ visitor.replied variables %v", names)
	}
}

func TestRenderEscapesValuesInsideJSONStrings(t *testing.T) {
	tp := tmpl(t, `{"name":"{{name}}","greeting":"Hi {{name}}!","{{key}}":true}`)
	nasty := "Lena \"the\" Fischer\n\\ <b>&</b> \u2028 é \x01"
	body, _, err := tp.Render(map[string]string{"name": nasty, "key": `k"ey`})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, body)
	}
	if m["name"] != nasty || m["greeting"] != "Hi "+nasty+"!" || m[`k"ey`] != true {
		t.Errorf("decoded %q", m)
	}
	if strings.Contains(string(body), `\u003c`) {
		t.Errorf("< was HTML-escaped: %s", body)
	}
}

func TestRenderNumbers(t *testing.T) {
	tp := tmpl(t, `{"t":"{{now_ms|number}}","n":"{{ amount | number }}","s":"{{amount}}"}`)
	tp.Defaults = map[string]string{"amount": "18950"}
	if err := tp.Check(); err != nil {
		t.Fatal(err)
	}
	body, _, err := tp.Render(map[string]string{"now_ms": "1767225600000"})
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"t":1767225600000,"n":18950,"s":"18950"}` {
		t.Errorf("body %s", body)
	}
	for _, bad := range []string{"12abc", "", `"5"`, "1 2", "true"} {
		_, _, err := tp.Render(map[string]string{"amount": bad})
		if err == nil || !strings.Contains(err.Error(), `"amount" must be a number`) {
			t.Errorf("amount %q: error %v", bad, err)
		}
	}
	if b, _, err := tp.Render(map[string]string{"amount": "-12.5e3"}); err != nil || !json.Valid(b) {
		t.Errorf("-12.5e3: %s %v", b, err)
	}
}

func TestRenderBuiltins(t *testing.T) {
	tp := tmpl(t, `{"now":"{{now}}","ms":"{{now_ms}}","unix":"{{now_unix}}","a":"{{uuid}}","b":"{{uuid}}","seq":"{{seq}}","email":"{{random_email}}","name":"{{random_name}}","again":"{{random_name}}"}`)
	before := time.Now().Add(-time.Millisecond)
	var m map[string]string
	body, _, err := tp.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(body, &m)
	at, err := time.Parse(time.RFC3339, m["now"])
	if err != nil || at.Before(before.Truncate(time.Millisecond)) || !strings.HasSuffix(m["now"], "Z") {
		t.Errorf("now %q: %v", m["now"], err)
	}
	ms, _ := strconv.ParseInt(m["ms"], 10, 64)
	unix, _ := strconv.ParseInt(m["unix"], 10, 64)
	if ms != at.UnixMilli() || unix != at.Unix() {
		t.Errorf("now %s, now_ms %s, now_unix %s read different clocks", m["now"], m["ms"], m["unix"])
	}
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !v4.MatchString(m["a"]) || !v4.MatchString(m["b"]) || m["a"] == m["b"] {
		t.Errorf("uuids %q %q: want two different version 4 UUIDs", m["a"], m["b"])
	}
	if m["seq"] != "1" {
		t.Errorf("seq %q, want 1 by default", m["seq"])
	}
	first, last, _ := strings.Cut(m["name"], " ")
	local, domain, _ := strings.Cut(m["email"], "@")
	if m["again"] != m["name"] || local != strings.ToLower(first+"."+strings.ReplaceAll(last, " ", "")) || !strings.HasPrefix(domain, "example.") {
		t.Errorf("random_name %q, random_email %q", m["name"], m["email"])
	}
	body, _, _ = tp.Render(map[string]string{"now": "fixed", "uuid": "u"}, 7)
	json.Unmarshal(body, &m)
	if m["seq"] != "7" || m["now"] != "fixed" || m["a"] != "u" {
		t.Errorf("given seq and overrides: %v", m)
	}
}

func TestRenderErrors(t *testing.T) {
	tp := tmpl(t, `{"a":"{{missing}}"}`)
	if _, _, err := tp.Render(nil); err == nil || !strings.Contains(err.Error(), `variable "missing" has no value`) || !strings.Contains(err.Error(), "test.event") {
		t.Errorf("missing variable: %v", err)
	}
	hdr := tmpl(t, `{}`, app.Header{Name: "X-Tenant", Value: "{{tenant}}"})
	if _, _, err := hdr.Render(map[string]string{"tenant": "a\r\nX-Evil: 1"}); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("CRLF in a header: %v", err)
	}
	if _, hs, err := hdr.Render(map[string]string{"tenant": "acme"}); err != nil || hs.Get("X-Tenant") != "acme" {
		t.Errorf("header: %v %v", hs, err)
	}
	loop := tmpl(t, `{"a":"{{a}}"}`)
	loop.Defaults = map[string]string{"a": "{{b}}", "b": "{{a}}"}
	if _, _, err := loop.Render(nil); err == nil || !strings.Contains(err.Error(), "only the built-in") {
		t.Errorf("defaults naming each other: %v", err)
	}
}

func TestCheckRefusesPlaceholdersThatCannotRender(t *testing.T) {
	cases := map[string]struct {
		tp   Template
		want string
	}{
		"number inside a longer string": {tmpl(t, `{"a":"id {{n|number}}"}`), "must be the whole string"},
		"unknown filter":                {tmpl(t, `{"a":"{{n|upper}}"}`), "unknown filter"},
		"number in a header":            {tmpl(t, `{}`, app.Header{Name: "X-N", Value: "{{n|number}}"}), "JSON bodies only"},
		"default for a built-in":        {func() Template { x := tmpl(t, `{}`); x.Defaults = map[string]string{"now": "x"}; return x }(), "built in"},
		"bad name":                      {func() Template { x := tmpl(t, `{}`); x.Name = "my template"; return x }(), "letters, digits"},
		"bad scheme":                    {func() Template { x := tmpl(t, `{}`); x.Scheme = "rot13"; return x }(), "unknown signature scheme"},
	}
	for name, c := range cases {
		if err := c.tp.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want it to say %q", name, err, c.want)
		}
	}
}

func TestRenderOtherBodies(t *testing.T) {
	braces := tmpl(t, `{"tpl":"{{#each items}}{{ }}{{name}}"}`)
	body, _, err := braces.Render(map[string]string{"name": "x"})
	if err != nil || string(body) != `{"tpl":"{{#each items}}{{ }}x"}` {
		t.Errorf("braces that are not variables: %s %v", body, err)
	}
	form := Template{Name: "f.f", Provider: "P", Event: "e", Method: "POST", Path: "/f",
		Headers: app.Headers{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}},
		Body:    []byte("name={{name}}&n={{seq}}")}
	body, _, err = form.Render(map[string]string{"name": "Ana & Tom=1"}, 3)
	v, _ := url.ParseQuery(string(body))
	if err != nil || v.Get("name") != "Ana & Tom=1" || v.Get("n") != "3" {
		t.Errorf("form body %q: %v", body, err)
	}
	text := Template{Name: "t.t", Provider: "P", Event: "e", Method: "POST", Path: "/t", Body: []byte("hello {{name}}\n")}
	if body, _, err = text.Render(map[string]string{"name": `"x"`}); err != nil || string(body) != "hello \"x\"\n" {
		t.Errorf("text body %q: %v", body, err)
	}
}

func FuzzDecodeAndRender(f *testing.F) {
	for _, name := range []string{"salesiq.conversation.rated", "ziwo.call.ended", "stripe.payment_intent.succeeded"} {
		tp, _ := Find(must(Builtin()), name)
		b, _ := tp.Encode()
		f.Add(b, "Lena \"x\" \\ {{now}}")
	}
	f.Add([]byte(`{"name":"a.b","provider":"p","event":"e","method":"POST","path":"/","headers":[],"body_text":"{{a}}{{"}`), "1")
	f.Fuzz(func(t *testing.T, file []byte, value string) {
		tp, err := Decode(file)
		if err != nil {
			return
		}
		vars := map[string]string{}
		for _, v := range tp.Variables() {
			vars[v.Name] = value
			if v.Number {
				vars[v.Name] = "12"
			}
		}
		body, hs, err := tp.Render(vars)
		if err != nil {
			if strings.Contains(err.Error(), "line break") || !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
				return
			}
			t.Fatalf("a decoded template with every variable set does not render: %v", err)
		}
		if tp.IsJSON() && !json.Valid(body) {
			t.Fatalf("rendered JSON template is not JSON: %s", body)
		}
		for _, h := range hs {
			if strings.ContainsAny(h.Value, "\r\n") {
				t.Fatalf("header %s holds a line break", h.Name)
			}
		}
		again, err := Decode(must(tp.Encode()))
		if err != nil || !equalTemplates(tp, again) {
			t.Fatalf("file form does not round trip: %v", err)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPlaceholdersWrittenWithJSONEscapes(t *testing.T) {
	tp := tmpl(t, `{"a":"{{\u0076isitor}}","b":"\u007b\u007bn|number}}","c":"x\"{{visitor}}\"","d":"{{#not}}\\{{x"}`)
	tp.Defaults = map[string]string{"visitor": "Lena", "n": "7"}
	if err := tp.Check(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range tp.Variables() {
		names = append(names, v.Name)
	}
	body, _, err := tp.Render(nil)
	if err != nil || string(body) != `{"a":"Lena","b":7,"c":"x\"Lena\"","d":"{{#not}}\\{{x"}` || strings.Join(names, ",") != "visitor,n" {
		t.Errorf("body %s, variables %v, %v", body, names, err)
	}
}
