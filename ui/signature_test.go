//go:build ci

package ui

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

const (
	rightSecret = "whsec_3kX9pQ2mN7vB4cL8dF1gH6jK5sT0wYzA"
	wrongSecret = "whsec_Zq81LmP0oIuYtReWqAsDfGhJkL4b9x2c"
	orderBody   = `{"id":"evt_1","type":"charge.succeeded","amount":4200}`
)

// stripeSign signs body as Stripe documents it: t=<unix>,v1=<hex HMAC-SHA256
// of "{t}.{body}" keyed with the whole secret, whsec_ prefix included>.
func stripeSign(secret string, at time.Time, signed string) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + signed))
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// sendStripe posts orderBody to path, signed over signed (usually the body itself).
func (h *harness) sendStripe(path, secret, signed string) {
	h.t.Helper()
	if got := h.send("POST", path, "application/json", []byte(orderBody),
		"Stripe-Signature", stripeSign(secret, time.Now(), signed)); got != 200 {
		h.t.Fatalf("listener answered %d", got)
	}
}

func (h *harness) putEndpoint(slug, scheme string, secrets ...string) {
	h.t.Helper()
	if err := h.st.PutEndpoint(app.Endpoint{Slug: slug, Scheme: scheme, Secrets: secrets, CreatedAt: time.Now()}); err != nil {
		h.t.Fatal(err)
	}
}

// signature selects path, opens its Signature tab and waits for the live check.
func (h *harness) signature(path string) *sigTab {
	h.t.Helper()
	h.selectPath(path)
	d := h.w.detail
	d.tabs.Select(d.sigTab)
	h.pumpUntil("the live signature check", func() bool { return d.sig.ready && d.sig.ev != nil && d.sig.ev.Path == path })
	return d.sig
}

func (h *harness) rowVerdict(path string) (string, fyne.ThemeColorName) {
	h.t.Helper()
	h.pumpUntil("a row for "+path, func() bool { return h.rowFor(path) != nil })
	r := h.rowFor(path)
	return r.verdict.Text, r.verdict.Color
}

