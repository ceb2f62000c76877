package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// Secret shows one secret masked by app.Mask (the one masking rule: a
// provider prefix such as whsec_ and the last four characters), with an eye
// that reveals it and a copy button. NewSecretInput adds an entry to paste
// a replacement. The endpoint and target editors both use it, so a secret
// looks the same wherever it is shown.
type Secret struct {
	// Root is the whole field; Eye toggles between masked and shown.
	Root fyne.CanvasObject
	Eye  *widget.Button
	// Entry is where a replacement is pasted (nil for NewSecret).
	Entry *widget.Entry

	value   string
	shown   bool
	text    *widget.Label
	actions *fyne.Container // before the eye and copy buttons: the caller's
	extra   *fyne.Container // beside the entry: the caller's (Generate)
}

// NewSecret shows value masked, with reveal and copy. do runs a function on
// the UI goroutine.
func NewSecret(value string, do func(func())) *Secret {
	s := newSecret(value, do)
	s.Root = container.NewBorder(nil, nil, nil, s.actions, s.text)
	s.update()
	return s
}

// NewSecretInput is NewSecret with an entry under it to paste a
// replacement, showing placeholder while empty.
func NewSecretInput(value, placeholder string, do func(func())) *Secret {
	s := newSecret(value, do)
	s.Entry = widget.NewPasswordEntry()
	s.Entry.SetPlaceHolder(placeholder)
	s.Entry.OnChanged = func(v string) {
		if v = strings.TrimSpace(v); v != "" {
			s.value = fixPEM(v)
			s.update()
		}
	}
	s.extra = container.NewHBox()
	s.Root = container.NewVBox(container.NewBorder(nil, nil, nil, s.actions, s.text),
		container.NewBorder(nil, nil, nil, s.extra, s.Entry))
	s.update()
	return s
}

func newSecret(value string, do func(func())) *Secret {
	s := &Secret{value: value}
	s.text = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.text.Wrapping = fyne.TextWrapBreak
	s.text.Selectable = true
	s.Eye = widget.NewButtonWithIcon("", theme.VisibilityIcon(), func() { s.SetShown(!s.shown) })
	s.Eye.Importance = widget.LowImportance
	s.actions = container.NewHBox(s.Eye, NewCopyButton("", func() string { return s.value }, do))
	return s
}

// Value is the secret.
func (s *Secret) Value() string { return s.value }

// Shown reports whether the secret is shown rather than masked.
func (s *Secret) Shown() bool { return s.shown }

// Set replaces the secret (a generated one) and clears the entry.
func (s *Secret) Set(v string) {
	s.value = v
	if s.Entry != nil {
		s.Entry.SetText("")
	}
	s.update()
}

// SetShown shows the secret (one just generated must be copied) or masks it.
func (s *Secret) SetShown(on bool) {
	s.shown = on
	s.update()
}

// Lead puts o before the eye button (a fingerprint).
func (s *Secret) Lead(o fyne.CanvasObject) {
	s.actions.Objects = append([]fyne.CanvasObject{o}, s.actions.Objects...)
	s.actions.Refresh()
}

// Trail puts o after the copy button (a remove button).
func (s *Secret) Trail(o fyne.CanvasObject) { s.actions.Add(o) }

// Beside puts o beside the replacement entry (a Generate button).
func (s *Secret) Beside(o fyne.CanvasObject) {
	if s.extra != nil {
		s.extra.Add(o)
	}
}

func (s *Secret) update() {
	switch {
	case s.value == "":
		s.text.SetText("(none)")
	case s.shown:
		s.text.SetText(s.value)
	default:
		s.text.SetText(app.Mask(s.value))
	}
	if s.shown {
		s.Eye.SetIcon(theme.VisibilityOffIcon())
	} else {
		s.Eye.SetIcon(theme.VisibilityIcon())
	}
}

// fixPEM restores the line breaks a one-line entry turned into spaces when
// a PEM key was pasted.
func fixPEM(s string) string {
	if !strings.Contains(s, "-----BEGIN ") || strings.Contains(s, "\n") {
		return s
	}
	i := strings.Index(s, "-----BEGIN ")
	j := strings.Index(s[i+11:], "-----")
	k := strings.Index(s, "-----END ")
	if j < 0 || k < 0 {
		return s
	}
	headEnd := i + 11 + j + 5
	if headEnd > k {
		return s
	}
	body := strings.Fields(s[headEnd:k])
	return s[:headEnd] + "\n" + strings.Join(body, "\n") + "\n" + s[k:]
}
