//go:build ci

package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/ui/widgets"
)

type fakeRetention struct {
	mu      sync.Mutex
	age     time.Duration
	size    int64
	setCall int
}

func (f *fakeRetention) Retention() (time.Duration, int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.age, f.size
}
func (f *fakeRetention) DefaultRetention() (time.Duration, int64) {
	return 60 * 24 * time.Hour, 1 << 30
}
func (f *fakeRetention) SetRetention(a time.Duration, s int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.age, f.size, f.setCall = a, s, f.setCall+1
	return nil
}

// Settings: retention limits apply at once, notification choices are kept,
// and a limit that cannot work is refused under its field.
func TestSettingsDialogAppliesRetentionAndNotifications(t *testing.T) {
	ret := &fakeRetention{age: 60 * 24 * time.Hour, size: 1 << 30}
	h := newHarnessWith(t, false, func(h *harness) { h.retention = ret })
	h.w.ctl.showSettings()
	top := h.w.win.Canvas().Overlays().Top()
	var keep *widgets.DurationEntry
	var first *widget.Check
	walk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widgets.DurationEntry:
			keep = x
		case *widget.Check:
			if x.Text == "The first event on an endpoint" {
				first = x
			}
		}
	})
	if keep == nil || first == nil {
		t.Fatal("the Settings dialog has no keep field or first-event box")
	}
	test.Type(keep, "10m")
	test.Tap(h.dialogButton("Save"))
	shown := func(text string) bool {
		found := false
		walk(top, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Visible() && strings.Contains(l.Text, text) {
				found = true
			}
		})
		return found
	}
	h.pumpUntil("the keep error", func() bool { return shown("keep 10m is too short") })
	keep.SetText("7d")
	first.SetChecked(true)
	test.Tap(h.dialogButton("Save"))
	h.pumpUntil("retention applied", func() bool {
		ret.mu.Lock()
		defer ret.mu.Unlock()
		return ret.setCall == 1
	})
	if a, s := ret.Retention(); a != 7*24*time.Hour || s != 1<<30 {
		t.Fatalf("retention %v %d", a, s)
	}
	if v, _ := h.st.Setting(keyNotifyFirst); v != "on" {
		t.Fatalf("first-event notifications %q", v)
	}
	if !h.w.notes.want(keyNotifyFirst, false) {
		t.Error("the notifier does not see the new choice")
	}
}
