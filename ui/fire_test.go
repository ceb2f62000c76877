//go:build ci

package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
)

// A signal fired from the Fire window at This Hooklens, signed with
// Hooklens's own SalesIQ key, is queued, delivered to the listener and
// shows in the list with the provider's event type and a valid verdict.
func TestFiredTemplateLandsValidInTheList(t *testing.T) {
	h := newDeliveryHarness(t)
	ks := signal.NewKeyStore(t.TempDir())
	pub, err := ks.PublicKeyBase64()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.PutEndpoint(app.Endpoint{Slug: "salesiq", Scheme: "salesiq", PublicKey: pub}); err != nil {
		t.Fatal(err)
	}
	h.w.ctl.d.Keys = ks
	if !h.w.top.fireBtn.Visible() {
		t.Fatal("no Fire button in the top bar")
	}
	test.Tap(h.w.top.fireBtn)
	f := h.w.ctl.fireUI.fire
	if f == nil {
		t.Fatal("Fire opened nothing")
	}
	f.Choose("salesiq.conversation.completed")
	// The keys are read in the background; signing as the provider is
	// offered (and chosen) once they arrive.
	h.pumpUntil("signing with the own key", func() bool { return strings.Contains(f.Signing.Selected, "own key") })
	if f.URL.Text != h.srv.URL()+"/salesiq/webhook" {
		t.Errorf("This Hooklens is %q", f.URL.Text)
	}
	test.Tap(f.SendBtn)
	h.pumpUntil("the queued status", func() bool { return f.Status.Visible() })
	if !strings.HasPrefix(f.Status.Text, "Queued delivery") {
		t.Fatalf("status %q", f.Status.Text)
	}
	h.pumpUntil("the fired event in the list", func() bool { return h.rowFor("/salesiq/webhook") != nil })
	v := h.storedVerdict("/salesiq/webhook")
	if v.Result != "valid" || v.Scheme != "salesiq" {
		t.Errorf("verdict %+v", v)
	}
	evs, err := h.st.Events(app.Page{Limit: 1})
	if err != nil || len(evs) != 1 || evs[0].Type != "conversation.completed" {
		t.Errorf("event type: %+v %v", evs, err)
	}
}

// In the composer's preview card a click opens an http(s) action in the
// browser, and an action with another scheme opens nothing.
func TestPreviewCardOpensOnlyWebLinks(t *testing.T) {
	dir := t.TempDir()
	record := filepath.Join(dir, "opened")
	fake := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> " + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	h := newDeliveryHarness(t)
	s := h.w.ctl.showSignalComposer()
	s.Set(signal.Signal{Namespace: "zylkersurveys_survey_viewed", Email: "lena@example.com", Subject: "Survey viewed", Message: "m",
		Actions: []signal.Action{{DisplayName: "Run", URL: "file:///etc/passwd"}, {DisplayName: "Survey", URL: "https://bigin.zoho.com/s/42"}}})
	btns := s.Card.Actions.Objects
	test.Tap(btns[0].(*widget.Button))
	h.q.pump()
	if !h.w.top.errText.Visible() || !strings.Contains(h.w.top.errText.Text, "only http and https") {
		t.Errorf("refusal shown: %q", h.w.top.errText.Text)
	}
	test.Tap(btns[1].(*widget.Button))
	h.pumpUntil("xdg-open to be run with the web link", func() bool {
		b, _ := os.ReadFile(record)
		return len(b) > 0
	})
	if b, _ := os.ReadFile(record); string(b) != "https://bigin.zoho.com/s/42\n" {
		t.Errorf("opened %q", b)
	}
}

// Save as template keeps a captured event as a template in the settings
// store; the Fire window lists it under My templates and fires its body.
func TestSaveAsTemplateIsListedInFire(t *testing.T) {
	h := newDeliveryHarness(t)
	body := `{"event":"order.created","order":{"id":"A-1001"}}`
	h.send("POST", "/shop/orders", "application/json", []byte(body), "Authorization", "Bearer sekrit")
	h.pumpUntil("the row", func() bool { return h.rowFor("/shop/orders") != nil })
	evs, err := h.st.Events(app.Page{Limit: 1})
	if err != nil || len(evs) != 1 {
		t.Fatal(err)
	}
	h.w.ctl.saveAsTemplate(evs[0].ID)
	h.pumpUntil("the Save as template question", func() bool { return h.w.win.Canvas().Overlays().Top() != nil })
	save := h.dialogButton("Save")
	test.Tap(save)
	h.pumpUntil("the saved notice", func() bool { return len(h.w.top.notices.Objects) > 0 })
	if _, err := h.st.Setting("templates.user.my.order.created"); err != nil {
		t.Fatalf("not saved under templates.user.my.order.created: %v", err)
	}
	f := h.w.ctl.showFire()
	h.pumpUntil("the saved templates", func() bool {
		return len(f.Rows()) > 0 && f.Rows()[len(f.Rows())-1].Template != nil && f.Rows()[len(f.Rows())-1].Template.Name == "my.order.created"
	})
	found := false
	heading := ""
	for _, r := range f.Rows() {
		if r.Template == nil {
			heading = r.Heading
			continue
		}
		if r.Template.Name == "my.order.created" {
			found = heading == signal.SavedProvider
		}
	}
	if !found {
		t.Fatalf("my.order.created not listed under %s", signal.SavedProvider)
	}
	f.Choose("my.order.created")
	if !strings.Contains(f.Body.Text, "A-1001") || f.Headers.Value("Authorization") != "" {
		t.Errorf("body %q, Authorization %q", f.Body.Text, f.Headers.Value("Authorization"))
	}
	if f.URL.Text != h.srv.URL()+"/shop/orders" {
		t.Errorf("This Hooklens is %q", f.URL.Text)
	}
}
