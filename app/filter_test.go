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
