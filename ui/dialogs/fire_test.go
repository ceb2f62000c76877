//go:build ci

package dialogs

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/verify"
)

const listenURL = "http://127.0.0.1:8790"

// now is the dialogs' do in these tests: only the copy button's timer
// uses it, from its own goroutine, so its work (resetting the icon) is
// dropped rather than run beside the test.
func now(func()) {}

func newTestFire(t *testing.T) (*Fire, []signal.Template) {
	t.Helper()
	test.NewTempApp(t)
	tpls, err := signal.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return NewFire(tpls, listenURL, now), tpls
}

// The picker lists every template once, under a heading of its provider,
// and the search narrows it to the matching ones, headings kept.
func TestFireListsTemplatesGroupedByProvider(t *testing.T) {
	f, tpls := newTestFire(t)
	seen := map[string]bool{}
	heading := ""
	headings := map[string]bool{}
	for _, r := range f.Rows() {
		if r.Template == nil {
			if headings[r.Heading] {
				t.Errorf("provider %q has two headings", r.Heading)
			}
			heading, headings[r.Heading] = r.Heading, true
			continue
		}
		if r.Template.Provider != heading {
			t.Errorf("%s (%s) listed under %q", r.Template.Name, r.Template.Provider, heading)
		}
		seen[r.Template.Name] = true
	}
	if len(seen) != len(tpls) {
		t.Errorf("listed %d templates of %d", len(seen), len(tpls))
	}
	for _, p := range []string{"Zoho SalesIQ", "SignalZen", "Ziwo", "Zoho Bigin"} {
		if !headings[p] {
			t.Errorf("no %q heading among %v", p, headings)
		}
	}

	test.Type(f.Search, "ringing")
	var names []string
	for _, r := range f.Rows() {
		if r.Template == nil {
			names = append(names, "# "+r.Heading)
		} else {
			names = append(names, r.Template.Name)
		}
	}
	if strings.Join(names, ",") != "# Ziwo,ziwo.call.ringing" {
		t.Errorf("search 'ringing' lists %v", names)
	}
}

// A user variable typed into the form is in the body the editor shows and
// in the body sent.
func TestFireVariableChangesTheRenderedBody(t *testing.T) {
	f, tpls := newTestFire(t)
	tpl, _ := signal.Find(tpls, "salesiq.conversation.created")
	var name string
	for _, v := range tpl.Variables() {
		if !v.Builtin && !v.Number {
			name = v.Name
			break
		}
	}
	if name == "" {
		t.Fatal("salesiq.conversation.created has no text variable")
	}
	f.Choose(tpl.Name)
	if strings.Contains(f.Body.Text, "Quinn Marker") {
		t.Fatal("the marker is in the body before it was typed")
	}
	f.vars[name].SetText("")
	test.Type(f.vars[name], "Quinn Marker")
	if !strings.Contains(f.Body.Text, "Quinn Marker") {
		t.Errorf("after typing into %s the body is %s", name, f.Body.Text)
	}
	if !strings.HasPrefix(f.Check.Text, "✓ valid JSON") {
		t.Errorf("JSON check says %q", f.Check.Text)
	}
}

// Send at This Hooklens, signed as the provider with Hooklens's own key:
// the listener's URL and the template's path, the template's method and
// headers, the body compact as the provider sends it, salesiq signing with
// the key; the SalesIQ public key is shown with its copy button.
func TestFireSendYieldsTheDelivery(t *testing.T) {
	f, tpls := newTestFire(t)
	ks := signal.NewKeyStore(t.TempDir())
	k, err := ks.SalesIQ()
	if err != nil {
		t.Fatal(err)
	}
	f.SetOwnKeys(map[string]verify.Key{"salesiq": k})
	tpl, _ := signal.Find(tpls, "salesiq.conversation.rated")
	f.Choose(tpl.Name)
	if f.Target.Selected != FireToSelf || f.URL.Text != listenURL+"/salesiq/webhook" {
		t.Fatalf("target %q, URL %q", f.Target.Selected, f.URL.Text)
	}
	if !strings.HasPrefix(f.Signing.Selected, FireSignOwn) {
		t.Fatalf("signing starts as %q", f.Signing.Selected)
	}
	if !f.KeyBox.Visible() || f.KeyText.Text != k.PublicKey {
		t.Errorf("public key shown %v: %q", f.KeyBox.Visible(), f.KeyText.Text)
	}
	var got *app.Delivery
	f.OnSend = func(d *app.Delivery) { got = d }
	test.Tap(f.SendBtn)
	if got == nil {
		t.Fatalf("Send sent nothing: %s", f.Status.Text)
	}
	if got.Request.URL != listenURL+"/salesiq/webhook" || got.Request.Method != tpl.Method || got.Kind != app.KindSignal {
		t.Errorf("delivery %s %s kind %s", got.Request.Method, got.Request.URL, got.Kind)
	}
	for _, h := range tpl.Headers {
		if got.Request.Headers.Get(h.Name) == "" {
			t.Errorf("header %s missing from %v", h.Name, got.Request.Headers)
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(f.Body.Text)); err != nil || !bytes.Equal(got.Request.Body, buf.Bytes()) {
		t.Errorf("body sent %s, editor shows %s", got.Request.Body, f.Body.Text)
	}
	if got.Sign.Scheme != "salesiq" || got.Sign.Secret != k.Secret {
		t.Errorf("signing %q with the own key: %v", got.Sign.Scheme, got.Sign.Secret == k.Secret)
	}
	test.Tap(f.KeyCopy)
	if c := fyne.CurrentApp().Clipboard().Content(); c != k.PublicKey {
		t.Errorf("Copy public key put %q on the clipboard", c)
	}
}

// Composed without a template, Content-Type comes from the body.
func TestFireComposeSetsContentTypeFromTheBody(t *testing.T) {
	f, _ := newTestFire(t)
	f.Choose("")
	f.Target.SetSelected(FireToURL)
	test.Type(f.URL, "http://127.0.0.1:9/hook")
	test.Type(f.Body, "a=1&b=two")
	d, err := f.Delivery()
	if err != nil {
		t.Fatal(err)
	}
	if ct := d.Request.Headers.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	if d.Sign.Scheme != "" || string(d.Request.Body) != "a=1&b=two" || d.Request.URL != "http://127.0.0.1:9/hook" {
		t.Errorf("delivery %+v", d.Request)
	}
}

// A provider without an own key signs with the secret typed; without one
// Send says what to do.
func TestFireSignsWithATypedSecret(t *testing.T) {
	f, _ := newTestFire(t)
	f.SetOwnKeys(map[string]verify.Key{})
	f.Choose("stripe.payment_intent.succeeded")
	if !strings.HasPrefix(f.Signing.Selected, FireSignSecret) || !f.Secret.Visible() {
		t.Fatalf("signing %q, secret field shown %v", f.Signing.Selected, f.Secret.Visible())
	}
	sent := false
	f.OnSend = func(*app.Delivery) { sent = true }
	test.Tap(f.SendBtn)
	if sent || !f.Status.Visible() || !strings.Contains(f.Status.Text, "secret") {
		t.Fatalf("sent %v without a secret; status %q", sent, f.Status.Text)
	}
	test.Type(f.Secret, "whsec_test")
	d, err := f.Delivery()
	if err != nil {
		t.Fatal(err)
	}
	if d.Sign.Scheme != "stripe" || d.Sign.Secret != "whsec_test" {
		t.Errorf("signing %+v", d.Sign)
	}
}
