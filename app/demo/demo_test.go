package demo

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"image/png"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
)

func loadReal(t *testing.T) []signal.Template {
	t.Helper()
	tpls, err := signal.LoadTemplates(os.DirFS("../../assets"))
	if err != nil {
		t.Fatalf("loading the shipped templates: %v", err)
	}
	return tpls
}

func find(tpls []signal.Template, provider, event string) *signal.Template {
	for i := range tpls {
		if tpls[i].Provider == provider && tpls[i].Event == event {
			return &tpls[i]
		}
	}
	return nil
}

// keys returns the top-level keys of a JSON object in the order they appear.
func keys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("body is not a JSON object: %s", body)
	}
	var out []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestTemplatesParseWithValidCompactBodies(t *testing.T) {
	tpls := loadReal(t)
	if len(tpls) < 20 {
		t.Fatalf("got %d templates, want the whole library (at least 20)", len(tpls))
	}
	names := map[string]bool{}
	for _, tp := range tpls {
		if names[tp.Name] {
			t.Errorf("template name %q used twice", tp.Name)
		}
		names[tp.Name] = true
		if !json.Valid(tp.Body) {
			t.Errorf("%s: body is not valid JSON", tp.Name)
		}
		var c bytes.Buffer
		json.Compact(&c, tp.Body)
		if !bytes.Equal(c.Bytes(), tp.Body) {
			t.Errorf("%s: body is not compact", tp.Name)
		}
		if tp.Method != "POST" || !strings.HasPrefix(tp.Path, "/") || tp.Description == "" {
			t.Errorf("%s: method %q path %q description %q", tp.Name, tp.Method, tp.Path, tp.Description)
		}
		if !strings.HasPrefix(tp.Headers.Get("Content-Type"), "application/json") {
			t.Errorf("%s: Content-Type %q, want JSON", tp.Name, tp.Headers.Get("Content-Type"))
		}
	}
}

func TestSalesIQTemplatesCoverSeedEvents(t *testing.T) {
	tpls := loadReal(t)
	envelope := []string{"version", "event", "event_time", "org_id", "app_id", "attempt", "entity_type", "entity_id", "entity", "modified_fields"}
	for _, ev := range []string{"conversation.created", "conversation.attender.updated", "conversation.missed",
		"conversation.completed", "conversation.rated", "conversation.visitor.replied", "conversation.operator.replied"} {
		tp := find(tpls, "Zoho SalesIQ", ev)
		if tp == nil {
			t.Errorf("no SalesIQ template for %s", ev)
			continue
		}
		if got := keys(t, tp.Body); !slices.Equal(got, envelope) {
			t.Errorf("%s: envelope keys %v, want %v", ev, got, envelope)
		}
		var body struct {
			Event      string `json:"event"`
			EntityType string `json:"entity_type"`
			EntityID   string `json:"entity_id"`
			Entity     struct {
				ID      string `json:"id"`
				Visitor struct {
					EmailID string `json:"email_id"`
				} `json:"visitor"`
			} `json:"entity"`
		}
		if err := json.Unmarshal(tp.Body, &body); err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
		if body.Event != ev || body.EntityType != "conversation" || body.EntityID == "" || body.Entity.ID != body.EntityID {
			t.Errorf("%s: event %q entity_type %q entity_id %q entity.id %q", ev, body.Event, body.EntityType, body.EntityID, body.Entity.ID)
		}
		if body.Entity.Visitor.EmailID == "" {
			t.Errorf("%s: entity has no visitor email_id", ev)
		}
		if tp.SignatureHeader != "x-siqsignature" {
			t.Errorf("%s: signature header %q, want x-siqsignature", ev, tp.SignatureHeader)
		}
	}
}

