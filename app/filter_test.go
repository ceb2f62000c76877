package app

import (
	"strings"
	"testing"
	"time"
)

func filterEvent() *Event {
	return &Event{
		ID: 7, ReceivedAt: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), Method: "POST",
		Path: "/github/hooks", Query: "x=1", Endpoint: "github", Size: 2 << 20,
		Headers:    Headers{{Name: "X-GitHub-Event", Value: "push"}, {Name: "Content-Type", Value: "application/json"}},
		Body:       []byte(`{"ref":"refs/heads/main","order":"Order Paid"}`),
		RemoteAddr: "10.0.0.7:5555",
		Response:   Response{Status: 502},
		Verdict:    Verdict{Scheme: "github", Result: VerdictInvalid},
	}
}

func TestFilterLanguageEachKey(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	e := EventCandidate{filterEvent()}
	for expr, want := range map[string]bool{
		"":                                true,
		"method:POST":                     true,
		"method:get":                      false,
		"status:5xx":                      true,
		"status:502":                      true,
		"status:4xx":                      false,
		"verdict:invalid":                 true,
		"verdict:valid":                   false,
		"endpoint:github":                 true,
		"endpoint:_":                      false,
		"type:push":                       true,
		"type:pull_request":               false,
		"header:X-GitHub-Event=push":      true,
		"header:x-github-event=PUSH":      true,
		"header:X-GitHub-Event=ping":      false,
		"header:Stripe-Signature":         false,
		"header:Content-Type":             true,
		"from:10.0.0.7":                   true,
		"from:10.0.":                      true,
		"from:10.0.0.0/8":                 true,
		"from:192.168.1.1":                false,
		"after:2026-11-30":                true,
		"before:2026-11-30":               false,
		"after:-1h":                       false,
		"after:-3h":                       true,
		"before:11:00":                    true,
		"size:>1MB":                       true,
		"size:<1MB":                       false,
		"hooks":                           true,
		"HOOKS":                           true,
		"refs/heads/main":                 true,
		`"order paid"`:                    true,
		`"order unpaid"`:                  false,
		"-hooks":                          false,
		"-status:4xx":                     true,
		"verdict:invalid endpoint:github": true,
		"verdict:invalid endpoint:stripe": false,
	} {
		f, err := ParseFilter(expr, now)
		if err != nil {
			t.Errorf("%q: %v", expr, err)
			continue
		}
		if got := f.Match(e); got != want {
			t.Errorf("%q matched %v, want %v", expr, got, want)
		}
	}
}

func TestFilterLanguageErrorsSayWhatToWrite(t *testing.T) {
	for expr, want := range map[string]string{
		"colour:red":       "colour: is not a filter key: use method, status",
		"status:9xx":       "status:9xx — write a status such as 404 or a class such as 5xx",
		"verdict:good":     "use valid, invalid, unsigned or unverified",
		"size:big":         "write a size such as >1MB",
		"after:yesterday":  "write a date (2026-11-30)",
		`"unclosed phrase`: "a quote is not closed",
		"method:":          "give a value after the colon",
	} {
		_, err := ParseFilter(expr, time.Now())
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to say %q", expr, err, want)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"method:POST status:5xx", `"a b" -c`, "header:X=y size:>1MB after:-1h", `-"x`} {
		f.Add(s)
	}
	e := EventCandidate{filterEvent()}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s, time.Now())
		if err != nil {
			return
		}
		flt.Match(e)
	})
}

func TestFilterImported(t *testing.T) {
	e := filterEvent()
	now := time.Now()
	for _, c := range []struct {
		origin, expr string
		want         bool
	}{
		{"", "imported:no", true},
		{"", "imported:yes", false},
		{ImportOrigin("har", 1), "imported:yes", true},
		{"team:laptop:4", "imported:yes", false},
		{ImportOrigin("curl", 2), "-imported:yes", false},
	} {
		e.Origin = c.origin
		f, err := ParseFilter(c.expr, now)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		if got := f.Match(EventCandidate{e}); got != c.want {
			t.Errorf("%q on origin %q: %v, want %v", c.expr, c.origin, got, c.want)
		}
	}
	if _, err := ParseFilter("imported:maybe", now); err == nil || !strings.Contains(err.Error(), "imported:yes or imported:no") {
		t.Errorf("imported:maybe: %v", err)
	}
}

// Completion offers the parser's own keys, then a key's values and the
// values given (endpoint slugs), keeping what was typed before.
func TestCompleteFilter(t *testing.T) {
	labels := func(cs []FilterCompletion) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Label)
		}
		return out
	}
	all := labels(CompleteFilter("", EventFilterKeys, nil))
	if len(all) != len(FilterKeys) || all[0] != "method:" || all[len(all)-1] != "is:" {
		t.Errorf("keys offered on an empty box: %v", all)
	}
	// Every key offered parses (given a value), so the table and the parser agree.
	for _, k := range EventFilterKeys {
		v := "x"
		if len(k.Values) > 0 {
			v = k.Values[0]
		}
		switch k.Name {
		case "header":
			v = "X-A"
		case "from":
			v = "10.0.0.1"
		case "after", "before":
			v = "-1h"
		case "size":
			v = ">1KB"
		}
		if _, err := ParseFilter(k.Name+":"+v, time.Now()); err != nil {
			t.Errorf("key %s from the table does not parse: %v", k.Name, err)
		}
	}
	got := CompleteFilter("method:POST ver", EventFilterKeys, nil)
	if len(got) != 1 || got[0].Expr != "method:POST verdict:" {
		t.Errorf("ver: %+v", got)
	}
	got = CompleteFilter("-verdict:in", EventFilterKeys, nil)
	if len(got) != 1 || got[0].Expr != "-verdict:invalid" {
		t.Errorf("-verdict:in: %+v", got)
	}
	slugs := map[string][]string{"endpoint": {"github", "gitlab", "stripe"}}
	if got := labels(CompleteFilter("endpoint:git", EventFilterKeys, slugs)); strings.Join(got, " ") != "endpoint:github endpoint:gitlab" {
		t.Errorf("endpoint:git: %v", got)
	}
	if got := CompleteFilter(`"order pa`, EventFilterKeys, slugs); got != nil {
		t.Errorf("inside a quote: %v", got)
	}
	if got := CompleteFilter("verdict:invalid", EventFilterKeys, nil); len(got) != 0 {
		t.Errorf("a complete value is not offered again: %v", got)
	}
}

