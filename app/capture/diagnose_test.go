package capture

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// The mistake search runs after the answer is written: Diagnose below
// cannot finish until the client holds its answer, so a listener that
// diagnosed first would answer only after Diagnose gave up (and the stored
// verdict would say so).
func TestDiagnosisRunsAfterTheAnswer(t *testing.T) {
	const secret = "whsec_c2VjcmV0IGZvciB0ZXN0cw=="
	ep := app.Endpoint{Slug: "shop", Scheme: "stripe", Secrets: []string{secret}}
	answered := make(chan struct{})
	judge := func(e *app.Event, ep *app.Endpoint, full bool) app.Verdict {
		return verify.Judge(e, ep, nil, "").Verdict
	}
	diagnosed := make(chan app.Verdict, 1)
	h := start(t, endpointMap{"shop": ep}, Config{
		Diagnose: func(e *app.Event, ep *app.Endpoint) app.Verdict {
			select {
			case <-answered:
			case <-time.After(10 * time.Second):
				return app.Verdict{Result: "diagnosed before answering"}
			}
			v := judge(e, ep, true)
			diagnosed <- v
			return v
		},
	})

	// Signed with the secret's prefix left out: the diagnosis names it.
	ts := "1700000000"
	body := `{"id":"evt_1"}`
	m := hmac.New(sha256.New, []byte(strings.TrimPrefix(secret, "whsec_")))
	m.Write([]byte(ts + "." + body))
	req, _ := http.NewRequest("POST", h.url+"/shop/hook", strings.NewReader(body))
	req.Header.Set("Stripe-Signature", "t="+ts+",v1="+hex.EncodeToString(m.Sum(nil)))
	got := do(t, http.DefaultClient, req)
	close(answered)
	if got.status != 200 {
		t.Fatalf("status %d", got.status)
	}
	var v app.Verdict
	select {
	case v = <-diagnosed:
	case <-time.After(20 * time.Second):
		t.Fatal("no diagnosis")
	}
	if !strings.Contains(v.Reason, "without its whsec_ prefix") {
		t.Fatalf("diagnosis %q", v.Reason)
	}
	// The stored verdict is updated once Diagnose returns.
	deadline := time.Now().Add(10 * time.Second)
	for {
		e := h.events(t, 1)[0]
		if e.Verdict == v {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored verdict %q, want the diagnosis %q", e.Verdict.Reason, v.Reason)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
