package dialogs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Settings are the window's preferences: retention and notifications.
type Settings struct {
	Keep    time.Duration // prune events older than this
	MaxSize int64         // prune the oldest events beyond this many stored bytes
	// MaxEvents prunes the oldest events beyond this many; 0 keeps any number.
	MaxEvents int

	NotifyInvalid    bool // an invalid signature
	NotifyDeliveries bool // a failed or gone delivery
	NotifyFirst      bool // the first event on an endpoint
}

// SettingsDialog edits Settings. OnSave hears the new values; the caller
// answers with Saved or Failed.
type SettingsDialog struct {
	OnSave func(Settings)
	// OnCompact, when set (before Show), offers Reclaim disk space; the
	// caller answers with CompactProgress and CompactDone.
	OnCompact func()

	disk        *widget.Label
	compact     *widget.Button
	compactBar  *widget.ProgressBar
	diskSection *fyne.Container

	dlg                   *dialog.CustomDialog
	parent                fyne.Window
	keep                  *widgets.DurationEntry
	size, events          *widgets.Entry
	keepErr, sizeErr      *widget.Label
	eventsErr             *widget.Label
	invalid, deliv, first *widget.Check
	status                *widget.Label
	save                  *widget.Button
	defaultKeep           time.Duration
	defaultSize           int64
}

// NewSettingsDialog shows s; defKeep and defSize are what an empty field
// means (the defaults the README states).
func NewSettingsDialog(s Settings, defKeep time.Duration, defSize int64, parent fyne.Window) *SettingsDialog {
	d := &SettingsDialog{defaultKeep: defKeep, defaultSize: defSize, parent: parent}
	d.keep = widgets.NewDurationEntry("keep")
	d.keep.SetPlaceHolder(app.FormatDuration(defKeep))
	if s.Keep != defKeep {
		d.keep.SetDuration(s.Keep)
	}
	d.size = widgets.NewEntry()
	d.size.SetPlaceHolder(app.HumanSize(defSize))
	if s.MaxSize != defSize {
		d.size.SetText(app.HumanSize(s.MaxSize))
	}
	d.events = widgets.NewEntry()
	d.events.SetPlaceHolder("any number")
	if s.MaxEvents > 0 {
		d.events.SetText(strconv.Itoa(s.MaxEvents))
	}
	d.keepErr, d.sizeErr, d.eventsErr = widgets.ErrorLabel(), widgets.ErrorLabel(), widgets.ErrorLabel()
	d.invalid = widget.NewCheck("An invalid signature", nil)
	d.invalid.SetChecked(s.NotifyInvalid)
	d.deliv = widget.NewCheck("A failed or gone delivery", nil)
	d.deliv.SetChecked(s.NotifyDeliveries)
	d.first = widget.NewCheck("The first event on an endpoint", nil)
	d.first.SetChecked(s.NotifyFirst)
	d.status = widgets.Caption("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide()

	ret := widget.NewForm(
		widget.NewFormItem("Keep events for", container.NewVBox(d.keep, d.keepErr)),
		widget.NewFormItem("Keep at most", container.NewVBox(d.size, d.sizeErr)),
		widget.NewFormItem("Keep at most (events)", container.NewVBox(d.events, d.eventsErr)),
	)
	note := widgets.Caption("Older events, and the oldest beyond the size or number, are pruned in the background in small steps; every prune says what it removed.")
	note.Wrapping = fyne.TextWrapWord
	notify := container.NewVBox(d.invalid, d.deliv, d.first,
		widgets.Caption("At most one notification every ten seconds; it names the event to look for."))
	d.disk = widgets.Caption("")
	d.disk.Wrapping = fyne.TextWrapWord
	d.compactBar = widget.NewProgressBar()
	d.compactBar.Hide()
	d.compact = widget.NewButtonWithIcon("Reclaim disk space", theme.StorageIcon(), func() {
		if d.OnCompact != nil {
			d.compact.Disable()
			d.compactBar.SetValue(0)
			d.compactBar.Show()
			d.disk.SetText("Rewriting the database without its free pages… capture waits until it is done.")
			d.OnCompact()
		}
	})
	d.compact.Disable()
	d.diskSection = container.NewVBox(widget.NewSeparator(), widgets.Heading("Disk"), d.disk, d.compactBar,
		container.NewHBox(d.compact))
	d.diskSection.Hide()
	body := container.NewVBox(
		widgets.Heading("Retention"), ret, note, d.diskSection, widget.NewSeparator(),
		widgets.Heading("Desktop notifications"), notify, d.status)
	d.save = widget.NewButton("Save", d.doSave)
	d.save.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.dlg.Hide() })
	d.dlg = dialog.NewCustomWithoutButtons("Settings", body, parent)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, d.save})
	d.dlg.Resize(FitSize(parent, fyne.NewSize(520, 560)))
	return d
}

