//go:build ci

package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/store"
	"github.com/hooklens/hooklens/ui/widgets"
)

type fakeRetention struct {
	mu      sync.Mutex
	age     time.Duration
	size    int64
	events  int
	setCall int
}

func (f *fakeRetention) Retention() app.RetentionLimits {
	f.mu.Lock()
	defer f.mu.Unlock()
	return app.RetentionLimits{MaxAge: f.age, MaxBytes: f.size, MaxEvents: f.events}
}
func (f *fakeRetention) DefaultRetention() app.RetentionLimits {
	return app.RetentionLimits{MaxAge: 60 * 24 * time.Hour, MaxBytes: 1 << 30}
}
func (f *fakeRetention) SetRetention(l app.RetentionLimits) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.age, f.size, f.events, f.setCall = l.MaxAge, l.MaxBytes, l.MaxEvents, f.setCall+1
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
	if r := ret.Retention(); r.MaxAge != 7*24*time.Hour || r.MaxBytes != 1<<30 || r.MaxEvents != 0 {
		t.Fatalf("retention %+v", r)
	}
	if v, _ := h.st.Setting(keyNotifyFirst); v != "on" {
		t.Fatalf("first-event notifications %q", v)
	}
	if !h.w.notes.want(keyNotifyFirst, false) {
		t.Error("the notifier does not see the new choice")
	}
}

// storeCompact is the store's Compact as the window's Settings reaches it.
type storeCompact struct{ st *store.Store }

func (c storeCompact) Reclaimable() (int64, int64, error) { return c.st.Reclaimable() }
func (c storeCompact) Compact(ctx context.Context, p func(done, total int64)) (string, error) {
	rep, err := c.st.Compact(ctx, p)
	return rep.String(), err
}

// Settings keeps at most N events when asked, and Reclaim disk space
// rewrites the file after deletes, saying what it gave back; the list
// still shows every event afterwards.
func TestSettingsMaxEventsAndReclaimDiskSpace(t *testing.T) {
	ret := &fakeRetention{age: 60 * 24 * time.Hour, size: 1 << 30}
	h := newHarnessWith(t, false, func(h *harness) { h.retention = ret })
	importMany(t, h.st, 3000)
	for id := uint64(1); id <= 1000; id++ {
		if err := h.st.Delete(id); err != nil {
			t.Fatal(err)
		}
	}
	h.w.ctl.d.Compact = storeCompact{h.st}
	h.w.ctl.showSettings()
	top := h.w.win.Canvas().Overlays().Top()
	var events *widgets.Entry
	var reclaim *widget.Button
	var disk *widget.Label
	walk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widgets.Entry:
			if x.PlaceHolder == "any number" {
				events = x
			}
		case *widget.Button:
			if x.Text == "Reclaim disk space" {
				reclaim = x
			}
		case *widget.Label:
			if strings.HasPrefix(x.Text, "Measuring the database file") {
				disk = x
			}
		}
	})
	if events == nil || reclaim == nil || disk == nil {
		t.Fatal("Settings has no event-count field, no Reclaim disk space or no disk line")
	}
	h.pumpUntil("the disk measured", func() bool { return strings.Contains(disk.Text, "of it is free space") && !reclaim.Disabled() })
	test.Tap(reclaim)
	h.pumpUntil("the file rewritten", func() bool { return strings.HasPrefix(disk.Text, "hooklens.db rewritten: ") })
	if !strings.Contains(disk.Text, "reclaimed") {
		t.Errorf("disk line %q", disk.Text)
	}
	h.pumpUntil("the list after the rewrite", func() bool { return h.w.model.Len() == 2000 })

	test.Type(events, "12")
	test.Tap(h.dialogButton("Save"))
	h.pumpUntil("the count error", func() bool {
		found := false
		walk(top, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Visible() && strings.Contains(l.Text, "at least 100") {
				found = true
			}
		})
		return found
	})
	events.SetText("250,000")
	test.Tap(h.dialogButton("Save"))
	h.pumpUntil("retention applied", func() bool {
		ret.mu.Lock()
		defer ret.mu.Unlock()
		return ret.setCall == 1
	})
	if r := ret.Retention(); r.MaxEvents != 250000 {
		t.Fatalf("retention %+v, want at most 250000 events", r)
	}
}
