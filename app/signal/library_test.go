package signal

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// The events the seeds name (000 Bigin, 001 SignalZen, 003 SalesIQ, 004
// Ziwo), plus the common schemes' examples the issue asks for.
var (
	salesIQEvents = []string{
		"conversation.created", "conversation.attender.updated", "conversation.missed", "conversation.completed",
		"conversation.rated", "conversation.visitor.replied", "conversation.operator.replied",
		"department.created", "department.updated", "department.deleted",
		"operator.created", "operator.updated", "operator.deleted",
		"operator.departments.associated", "operator.departments.dissociated",
		"visitor.updated",
	}
	signalZenEvents = []string{
		"message.created", "user.created", "user.closed", "user.rated", "user.subscribed_by_email",
		"user.sent_transcript", "user.enabled_copilot", "user.disabled_copilot", "user.blocked", "user.destroyed",
	}
	ziwoEvents   = []string{"call.created", "call.ringing", "call.answered", "call.ended", "agent.login", "agent.logout"}
	otherEvents  = []string{"bigin.signal", "bigin.function.webhook", "stripe.payment_intent.succeeded", "github.push", "standard-webhooks.invoice.paid"}
	salesIQShape = []string{"version", "event", "event_time", "org_id", "app_id", "attempt", "entity_type", "entity_id", "entity", "modified_fields"}
)

func library(t *testing.T) []Template {
	t.Helper()
	tpls, err := Builtin()
	if err != nil {
		t.Fatalf("loading the embedded library: %v", err)
	}
	return tpls
}

func mustFind(t *testing.T, tpls []Template, name string) Template {
	t.Helper()
	tp, ok := Find(tpls, name)
	if !ok {
		t.Fatalf("no template %s", name)
	}
	return tp
}