func TestDeliveryFilter(t *testing.T) {
	targets := []Target{{ID: "t1", Name: "Shop"}, {ID: "t2", Name: "CRM"}}
	d := DeliverySummary{ID: 3, EventID: 7, TargetID: "t1", Kind: KindResend, URL: "http://localhost:3000/hooks", State: Failed, LastStatus: 502}
	for expr, want := range map[string]bool{
		"":                                 true,
		"target:shop":                      true,
		"target:CRM":                       false,
		"target:t1":                        true,
		"state:failed":                     true,
		"-state:failed":                    false,
		"event:7":                          true,
		"event:#7":                         true,
		"event:8":                          false,
		"kind:resend":                      true,
		"kind:forward":                     false,
		"status:5xx":                       true,
		"status:200":                       false,
		`"localhost:3000"`:                 true,
		"hooks":                            true,
		"target:Shop event:7 state:failed": true,
		"nowhere":                          false,
	} {
		f, err := ParseDeliveryFilter(expr, targets)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		if got := f.Match(d); got != want {
			t.Errorf("%q: %v, want %v", expr, got, want)
		}
	}
	for expr, msg := range map[string]string{
		"state:lost":  "use pending, delivered, failed, gone, cancelled",
		"event:x":     "write the event's number",
		"colour:red":  "colour: is not a filter key: use target, state, event, kind, status",
		"kind:bounce": "use send, resend, forward, signal",
	} {
		if _, err := ParseDeliveryFilter(expr, targets); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", expr, err, msg)
		}
	}
}

func TestFailuresAndChipTerms(t *testing.T) {
	e := filterEvent() // invalid, 502
	f, _ := ParseFilter("is:failure", time.Now())
	if !f.Match(EventCandidate{e}) {
		t.Error("an invalid 502 is a failure")
	}
	e.Verdict.Result, e.Response.Status = VerdictValid, 200
	if f.Match(EventCandidate{e}) {
		t.Error("a valid 200 is not a failure")
	}
	e.Response.Status = 404
	if !f.Match(EventCandidate{e}) {
		t.Error("a valid 404 is a failure")
	}
	expr := ToggleFilterTerm("method:POST", "is:failure", false)
	if expr != "method:POST is:failure" || !HasFilterTerm(expr, "is:failure") {
		t.Errorf("on: %q", expr)
	}
	if expr = ToggleFilterTerm(expr, "is:failure", false); expr != "method:POST" {
		t.Errorf("off: %q", expr)
	}
	expr = ToggleFilterTerm("endpoint:github push", "endpoint:stripe", true)
	if expr != "push endpoint:stripe" {
		t.Errorf("exclusive endpoint: %q", expr)
	}
}
