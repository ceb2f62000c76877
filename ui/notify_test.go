//go:build ci

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

// An invalid signature is announced as a desktop notification naming the
// event; a second within ten seconds waits for the next summary.
func TestInvalidSignatureIsNotified(t *testing.T) {
	h := newHarness(t)
	if err := h.st.PutEndpoint(app.Endpoint{Slug: "github", Scheme: "github", Secrets: []string{"s3cret"}}); err != nil {
		t.Fatal(err)
	}
	test.AssertNotificationSent(t, fyne.NewNotification("Hooklens", "Invalid signature on #1 POST /github/push"), func() {
		h.send("POST", "/github/push", "application/json", []byte(`{}`), "X-Hub-Signature-256", "sha256=00")
		h.pumpUntil("a notification", func() bool { return h.w.notes.sentCount() == 1 })
		h.pumpUntil("it to be handed to the app", func() bool { return true })
	})
	// Unsigned events are not announced, and the next invalid one waits for
	// the summary (at most one notification every ten seconds).
	h.send("POST", "/github/push", "application/json", []byte(`{}`))
	h.send("POST", "/github/push", "application/json", []byte(`{}`), "X-Hub-Signature-256", "sha256=01")
	h.pumpUntil("three rows", func() bool { return len(h.rows()) == 3 })
	if n := h.w.notes.sentCount(); n != 1 {
		t.Fatalf("%d notifications within ten seconds, want 1", n)
	}
	h.w.notes.mu.Lock()
	pending := strings.Join(h.w.notes.pending, "|")
	h.w.notes.mu.Unlock()
	if pending != "Invalid signature on #3 POST /github/push" {
		t.Fatalf("waiting for the summary: %q", pending)
	}
}
