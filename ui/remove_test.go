//go:build ci

package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

func TestHeaderEditorRemovesTheTappedRow(t *testing.T) {
	test.NewTempApp(t)
	he := newHeaderEditor(app.Headers{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}, {Name: "C", Value: "3"}}, "Add header")
	changes := 0
	he.onChange = func() { changes++ }
	kept := []fyne.CanvasObject{he.rows[0].root, he.rows[2].root}

	test.Tap(he.rows[1].remove)

	h, err := he.headers()
	if err != nil || len(h) != 2 || h[0] != (app.Header{Name: "A", Value: "1"}) || h[1] != (app.Header{Name: "C", Value: "3"}) {
		t.Errorf("after removing B: headers %+v, %v; want A: 1 and C: 3", h, err)
	}
	if !slices.Equal(he.box.Objects, kept) {
		t.Errorf("the editor shows %d rows, want the A and C rows", len(he.box.Objects))
	}
	if changes != 1 {
		t.Errorf("onChange ran %d times, want 1", changes)
	}
}

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