func (h *harness) storedVerdict(path string) app.Verdict {
	h.t.Helper()
	r := h.rowFor(path)
	if r == nil {
		h.t.Fatalf("no row for %s", path)
	}
	e, err := h.st.Event(r.sum.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return e.Verdict
}

func TestStripeSignatureValidShowsInRowAndSignatureTab(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", rightSecret)
	h.sendStripe("/shop/orders", rightSecret, orderBody)

	if text, c := h.rowVerdict("/shop/orders"); text != "valid" || c != hltheme.Green {
		t.Errorf("row verdict %q in %s, want valid in green", text, c)
	}
	s := h.signature("/shop/orders")
	if s.badge.Text != "valid" || s.badge.Color != hltheme.Green {
		t.Errorf("Signature tab badge %q in %s", s.badge.Text, s.badge.Color)
	}
	texts := labels(s.root)
	fp := verify.Fingerprint(rightSecret)
	for _, want := range []string{"The signature is genuine", "Signature matches secret (" + fp + ")", "stripe", "Key matched", "Signed content", "charge.succeeded", "Clock skew"} {
		if !contains(texts, want) {
			t.Errorf("Signature tab lacks %q; it shows %q", want, texts)
		}
	}
	if contains(texts, rightSecret) || contains(texts, strings.TrimPrefix(rightSecret, "whsec_")) {
		t.Error("the Signature tab shows the secret itself")
	}
	// Every value is copyable: the Key matched row copies the key's name.
	var keyCopied bool
	for _, b := range copyButtons(s.root) {
		test.Tap(b)
		if h.app.Clipboard().Content() == "secret ("+fp+")" {
			keyCopied = true
		}
	}
	if !keyCopied {
		t.Error("no copy button copies the matched key's name")
	}
}

func TestWrongSecretShowsInvalidWithLikelyCause(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", wrongSecret)
	h.sendStripe("/shop/orders", rightSecret, orderBody)

	if text, c := h.rowVerdict("/shop/orders"); text != "invalid" || c != hltheme.Red {
		t.Errorf("row verdict %q in %s, want invalid in red", text, c)
	}
	s := h.signature("/shop/orders")
	texts := labels(s.root)
	for _, want := range []string{
		"The signature does not match secret (" + verify.Fingerprint(wrongSecret) + "): an app checking it would reject this request.",
		"Likely cause",
		"the sender signs with a different secret than the one this endpoint has",
		"Copy the signing secret again",
		"Expected", "Received",
	} {
		if !contains(texts, want) {
			t.Errorf("Signature tab lacks %q; it shows %q", want, texts)
		}
	}
	if button(s.root, "Edit endpoint shop") == nil {
		t.Error("a failing endpoint's Signature tab should offer to edit the endpoint")
	}
	// The failure is said once, not in a headline, a reason and a card.
	if n := saidTimes(texts, "does not match"); n != 1 {
		t.Errorf("the tab says the signature does not match %d times: %q", n, texts)
	}
}

func saidTimes(texts []string, what string) int {
	n := 0
	for _, t := range texts {
		n += strings.Count(strings.ToLower(t), what)
	}
	return n
}

func TestCommonMistakesAreNamedAsLikelyCause(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", rightSecret)
	h.putEndpoint("billing", "stripe", wrongSecret)
	// The sender's framework added a newline to what it signed.
	h.sendStripe("/shop/newline", rightSecret, orderBody+"\n")
	// The request was signed with another endpoint's secret.
	h.sendStripe("/billing/orders", rightSecret, orderBody)

	s := h.signature("/shop/newline")
	if s.badge.Text != "invalid" {
		t.Fatalf("badge %q, want invalid", s.badge.Text)
	}
	texts := labels(s.root)
	for _, want := range []string{
		"Likely cause",
		"The received signature matches when it is computed with a trailing newline added to the body.",
		"The sender signed other bytes than it sent",
	} {
		if !contains(texts, want) {
			t.Errorf("Signature tab lacks %q; it shows %q", want, texts)
		}
	}

	if n := saidTimes(texts, "trailing newline"); n != 1 {
		t.Errorf("the trailing newline is named %d times, want once (in the cause card): %q", n, texts)
	}
	if n := saidTimes(texts, "does not match"); n != 1 {
		t.Errorf("the tab says the signature does not match %d times: %q", n, texts)
	}

	s = h.signature("/billing/orders")
	if want := "computed with another endpoint's key (endpoint shop secret)"; !contains(labels(s.root), want) {
		t.Errorf("Signature tab lacks %q; it shows %q", want, labels(s.root))
	}
}

func TestUnsignedRequestShowsUnsigned(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/plain", "application/json", []byte(`{}`))
	if text, c := h.rowVerdict("/plain"); text != "unsigned" || c != hltheme.Grey {
		t.Errorf("row verdict %q in %s, want unsigned in grey", text, c)
	}
	s := h.signature("/plain")
	if s.badge.Text != "unsigned" {
		t.Errorf("badge %q", s.badge.Text)
	}
	if !contains(labels(s.root), "The request carries no signature") {
		t.Errorf("Signature tab shows %q", labels(s.root))
	}
}

func TestTryAnotherSecretThenCreateEndpointFromSignatureTab(t *testing.T) {
	h := newHarness(t)
	h.sendStripe("/hooks/stripe", rightSecret, orderBody)
	if text, c := h.rowVerdict("/hooks/stripe"); text != "unverified" || c != hltheme.Orange {
		t.Errorf("row verdict %q in %s, want unverified in orange", text, c)
	}
	s := h.signature("/hooks/stripe")
	if !contains(labels(s.root), "ooks like Stripe") {
		t.Errorf("the reason should name the detected scheme; the tab shows %q", labels(s.root))
	}
	if s.scheme.Selected != "stripe" {
		t.Errorf("the try box's scheme is %q, want the detected stripe", s.scheme.Selected)
	}
	if !s.secret.Password {
		t.Error("the try box's entry should mask what is typed")
	}

	test.Type(s.secret, wrongSecret)
	test.Tap(s.check)
	h.pumpUntil("the try result", func() bool { return s.tryText != "" })
	if !strings.HasPrefix(s.tryText, "invalid") {
		t.Errorf("a wrong secret gave %q", s.tryText)
	}
	s.secret.SetText("")
	test.Type(s.secret, rightSecret)
	test.Tap(s.check)
	h.pumpUntil("the valid try result", func() bool { return strings.HasPrefix(s.tryText, "valid") })
	if !strings.Contains(s.tryText, "the typed secret ("+verify.Fingerprint(rightSecret)+")") {
		t.Errorf("try result %q does not name the typed secret by fingerprint", s.tryText)
	}
	if v := h.storedVerdict("/hooks/stripe"); v.Result != app.VerdictUnverified {
		t.Errorf("trying a secret changed the stored verdict to %+v", v)
	}
	if eps, _ := h.st.Endpoints(); len(eps) != 0 {
		t.Errorf("trying a secret stored endpoints %+v", eps)
	}

	// The tab offers to create the endpoint, prefilled from the request.
	create := button(s.root, "Create endpoint hooks")
	if create == nil {
		t.Fatalf("no Create endpoint button; the tab shows %q", labels(s.root))
	}
	test.Tap(create)
	ed := h.w.ctl.epEditor
	if ed == nil || ed.Slug.Text != "hooks" || ed.Scheme.Selected != "stripe" {
		t.Fatalf("editor not prefilled: %+v", ed)
	}
	test.Type(ed.Pending, rightSecret)
	test.Tap(ed.SaveButton)
	h.pumpUntil("the stored verdict to be re-checked", func() bool {
		return h.storedVerdict("/hooks/stripe").Result == app.VerdictValid
	})
	h.pumpUntil("the row to show valid", func() bool {
		r := h.rowFor("/hooks/stripe")
		return r != nil && r.verdict.Text == "valid"
	})
	ep, err := h.st.Endpoint("hooks")
	if err != nil || ep.Scheme != "stripe" || len(ep.Secrets) != 1 || ep.Secrets[0] != rightSecret {
		t.Errorf("stored endpoint %+v, %v", ep, err)
	}
}

func TestEditorMasksSecretsAndReverifiesOnSave(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", wrongSecret)
	h.sendStripe("/shop/orders", rightSecret, orderBody)
	if text, _ := h.rowVerdict("/shop/orders"); text != "invalid" {
		t.Fatalf("row verdict %q, want invalid", text)
	}

	h.openEndpoints()
	list := h.w.win.Canvas().Overlays().Top()
	if !contains(labels(list), "/shop/") || !contains(labels(list), "stripe · 1 secret · responds 200") {
		t.Errorf("endpoint list shows %q", labels(list))
	}
	test.Tap(h.dialogButton("Edit"))
	ed := h.w.ctl.epEditor
	if ed == nil {
		t.Fatal("Edit did not open the editor")
	}
	editor := h.w.win.Canvas().Overlays().Top()
	texts := labels(editor)
	if contains(texts, wrongSecret) || contains(texts, strings.TrimPrefix(wrongSecret, "whsec_")) {
		t.Errorf("the editor shows a secret before reveal: %q", texts)
	}
	masked := app.Mask(wrongSecret)
	if !strings.HasPrefix(masked, "whsec_••••") || !strings.HasSuffix(masked, "9x2c") {
		t.Errorf("mask %q should keep the prefix and the last four characters only", masked)
	}
	if !contains(texts, masked) || !contains(texts, verify.Fingerprint(wrongSecret)) {
		t.Errorf("the editor should show the masked secret and its fingerprint; it shows %q", texts)
	}
	test.Tap(ed.Secrets()[0].Eye)
	if !contains(labels(editor), wrongSecret) {
		t.Error("the eye button did not reveal the secret")
	}
	test.Tap(ed.Secrets()[0].Eye)
	if contains(labels(editor), wrongSecret) {
		t.Error("the eye button did not hide the secret again")
	}

	// Add the right secret beside the wrong one (rotation) and save.
	test.Type(ed.Pending, rightSecret)
	test.Tap(button(editor, "Add secret"))
	if len(ed.Secrets()) != 2 || contains(labels(editor), rightSecret) {
		t.Fatalf("after Add: %d secrets, shown %q", len(ed.Secrets()), labels(editor))
	}
	test.Tap(ed.SaveButton)
	h.pumpUntil("the stored verdict to become valid", func() bool {
		return h.storedVerdict("/shop/orders").Result == app.VerdictValid
	})
	h.pumpUntil("the row to show valid", func() bool {
		r := h.rowFor("/shop/orders")
		return r != nil && r.verdict.Text == "valid"
	})
	h.pumpUntil("the list status", func() bool { return h.w.ctl.epList.Status.Visible() })
	if got := h.w.ctl.epList.Status.Text; got != "Saved endpoint shop; re-checked 1 event, 1 now has a different result." {
		t.Errorf("list status %q", got)
	}
	if v := h.storedVerdict("/shop/orders"); !strings.Contains(v.Reason, "secret 2 ("+verify.Fingerprint(rightSecret)+")") {
		t.Errorf("the verdict should name the matching secret: %+v", v)
	}
	s := h.signature("/shop/orders")
	if s.badge.Text != "valid" {
		t.Errorf("Signature tab badge %q after the edit", s.badge.Text)
	}
}

func TestEditorValidatesInline(t *testing.T) {
	h := newHarness(t)
	h.openEndpoints()
	test.Tap(h.dialogButton("Add endpoint"))
	ed := h.w.ctl.epEditor
	test.Type(ed.Slug, "Bad Slug")
	if !ed.SlugErr.Visible() || !strings.Contains(ed.SlugErr.Text, "is not valid") {
		t.Errorf("slug error %q shown=%v", ed.SlugErr.Text, ed.SlugErr.Visible())
	}
	ed.Slug.SetText("orders")
	if ed.SlugErr.Visible() || !strings.HasSuffix(ed.URL.Text, "/orders/…") {
		t.Errorf("a good slug should clear the error and show the URL: %q", ed.URL.Text)
	}
	ed.Scheme.SetSelected("hmac")
	test.Type(ed.Options, "algorithm=md5")
	test.Type(ed.Status, "99")
	test.Type(ed.Delay, "soon")
	test.Type(ed.Forward, "ftp://example.com/x")
	test.Tap(ed.SaveButton)
	for _, l := range []*widget.Label{ed.OptErr, ed.RespErr, ed.FwdErr, ed.SaveErr} {
		if !l.Visible() || l.Text == "" {
			t.Errorf("an error label is not shown (%q)", l.Text)
		}
	}
	if !strings.Contains(ed.RespErr.Text, "200-599") || !strings.Contains(ed.RespErr.Text, "500ms, 5s, 1m") {
		t.Errorf("response error %q", ed.RespErr.Text)
	}
	h.q.pump()
	if eps, _ := h.st.Endpoints(); len(eps) != 0 {
		t.Fatalf("an invalid form was saved: %+v", eps)
	}
	if h.w.ctl.epEditor != ed {
		t.Error("the editor closed on an invalid form")
	}

	ed.Options.SetText("header=X-Sig;algorithm=sha512;encoding=base64")
	ed.Status.SetText("202")
	ed.Delay.SetText("1500ms")
	ed.Forward.SetText("http://localhost:3000/hooks")
	test.Tap(button(h.w.win.Canvas().Overlays().Top(), "Generate secret"))
	if len(ed.Secrets()) != 1 || !ed.Secrets()[0].Shown() || len(ed.Secrets()[0].Value()) != 64 {
		t.Fatalf("Generate secret should add one shown 32-byte hex secret, got %+v", ed.Secrets())
	}
	test.Tap(ed.SaveButton)
	h.pumpUntil("the editor to close", func() bool { return h.w.ctl.epEditor == nil })
	ep, err := h.st.Endpoint("orders")
	if err != nil {
		t.Fatal(err)
	}
	if ep.Scheme != "hmac;header=X-Sig;algorithm=sha512;encoding=base64" || ep.Response.Status != 202 ||
		ep.Response.Delay != 1500*time.Millisecond || ep.ForwardTo != "http://localhost:3000/hooks" || len(ep.Secrets) != 1 {
		t.Errorf("stored %+v", ep)
	}
}

// The editor refuses what every other door refuses, with the same words:
// its checks are app.Endpoint.Problems, as the command line's and the
// listener's are.
func TestEditorRefusesWhatEndpointProblemsRefuses(t *testing.T) {
	h := newHarness(t)
	h.openEndpoints()
	test.Tap(h.dialogButton("Add endpoint"))
	ed := h.w.ctl.epEditor
	test.Type(ed.Slug, "orders")
	test.Type(ed.Status, "150")
	test.Tap(ed.SaveButton)
	want := app.Endpoint{Slug: "orders", Response: app.ResponseRule{Status: 150}}.Problems()
	if len(want) != 1 || want[0].Field != app.FieldResponse {
		t.Fatalf("app.Endpoint.Problems for status 150: %+v", want)
	}
	if !ed.RespErr.Visible() || ed.RespErr.Text != want[0].Msg {
		t.Errorf("status 150: the editor says %q (shown %v), the other doors say %q", ed.RespErr.Text, ed.RespErr.Visible(), want[0].Msg)
	}

	ed.Status.SetText("")
	test.Type(ed.Forward, "ftp://example.com/hooks")
	test.Tap(ed.SaveButton)
	want = app.Endpoint{Slug: "orders", ForwardTo: "ftp://example.com/hooks"}.Problems()
	if len(want) != 1 || !ed.FwdErr.Visible() || ed.FwdErr.Text != want[0].Msg || ed.RespErr.Visible() {
		t.Errorf("forward to ftp: the editor says %q (shown %v), the other doors say %+v", ed.FwdErr.Text, ed.FwdErr.Visible(), want)
	}
	ed.Forward.SetText("")
	ed.Scheme.SetSelected("hmac")
	test.Type(ed.Options, "algorithm=md5")
	test.Tap(ed.SaveButton)
	want = app.Endpoint{Slug: "orders", Scheme: "hmac;algorithm=md5"}.Problems()
	if len(want) != 1 || want[0].Field != app.FieldScheme || !ed.OptErr.Visible() || ed.OptErr.Text != want[0].Msg {
		t.Errorf("scheme hmac;algorithm=md5: the editor says %q (shown %v), the other doors say %+v", ed.OptErr.Text, ed.OptErr.Visible(), want)
	}
	h.q.pump()
	if eps, _ := h.st.Endpoints(); len(eps) != 0 || h.w.ctl.epEditor != ed {
		t.Fatalf("a refused endpoint was saved (%+v) or the editor closed", eps)
	}
}

func TestDeletingEndpointRechecksItsEvents(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", rightSecret)
	h.sendStripe("/shop/orders", rightSecret, orderBody)
	if text, _ := h.rowVerdict("/shop/orders"); text != "valid" {
		t.Fatalf("row verdict %q, want valid", text)
	}
	h.openEndpoints()
	test.Tap(h.dialogButton("Delete"))
	test.Tap(h.dialogButton("Delete")) // the confirmation
	h.pumpUntil("the stored verdict to be re-checked", func() bool {
		return h.storedVerdict("/shop/orders").Result == app.VerdictUnverified
	})
	if _, err := h.st.Endpoint("shop"); err == nil {
		t.Error("the endpoint is still stored")
	}
	h.pumpUntil("the list to empty", func() bool { return len(h.w.ctl.epList.Items()) == 0 })
	if !contains(labels(h.w.ctl.epList.Rows), "No endpoints yet") {
		t.Errorf("empty list shows %q", labels(h.w.ctl.epList.Rows))
	}
	s := h.signature("/shop/orders")
	if !contains(labels(s.root), "Endpoint shop was deleted after this event arrived") {
		t.Errorf("the Signature tab should say the endpoint is gone; it shows %q", labels(s.root))
	}
}

func TestWithoutEndpointStoreEditorIsHidden(t *testing.T) {
	h := newHarness(t)
	w := newWindow(h.app, Deps{Events: h.st, Settings: h.st, Listener: h.srv}, h.q.do)
	defer w.win.Close()
	if w.top.endpointsBtn.Visible() {
		t.Error("the Endpoints button shows without an endpoint store")
	}
}

// copyButtons are the copy buttons under o.
func copyButtons(o fyne.CanvasObject) []*widget.Button { return iconButtons(o, "content-copy") }

// iconButtons are the buttons under o with no text and an icon whose name
// contains icon, top to bottom.
func iconButtons(o fyne.CanvasObject, icon string) []*widget.Button {
	var out []*widget.Button
	walk(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Text == "" && b.Icon != nil && strings.Contains(b.Icon.Name(), icon) {
			out = append(out, b)
		}
	})
	return out
}

