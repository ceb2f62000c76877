//go:build ci

package ui

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/dialogs"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// received is one request the receiving app got.
type received struct {
	Method, Path string
	Header       http.Header
	Body         string
}

// receiver is the app under development: a real HTTP server that records
// what arrives and answers by path — /gone with 410, /fail with 500,
// anything else with 201 and a small JSON body.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Method, req.URL.Path, req.Header.Clone(), string(b)})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Receiver", "test-app")
		switch req.URL.Path {
		case "/gone":
			w.WriteHeader(http.StatusGone)
			io.WriteString(w, `{"error":"this webhook was removed"}`)
		case "/fail":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":"boom"}`)
		default:
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"received":true,"bytes":%d}`, len(b))
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// openEditor captures body at path, selects it and opens Edit and resend.
func (h *harness) openEditor(path, body string) *dialogs.ResendEditor {
	h.t.Helper()
	if got := h.send("POST", path, "application/json", []byte(body)); got != 200 {
		h.t.Fatalf("listener answered %d", got)
	}
	h.selectPath(path)
	if !h.w.detail.edit.Visible() || !h.w.detail.resend.Visible() {
		h.t.Fatal("the event header offers no Resend / Edit and resend")
	}
	test.Tap(h.w.detail.edit)
	ed := h.w.ctl.resendEd
	if ed == nil {
		h.t.Fatal("Edit and resend opened nothing")
	}
	h.pumpUntil("the targets to load", func() bool { return ed.Loaded() })
	return ed
}

// replaceBody selects everything in the body entry and types text over it.
func replaceBody(ed *dialogs.ResendEditor, text string) {
	ed.Body.TypedShortcut(&fyne.ShortcutSelectAll{})
	test.Type(ed.Body, text)
}

func (h *harness) putTarget(t app.Target) app.Target {
	h.t.Helper()
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	if err := h.st.PutTarget(&t); err != nil {
		h.t.Fatal(err)
	}
	return t
}

func TestEditAndResendSendsEditedBodyAndShowsResponse(t *testing.T) {
	h := newDeliveryHarness(t)
	rcv := newReceiver(t)

	// The Deliveries window is open while sending: it must follow live.
	test.Tap(h.w.top.deliveriesBtn)
	v := h.w.ctl.delivView
	if v == nil {
		t.Fatal("the Deliveries button opened nothing")
	}
	h.pumpUntil("the empty deliveries list", func() bool { return v.model.counted })

	ed := h.openEditor("/hooks/orders", `{"order":17,"amount":4200}`)
	if ed.Body.Text != `{"order":17,"amount":4200}` || ed.Method.Selected != "POST" {
		t.Fatalf("editor starts with %s %q", ed.Method.Selected, ed.Body.Text)
	}
	if !strings.HasPrefix(ed.Check.Text, "✓ valid JSON") {
		t.Errorf("JSON check on the captured body: %q", ed.Check.Text)
	}
	test.Type(ed.URL, rcv.URL+"/webhooks")
	edited := `{"order":17,"amount":9900,"note":"edited in Hooklens"}`
	replaceBody(ed, edited)
	if ed.Body.Text != edited {
		t.Fatalf("typing replaced the body with %q", ed.Body.Text)
	}

	test.Tap(ed.SendButton)
	if !ed.ProgBox.Visible() || ed.ProgText.Text != "Sending… attempt 1" || !ed.SendButton.Disabled() {
		t.Errorf("while sending: progress shown %v, text %q, Send disabled %v", ed.ProgBox.Visible(), ed.ProgText.Text, ed.SendButton.Disabled())
	}
	h.pumpUntil("the send to finish", func() bool { return !ed.Sending() })

	reqs := rcv.requests()
	if len(reqs) != 1 {
		t.Fatalf("the app received %d requests, want 1", len(reqs))
	}
	if r := reqs[0]; r.Body != edited || r.Method != "POST" || r.Path != "/webhooks" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("the app received %s %s %q (Content-Type %q), want the edited body", r.Method, r.Path, r.Body, r.Header.Get("Content-Type"))
	}

	p := ed.Pane
	if ed.ProgBox.Visible() || ed.SendErr.Visible() {
		t.Errorf("after the send: progress shown %v, error %q", ed.ProgBox.Visible(), ed.SendErr.Text)
	}
	if p.AttemptStatus.Text != "201" || p.AttemptStatus.Color != hltheme.Green {
		t.Errorf("response status badge %q in %s, want a green 201", p.AttemptStatus.Text, p.AttemptStatus.Color)
	}
	if p.State.Text != "delivered" || p.State.Color != hltheme.Green {
		t.Errorf("state badge %q in %s", p.State.Text, p.State.Color)
	}
	if !strings.Contains(p.AttemptMeta.Text, "Created") || !strings.Contains(p.AttemptMeta.Text, " ms") {
		t.Errorf("attempt line %q lacks the status text or the time in ms", p.AttemptMeta.Text)
	}
	wantBody := fmt.Sprintf("{\n  \"received\": true,\n  \"bytes\": %d\n}", len(edited))
	if got := p.ResponseBody.Text(); got != wantBody {
		t.Errorf("response body shown:\n%s\nwant (pretty):\n%s", got, wantBody)
	}
	if got := p.ResponseHeaders.Text(); !strings.Contains(got, "X-Receiver: test-app") {
		t.Errorf("response headers shown:\n%s", got)
	}
	if p.AttemptsTitle.Text != "Attempts (1)" {
		t.Errorf("attempts title %q", p.AttemptsTitle.Text)
	}

	// The Deliveries window picked the delivery up and shows its attempt.
	h.pumpUntil("the delivery in the Deliveries list", func() bool { return v.model.Len() == 1 && v.model.cachedRows() == 1 })
	if v.count.Text != "1 delivery" {
		t.Errorf("deliveries count %q", v.count.Text)
	}
	v.list.Select(0)
	h.pumpUntil("the delivery's detail", func() bool { return v.pane.Delivery() != nil })
	vp := v.pane
	if vp.State.Text != "delivered" || vp.AttemptsTitle.Text != "Attempts (1)" || vp.AttemptStatus.Text != "201" {
		t.Errorf("Deliveries shows %q, %q, status %q", vp.State.Text, vp.AttemptsTitle.Text, vp.AttemptStatus.Text)
	}
	req := vp.RequestView.Text()
	if !strings.HasPrefix(req, "POST "+rcv.URL+"/webhooks\n") || !strings.HasSuffix(req, "\n\n"+edited) {
		t.Errorf("the attempt's request as sent:\n%s", req)
	}
	d, err := h.st.Delivery(vp.Delivery().ID)
	if err != nil || d.EventID != h.w.detail.ev.ID || d.Kind != app.KindResend || string(d.Attempts[0].Request.Body) != edited {
		t.Errorf("stored delivery %+v, %v", d, err)
	}
}

func TestEditorValidatesJSONAsYouTypeWithLineAndColumn(t *testing.T) {
	h := newDeliveryHarness(t)
	ed := h.openEditor("/hooks/json", `{"a":1}`)

	replaceBody(ed, "{\n  \"a\": 1,\n  \"b\": }")
	if want := "✗ Invalid JSON at line 3, column 8: invalid character '}' looking for beginning of value"; ed.Check.Text != want {
		t.Errorf("check %q, want %q", ed.Check.Text, want)
	}
	if ed.Check.Importance != widget.DangerImportance || !ed.FormatButton.Disabled() || !ed.MinifyButton.Disabled() {
		t.Errorf("an invalid body should show in red with Format and Minify off")
	}
	test.Type(ed.Body, "") // nothing typed: still invalid
	replaceBody(ed, "{\"a\": [1, 2")
	if !strings.Contains(ed.Check.Text, "line 1, column 12: unexpected end of JSON input") {
		t.Errorf("unfinished body: %q", ed.Check.Text)
	}

	replaceBody(ed, `{"b":{"c":[1,2.50]},"a":"x"}`)
	if !strings.HasPrefix(ed.Check.Text, "✓ valid JSON") || ed.FormatButton.Disabled() {
		t.Fatalf("valid body: %q, Format disabled %v", ed.Check.Text, ed.FormatButton.Disabled())
	}
	test.Tap(ed.FormatButton)
	if want := "{\n  \"b\": {\n    \"c\": [\n      1,\n      2.50\n    ]\n  },\n  \"a\": \"x\"\n}"; ed.Body.Text != want {
		t.Errorf("Format gave\n%s\nwant key order and numbers kept:\n%s", ed.Body.Text, want)
	}
	test.Tap(ed.MinifyButton)
	if ed.Body.Text != `{"b":{"c":[1,2.50]},"a":"x"}` {
		t.Errorf("Minify gave %q", ed.Body.Text)
	}

	// A URL that is not http(s) is refused before anything is sent.
	test.Type(ed.URL, "ftp://example.com/x")
	if !ed.URLErr.Visible() || !strings.Contains(ed.URLErr.Text, "must start with http:// or https://") {
		t.Errorf("URL error %q (shown %v)", ed.URLErr.Text, ed.URLErr.Visible())
	}
	test.Tap(ed.SendButton)
	if ed.Sending() || !ed.SendErr.Visible() {
		t.Errorf("Send with a bad URL: sending %v, error shown %v", ed.Sending(), ed.SendErr.Visible())
	}
	if n, _ := h.st.CountDeliveries(); n != 0 {
		t.Errorf("%d deliveries stored for a refused send", n)
	}
}

func TestCheckJSONPositions(t *testing.T) {
	for _, c := range []struct {
		in        string
		line, col int
	}{
		{`{"a" 1}`, 1, 6},
		{"[1,\n2,\n]", 3, 1},
		{"{\"é\": x}", 1, 7}, // columns count characters, not bytes
		{`{"a":1}}`, 1, 8},
		{`{"a":`, 1, 6},
	} {
		je := widgets.CheckJSON([]byte(c.in))
		if je == nil || je.Line != c.line || je.Col != c.col {
			t.Errorf("widgets.CheckJSON(%q) = %v, want line %d column %d", c.in, je, c.line, c.col)
		}
	}
	if je := widgets.CheckJSON([]byte(`{"ok":[true,null]}`)); je != nil {
		t.Errorf("valid JSON reported: %v", je)
	}
}

func TestTargetAnswering410IsShownGoneAndDisabled(t *testing.T) {
	h := newDeliveryHarness(t)
	rcv := newReceiver(t)
	tg := h.putTarget(app.Target{Name: "Acme", URL: rcv.URL + "/gone", Enabled: true, Retry: app.DefaultRetry})

	ed := h.openEditor("/hooks/acme", `{"id":"evt_9"}`)
	ed.Target.SetSelected(dialogs.TargetOption(tg))
	if ed.URL.Text != rcv.URL+"/gone" || !ed.Env.Visible() || ed.Env.Text != "PRODUCTION" {
		t.Errorf("picking the target: URL %q, badge %q (shown %v)", ed.URL.Text, ed.Env.Text, ed.Env.Visible())
	}
	test.Tap(ed.SendButton)
	h.pumpUntil("the send to finish", func() bool { return !ed.Sending() })
	p := ed.Pane
	if p.State.Text != "gone" || p.State.Color != hltheme.Orange || p.AttemptStatus.Text != "410" {
		t.Errorf("after a 410: state %q in %s, status %q", p.State.Text, p.State.Color, p.AttemptStatus.Text)
	}
	if !strings.Contains(p.Reason.Text, "410 Gone") || !strings.Contains(p.Reason.Text, "target is disabled") {
		t.Errorf("reason %q", p.Reason.Text)
	}
	if n := len(rcv.requests()); n != 1 {
		t.Errorf("a 410 was retried: %d requests", n)
	}

	stored, err := h.st.Target(tg.ID)
	if err != nil || stored.Enabled || !strings.Contains(stored.DisabledReason, "410 Gone") {
		t.Fatalf("stored target %+v, %v", stored, err)
	}
	l := h.w.ctl.showTargets(h.w.win)
	h.pumpUntil("the targets list", func() bool { return l.Loaded() })
	texts := labels(h.w.win.Canvas().Overlays().Top())
	if !contains(texts, "Disabled: "+stored.DisabledReason) {
		t.Errorf("the Targets list does not show why Acme is disabled: %q", texts)
	}
	var sawBadge bool
	walk(h.w.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widgets.Badge); ok && b.Text == "DISABLED" && b.Color == hltheme.Red {
			sawBadge = true
		}
	})
	if !sawBadge {
		t.Error("no red DISABLED badge on the target")
	}

	// Sending to it again is refused with the reason, before any request.
	h.w.ctl.loadResendTargets(ed, nil)
	h.pumpUntil("the targets to reload", func() bool { return ed.ChosenTarget() != nil && !ed.ChosenTarget().Enabled })
	test.Tap(ed.SendButton)
	if !ed.SendErr.Visible() || !strings.Contains(ed.SendErr.Text, "disabled") {
		t.Errorf("sending to a disabled target: %q", ed.SendErr.Text)
	}
}

func TestTargetAndConnectionEditorsMaskSecrets(t *testing.T) {
	h := newDeliveryHarness(t)
	const secret = "whsec_3kX9pQ2mN7vB4cL8dF1gH6jK5sT0wYzA"
	const token = "1000.8f3a9c2b7d4e6f1a0b9c8d7e6f5a4b3c"
	if err := h.st.PutConnection(app.Connection{Name: "zoho", Kind: app.AuthBearer, Prefix: "Zoho-oauthtoken", Token: token}); err != nil {
		t.Fatal(err)
	}
	tg := h.putTarget(app.Target{Name: "Shop", URL: "https://shop.example.com/hooks", SandboxURL: "https://sandbox.example.com/hooks",
		UseSandbox: true, Scheme: "stripe", Secret: secret, Connection: "zoho", Enabled: true, Retry: app.DefaultRetry})

	test.Tap(h.w.top.targetsBtn)
	l := h.w.ctl.tgList
	h.pumpUntil("the targets list", func() bool { return l != nil && l.Loaded() })
	list := h.w.win.Canvas().Overlays().Top()
	texts := labels(list)
	if contains(texts, secret) || contains(texts, token) {
		t.Fatalf("the Targets list shows a secret: %q", texts)
	}
	if !contains(texts, "signs as stripe with "+app.Mask(secret)) || !contains(texts, "3 retries 1m apart") {
		t.Errorf("target summary: %q", texts)
	}
	var env *widgets.Badge
	walk(list, func(o fyne.CanvasObject) {
		if b, ok := o.(*widgets.Badge); ok && (b.Text == "SANDBOX" || b.Text == "PRODUCTION") {
			env = b
		}
	})
	if env == nil || env.Text != "SANDBOX" || env.Color != hltheme.Blue {
		t.Errorf("environment badge %+v, want a blue SANDBOX", env)
	}

	test.Tap(h.dialogButton("Edit"))
	ed := h.w.ctl.tgEditor
	if ed == nil {
		t.Fatal("Edit opened no editor")
	}
	form := h.w.win.Canvas().Overlays().Top()
	texts = labels(form)
	if contains(texts, secret) || !contains(texts, app.Mask(secret)) {
		t.Errorf("the editor should show the secret masked only: %q", texts)
	}
	if ed.Secret.Entry.Text != "" || !ed.Secret.Entry.Password {
		t.Error("the replacement entry should start empty and hide what is typed")
	}
	if !contains(texts, "Adds Authorization: Zoho-oauthtoken "+app.Mask(token)) {
		t.Errorf("the connection line should show the token masked: %q", texts)
	}
	test.Tap(ed.Secret.Eye)
	if !contains(labels(form), secret) {
		t.Error("the eye did not reveal the secret")
	}
	test.Tap(ed.Secret.Eye)
	if contains(labels(form), secret) {
		t.Error("the eye did not hide the secret again")
	}
	if ed.Timeout.PlaceHolder != "5s" || ed.Retries.Text != "3" || ed.Delay.Text != "1m" || ed.Env.Selected != dialogs.EnvSandbox {
		t.Errorf("form: timeout %q, retries %q, delay %q, env %q", ed.Timeout.PlaceHolder, ed.Retries.Text, ed.Delay.Text, ed.Env.Selected)
	}

	// A bad URL is refused in place; a good edit is saved, secret kept.
	ed.ProdURL.SetText("ftp://shop.example.com")
	test.Tap(ed.SaveButton)
	if !ed.URLErr.Visible() {
		t.Error("a non-http URL was accepted")
	}
	ed.ProdURL.SetText("https://shop.example.com/hooks")
	ed.Retries.SetText("5")
	ed.Env.SetSelected(dialogs.EnvProduction)
	test.Tap(ed.SaveButton)
	h.pumpUntil("the save", func() bool {
		got, _ := h.st.Target(tg.ID)
		return got.Retry.Retries == 5
	})
	got, _ := h.st.Target(tg.ID)
	if got.Secret != secret || got.UseSandbox || got.Connection != "zoho" || got.Scheme != "stripe" {
		t.Errorf("saved target %+v", got)
	}

	// The connection editor masks its token too.
	h.pumpUntil("the list to reload", func() bool { return h.w.ctl.tgEditor == nil && l.Loaded() })
	h.w.ctl.showConnections()
	h.pumpUntil("the connections", func() bool { return h.w.ctl.connList != nil && len(h.w.ctl.connList.Items()) == 1 })
	test.Tap(h.dialogButton("Edit"))
	ce := h.w.ctl.connEditor
	texts = labels(h.w.win.Canvas().Overlays().Top())
	if contains(texts, token) || !contains(texts, app.Mask(token)) || ce.Prefix.Text != "Zoho-oauthtoken" {
		t.Errorf("connection editor: %q, prefix %q", texts, ce.Prefix.Text)
	}
}

func TestCancelAndRetryFromDeliveries(t *testing.T) {
	h := newDeliveryHarness(t)
	rcv := newReceiver(t)
	tg := h.putTarget(app.Target{Name: "Flaky", URL: rcv.URL + "/fail", Enabled: true,
		Retry: app.RetryPolicy{Retries: 2, Delay: time.Hour}})

	ed := h.openEditor("/hooks/flaky", `{"n":1}`)
	ed.Target.SetSelected(dialogs.TargetOption(tg))
	test.Tap(ed.SendButton)
	h.pumpUntil("the first attempt to fail", func() bool {
		return ed.ProgBox.Visible() && strings.HasPrefix(ed.ProgText.Text, "Attempt 1: Answered 500")
	})
	if !strings.Contains(ed.ProgText.Text, "Attempt 2 at") || !ed.Detach.Visible() || ed.CancelButton.Disabled() {
		t.Errorf("waiting for a retry: %q, leave-to-queue shown %v, cancel enabled %v", ed.ProgText.Text, ed.Detach.Visible(), !ed.CancelButton.Disabled())
	}
	if ed.Pane.AttemptStatus.Text != "500" || ed.Pane.AttemptStatus.Color != hltheme.Red {
		t.Errorf("the failed attempt shows %q in %s", ed.Pane.AttemptStatus.Text, ed.Pane.AttemptStatus.Color)
	}
	test.Tap(ed.CancelButton)
	h.pumpUntil("the send to end", func() bool { return !ed.Sending() })
	if ed.Pane.State.Text != "cancelled" || ed.Pane.State.Color != hltheme.Grey {
		t.Errorf("after Cancel: %q in %s", ed.Pane.State.Text, ed.Pane.State.Color)
	}

	v := h.w.ctl.showDeliveries()
	h.pumpUntil("the row", func() bool { return v.model.cachedRows() == 1 })
	v.list.Select(0)
	h.pumpUntil("the detail", func() bool { return v.pane.Delivery() != nil })
	if !v.pane.RetryButton.Visible() || v.pane.RetryButton.Disabled() || v.pane.CancelButton.Visible() {
		t.Fatal("a cancelled delivery should offer Retry, not Cancel")
	}
	test.Tap(v.pane.RetryButton)
	h.pumpUntil("the retried delivery to fail again and wait", func() bool {
		d := v.pane.Delivery()
		return d.State == app.Pending && len(d.Attempts) == 2
	})
	if !v.pane.Next.Visible() || !strings.HasPrefix(v.pane.Next.Text, "Next attempt at") || !v.pane.CancelButton.Visible() {
		t.Errorf("pending delivery: next %q (shown %v), Cancel shown %v", v.pane.Next.Text, v.pane.Next.Visible(), v.pane.CancelButton.Visible())
	}
	if v.pane.Attempts() != 2 {
		t.Errorf("%d attempt rows, want 2", v.pane.Attempts())
	}
	test.Tap(v.pane.CancelButton)
	h.pumpUntil("the delivery to be cancelled", func() bool { return v.pane.Delivery().State == app.Cancelled })
	h.pumpUntil("the row to say cancelled", func() bool {
		s, ok := v.model.Item(0)
		return ok && s.State == app.Cancelled
	})
}

func TestBulkResendOfFilteredEventsToTarget(t *testing.T) {
	h := newDeliveryHarness(t)
	rcv := newReceiver(t)
	tg := h.putTarget(app.Target{Name: "Local", URL: rcv.URL + "/bulk", Enabled: true})
	h.send("POST", "/o/1", "application/json", []byte(`{"sku":"needle-1"}`))
	h.send("POST", "/o/2", "application/json", []byte(`{"sku":"hay"}`))
	h.send("POST", "/o/3", "application/json", []byte(`{"sku":"needle-3"}`))
	h.pumpUntil("three rows", func() bool { return len(h.rows()) == 3 })
	h.w.filter.SetText("needle")
	h.w.applyFilter("needle")
	h.pumpUntil("the filter", func() bool { return h.w.model.counted && h.w.model.Len() == 2 })

	h.w.ctl.askBulk(nil, "2 events")
	h.pumpUntil("the target picker", func() bool { return h.w.ctl.bulkPick != nil })
	h.w.ctl.bulkPick.SetSelected(dialogs.TargetOption(tg))
	test.Tap(h.dialogButton("Resend"))
	h.pumpUntil("the summary", func() bool { return h.w.ctl.bulkSummary != "" })
	if want := "Queued 2 resends to Local (PRODUCTION); follow them in Deliveries."; h.w.ctl.bulkSummary != want || h.w.top.flash.text.Text != want {
		t.Errorf("summary %q, banner %q", h.w.ctl.bulkSummary, h.w.top.flash.text.Text)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(rcv.requests()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var bodies []string
	for _, r := range rcv.requests() {
		bodies = append(bodies, r.Body)
	}
	if len(bodies) != 2 || !contains(bodies, `{"sku":"needle-1"}`) || !contains(bodies, `{"sku":"needle-3"}`) {
		t.Errorf("the app received %q, want the two matching events", bodies)
	}
}

func TestQuickResendToURLFollowsInBanner(t *testing.T) {
	h := newDeliveryHarness(t)
	rcv := newReceiver(t)
	h.send("POST", "/hooks/q", "application/json", []byte(`{"q":1}`), "X-Trace", "abc")
	h.selectPath("/hooks/q")
	h.w.ctl.quickResend(h.w.detail.ev, nil, rcv.URL+"/quick")
	h.pumpUntil("the banner to say delivered", func() bool { return h.w.top.flash.badge.Text == "delivered" })
	if txt := h.w.top.flash.text.Text; !strings.Contains(txt, "delivered — 201 Created in") {
		t.Errorf("banner %q", txt)
	}
	r := rcv.requests()
	if len(r) != 1 || r[0].Body != `{"q":1}` || r[0].Header.Get("X-Trace") != "abc" {
		t.Errorf("the app received %+v", r)
	}
	test.Tap(h.w.top.flash.show)
	v := h.w.ctl.delivView
	h.pumpUntil("the delivery selected in Deliveries", func() bool { return v != nil && v.pane.Delivery() != nil && v.pane.Delivery().ID == h.w.top.flash.id })
}

func TestMaskingOfCredentialsInAttempts(t *testing.T) {
	r := app.Request{Method: "POST", URL: "https://www.zohoapis.com/bigin/v2/x?zapikey=1003.abcdef0123456789abcdef&page=2",
		Headers: app.Headers{{Name: "Authorization", Value: "Zoho-oauthtoken 1000.8f3a9c2b7d4e6f1a0b9c8d7e6f5a4b3c"},
			{Name: "X-API-Key", Value: "sk_live_51Habcdefghijklmnop"}, {Name: "Stripe-Signature", Value: "t=1,v1=abc"}}}
	txt := widgets.RequestText(r)
	for _, secret := range []string{"8f3a9c2b7d4e6f1a0b9c8d7e6f5a", "abcdef0123456789abcd", "51Habcdefghijkl"} {
		if strings.Contains(txt, secret) {
			t.Errorf("request text shows %q:\n%s", secret, txt)
		}
	}
	for _, want := range []string{"Authorization: Zoho-oauthtoken 1000.••••••••4b3c", "?zapikey=1003.••••••••cdef&page=2",
		"X-API-Key: sk_••••••••mnop", "Stripe-Signature: t=1,v1=abc"} {
		if !strings.Contains(txt, want) {
			t.Errorf("request text lacks %q:\n%s", want, txt)
		}
	}
	// curl is for running it again: it keeps the real values.
	if c := widgets.CurlCommand(r); !strings.Contains(c, "1000.8f3a9c2b7d4e6f1a0b9c8d7e6f5a4b3c") {
		t.Errorf("curl command %q", c)
	}
}
