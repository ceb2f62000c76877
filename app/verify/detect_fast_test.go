package verify

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app"
)

func TestDetectQuickPassAgrees(t *testing.T) {
	names := []string{"Content-Type", "User-Agent", "X-Hub-Signature-256", "x-hub-signature", "STRIPE-SIGNATURE",
		"X-Hub-\u017fignature", "X-Twilio-Signature", "X-My-HMAC", "x-sig", "Sig", "X-Token-Sig", "X-Signature-Timestamp",
		"X-Webhook-Signature-Id", "Webhook-Signature", "svix-signature", "X-Signature-Ed25519", "Authorization", "X-Sigs", "Hmac"}
	values := []string{"", "  ", "sha256=" + strings.Repeat("ab", 32), "v1,abc", "deadbeef"}
	for _, n := range names {
		for _, v := range values {
			for _, h := range []app.Headers{
				{{Name: n, Value: v}},
				{{Name: "Host", Value: "x"}, {Name: n, Value: v}, {Name: "Content-Length", Value: "3"}},
				{{Name: n, Value: v}, {Name: "X-Other-Signature", Value: "abc"}},
			} {
				gc, gok := Detect(h)
				wc, wok := detectByName(h)
				if gok != wok || !reflect.DeepEqual(gc, wc) {
					t.Errorf("Detect(%v) = %+v, %v; looking at every name gives %+v, %v", h, gc, gok, wc, wok)
				}
			}
		}
	}
	if _, ok := Detect(app.Headers{{Name: "Content-Type", Value: "application/json"}, {Name: "User-Agent", Value: "wrk"}}); ok {
		t.Error("Detect found a signature among headers that carry none")
	}
}
