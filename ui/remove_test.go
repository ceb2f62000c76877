//go:build ci

package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestEditorRemovesTheTappedSecret(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", wrongSecret, rightSecret)
	h.openEndpoints()
	test.Tap(h.dialogButton("Edit"))
	ed := h.w.ctl.epEditor
	if ed == nil || len(ed.Secrets()) != 2 {
		t.Fatal("Edit did not open the editor with both secrets")
	}
	rms := iconButtons(ed.SecretList, "content-remove")
	if len(rms) != 2 {
		t.Fatalf("%d remove buttons beside the secrets, want 2", len(rms))
	}

	test.Tap(rms[0])

	if len(ed.Secrets()) != 1 || ed.Secrets()[0].Value() != rightSecret || len(ed.SecretList.Objects) != 1 {
		t.Fatalf("after removing the first secret: %d secrets, %d rows shown", len(ed.Secrets()), len(ed.SecretList.Objects))
	}
	test.Tap(ed.SaveButton)
	h.pumpUntil("the endpoint to be saved", func() bool {
		ep, err := h.st.Endpoint("shop")
		return err == nil && len(ep.Secrets) == 1
	})
	if ep, _ := h.st.Endpoint("shop"); ep.Secrets[0] != rightSecret {
		t.Errorf("stored secrets %q, want only the second", ep.Secrets)
	}
}
