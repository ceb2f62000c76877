package ui

import (
	"time"

	"github.com/hooklens/hooklens/ui/dialogs"
)

// Retention is the running retention the Settings dialog changes (the
// assembly's).
type Retention interface {
	// Retention is what is kept now; defaults are what an unset setting means.
	Retention() (maxAge time.Duration, maxBytes int64)
	DefaultRetention() (maxAge time.Duration, maxBytes int64)
	// SetRetention applies new limits at once and keeps them for next time.
	SetRetention(maxAge time.Duration, maxBytes int64) error
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
	defKeep, defSize := time.Duration(0), int64(0)
	if c.d.Retention != nil {
		s.Keep, s.MaxSize = c.d.Retention.Retention()
		defKeep, defSize = c.d.Retention.DefaultRetention()
	}
	dlg := dialogs.NewSettingsDialog(s, defKeep, defSize, c.w.win)
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
		return c.d.Retention.SetRetention(s.Keep, s.MaxSize)
	}
	return nil
}
