//go:build ci

package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// topTitle is the text of the first label of the dialog on top of c, "" for none.
func topTitle(c fyne.Canvas) string {
	top := c.Overlays().Top()
	if top == nil {
		return ""
	}
	// The title is the bold label.
	var title string
	walk(top, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.TextStyle.Bold && title == "" {
			title = l.Text
		}
	})
	if title == "" {
		return "?"
	}
	return title
}

// A question answers Esc (cancel: nothing happens) and Enter (confirm),
// and a key meant for it does not reach the list behind it.
func TestDialogAnswersEnterAndEsc(t *testing.T) {
	h := newHarness(t)
	h.sendN(2, 2)
	h.selectPath("/n/1")

	h.w.confirmClear()
	if got := topTitle(h.w.win.Canvas()); got != "Clear all events?" {
		t.Fatalf("dialog %q", got)
	}
	h.key(fyne.KeyDelete) // the list's Delete must not ask about the event behind the dialog
	if got := topTitle(h.w.win.Canvas()); got != "Clear all events?" {
		t.Fatalf("Delete behind the dialog opened %q", got)
	}
	h.key(fyne.KeyEscape)
	if h.w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc left the dialog open")
	}
	if n, _ := h.st.Count(); n != 2 {
		t.Fatalf("Esc deleted: %d events left", n)
	}
	h.w.confirmClear()
	h.key(fyne.KeyReturn)
	if h.w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Enter left the dialog open")
	}
	h.pumpUntil("every event deleted", func() bool { n, _ := h.st.Count(); return n == 0 })

	// An error message closes with either key.
	h.w.confirmDelete(12345)
	h.key(fyne.KeyReturn)
	h.pumpUntil("the answer", func() bool { return true })
	h.key(fyne.KeyEscape)
	h.key(fyne.KeyEscape)
	if h.w.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("still open: %q", topTitle(h.w.win.Canvas()))
	}
}

// An endpoint editor closes on Esc at once when nothing changed, asks
// before discarding a change (Esc keeps editing, Enter discards) and saves
// on Enter.
func TestEditorAsksBeforeDiscarding(t *testing.T) {
	h := newHarness(t)
	c := h.w.win.Canvas()
	h.openEndpoints()
	h.w.ctl.editEndpoint(app.Endpoint{}, true)
	c.Unfocus()
	h.key(fyne.KeyEscape)
	if h.w.ctl.epEditor != nil {
		t.Fatal("Esc on an untouched editor did not close it")
	}
	if got := topTitle(c); got == "Discard changes?" || got == "" {
		t.Fatalf("after Esc the top is %q, want the endpoint list", got)
	}

	ed := h.w.ctl.editEndpoint(app.Endpoint{}, true)
	test.Type(ed.Slug, "shop")
	c.Unfocus()
	h.key(fyne.KeyEscape)
	if got := topTitle(c); got != "Discard changes?" {
		t.Fatalf("Esc on an edited editor shows %q, want the discard question", got)
	}
	h.key(fyne.KeyEscape) // keep editing
	if h.w.ctl.epEditor != ed || topTitle(c) == "Discard changes?" || c.Overlays().Top() == nil {
		t.Fatalf("Keep editing closed the editor (top %q)", topTitle(c))
	}
	test.Tap(h.dialogButton("Cancel"))
	if got := topTitle(c); got != "Discard changes?" {
		t.Fatalf("Cancel on an edited editor shows %q", got)
	}
	h.key(fyne.KeyReturn) // discard
	if h.w.ctl.epEditor != nil {
		t.Fatal("Discard left the editor open")
	}
	if _, err := h.st.Endpoint("shop"); err == nil {
		t.Fatal("a discarded endpoint was saved")
	}

	// Enter saves.
	ed = h.w.ctl.editEndpoint(app.Endpoint{}, true)
	test.Type(ed.Slug, "shop")
	c.Unfocus()
	h.key(fyne.KeyReturn)
	h.pumpUntil("the endpoint saved", func() bool { _, err := h.st.Endpoint("shop"); return err == nil })
}

