package ui

import (
	"context"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/dialogs"
)

// Retention is the running retention the Settings dialog changes (the
// assembly's).
type Retention interface {
	// Retention is what is kept now; defaults are what an unset setting means.
	Retention() app.RetentionLimits
	DefaultRetention() app.RetentionLimits
	// SetRetention applies new limits at once and keeps them for next time.
	SetRetention(l app.RetentionLimits) error
}

// Compactor reclaims the disk space the database file keeps after deletes
// (the store's Compact).
type Compactor interface {
	Reclaimable() (fileSize, free int64, err error)
	// Compact rewrites the file, reporting progress, and returns the
	// sentence that says what it reclaimed.
	Compact(ctx context.Context, progress func(done, total int64)) (string, error)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// showSettings opens the Settings dialog over the main window.
func (c *controller) showSettings() {
	want := c.w.notes.want
	s := dialogs.Settings{NotifyInvalid: want(keyNotifyInvalid, true), NotifyDeliveries: want(keyNotifyFailures, true), NotifyFirst: want(keyNotifyFirst, false)}
	var def app.RetentionLimits
	if c.d.Retention != nil {
		r := c.d.Retention.Retention()
		s.Keep, s.MaxSize, s.MaxEvents = r.MaxAge, r.MaxBytes, r.MaxEvents
		def = c.d.Retention.DefaultRetention()
	}
	dlg := dialogs.NewSettingsDialog(s, def.MaxAge, def.MaxBytes, c.w.win)
	if cp := c.d.Compact; cp != nil {
		measure := func() {
			size, free, err := cp.Reclaimable()
			c.w.do(func() {
				if err == nil {
					dlg.SetDisk(size, free)
				}
			})
		}
		go measure()
		dlg.OnCompact = func() {
			go func() {
				msg, err := cp.Compact(context.Background(), func(done, total int64) {
					c.w.do(func() { dlg.CompactProgress(float64(done) / float64(max(total, 1))) })
				})
				c.w.do(func() { dlg.CompactDone(msg, err) })
				if err == nil {
					c.w.do(c.w.model.Reload)
				}
			}()
		}
	}
	dlg.OnSave = func(s dialogs.Settings) {
		go func() {
			err := c.saveSettings(s)
			c.w.do(func() {
				if err != nil {
					dlg.Failed(err)
					return
				}
				dlg.Saved()
			})
		}()
	}
	dlg.Show()
}

func (c *controller) saveSettings(s dialogs.Settings) error {
	for k, v := range map[string]bool{keyNotifyInvalid: s.NotifyInvalid, keyNotifyFailures: s.NotifyDeliveries, keyNotifyFirst: s.NotifyFirst} {
		if err := c.d.Settings.SetSetting(k, onOff(v)); err != nil {
			return err
		}
	}
	if c.d.Retention != nil {
		return c.d.Retention.SetRetention(app.RetentionLimits{MaxAge: s.Keep, MaxBytes: s.MaxSize, MaxEvents: s.MaxEvents})
	}
	return nil
}
