//go:build ci

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(c fyne.CanvasObject) {
		switch x := c.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		}
	})
	return b.String()
}

// The dashboard counts what real requests did, per endpoint, and turns a
// target on or off in one click.
func TestDashboardCountsRequestsAndTogglesTargets(t *testing.T) {
	h := newDeliveryHarness(t)
	if err := h.st.PutEndpoint(app.Endpoint{Slug: "github", Scheme: "github", Secrets: []string{"s3cret"}}); err != nil {
		t.Fatal(err)
	}
	tg := &app.Target{Name: "Zylker CRM", URL: "http://127.0.0.1:1/hook", Enabled: true, Retry: app.DefaultRetry}
	if err := h.st.PutTarget(tg); err != nil {
		t.Fatal(err)
	}
	h.send("POST", "/github/push", "application/json", []byte(`{}`), "X-Hub-Signature-256", "sha256=00")
	h.send("POST", "/github/push", "application/json", []byte(`{}`))
	h.send("POST", "/github/push", "application/json", []byte(`{}`))
	h.send("GET", "/health", "", nil)
	h.pumpUntil("four rows", func() bool { return len(h.rows()) == 4 })

	h.w.ctl.showDashboard()
	d := h.w.ctl.dash
	h.pumpUntil("the counters", func() bool { return strings.Contains(texts(d.win.Content()), "3 received") })
	all := texts(d.win.Content())
	for _, want := range []string{"4 events in the last hour", "github", "3 received", "invalid 33%", "unsigned 67%", "no endpoint", "1 received", "Zylker CRM", "0 deliveries"} {
		if !strings.Contains(all, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, all)
		}
	}
	if d.chart.Max() < 1 {
		t.Error("the chart shows no events")
	}
	var enabled *widget.Check
	walk(d.win.Content(), func(c fyne.CanvasObject) {
		if x, ok := c.(*widget.Check); ok && x.Text == "Enabled" {
			enabled = x
		}
	})
	if enabled == nil || !enabled.Checked {
		t.Fatal("no Enabled toggle on the target row")
	}
	enabled.SetChecked(false) // what a click does
	h.pumpUntil("the target to be disabled", func() bool {
		got, err := h.st.Target(tg.ID)
		return err == nil && !got.Enabled
	})
	d.win.Close()
}
