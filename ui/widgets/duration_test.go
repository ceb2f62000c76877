//go:build ci

// The ci build tag selects Fyne's headless test driver: these tests need no display.

package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

// The entry reads and writes durations exactly as app.ParseDuration and
// app.FormatDuration do, so a form agrees with the command line.
func TestDurationEntryUsesTheOneParserAndWriter(t *testing.T) {
	test.NewTempApp(t)
	e := NewDurationEntry("delay")
	e.SetDuration(90 * time.Second)
	if e.Text != app.FormatDuration(90*time.Second) || e.Text != "1m30s" {
		t.Errorf("90s shows as %q", e.Text)
	}
	e.SetDuration(0)
	if d, err := e.Duration(time.Minute); e.Text != "" || d != time.Minute || err != nil {
		t.Errorf("empty entry: text %q, %v, %v; want the default", e.Text, d, err)
	}
	test.Type(e, "60d")
	if d, err := e.Duration(0); d != 60*24*time.Hour || err != nil {
		t.Errorf("60d reads as %v, %v", d, err)
	}
	e.SetText("soon")
	_, err := e.Duration(0)
	_, want := app.ParseDuration("delay", "soon")
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Errorf("bad duration: %v, want %v", err, want)
	}
}