func TestZiwoTemplatesUseSeedFields(t *testing.T) {
	tpls := loadReal(t)
	callFields := []string{"coreUUID", "dialplan", "callID", "otherLegCallID", "type", "data", "flags",
		"callerIdName", "callerIdNumber", "calleeIdName", "calleeIdNumber", "startedAt", "startedAtEpoch"}
	for _, ev := range []string{"call.created", "call.ringing", "call.answered", "call.ended"} {
		tp := find(tpls, "Ziwo", ev)
		if tp == nil {
			t.Errorf("no Ziwo template for %s", ev)
			continue
		}
		if got := keys(t, tp.Body); len(got) < len(callFields) || !slices.Equal(got[:len(callFields)], callFields) {
			t.Errorf("%s: keys %v, want to start with %v", ev, got, callFields)
		}
		var body struct{ Type string }
		json.Unmarshal(tp.Body, &body)
		if "call."+body.Type != ev {
			t.Errorf("%s: type %q", ev, body.Type)
		}
	}
	for ev, typ := range map[string]string{"agent.login": "agent-connected", "agent.logout": "agent-disconnected"} {
		tp := find(tpls, "Ziwo", ev)
		if tp == nil {
			t.Errorf("no Ziwo template for %s", ev)
			continue
		}
		var body struct{ CoreUUID, Status, Action, Type, StartedAtEpoch string }
		json.Unmarshal(tp.Body, &body)
		if body.Type != typ || body.Status == "" || body.Action == "" || body.CoreUUID == "" || body.StartedAtEpoch == "" {
			t.Errorf("%s: %+v", ev, body)
		}
	}
}