// The copy buttons copy values, not their display: Expected and Received
// the whole signatures, Signed content its exact bytes; the signatures are
// shown whole with the first differing character marked.
func TestSignatureCopiesExactValues(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", rightSecret)
	h.sendStripe("/shop/orders", wrongSecret, orderBody)
	s := h.signature("/shop/orders")
	e := h.w.detail.ev
	got := e.Headers.Get("Stripe-Signature")
	received := got[strings.Index(got, "v1=")+3:]
	ts := got[2:strings.Index(got, ",")]
	signed := ts + "." + orderBody
	m := hmac.New(sha256.New, []byte(rightSecret))
	m.Write([]byte(signed))
	expected := hex.EncodeToString(m.Sum(nil))

	copied := map[string]bool{}
	for _, b := range copyButtons(s.root) {
		test.Tap(b)
		copied[h.app.Clipboard().Content()] = true
	}
	for name, want := range map[string]string{"the expected signature": expected, "the received signature": received, "the signed content": signed} {
		if !copied[want] {
			t.Errorf("no copy button copies %s %q", name, want)
		}
	}
	var marked bool
	walk(s.root, func(o fyne.CanvasObject) {
		if rt, ok := o.(*widget.RichText); ok && strings.Contains(rt.String(), expected) {
			for _, seg := range rt.Segments {
				if ts, ok := seg.(*widget.TextSegment); ok && ts.Style.ColorName == hltheme.Red && len(ts.Text) == 1 {
					marked = true
				}
			}
		}
	})
	if !marked {
		t.Error("the whole expected signature is not shown with its first differing character marked")
	}
}

// Signed content is copied byte for byte, not as shown: line breaks,
// tabs, quotes and non-ASCII text survive, and nothing is Go-quoted.
func TestSignedContentCopiesTheExactBytes(t *testing.T) {
	h := newHarness(t)
	h.putEndpoint("shop", "stripe", rightSecret)
	body := "{\r\n\t\"note\": \"café `quoted` \\\"x\\\"\",\n\t\"n\": 1\r\n}\n"
	at := time.Now()
	if got := h.send("POST", "/shop/raw", "application/json", []byte(body), "Stripe-Signature", stripeSign(rightSecret, at, body)); got != 200 {
		t.Fatalf("listener answered %d", got)
	}
	s := h.signature("/shop/raw")
	if s.badge.Text != "valid" {
		t.Fatalf("badge %q", s.badge.Text)
	}
	want := strconv.FormatInt(at.Unix(), 10) + "." + body
	var found bool
	for _, b := range copyButtons(s.root) {
		test.Tap(b)
		if h.app.Clipboard().Content() == want {
			found = true
		}
	}
	if !found {
		t.Errorf("no copy button copies the signed content %q exactly", want)
	}
}