// rendered is a template rendered with its defaults, decoded.
func rendered(t *testing.T, tp Template) (map[string]any, []byte, app.Headers) {
	t.Helper()
	body, hs, err := tp.Render(nil)
	if err != nil {
		t.Fatalf("%s: %v", tp.Name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: rendered body is not a JSON object: %v\n%s", tp.Name, err, body)
	}
	return m, body, hs
}

// topKeys are a JSON object's keys in the order they are written.
func topKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", body)
	}
	var out []string
	for dec.More() {
		k, _ := dec.Token()
		out = append(out, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func obj(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func hasAll(t *testing.T, where string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: no %q (has %v)", where, k, slices.Sorted(mapKeys(m)))
		}
	}
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestLibraryHasEverySeedEvent(t *testing.T) {
	tpls := library(t)
	var want []string
	for _, e := range salesIQEvents {
		want = append(want, "salesiq."+e)
	}
	for _, e := range signalZenEvents {
		want = append(want, "signalzen."+e)
	}
	for _, e := range ziwoEvents {
		want = append(want, "ziwo."+e)
	}
	want = append(want, otherEvents...)
	for _, n := range want {
		tp, ok := Find(tpls, n)
		if !ok {
			t.Errorf("no template %s", n)
			continue
		}
		if tp.Source()+"."+tp.Event != n && !strings.HasPrefix(n, "bigin.") {
			t.Errorf("%s: source %q and event %q do not make its name", n, tp.Source(), tp.Event)
		}
	}
	// The embedded library is the assets directory.
	onDisk, err := LoadTemplates(os.DirFS("../../assets"))
	if err != nil || len(onDisk) != len(tpls) {
		t.Errorf("assets/templates has %d templates (%v), the binary %d", len(onDisk), err, len(tpls))
	}
}

func TestEveryTemplateRendersToValidJSONWithItsDefaults(t *testing.T) {
	before := time.Now().UnixMilli()
	for _, tp := range library(t) {
		body, hs, err := tp.Render(nil)
		if err != nil {
			t.Errorf("%s: %v", tp.Name, err)
			continue
		}
		if !json.Valid(body) || bytes.Contains(body, []byte("{{")) {
			t.Errorf("%s: rendered body is not filled-in JSON:\n%s", tp.Name, body)
		}
		if !strings.HasPrefix(hs.Get("Content-Type"), "application/json") || hs.Get("User-Agent") == "" {
			t.Errorf("%s: headers %v", tp.Name, hs)
		}
		for _, h := range hs {
			if strings.Contains(h.Value, "{{") {
				t.Errorf("%s: header %s = %q", tp.Name, h.Name, h.Value)
			}
		}
		if tp.Method != "POST" || tp.Description == "" || tp.Provider == "" {
			t.Errorf("%s: method %q provider %q description %q", tp.Name, tp.Method, tp.Provider, tp.Description)
		}
		// Every user variable has a default (maybe empty, as an anonymous
		// user's email), so the form starts filled in.
		for _, v := range tp.Variables() {
			if _, declared := tp.Defaults[v.Name]; !v.Builtin && !declared {
				t.Errorf("%s: variable %s has no default", tp.Name, v.Name)
			}
		}
	}
	// {{now_ms}} reads the clock at render time.
	siq := mustFind(t, library(t), "salesiq.conversation.created")
	m, _, _ := rendered(t, siq)
	after := time.Now().UnixMilli()
	if et, _ := m["event_time"].(float64); int64(et) < before || int64(et) > after {
		t.Errorf("event_time %v is not the render time (between %d and %d)", m["event_time"], before, after)
	}
}

func TestSalesIQTemplatesUseTheDocumentedEnvelope(t *testing.T) {
	tpls := library(t)
	convo := []string{"id", "visitor_conversation_id", "reference_id", "opened_time", "app_id", "department_id",
		"visitor", "question", "supervisors", "participants", "status", "chat_status"}
	visitorFields := []string{"email_id", "phone", "name", "type", "id"}
	department := []string{"is_enabled", "created_time", "modified_time", "operators", "is_system_generated", "name",
		"is_public", "email_configurations", "description", "id", "display_name", "created_by"}
	operator := []string{"email_id", "access_levels", "role", "chat_enabled", "type", "confirmed", "enabled",
		"modified_time", "id", "departments", "created_time", "nick_name", "status"}
	for _, ev := range salesIQEvents {
		tp := mustFind(t, tpls, "salesiq."+ev)
		m, body, _ := rendered(t, tp)
		if got := topKeys(t, body); !slices.Equal(got, salesIQShape) {
			t.Errorf("%s: envelope %v, want %v", ev, got, salesIQShape)
		}
		module, _, _ := strings.Cut(ev, ".")
		entity := obj(m, "entity")
		_, attemptIsNumber := m["attempt"].(float64)
		_, timeIsNumber := m["event_time"].(float64)
		_, appIDIsNumber := m["app_id"].(float64)
		if m["version"] != "1" || m["event"] != ev || m["entity_type"] != module || m["attempt"] != 1.0 || !attemptIsNumber ||
			!timeIsNumber || !appIDIsNumber || m["org_id"] == "" || entity == nil || entity["id"] != m["entity_id"] {
			t.Errorf("%s: envelope values %v", ev, m)
		}
		if _, ok := m["modified_fields"].([]any); !ok {
			t.Errorf("%s: modified_fields %v is not a list", ev, m["modified_fields"])
		}
		if tp.Scheme != "salesiq" || tp.SignatureHeader != "x-siqsignature" || tp.Provider != "Zoho SalesIQ" {
			t.Errorf("%s: scheme %q header %q provider %q", ev, tp.Scheme, tp.SignatureHeader, tp.Provider)
		}
		where := "salesiq." + ev + " entity"
		switch ev {
		case "conversation.created", "conversation.attender.updated", "conversation.completed":
			hasAll(t, where, entity, append(convo, "owner")...)
		case "conversation.missed":
			hasAll(t, where, entity, append(convo, "missed_time")...)
		case "conversation.visitor.replied", "conversation.operator.replied":
			hasAll(t, where, entity, "id", "message", "visitor", "owner")
			hasAll(t, where+".message", obj(entity, "message"), "sender", "msgid", "text")
			hasAll(t, where+".message.sender", obj(obj(entity, "message"), "sender"), "name", "id")
		case "conversation.rated":
			hasAll(t, where, entity, "id", "rating", "feedback", "owner", "visitor", "status")
			if _, ok := entity["rating"].(float64); !ok {
				t.Errorf("%s: rating %v is not a number", where, entity["rating"])
			}
		case "department.created", "department.updated":
			hasAll(t, where, entity, department...)
		case "operator.created", "operator.updated":
			hasAll(t, where, entity, operator...)
		case "operator.departments.associated", "operator.departments.dissociated":
			hasAll(t, where, entity, "id", "email_id", "departments")
		case "visitor.updated":
			hasAll(t, where, entity, "id", "type", "first_name", "last_name", "modifier")
			hasAll(t, where+".modifier", obj(entity, "modifier"), "type", "email_id", "name", "id")
		}
		if strings.HasPrefix(ev, "conversation.") {
			hasAll(t, where+".visitor", obj(entity, "visitor"), visitorFields...)
			if ow := obj(entity, "owner"); ow != nil {
				hasAll(t, where+".owner", ow, "id", "name", "email_id")
			}
		}
		if strings.HasSuffix(ev, ".completed") {
			hasAll(t, where, entity, "attended_time", "end_time")
		}
	}
}

func TestSignalZenTemplatesCarryTheEventAndItsResources(t *testing.T) {
	tpls := library(t)
	for _, ev := range signalZenEvents {
		tp := mustFind(t, tpls, "signalzen."+ev)
		m, _, _ := rendered(t, tp)
		user := obj(m, "user")
		if m["event"] != ev || user == nil {
			t.Errorf("%s: event %v user %v", ev, m["event"], user)
			continue
		}
		if _, ok := user["id"].(float64); !ok {
			t.Errorf("%s: user id %v is not a number", ev, user["id"])
		}
		if ev != "user.destroyed" {
			hasAll(t, "signalzen."+ev+" user", user, "id", "name", "email", "state", "chat_url", "created_at", "updated_at")
		}
		if _, err := time.Parse(time.RFC3339, m["created_at"].(string)); err != nil {
			t.Errorf("%s: created_at: %v", ev, err)
		}
		if msg := obj(m, "message"); (ev == "message.created") != (msg != nil) {
			t.Errorf("%s: message resource %v", ev, msg)
		} else if msg != nil {
			hasAll(t, "signalzen."+ev+" message", msg, "id", "user_id", "author_type", "author_name", "body", "created_at")
			if msg["user_id"] != user["id"] {
				t.Errorf("%s: message user_id %v, user id %v", ev, msg["user_id"], user["id"])
			}
		}
		if tp.Scheme != "signalzen" || tp.SignatureHeader != "X-Signalzen-Signature" {
			t.Errorf("%s: scheme %q header %q", ev, tp.Scheme, tp.SignatureHeader)
		}
	}
}

func TestZiwoTemplatesHaveTheSamplesShape(t *testing.T) {
	tpls := library(t)
	callFields := []string{"coreUUID", "dialplan", "callID", "otherLegCallID", "type", "data", "flags",
		"callerIdName", "callerIdNumber", "calleeIdName", "calleeIdNumber", "startedAt", "startedAtEpoch"}
	agentFields := []string{"coreUUID", "status", "action", "type", "data", "startedAt", "startedAtEpoch"}
	epoch := regexp.MustCompile(`^[0-9]{16}$`) // microseconds, as in the sample
	for _, ev := range ziwoEvents {
		tp := mustFind(t, tpls, "ziwo."+ev)
		m, body, _ := rendered(t, tp)
		fields := agentFields
		if strings.HasPrefix(ev, "call.") {
			fields = callFields
			if m["type"] != strings.TrimPrefix(ev, "call.") {
				t.Errorf("%s: type %v", ev, m["type"])
			}
		}
		if got := topKeys(t, body); len(got) < len(fields) || !slices.Equal(got[:len(fields)], fields) {
			t.Errorf("%s: keys %v, want to start with %v", ev, got, fields)
		}
		if _, err := time.Parse(time.RFC3339, m["startedAt"].(string)); err != nil || !epoch.MatchString(m["startedAtEpoch"].(string)) {
			t.Errorf("%s: startedAt %v startedAtEpoch %v", ev, m["startedAt"], m["startedAtEpoch"])
		}
		if tp.Scheme != "" {
			t.Errorf("%s: scheme %q, but Ziwo does not sign", ev, tp.Scheme)
		}
	}
	end, _, _ := rendered(t, mustFind(t, tpls, "ziwo.call.ended"))
	hasAll(t, "ziwo.call.ended", end, "endedAt", "endedAtEpoch", "duration")
	for ev, typ := range map[string]string{"agent.login": "agent-connected", "agent.logout": "agent-disconnected"} {
		m, _, _ := rendered(t, mustFind(t, tpls, "ziwo."+ev))
		if m["type"] != typ {
			t.Errorf("%s: type %v, want %s", ev, m["type"], typ)
		}
	}
}

func TestBiginTemplatesAreValidSignals(t *testing.T) {
	tpls := library(t)
	n := 0
	for _, tp := range tpls {
		if tp.Provider != "Zoho Bigin" || tp.Event != "signal" {
			continue
		}
		n++
		_, body, _ := rendered(t, tp)
		var w signalJSON
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&w); err != nil {
			t.Errorf("%s: not a signal: %v", tp.Name, err)
			continue
		}
		s := Signal{Namespace: w.Namespace, Email: w.Email, Subject: w.Subject, Message: w.Message}
		for _, a := range w.Actions {
			if a.Type != "link" {
				t.Errorf("%s: action type %q", tp.Name, a.Type)
			}
			s.Actions = append(s.Actions, Action{DisplayName: a.DisplayName, URL: a.URL, OpenIn: a.OpenIn})
		}
		if errs := s.Validate(); len(errs) > 0 {
			t.Errorf("%s: the composer refuses it: %v", tp.Name, errs)
		}
		var a, b any
		json.Unmarshal(s.Body(), &a)
		json.Unmarshal(body, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the composer writes it differently:\n%s\n%s", tp.Name, s.Body(), body)
		}
	}
	if n < 2 {
		t.Errorf("%d Bigin signal templates", n)
	}
	// The seed's own sample, with the URL it left without a scheme fixed.
	seed := mustFind(t, tpls, "bigin.signal")
	m, _, _ := rendered(t, seed)
	if m["subject"] != "Bigin Signals" || m["email"] != "support@bigin.com" || !strings.Contains(string(seed.Body), `"url":"https://www.bigin.com"`) {
		t.Errorf("bigin.signal is not the seed's sample: %s", seed.Body)
	}
	fn := mustFind(t, tpls, "bigin.function.webhook")
	f, err := ParseFunctionURL("https://www.zohoapis.com" + fn.Path)
	if err != nil || f.Topping != "zylkersurveys" || f.Function != "relaysignal" {
		t.Errorf("function webhook path %q: %+v, %v", fn.Path, f, err)
	}
}

func TestCommonSchemeExamples(t *testing.T) {
	tpls := library(t)
	stripe := mustFind(t, tpls, "stripe.payment_intent.succeeded")
	m, _, _ := rendered(t, stripe)
	pi := obj(obj(m, "data"), "object")
	if m["object"] != "event" || m["type"] != "payment_intent.succeeded" || !strings.HasPrefix(m["id"].(string), "evt_") ||
		pi["object"] != "payment_intent" || pi["status"] != "succeeded" || pi["amount"] != 18950.0 || stripe.Scheme != "stripe" {
		t.Errorf("stripe: %v (scheme %q)", m, stripe.Scheme)
	}
	if _, ok := m["created"].(float64); !ok {
		t.Errorf("stripe created %v is not a Unix time number", m["created"])
	}
	gh := mustFind(t, tpls, "github.push")
	m, _, hs := rendered(t, gh)
	hasAll(t, "github.push", m, "ref", "before", "after", "repository", "pusher", "sender", "commits", "head_commit", "compare")
	if hs.Get("X-GitHub-Event") != "push" || !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(hs.Get("X-GitHub-Delivery")) || gh.Scheme != "github" {
		t.Errorf("github headers %v scheme %q", hs, gh.Scheme)
	}
	sw := mustFind(t, tpls, "standard-webhooks.invoice.paid")
	_, body, _ := rendered(t, sw)
	if got := topKeys(t, body); !slices.Equal(got, []string{"type", "timestamp", "data"}) || sw.Scheme != "standard-webhooks" {
		t.Errorf("standard webhooks keys %v scheme %q", got, sw.Scheme)
	}
}

// Each template signed with its provider's scheme checks as valid with the
// matching key: the library's schemes are the ones app/verify implements.
func TestEveryTemplateSignsAsItsProviderAndVerifies(t *testing.T) {
	ks := NewKeyStore(t.TempDir())
	signed := 0
	for _, tp := range library(t) {
		if tp.Scheme == "" {
			continue
		}
		body, hs, err := tp.Render(nil)
		if err != nil {
			t.Fatal(err)
		}
		var key verify.Key
		if tp.Scheme != "salesiq" && tp.Scheme != "signalzen" {
			if key, err = verify.GenerateKey(tp.Scheme); err != nil {
				t.Fatal(err)
			}
		}
		r := verify.Request{Method: tp.Method, URL: "http://127.0.0.1:8790" + tp.Path, Headers: hs, Body: body}
		if r.Headers, err = ks.Sign(tp.Scheme, key, r); err != nil {
			t.Fatalf("%s: %v", tp.Name, err)
		}
		if r.Headers.Get(tp.SignatureHeader) == "" {
			t.Errorf("%s: signed, but %s is not set: %v", tp.Name, tp.SignatureHeader, r.Headers)
		}
		if key.Secret == "" {
			key, _ = ks.Key(tp.Scheme)
		}
		c, _ := verify.ParseConfig(tp.Scheme)
		check := key
		if tp.Scheme == "salesiq" {
			check = verify.Key{PublicKey: key.PublicKey} // the receiver has only the public key
		}
		if rep := verify.Check(r, c, []verify.Key{check}); rep.Result != app.VerdictValid {
			t.Errorf("%s: signed as %s, verdict %s: %s", tp.Name, tp.Scheme, rep.Result, rep.Reason)
		}
		signed++
	}
	if signed < 16+10+3 {
		t.Errorf("only %d templates are signed", signed)
	}
}

func TestEventTypeOfEveryTemplate(t *testing.T) {
	// Where the provider's own name for the event is not the template's.
	other := map[string]string{
		"ziwo.agent.login":       "agent-connected",
		"ziwo.agent.logout":      "agent-disconnected",
		"bigin.function.webhook": "survey.viewed", // the third party's event the function relays
	}
	for _, tp := range library(t) {
		body, hs, err := tp.Render(nil)
		if err != nil {
			t.Fatal(err)
		}
		e := &app.Event{Method: tp.Method, Path: tp.Path, Headers: hs, Body: body, Size: int64(len(body))}
		want := tp.Event
		if w, ok := other[tp.Name]; ok {
			want = w
		} else if tp.Event == "signal" {
			var s struct {
				Namespace string `json:"signal_namespace"`
			}
			json.Unmarshal(body, &s)
			want = s.Namespace
		}
		if got := app.EventType(e); got != want || want == "" {
			t.Errorf("%s: EventType %q, want %q", tp.Name, got, want)
		}
	}
	// A signal sent in the notifications API shape reads as its namespace too.
	s := Signal{Namespace: "zylkerdesk_ticket_escalated", Email: "a@example.com", Subject: "s", Message: "m",
		Actions: []Action{{DisplayName: "d", URL: "https://example.com"}}}
	if got := app.EventType(&app.Event{Body: s.Payload()}); got != s.Namespace {
		t.Errorf("signals payload: %q", got)
	}
}

func TestLibraryRoundTripsThroughItsFileForm(t *testing.T) {
	for _, tp := range library(t) {
		b, err := tp.Encode()
		if err != nil {
			t.Fatalf("%s: %v", tp.Name, err)
		}
		back, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: decoding what Encode wrote: %v\n%s", tp.Name, err, b)
		}
		if !equalTemplates(tp, back) {
			t.Errorf("%s: round trip changed it:\n%+v\n%+v", tp.Name, tp, back)
		}
		// encoding/json goes through the same form.
		js, err := json.Marshal(tp)
		if err != nil {
			t.Fatal(err)
		}
		var viaJSON Template
		if err := json.Unmarshal(js, &viaJSON); err != nil || !equalTemplates(tp, viaJSON) {
			t.Errorf("%s: json round trip: %v", tp.Name, err)
		}
	}
}

func equalTemplates(a, b Template) bool {
	ja, _ := a.MarshalJSON()
	jb, _ := b.MarshalJSON()
	return bytes.Equal(ja, jb) && bytes.Equal(a.Body, b.Body) && slices.Equal(a.Headers, b.Headers) &&
		maps.Equal(a.Defaults, b.Defaults) && a.Scheme == b.Scheme
}
