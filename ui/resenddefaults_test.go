//go:build ci

package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

// Resending an event that came through a signing endpoint signs with the
// endpoint's scheme and secret by default: sent back to that endpoint it
// arrives valid.
func TestResendSignsAsTheEndpointByDefault(t *testing.T) {
	h := newDeliveryHarness(t)
	if err := h.st.PutEndpoint(app.Endpoint{Slug: "github", Scheme: "github", Secrets: []string{"s3cret"}}); err != nil {
		t.Fatal(err)
	}
	h.send("POST", "/github/push", "application/json", []byte(`{"ref":"main"}`), "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=00")
	h.selectPath("/github/push")
	ed := h.w.ctl.editAndResend(h.w.detail.ev)
	h.pumpUntil("the editor filled in", ed.Loaded)
	mode, scheme, secret := ed.SignChoice()
	if mode != "Sign with a scheme and secret" || scheme != "github" || !secret {
		t.Fatalf("signing defaults to %q %q (secret %v), want the endpoint's github scheme and secret", mode, scheme, secret)
	}
	if !ed.OffersKeepOriginal() {
		t.Error("a captured event should offer to keep its original headers")
	}
	if ed.Edited() {
		t.Error("the defaults count as an edit: closing would ask for nothing")
	}
	ed.URL.SetText(h.srv.URL() + "/github/again")
	test.Tap(ed.SendButton)
	h.pumpUntil("the resend captured", func() bool { return h.rowFor("/github/again") != nil })
	if v := h.rowFor("/github/again").sum.Verdict.Result; v != app.VerdictValid {
		t.Errorf("the resend arrived %s, want valid (signed with the endpoint's secret)", v)
	}
}

// Compose (no event) sets Content-Type from what is typed until the user
// sets one, and does not offer to keep original headers it does not have.
func TestComposeSetsContentTypeFromTheBody(t *testing.T) {
	h := newDeliveryHarness(t)
	ed := h.w.ctl.editAndResend(nil)
	h.pumpUntil("the editor", ed.Loaded)
	if ed.OffersKeepOriginal() {
		t.Error("compose offers to keep original headers")
	}
	if mode, _, _ := ed.SignChoice(); mode != "Unsigned" {
		t.Errorf("compose signs by default: %q", mode)
	}
	ed.Body.SetText(`{"event":"order.paid"}`)
	if got := ed.Header("Content-Type"); got != "application/json" {
		t.Errorf("JSON body: Content-Type %q", got)
	}
	ed.Body.SetText(`a=1&b=2`)
	if got := ed.Header("Content-Type"); got != "application/x-www-form-urlencoded" {
		t.Errorf("form body: Content-Type %q", got)
	}
	ed.SetHeader("Content-Type", "application/vnd.api+json")
	ed.Body.SetText(`{"x":1}`)
	if got := ed.Header("Content-Type"); got != "application/vnd.api+json" {
		t.Errorf("a Content-Type typed by hand was replaced with %q", got)
	}
}
