package demo

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/verify"
)

func TestDemoSignaturesTellAStory(t *testing.T) {
	tpls, err := signal.LoadTemplates(os.DirFS("../../assets"))
	if err != nil {
		t.Fatal(err)
	}
	events := Events(tpls, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	s, err := NewSigning()
	if err != nil {
		t.Fatal(err)
	}
	eps, err := s.Endpoints()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(events); err != nil {
		t.Fatal(err)
	}
	RouteTo(events, eps)
	count := map[string]int{}
	var diagnoses []string
	for i := range events {
		e := &events[i]
		var ep *app.Endpoint
		for j := range eps {
			if eps[j].Slug == e.Endpoint {
				ep = &eps[j]
			}
		}
		rep := verify.Endpoint(verify.FromEvent(e, ""), ep)
		count[rep.Result]++
		if rep.Result == app.VerdictInvalid {
			diagnoses = append(diagnoses, strings.Join(rep.Diagnosis, " ")+" "+rep.Reason)
		}
		if e.Size != int64(len(e.Body)) {
			t.Errorf("event %s: size %d, body %d", e.Path, e.Size, len(e.Body))
		}
	}
	if count[app.VerdictValid] < 15 || count[app.VerdictInvalid] != 2 || count[app.VerdictUnsigned] < 5 {
		t.Fatalf("verdicts %v; want many valid, exactly 2 invalid, some unsigned", count)
	}
	all := strings.ToLower(strings.Join(diagnoses, "\n"))
	if !strings.Contains(all, "newline") || !(strings.Contains(all, "re-serial") || strings.Contains(all, "pretty") || strings.Contains(all, "minif") || strings.Contains(all, "whitespace")) {
		t.Errorf("the two broken signatures are not diagnosed by name:\n%s", all)
	}
}
