//go:build ci

package dialogs

import (
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
)

func newTestComposer(t *testing.T) *SignalComposer {
	t.Helper()
	test.NewTempApp(t)
	return NewSignalComposer(listenURL, now)
}

func valid() signal.Signal {
	return signal.Signal{Namespace: "zylkersurveys_survey_viewed", Email: "lena.fischer@example.com", Subject: "Survey viewed",
		Message: "Lena opened the onboarding survey.", Actions: []signal.Action{{DisplayName: "Open survey", URL: "https://bigin.zoho.com/s/42", OpenIn: "tab"}}}
}

// Each invalid field shows its own message under it, and Send sends nothing.
func TestComposerShowsEachFieldsMessage(t *testing.T) {
	cases := []struct {
		field, want string
		break_      func(*signal.Signal)
	}{
		{"namespace", "not a signal namespace", func(s *signal.Signal) { s.Namespace = "Survey Viewed" }},
		{"email", "not an email address", func(s *signal.Signal) { s.Email = "lena@" }},
		{"subject", "at most 100", func(s *signal.Signal) { s.Subject = strings.Repeat("s", 101) }},
		{"message", "at most 1000", func(s *signal.Signal) { s.Message = strings.Repeat("m", 1001) }},
		{"message", "missing", func(s *signal.Signal) { s.Message = "" }},
		{"actions", "at least one link action", func(s *signal.Signal) { s.Actions = nil }},
		{"actions[0].display_name", "no display name", func(s *signal.Signal) { s.Actions[0].DisplayName = "" }},
		{"actions[0].url", "not http or https", func(s *signal.Signal) { s.Actions[0].URL = "javascript:alert(1)" }},
	}
	for _, c := range cases {
		t.Run(c.field+"/"+c.want, func(t *testing.T) {
			comp := newTestComposer(t)
			s := valid()
			c.break_(&s)
			comp.Set(s)
			p := comp.Problems()
			if len(p) != 1 || !strings.Contains(p[c.field], c.want) {
				t.Fatalf("problems shown %q, want one for %s saying %q", p, c.field, c.want)
			}
			sent := false
			comp.OnSend = func(*app.Delivery) { sent = true }
			test.Tap(comp.SendBtn)
			if sent || !comp.Status.Visible() {
				t.Errorf("an invalid signal was sent (status %q)", comp.Status.Text)
			}
		})
	}
	comp := newTestComposer(t)
	comp.Set(valid())
	if p := comp.Problems(); len(p) != 0 {
		t.Errorf("a valid signal shows %v", p)
	}
}

// The seed's www.bigin.com is refused with an offer to add https://; taking
// it fixes the field.
func TestComposerOffersHTTPSForAURLWithoutScheme(t *testing.T) {
	comp := newTestComposer(t)
	s := valid()
	s.Actions[0].URL = "www.bigin.com"
	comp.Set(s)
	a := comp.Actions[0]
	if !a.URLErr.Visible() || !a.Fix.Visible() || a.Fix.Text != "Use https://www.bigin.com" {
		t.Fatalf("URL message %q, fix %v %q", a.URLErr.Text, a.Fix.Visible(), a.Fix.Text)
	}
	test.Tap(a.Fix)
	if a.URL.Text != "https://www.bigin.com" || a.URLErr.Visible() || a.Fix.Visible() {
		t.Errorf("after the fix: URL %q, message shown %v", a.URL.Text, a.URLErr.Visible())
	}
}

// The preview card shows the subject, the message and one link per action,
// and a click hands the action's URL to OnOpen — only on the click.
func TestComposerPreviewCard(t *testing.T) {
	comp := newTestComposer(t)
	s := valid()
	s.Actions = append(s.Actions, signal.Action{DisplayName: "Contact", URL: "https://bigin.zoho.com/c/7", OpenIn: "popup"})
	var opened []string
	comp.OnOpen = func(raw string) { opened = append(opened, raw) }
	comp.Set(s)
	card := comp.Card
	if card.Subject.Text != "Survey viewed" || card.Message.Text != s.Message {
		t.Errorf("card shows %q / %q", card.Subject.Text, card.Message.Text)
	}
	if len(card.Actions.Objects) != 2 {
		t.Fatalf("card shows %d actions", len(card.Actions.Objects))
	}
	if len(opened) != 0 {
		t.Fatal("a link opened without a click")
	}
	for _, o := range card.Actions.Objects {
		test.Tap(o.(*widget.Button))
	}
	if strings.Join(opened, " ") != "https://bigin.zoho.com/s/42 https://bigin.zoho.com/c/7" {
		t.Errorf("clicks opened %v", opened)
	}
}

// The topping's function URL is built from its parts, the zapikey masked
// on screen and sent in full; This Hooklens receives the signal at
// /bigin/signals; the signals API gets the Payload shape with a connection.
func TestComposerTargets(t *testing.T) {
	comp := newTestComposer(t)
	comp.Set(valid())
	d, err := comp.Delivery()
	if err != nil {
		t.Fatal(err)
	}
	if d.Request.URL != listenURL+"/bigin/signals" || d.Kind != app.KindSignal {
		t.Errorf("This Hooklens: %s kind %s", d.Request.URL, d.Kind)
	}
	var one map[string]any
	if err := json.Unmarshal(d.Request.Body, &one); err != nil || one["signal_namespace"] != "zylkersurveys_survey_viewed" {
		t.Errorf("body %s", d.Request.Body)
	}

	comp.Target.SetSelected(SignalToFunction)
	test.Type(comp.Topping, "zylkersurveys")
	test.Type(comp.Function, "relaysignal")
	test.Type(comp.ZAPIKey, "1001.secretkey0123456789")
	if strings.Contains(comp.Masked.Text, "secretkey") || !strings.Contains(comp.Masked.Text, "zylkersurveys_relaysignal") {
		t.Errorf("masked URL %q", comp.Masked.Text)
	}
	d, err = comp.Delivery()
	if err != nil {
		t.Fatal(err)
	}
	want := signal.FunctionURL{DC: "com", Topping: "zylkersurveys", Function: "relaysignal", ZAPIKey: "1001.secretkey0123456789"}.URL()
	if d.Request.URL != want {
		t.Errorf("function URL %q, want %q", d.Request.URL, want)
	}
	comp.Sent(d)
	if strings.Contains(comp.Status.Text, "secretkey") {
		t.Errorf("status shows the zapikey: %q", comp.Status.Text)
	}

	comp.Target.SetSelected(SignalToAPI)
	test.Type(comp.APIURL, "https://www.zohoapis.com/bigin/v2/signals/notify")
	if _, err := comp.Delivery(); err == nil || !strings.Contains(err.Error(), "connection") {
		t.Errorf("no connection: %v", err)
	}
	comp.SetConnections([]app.Connection{{Name: "zoho", Kind: app.AuthBearer, Prefix: "Zoho-oauthtoken", Token: "1000.abc"}})
	comp.Connection.SetSelectedIndex(0)
	d, err = comp.Delivery()
	if err != nil {
		t.Fatal(err)
	}
	var many struct {
		Signals []map[string]any `json:"signals"`
	}
	if json.Unmarshal(d.Request.Body, &many); len(many.Signals) != 1 || d.Connection != "zoho" {
		t.Errorf("signals API: body %s, connection %q", d.Request.Body, d.Connection)
	}
}