func TestBiginTemplates(t *testing.T) {
	tpls := loadReal(t)
	ns := regexp.MustCompile(`^[a-z0-9]+_[a-z0-9_]+$`)
	signals := 0
	for _, tp := range tpls {
		if tp.Provider != "Zoho Bigin" || tp.Event != "signal" {
			continue
		}
		signals++
		var body struct {
			Namespace string `json:"signal_namespace"`
			Subject   string `json:"subject"`
			Message   string `json:"message"`
			Email     string `json:"email"`
			Actions   []struct {
				Type        string `json:"type"`
				OpenIn      string `json:"open_in"`
				DisplayName string `json:"display_name"`
				URL         string `json:"url"`
			} `json:"actions"`
		}
		dec := json.NewDecoder(bytes.NewReader(tp.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			t.Fatalf("%s: %v", tp.Name, err)
		}
		if !ns.MatchString(body.Namespace) {
			t.Errorf("%s: namespace %q is not <topping>_<signal>", tp.Name, body.Namespace)
		}
		if body.Subject == "" || body.Message == "" || !strings.Contains(body.Email, "@") || len(body.Actions) == 0 {
			t.Errorf("%s: incomplete signal %+v", tp.Name, body)
		}
		var raw struct {
			Actions []map[string]string `json:"actions"`
		}
		json.Unmarshal(tp.Body, &raw)
		for _, a := range raw.Actions {
			if a["type"] != "link" || (a["open_in"] != "tab" && a["open_in"] != "popup") || a["display_name"] == "" || !strings.HasPrefix(a["url"], "https://") {
				t.Errorf("%s: action %v", tp.Name, a)
			}
		}
	}
	if signals == 0 {
		t.Fatal("no Bigin signal template")
	}
	fn := find(tpls, "Zoho Bigin", "function.execute")
	if fn == nil {
		t.Fatal("no Bigin function webhook template")
	}
	p, q, _ := strings.Cut(fn.Path, "?")
	if !regexp.MustCompile(`^/bigin/v1/functions/[a-z0-9]+_[a-z0-9_]+/actions/execute$`).MatchString(p) {
		t.Errorf("function path %q", p)
	}
	v, err := url.ParseQuery(q)
	if err != nil || v.Get("auth_type") != "apikey" || v.Get("zapikey") == "" {
		t.Errorf("function query %q, want auth_type=apikey&zapikey=...", q)
	}
}

func TestSignalZenTemplates(t *testing.T) {
	tpls := loadReal(t)
	for _, ev := range []string{"message.created", "user.created", "user.closed", "user.rated", "user.blocked"} {
		tp := find(tpls, "SignalZen", ev)
		if tp == nil {
			t.Errorf("no SignalZen template for %s", ev)
			continue
		}
		var body struct {
			Event   string          `json:"event"`
			User    json.RawMessage `json:"user"`
			Message json.RawMessage `json:"message"`
		}
		json.Unmarshal(tp.Body, &body)
		if body.Event != ev || body.User == nil || (ev == "message.created") != (body.Message != nil) {
			t.Errorf("%s: event %q user %s message %s", ev, body.Event, body.User, body.Message)
		}
	}
}

func TestLoadTemplatesErrorsNameTheFile(t *testing.T) {
	good := `{"name":"a.b","provider":"P","event":"b","method":"POST","path":"/p","headers":[["Content-Type","application/json"]],"body":{"x":1}}`
	cases := map[string]struct {
		fs   fstest.MapFS
		want []string
	}{
		"no files":      {fstest.MapFS{}, []string{"no templates/*.json"}},
		"broken json":   {fstest.MapFS{"templates/bad.json": {Data: []byte(`{"name":`)}}, []string{"templates/bad.json"}},
		"unknown field": {fstest.MapFS{"templates/typo.json": {Data: []byte(`{"nmae":"x"}`)}}, []string{"templates/typo.json", "nmae"}},
		"no name": {fstest.MapFS{"templates/x.json": {Data: []byte(strings.Replace(good, `"a.b"`, `""`, 1))}},
			[]string{"templates/x.json", `"name" is missing`}},
		"bad path": {fstest.MapFS{"templates/x.json": {Data: []byte(strings.Replace(good, `"/p"`, `"p"`, 1))}},
			[]string{"templates/x.json", "must start with /"}},
		"bad header": {fstest.MapFS{"templates/x.json": {Data: []byte(strings.Replace(good, `["Content-Type","application/json"]`, `["Content Type"]`, 1))}},
			[]string{"templates/x.json", "header 1"}},
		"duplicate": {fstest.MapFS{"templates/one.json": {Data: []byte(good)}, "templates/two.json": {Data: []byte(good)}},
			[]string{"templates/two.json", "one.json", `"a.b"`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := signal.LoadTemplates(c.fs)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	tpls, err := signal.LoadTemplates(fstest.MapFS{"templates/ok.json": {Data: []byte(good)}})
	if err != nil || len(tpls) != 1 || string(tpls[0].Body) != `{"x":1}` || tpls[0].Headers.Get("content-type") != "application/json" {
		t.Fatalf("good template: %+v, %v", tpls, err)
	}
}

var now = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

func TestEventsLookCaptured(t *testing.T) {
	evs := Events(loadReal(t), now)
	if len(evs) < 30 {
		t.Fatalf("got %d events, want at least 30", len(evs))
	}
	providers := map[string]int{}
	var gzipped, form, get, binary, s500, s404 int
	for i, e := range evs {
		where := e.Method + " " + e.RequestURI() + " at " + e.ReceivedAt.Format(time.RFC3339Nano)
		if i > 0 && !e.ReceivedAt.After(evs[i-1].ReceivedAt) {
			t.Errorf("%s: not after the previous event", where)
		}
		if e.ReceivedAt.Before(now.Add(-2*time.Hour)) || e.ReceivedAt.After(now) {
			t.Errorf("%s: outside the two hours before now", where)
		}
		if e.Size != int64(len(e.Body)) {
			t.Errorf("%s: Size %d, body %d bytes", where, e.Size, len(e.Body))
		}
		if cl := e.Headers.Get("Content-Length"); cl != strconv.Itoa(len(e.Body)) && (cl != "" || len(e.Body) > 0) {
			t.Errorf("%s: Content-Length %q, body %d bytes", where, cl, len(e.Body))
		}
		if len(e.Headers) == 0 || e.Headers[0].Name != "Host" || e.Headers[0].Value != e.Host || e.Host != Host {
			t.Errorf("%s: Host header first want %s, headers %v", where, Host, e.Headers)
		}
		if e.Proto != "HTTP/1.1" || e.Endpoint != "" || !strings.HasPrefix(e.RemoteAddr, "127.0.0.1:") || e.ID != 0 {
			t.Errorf("%s: proto %q endpoint %q remote %q id %d", where, e.Proto, e.Endpoint, e.RemoteAddr, e.ID)
		}
		if strings.Contains(e.Path, "?") {
			t.Errorf("%s: query left in the path", where)
		}
		if e.Response.Status >= 200 && e.Response.Status < 300 && e.Response.Body != nil {
			t.Errorf("%s: 2xx body set before FinishResponse", where)
		}
		switch e.Response.Status {
		case 500:
			s500++
		case 404:
			s404++
		}
		if e.Response.Status >= 300 && !json.Valid(e.Response.Body) {
			t.Errorf("%s: error response body %q is not JSON", where, e.Response.Body)
		}
		if e.Method == "GET" && e.Query != "" {
			get++
		}
		body, enc, err := app.DecodedBody(e.Headers, e.Body, app.MaxDecodedBody)
		if err != nil {
			t.Errorf("%s: %v", where, err)
		}
		if enc == "gzip" {
			gzipped++
			if !json.Valid(body) {
				t.Errorf("%s: gzip body does not decode to JSON", where)
			}
		}
		ct := e.Headers.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "application/json") && !json.Valid(body):
			t.Errorf("%s: %s body is not valid JSON: %s", where, ct, body)
		case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
			form++
			v, err := url.ParseQuery(string(e.Body))
			if err != nil || !json.Valid([]byte(v.Get("JSONString"))) {
				t.Errorf("%s: form body %q has no JSONString", where, e.Body)
			}
		case ct == "image/png":
			binary++
			if _, err := png.Decode(bytes.NewReader(e.Body)); err != nil || app.IsText(e.Body) {
				t.Errorf("%s: not a binary PNG: %v", where, err)
			}
		}
		switch {
		case strings.HasPrefix(e.Path, "/salesiq/"):
			providers["salesiq"]++
			sig, err := base64.StdEncoding.DecodeString(e.Headers.Get("x-siqsignature"))
			if err != nil || len(sig) != 256 {
				t.Errorf("%s: x-siqsignature is not a base64 RSA-2048 signature (%d bytes, %v)", where, len(sig), err)
			}
			var env struct {
				EventTime int64 `json:"event_time"`
				Attempt   int   `json:"attempt"`
			}
			json.Unmarshal(e.Body, &env)
			// SalesIQ retries a minute apart, so a retry's event is older.
			late := time.Second + time.Duration(env.Attempt-1)*time.Minute
			if lag := e.ReceivedAt.Sub(time.UnixMilli(env.EventTime)); lag < 0 || lag > late {
				t.Errorf("%s: event_time %d is %v before it arrived", where, env.EventTime, lag)
			}
		case strings.HasPrefix(e.Path, "/signalzen/"):
			providers["signalzen"]++
			m := hmac.New(sha256.New, []byte(SignalZenSecret))
			m.Write(e.Body)
			if got := e.Headers.Get("X-Signalzen-Signature"); got != hex.EncodeToString(m.Sum(nil)) {
				t.Errorf("%s: X-Signalzen-Signature %q is not the HMAC of the body", where, got)
			}
		case strings.HasPrefix(e.Path, "/ziwo/"):
			providers["ziwo"]++
		case strings.HasPrefix(e.Path, "/bigin/"):
			providers["bigin"]++
		}
	}
	for _, p := range []string{"salesiq", "signalzen", "ziwo", "bigin"} {
		if providers[p] < 2 {
			t.Errorf("only %d %s events", providers[p], p)
		}
	}
	for what, n := range map[string]int{"gzip body": gzipped, "form post": form, "GET with a query": get,
		"PNG body": binary, "500 response": s500, "404 response": s404} {
		if n == 0 {
			t.Errorf("no %s among the demo events", what)
		}
	}
}

func TestEventsTellConsistentStories(t *testing.T) {
	evs := Events(loadReal(t), now)
	// The failed SalesIQ delivery is retried a minute later with attempt 2.
	retried := false
	for i, e := range evs {
		if e.Response.Status != 500 {
			continue
		}
		if i+1 == len(evs) {
			t.Fatal("the 500 is the last event: no retry")
		}
		r := evs[i+1]
		var a, b struct{ Attempt int }
		json.Unmarshal(e.Body, &a)
		json.Unmarshal(r.Body, &b)
		if r.ReceivedAt.Sub(e.ReceivedAt) != time.Minute || a.Attempt != 1 || b.Attempt != 2 || r.Response.Status != 200 {
			t.Errorf("retry after the 500: %v later, attempts %d then %d, status %d", r.ReceivedAt.Sub(e.ReceivedAt), a.Attempt, b.Attempt, r.Response.Status)
		}
		if again := bytes.Replace(e.Body, []byte(`"attempt":1`), []byte(`"attempt":2`), 1); !bytes.Equal(again, r.Body) {
			t.Errorf("the retry is not the same event:\n%s\n%s", e.Body, r.Body)
		}
		retried = true
	}
	if !retried {
		t.Error("no failed delivery to retry")
	}
	// A Ziwo call keeps its ids from created to ended.
	calls := map[string][]string{}
	for _, e := range evs {
		if e.Path != "/ziwo/calls" {
			continue
		}
		body, _, _ := app.DecodedBody(e.Headers, e.Body, app.MaxDecodedBody)
		var c struct{ CallID, Type string }
		json.Unmarshal(body, &c)
		calls[c.CallID] = append(calls[c.CallID], c.Type)
	}
	for id, types := range calls {
		if !slices.Equal(types, []string{"created", "ringing", "answered", "ended"}) {
			t.Errorf("call %s went %v", id, types)
		}
	}
	if len(calls) < 2 {
		t.Errorf("%d calls, want at least 2", len(calls))
	}
}

func TestEventsAreDeterministic(t *testing.T) {
	tpls := loadReal(t)
	a, b := Events(tpls, now), Events(tpls, now)
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with the same now differ")
	}
	c := Events(tpls, now.Add(time.Hour))
	if reflect.DeepEqual(a[0].Headers, c[0].Headers) && a[5].RemoteAddr == c[5].RemoteAddr && bytes.Equal(a[5].Body, c[5].Body) {
		t.Error("a different now gives the same events")
	}
}

func TestEventsWithoutTemplates(t *testing.T) {
	evs := Events(nil, now)
	if len(evs) == 0 || len(evs) > 10 {
		t.Fatalf("got %d events without templates, want only the few that need none", len(evs))
	}
}

func TestFinishResponse(t *testing.T) {
	ok := app.Event{ID: 42, Response: app.Response{Status: 202}}
	FinishResponse(&ok)
	if string(ok.Response.Body) != `{"ok":true,"id":"42"}` {
		t.Errorf("2xx body %s", ok.Response.Body)
	}
	failed := app.Event{ID: 43, Response: app.Response{Status: 500, Body: []byte(`{"error":"x"}`)}}
	FinishResponse(&failed)
	if string(failed.Response.Body) != `{"error":"x"}` {
		t.Errorf("500 body changed to %s", failed.Response.Body)
	}
}

func TestSetFieldsKeepsKeyOrder(t *testing.T) {
	in := []byte(`{"z":1,"a":{"y":"old","b":[{"u":"x"},{"u":"y"}]},"m":12345678901234567890,"gone":true,"s":"<&>"}`)
	out, err := setFields(in, map[string]any{
		"a.y": "new", "a.b.1.u": 7, "missing.path": 1, "gone": omit, "z": map[string]int{"k": 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"z":{"k":2},"a":{"y":"new","b":[{"u":"x"},{"u":7}]},"m":12345678901234567890,"s":"<&>"}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if _, err := setFields([]byte(`{"a":`), nil); err == nil {
		t.Error("broken JSON gave no error")
	}
}