// The Edit and resend window closes on Esc, asking first when the request
// was edited.
func TestResendEditorEscAsksBeforeDiscarding(t *testing.T) {
	h := newDeliveryHarness(t)
	h.send("POST", "/a", "application/json", []byte(`{"a":1}`))
	h.selectPath("/a")
	ed := h.w.ctl.editAndResend(h.w.detail.ev)
	win := h.w.ctl.editors[ed]
	h.pumpUntil("the targets", ed.Loaded)
	c := win.Canvas()
	ed.Body.SetText(`{"a":2}`)
	c.Unfocus()
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if got := topTitle(c); got != "Discard changes?" {
		t.Fatalf("Esc on an edited request shows %q", got)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if _, open := h.w.ctl.editors[ed]; !open || c.Overlays().Top() != nil {
		t.Fatal("Keep editing closed the window")
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if _, open := h.w.ctl.editors[ed]; open {
		t.Fatal("Discard left the window open")
	}

	// Untouched: Esc closes at once.
	ed = h.w.ctl.editAndResend(h.w.detail.ev)
	h.pumpUntil("the targets", ed.Loaded)
	c = h.w.ctl.editors[ed].Canvas()
	c.Unfocus()
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if _, open := h.w.ctl.editors[ed]; open {
		t.Fatal("Esc on an untouched request did not close it")
	}
}

// One event: the question says so in the singular.
func TestClearOneEventWording(t *testing.T) {
	h := newHarness(t)
	h.sendN(1, 1)
	h.w.confirmClear()
	top := h.w.win.Canvas().Overlays().Top()
	if l := labels(top); !contains(l, "Delete the only event captured by Hooklens?") || contains(l, "all 1") {
		t.Errorf("clear one event says %q", l)
	}
	if button(top, "Delete") == nil {
		t.Error("no Delete button")
	}
	h.key(fyne.KeyEscape)
}

// The notice that the port differs can be dismissed.
func TestNoticeCanBeDismissed(t *testing.T) {
	h := newHarness(t)
	msg := "127.0.0.1:8790 is in use by another program, so Hooklens listens on http://127.0.0.1:8791 instead."
	h.w.top.addNotice(msg)
	if !contains(labels(h.w.top.notices), "8791 instead") {
		t.Fatalf("notice not shown: %v", labels(h.w.top.notices))
	}
	var dismiss *widget.Button
	walk(h.w.top.notices, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "" {
			dismiss = b
		}
	})
	if dismiss == nil {
		t.Fatal("no dismiss button")
	}
	test.Tap(dismiss)
	if len(h.w.top.notices.Objects) != 0 {
		t.Errorf("after dismiss: %v", labels(h.w.top.notices))
	}
}

// With a field focused, Esc and Enter still reach the editor: the field
// hands them on (the window's keys go to the focused widget first).
func TestEditorKeysFromAFocusedField(t *testing.T) {
	h := newHarness(t)
	c := h.w.win.Canvas()
	h.openEndpoints()
	ed := h.w.ctl.editEndpoint(app.Endpoint{}, true)
	c.Focus(ed.Slug)
	test.Type(ed.Slug, "shop")
	ed.Slug.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if got := topTitle(c); got != "Discard changes?" {
		t.Fatalf("Esc in the Slug field shows %q, want the discard question", got)
	}
	h.key(fyne.KeyEscape) // keep editing
	c.Focus(ed.Slug)
	ed.Slug.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.pumpUntil("the endpoint saved by Enter in a field", func() bool { _, err := h.st.Endpoint("shop"); return err == nil })

	// In a multi-line field Enter is a new line, Esc still closes.
	ed = h.w.ctl.editEndpoint(app.Endpoint{}, true)
	c.Focus(ed.Body)
	ed.Body.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if h.w.ctl.epEditor != ed {
		t.Fatal("Enter in the response body closed the editor")
	}
}
