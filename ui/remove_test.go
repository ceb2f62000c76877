//go:build ci

package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestEditorRemovesTheTappedSecret(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", wrongSecret, rightSecret)
	test.Tap(h.w.endpointsBtn)
	h.pumpUntil("the endpoint list", func() bool { return h.w.epList != nil && h.w.epList.loaded })
	test.Tap(h.dialogButton("Edit"))
	ed := h.w.editor
	if ed == nil || len(ed.secrets) != 2 {
		t.Fatal("Edit did not open the editor with both secrets")
	}
	rms := iconButtons(ed.secretList, "content-remove")
	if len(rms) != 2 {
		t.Fatalf("%d remove buttons beside the secrets, want 2", len(rms))
	}

	test.Tap(rms[0])

	if len(ed.secrets) != 1 || ed.secrets[0].value != rightSecret || len(ed.secretList.Objects) != 1 {
		t.Fatalf("after removing the first secret: %d secrets, %d rows shown", len(ed.secrets), len(ed.secretList.Objects))
	}
	test.Tap(ed.save)
	h.pumpUntil("the endpoint to be saved", func() bool {
		ep, err := h.st.Endpoint("shop")
		return err == nil && len(ep.Secrets) == 1
	})
	if ep, _ := h.st.Endpoint("shop"); ep.Secrets[0] != rightSecret {
		t.Errorf("stored secrets %q, want only the second", ep.Secrets)
	}
}