// Show opens the dialog.
func (d *SettingsDialog) Show() {
	if d.OnCompact != nil {
		d.diskSection.Show()
		d.disk.SetText("Measuring the database file…")
	}
	d.dlg.Show()
	Answer(d.parent, d.doSave, d.dlg.Hide)
}

// SetDisk says how big the database file is and how much of it is free
// pages (left by deletes and pruning) that Reclaim disk space gives back.
func (d *SettingsDialog) SetDisk(fileSize, free int64) {
	d.disk.SetText(fmt.Sprintf("The database file is %s; about %s of it is free space left by deleted and pruned events, kept by the file until it is rewritten.",
		app.HumanSize(fileSize), app.HumanSize(free)))
	if free > 0 {
		d.compact.Enable()
	} else {
		d.compact.Disable()
	}
}

// CompactProgress moves the progress bar (0 to 1).
func (d *SettingsDialog) CompactProgress(frac float64) { d.compactBar.SetValue(frac) }

// CompactDone says how the rewrite ended: msg on success, err otherwise.
func (d *SettingsDialog) CompactDone(msg string, err error) {
	d.compactBar.Hide()
	if err != nil {
		d.disk.SetText("Not reclaimed: " + err.Error())
		d.compact.Enable()
		return
	}
	d.disk.SetText(msg)
}

// Collect reads the form; ok is false when a field is marked wrong.
func (d *SettingsDialog) Collect() (Settings, bool) {
	s := Settings{NotifyInvalid: d.invalid.Checked, NotifyDeliveries: d.deliv.Checked, NotifyFirst: d.first.Checked}
	ok := true
	keep, err := d.keep.Duration(d.defaultKeep)
	if err == nil && keep < time.Hour {
		err = fmt.Errorf("keep %s is too short: keep events at least an hour (1h)", app.FormatDuration(keep))
	}
	mark(d.keepErr, err, &ok)
	s.Keep = keep
	s.MaxSize = d.defaultSize
	var serr error
	if t := strings.TrimSpace(d.size.Text); t != "" {
		if s.MaxSize, serr = app.ParseSize(t); serr == nil && s.MaxSize < 1<<20 {
			serr = fmt.Errorf("%s is too small: keep at least 1 MiB", app.HumanSize(s.MaxSize))
		}
	}
	mark(d.sizeErr, serr, &ok)
	var eerr error
	if t := strings.ReplaceAll(strings.TrimSpace(d.events.Text), ",", ""); t != "" {
		if s.MaxEvents, eerr = strconv.Atoi(t); eerr != nil || s.MaxEvents < 100 {
			eerr = fmt.Errorf("write a number of events of at least 100, or leave it empty to keep any number")
			s.MaxEvents = 0
		}
	}
	mark(d.eventsErr, eerr, &ok)
	return s, ok
}

func mark(l *widget.Label, err error, ok *bool) {
	if err != nil {
		l.SetText(err.Error())
		l.Show()
		*ok = false
		return
	}
	l.Hide()
}

func (d *SettingsDialog) doSave() {
	s, ok := d.Collect()
	if !ok || d.OnSave == nil {
		return
	}
	d.save.Disable()
	d.OnSave(s)
}

// Saved closes the dialog.
func (d *SettingsDialog) Saved() { d.dlg.Hide() }

// Failed says why the settings were not saved.
func (d *SettingsDialog) Failed(err error) {
	d.save.Enable()
	d.status.SetText("Not saved: " + err.Error())
	d.status.Importance = widget.DangerImportance
	d.status.Show()
}
