//go:build ci

// The ci build tag selects Fyne's headless test driver: these tests need no display.

package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

// A secret shows as app.Mask shows it, whichever editor it is in; the eye
// reveals it and hides it again, and a pasted replacement takes its place.
func TestSecretMasksWithTheOneRule(t *testing.T) {
	test.NewTempApp(t)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	do := func(fn func()) { fn() }
	for _, s := range []*Secret{NewSecret(secret, do), NewSecretInput(secret, "Paste", do)} {
		if got := s.text.Text; got != app.Mask(secret) || strings.Contains(got, "MfKQ") {
			t.Errorf("masked %q, want %q", got, app.Mask(secret))
		}
		test.Tap(s.Eye)
		if s.text.Text != secret || !s.Shown() {
			t.Errorf("after the eye: %q", s.text.Text)
		}
		test.Tap(s.Eye)
		if s.text.Text != app.Mask(secret) {
			t.Errorf("after the eye again: %q", s.text.Text)
		}
	}
	in := NewSecretInput("", "Paste", do)
	if in.text.Text != "(none)" || !in.Entry.Password {
		t.Errorf("empty secret shows %q; entry hides what is typed: %v", in.text.Text, in.Entry.Password)
	}
	test.Type(in.Entry, "  sk_live_0123456789abcdef  ")
	if in.Value() != "sk_live_0123456789abcdef" || in.text.Text != app.Mask("sk_live_0123456789abcdef") {
		t.Errorf("after pasting: value %q shown %q", in.Value(), in.text.Text)
	}
}
