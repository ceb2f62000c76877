//go:build ci

package dialogs

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// The Changes tab of a delivery: each header added, removed or changed
// (credentials masked), the body diff with the edited words marked, and a
// plain message for a delivery that came from no event.
func TestChangesTabComparesAttemptWithItsEvent(t *testing.T) {
	test.NewTempApp(t)
	var mu sync.Mutex
	var queued []func()
	do := func(f func()) { mu.Lock(); queued = append(queued, f); mu.Unlock() }
	pump := func() {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			mu.Lock()
			fs := queued
			queued = nil
			mu.Unlock()
			for _, f := range fs {
				f()
			}
			if len(fs) > 0 {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		t.Fatal("nothing came back from the event read")
	}
	ev := &app.Event{ID: 7, Method: "POST", Headers: app.Headers{
		{Name: "Host", Value: "127.0.0.1:8790"}, {Name: "Content-Type", Value: "text/plain"},
		{Name: "Authorization", Value: "Bearer sk_live_0123456789abcdef"}, {Name: "X-Trace", Value: "a"},
	}, Body: []byte("first line\nthe amount is 4200 today\nlast line\n")}
	reads := 0
	p := NewDeliveryPane(do, true, "")
	p.Original = func(id uint64) (*app.Event, error) {
		reads++
		if id != 7 {
			t.Errorf("read event %d", id)
		}
		return ev, nil
	}
	sent := app.Request{Method: "POST", URL: "http://127.0.0.1:3000/hook", Headers: app.Headers{
		{Name: "Content-Type", Value: "text/plain"}, {Name: "Authorization", Value: "Bearer sk_live_fedcba9876543210"},
		{Name: "X-Added", Value: "yes"},
	}, Body: []byte("first line\nthe amount is 9900 today\nlast line\n")}
	d := &app.Delivery{ID: 3, EventID: 7, Kind: app.KindResend, Request: sent, State: app.Delivered,
		Attempts: []app.Attempt{{Status: 200, Request: sent, At: time.Now()}}}
	p.Show(d, nil)
	pump()
	c := p.Changes
	if want := "Against event #7 as captured: headers: 1 added, 1 removed, 1 changed; body: 1 line removed, 1 line added."; c.Summary.Text != want {
		t.Errorf("summary %q, want %q", c.Summary.Text, want)
	}
	if p.changesTab.Text != "Changes (4)" {
		t.Errorf("tab %q", p.changesTab.Text)
	}
	kinds := []string{}
	for _, h := range c.HeaderRows {
		kinds = append(kinds, h.Kind+" "+h.Name)
	}
	if strings.Join(kinds, ", ") != "changed Authorization, removed X-Trace, added X-Added" {
		t.Errorf("header rows %q", kinds)
	}
	for _, l := range labelsOf(c.Root) {
		if strings.Contains(l, "sk_live_0123456789abcdef") || strings.Contains(l, "sk_live_fedcba9876543210") {
			t.Errorf("a token is shown unmasked: %q", l)
		}
	}
	diff := c.Body.Text()
	var del, ins string
	for _, row := range strings.Split(diff, "\n") {
		switch {
		case strings.Contains(row, " - "):
			del = row
		case strings.Contains(row, " + "):
			ins = row
		}
	}
	if !strings.HasSuffix(del, "- the amount is 4200 today") || !strings.HasSuffix(ins, "+ the amount is 9900 today") {
		t.Fatalf("diff:\n%s", diff)
	}
	// Only the edited number is marked in the changed rows.
	for row, want := range map[string]string{del: "42", ins: "99"} {
		spans := c.highlight([]rune(row))
		var marked []string
		for _, sp := range spans {
			if sp.Color != hltheme.Red && sp.Color != hltheme.Green && sp.From >= 14 {
				marked = append(marked, string([]rune(row)[sp.From:sp.To]))
			}
		}
		if len(marked) != 1 || marked[0] != want {
			t.Errorf("row %q marks %q, want %q", row, marked, want)
		}
	}
	// The next copy of the same delivery does not read the event again.
	p.Show(d, nil)
	if reads != 1 {
		t.Errorf("the event was read %d times", reads)
	}
	p.Show(&app.Delivery{ID: 4, Kind: app.KindSend, Request: sent}, nil)
	if !strings.HasPrefix(c.Summary.Text, "Nothing to compare") || c.Body.Visible() {
		t.Errorf("a composed request's Changes say %q", c.Summary.Text)
	}
}

// labelsOf is the text of every label under o.
func labelsOf(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch c := o.(type) {
		case *widget.Label:
			out = append(out, c.Text)
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				walk(ch)
			}
		}
	}
	walk(o)
	return out
}
