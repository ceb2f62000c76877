package widgets

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// DurationEntry is an entry for a duration, read with app.ParseDuration and
// written with app.FormatDuration (the one parser and writer Hooklens has),
// so a form shows durations as the command line and the lists do.
type DurationEntry struct {
	widget.Entry
	what string // names the setting in errors: "delay", "timeout"
}

// NewDurationEntry is an empty entry for the setting named what.
func NewDurationEntry(what string) *DurationEntry {
	e := &DurationEntry{what: what}
	e.ExtendBaseWidget(e)
	return e
}

// SetDuration shows d; zero leaves the entry empty (the placeholder shows
// the default).
func (e *DurationEntry) SetDuration(d time.Duration) {
	if d == 0 {
		e.SetText("")
		return
	}
	e.SetText(app.FormatDuration(d))
}

// Duration reads the entry: def when it is empty, else what was typed or
// why it is not a duration.
func (e *DurationEntry) Duration(def time.Duration) (time.Duration, error) {
	if strings.TrimSpace(e.Text) == "" {
		return def, nil
	}
	return app.ParseDuration(e.what, e.Text)
}

// TypedKey hands Esc (and Enter) on to the window, as Entry does.
func (e *DurationEntry) TypedKey(ev *fyne.KeyEvent) {
	if passKey(e, &e.Entry, ev) {
		return
	}
	e.Entry.TypedKey(ev)
}
