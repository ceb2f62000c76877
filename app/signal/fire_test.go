package signal

import (
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app"
)

// A template fired at This Hooklens goes to the listener plus the
// template's path, once, signed with Hooklens's own key as its provider.
func TestFireAtThisHooklens(t *testing.T) {
	tpls, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tpl, _ := Find(tpls, "salesiq.conversation.created")
	ks := NewKeyStore(t.TempDir())
	d, err := Fire(tpl, nil, SelfURL("http://127.0.0.1:8790/", tpl), "", "", ks)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ks.SalesIQ()
	if d.Request.URL != "http://127.0.0.1:8790/salesiq/webhook" || d.Request.Method != "POST" || d.Kind != app.KindSignal {
		t.Errorf("fired %s %s (%s)", d.Request.Method, d.Request.URL, d.Kind)
	}
	if d.Sign.Scheme != "salesiq" || d.Sign.Secret != k.Secret {
		t.Errorf("signed as %q with the own key: %v", d.Sign.Scheme, d.Sign.Secret == k.Secret)
	}
	if !strings.Contains(string(d.Request.Body), `"event":"conversation.created"`) {
		t.Errorf("body %s", d.Request.Body)
	}
	stripe, _ := Find(tpls, "stripe.payment_intent.succeeded")
	if _, err := Fire(stripe, nil, "http://127.0.0.1:9/", "", "", ks); err == nil || !strings.Contains(err.Error(), "receiver's secret") {
		t.Errorf("stripe without a secret: %v", err)
	}
}
