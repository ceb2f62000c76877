package verify

import (
	"reflect"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// JudgeQuick answers unsigned requests without building the request's URL;
// its report must be the one Endpoint gives on the whole request.
func TestJudgeQuickAgreesWithEndpoint(t *testing.T) {
	at := time.Now()
	plain := app.Headers{{Name: "Host", Value: "h"}, {Name: "Content-Type", Value: "application/json"}}
	signed := append(app.Headers{{Name: "X-Hub-Signature-256", Value: "sha256=00"}}, plain...)
	eps := []*app.Endpoint{nil, {Slug: "a"}, {Slug: "b", Scheme: "github"}, {Slug: "c", Scheme: " "}}
	for _, h := range []app.Headers{plain, signed} {
		for _, ep := range eps {
			e := &app.Event{Method: "POST", Path: "/a", Host: "h", Headers: h, Body: []byte(`{}`), ReceivedAt: at}
			got := JudgeQuick(e, ep, "")
			r := FromEvent(e, "")
			r.SkipDiagnosis = true
			if want := Endpoint(r, ep); !reflect.DeepEqual(got, want) {
				t.Errorf("headers %v, endpoint %+v: JudgeQuick %+v, Endpoint %+v", h, ep, got, want)
			}
		}
	}
	if v := JudgeQuick(&app.Event{Headers: plain}, nil, "").Result; v != app.VerdictUnsigned {
		t.Errorf("a request without a signature is judged %q", v)
	}
}
