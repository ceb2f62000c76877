package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/ui/dialogs"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Exchange imports events and writes support bundles for the window
// (package main, over app/exchange and the store). Exports in the other
// formats need only the events and are written here with app/exchange.
type Exchange interface {
	// Import judges events now and stores them as imported from source,
	// all in one transaction or none; progress hears how many of total
	// are done, from the import's goroutine.
	Import(ctx context.Context, source string, events []*app.Event, progress func(done, total int)) (exchange.Result, error)
	// Bundle writes a support bundle of events: verdicts with their
	// explanations, deliveries, settings with every secret redacted
	// unless secrets is set.
	Bundle(w io.Writer, events []*app.Event, secrets bool) error
	// Version names this Hooklens in what it writes.
	Version() string
}

// The export formats the window offers, in its order.
const formatBundle = "bundle"

var exportFormats = []struct{ id, label, name, ext string }{
	{exchange.FormatHAR, "HAR 1.2 (browser devtools, HTTP Toolkit, Charles)", "HAR", ".har"},
	{exchange.FormatJSONL, "JSON lines (lossless, as hooklens events --json)", "JSON lines", ".jsonl"},
	{exchange.FormatCurl, "curl script (one command per request)", "a curl script", ".sh"},
	{exchange.FormatRaw, "Raw HTTP/1.1 (the requests as on the wire)", "raw HTTP", ".http"},
	{formatBundle, "Support bundle (zip to attach to a ticket)", "a support bundle", ".zip"},
}

// exportScope is which events an export takes.
type exportScope int

const (
	scopeSelected exportScope = iota
	scopeFiltered
	scopeAll
)

// exportJob is one export: what, in which format, to which file.
type exportJob struct {
	scope   exportScope
	id      uint64     // scopeSelected
	filter  app.Filter // scopeFiltered
	format  string
	secrets bool // bundle only
	path    string
}

// export writes the job's events to its file (0600: events can hold
// secrets; a curl script 0700 with binary bodies beside it) and returns how
// many it wrote. progress hears what it is doing.
func (c *controller) export(ctx context.Context, j exportJob, progress func(string)) (int, error) {
	var events []*app.Event
	var err error
	switch j.scope {
	case scopeSelected:
		events, err = exchange.SelectIDs(c.d.Events, []uint64{j.id})
	default:
		f := app.Filter{}
		if j.scope == scopeFiltered {
			f = j.filter
		}
		events, err = exchange.Select(ctx, c.d.Events, f, func(n int) {
			progress(fmt.Sprintf("Reading events… %s so far", app.GroupDigits(n)))
		})
	}
	if err != nil {
		return 0, err
	}
	if len(events) == 0 {
		return 0, errors.New("no event to export: nothing was written")
	}
	progress(fmt.Sprintf("Writing %s…", widgets.Plural(len(events), "event")))
	var buf bytes.Buffer
	mode := os.FileMode(0o600)
	switch j.format {
	case formatBundle:
		if c.d.Exchange == nil {
			return 0, errors.New("support bundles need the full Hooklens window")
		}
		err = c.d.Exchange.Bundle(&buf, events, j.secrets)
	case exchange.FormatCurl:
		dir := filepath.Dir(j.path)
		mode = 0o700
		err = exchange.WriteCurl(&buf, events, "", func(name string, body []byte) error {
			return os.WriteFile(filepath.Join(dir, name), body, 0o600)
		})
	default:
		err = exchange.Export(&buf, j.format, events, c.version())
	}
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("export cancelled: nothing was written: %w", err)
	}
	if err := os.WriteFile(j.path, buf.Bytes(), mode); err != nil {
		return 0, fmt.Errorf("cannot write %s: %w", j.path, err)
	}
	os.Chmod(j.path, mode) // a file the save dialog created first keeps its mode otherwise
	return len(events), nil
}

func (c *controller) version() string {
	if c.d.Exchange != nil {
		return c.d.Exchange.Version()
	}
	return "dev"
}

// showExport opens the Export dialog: which events (the selected one, the
// filter's matches, all), the format, for a bundle whether secrets go in,
// then a file to save to.
func (c *controller) showExport(scope exportScope) {
	w := c.w
	total, _ := w.d.Events.Count()
	filter, ferr := parseFilter(w.applied)
	selID := w.selID
	var choices []string
	scopes := map[string]exportScope{}
	addScope := func(s exportScope, label string) {
		choices = append(choices, label)
		scopes[label] = s
	}
	if selID != 0 {
		addScope(scopeSelected, "The selected event (#"+app.FormatID(selID)+")")
	}
	if w.applied != "" && ferr == nil {
		addScope(scopeFiltered, fmt.Sprintf("The events the filter matches (%s, '%s')", app.GroupDigits(w.model.Len()), w.applied))
	}
	addScope(scopeAll, "All events ("+app.GroupDigits(total)+")")
	which := widget.NewRadioGroup(choices, nil)
	for label, s := range scopes {
		if s == scope {
			which.SetSelected(label)
		}
	}
	if which.Selected == "" {
		which.SetSelected(choices[len(choices)-1])
	}
	labels := make([]string, len(exportFormats))
	for i, f := range exportFormats {
		labels[i] = f.label
	}
	secrets := widget.NewCheck("Include every secret as stored", nil)
	secretsNote := widgets.Caption("Off: endpoint secrets, target credentials and connection passwords are redacted; names, schemes and key fingerprints are kept. Tick only for someone you would give the secrets to.")
	secretsNote.Wrapping = fyne.TextWrapWord
	secretsBox := container.NewVBox(secrets, secretsNote)
	secretsBox.Hide()
	format := widget.NewSelect(labels, func(s string) {
		if s == exportFormats[len(exportFormats)-1].label {
			secretsBox.Show()
		} else {
			secrets.SetChecked(false)
			secretsBox.Hide()
		}
	})
	format.SetSelectedIndex(0)
	status := widgets.Caption("")
	status.Wrapping = fyne.TextWrapWord
	errLbl := widgets.ErrorLabel()
	bar := widget.NewProgressBarInfinite()
	bar.Stop()
	bar.Hide()

	var d dialog.Dialog
	var cancel context.CancelFunc
	stop := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if cancel != nil {
			cancel()
		}
	})
	stop.Hide()
	save := widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), nil)
	save.Importance = widget.HighImportance
	save.OnTapped = func() {
		f := exportFormats[format.SelectedIndex()]
		j := exportJob{scope: scopes[which.Selected], id: selID, filter: filter, format: f.id, secrets: secrets.Checked}
		fd := dialog.NewFileSave(func(uc fyne.URIWriteCloser, err error) {
			if err != nil || uc == nil {
				return
			}
			uc.Close()
			j.path = uc.URI().Path()
			errLbl.Hide()
			save.Disable()
			bar.Show()
			bar.Start()
			stop.Show()
			var ctx context.Context
			ctx, cancel = context.WithCancel(context.Background())
			go func() {
				n, err := c.export(ctx, j, func(s string) { w.do(func() { status.SetText(s) }) })
				w.do(func() {
					cancel()
					bar.Stop()
					bar.Hide()
					stop.Hide()
					save.Enable()
					if err != nil {
						status.SetText("")
						errLbl.SetText(err.Error())
						errLbl.Show()
						return
					}
					msg := fmt.Sprintf("Exported %s as %s to %s", widgets.Plural(n, "event"), f.name, j.path)
					if j.format == formatBundle && !j.secrets {
						msg += " (secrets redacted)"
					}
					status.SetText(msg + ".")
				})
			}()
		}, w.win)
		fd.SetFileName(exportName(j, f.ext))
		fd.Show()
	}
	body := container.NewVBox(
		widgets.Heading("Events"), which,
		widgets.Heading("Format"), format, secretsBox,
		container.NewBorder(nil, nil, nil, container.NewHBox(stop, save), bar),
		errLbl, status)
	d = dialog.NewCustom("Export", "Close", body, w.win)
	d.Resize(dialogs.FitSize(w.win, fyne.NewSize(620, 440)))
	d.Show()
	c.exportDlg = body
}

// exportName suggests a file name: what and when.
func exportName(j exportJob, ext string) string {
	what := "all"
	switch j.scope {
	case scopeSelected:
		what = "event-" + app.FormatID(j.id)
	case scopeFiltered:
		what = "filtered"
	}
	if j.format == formatBundle {
		what = "support-bundle-" + what
	}
	return "hooklens-" + what + "-" + time.Now().Format("20060102-150405") + ext
}

// importBox is the Import window's state: pasted text or an opened file.
type importBox struct {
	c       *controller
	entry   *widget.Entry
	file    []byte // an opened file's bytes; nil when the box's text is used
	source  string // the file's name, "paste" for the box
	dir     string // the file's folder, for curl's @file
	detect  *widget.Label
	errLbl  *widget.Label
	status  *widget.Label
	bar     *widget.ProgressBar
	run     *widget.Button
	stop    *widget.Button
	show    *widget.Button
	parsed  []*app.Event
	gen     int // drops stale parses
	cancel  context.CancelFunc
	firstID uint64
}

// showImport opens the Import box: paste a curl command, a raw request,
// JSON lines or a HAR (detected), or open a file; Import judges and stores
// them all or none, with progress and Cancel.
func (c *controller) showImport() {
	w := c.w
	b := &importBox{c: c, source: "paste"}
	b.entry = widget.NewMultiLineEntry()
	b.entry.TextStyle = fyne.TextStyle{Monospace: true}
	b.entry.Wrapping = fyne.TextWrapBreak
	b.entry.OnChanged = b.pasted
	b.detect = widgets.Caption("Paste a curl command, a raw HTTP request, JSON lines or a HAR, or open a file.")
	b.detect.Wrapping = fyne.TextWrapWord
	b.errLbl = widgets.ErrorLabel()
	b.status = widgets.Caption("")
	b.status.Wrapping = fyne.TextWrapWord
	b.bar = widget.NewProgressBar()
	b.bar.Hide()
	b.run = widget.NewButtonWithIcon("Import", theme.DownloadIcon(), b.start)
	b.run.Importance = widget.HighImportance
	b.run.Disable()
	b.stop = widget.NewButtonWithIcon("Cancel import", theme.CancelIcon(), func() {
		if b.cancel != nil {
			b.cancel()
		}
	})
	b.stop.Hide()
	b.show = widget.NewButtonWithIcon("Show", theme.VisibilityIcon(), func() {
		if b.firstID != 0 {
			w.reveal(b.firstID)
		}
	})
	b.show.Hide()
	open := widget.NewButtonWithIcon("Open file…", theme.FolderOpenIcon(), func() {
		fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			rc.Close()
			b.openFile(rc.URI().Path())
		}, w.win)
		fd.Show()
	})
	intro := widgets.Caption("Imported events are marked imported, judged now against your endpoints (the verdict a Hooklens export carried is shown beside it) and never replace events already here. A file that does not parse imports nothing.")
	intro.Wrapping = fyne.TextWrapWord
	entryBox := container.NewGridWrap(fyne.NewSize(640, 240), b.entry)
	body := container.NewVBox(intro, entryBox,
		container.NewBorder(nil, nil, open, container.NewHBox(b.stop, b.show, b.run), b.detect),
		b.bar, b.errLbl, b.status)
	d := dialog.NewCustom("Import events", "Close", body, w.win)
	d.SetOnClosed(func() {
		if b.cancel != nil {
			b.cancel()
		}
		c.importBox = nil
	})
	d.Resize(dialogs.FitSize(w.win, fyne.NewSize(700, 520)))
	d.Show()
	c.importBox = b
}

// pasted parses the box's text, which replaces an opened file.
func (b *importBox) pasted(string) {
	b.file, b.source, b.dir = nil, "paste", ""
	b.parse()
}

// openFile reads path (off the UI goroutine) and parses it.
func (b *importBox) openFile(path string) {
	w := b.c.w
	b.detect.SetText("Reading " + filepath.Base(path) + "…")
	go func() {
		data, err := os.ReadFile(path)
		w.do(func() {
			if err != nil {
				b.fail(fmt.Errorf("cannot read %s: %w", path, err))
				return
			}
			b.entry.OnChanged = nil // clearing the box is not a paste
			b.entry.SetText("")
			b.entry.OnChanged = b.pasted
			b.file, b.source, b.dir = data, filepath.Base(path), filepath.Dir(path)
			b.parse()
		})
	}()
}

// parse detects and parses what the box holds, off the UI goroutine, and
// says what it found or where it is wrong.
func (b *importBox) parse() {
	b.gen++
	gen := b.gen
	data := b.file
	if data == nil {
		data = []byte(b.entry.Text)
	}
	source, dir := b.source, b.dir
	b.parsed = nil
	b.run.Disable()
	b.errLbl.Hide()
	b.show.Hide()
	if len(bytes.TrimSpace(data)) == 0 {
		b.detect.SetText("Paste a curl command, a raw HTTP request, JSON lines or a HAR, or open a file.")
		return
	}
	w := b.c.w
	go func() {
		format, events, err := exchange.Parse(data, exchange.ParseOptions{Dir: dir})
		w.do(func() {
			if gen != b.gen {
				return
			}
			if err != nil {
				b.detect.SetText("")
				b.fail(err)
				return
			}
			b.parsed = events
			b.detect.SetText(describeParsed(source, format, events))
			b.run.Enable()
		})
	}()
}

// describeParsed says what an import would store.
func describeParsed(source, format string, events []*app.Event) string {
	names := map[string]string{exchange.FormatHAR: "HAR", exchange.FormatJSONL: "JSON lines",
		exchange.FormatCurl: "curl", exchange.FormatRaw: "raw HTTP"}
	s := names[format] + " · " + widgets.Plural(len(events), "event")
	if source != "paste" {
		s = source + " · " + s
	}
	if len(events) == 1 {
		s += ": " + events[0].Method + " " + events[0].RequestURI()
	}
	return s
}

func (b *importBox) fail(err error) {
	b.errLbl.SetText(err.Error())
	b.errLbl.Show()
}

// start imports what was parsed, with progress and Cancel.
func (b *importBox) start() {
	ex := b.c.d.Exchange
	if ex == nil || b.parsed == nil {
		return
	}
	w := b.c.w
	events, source := b.parsed, b.source
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.run.Disable()
	b.errLbl.Hide()
	b.status.SetText("")
	b.bar.SetValue(0)
	b.bar.Show()
	b.stop.Show()
	go func() {
		res, err := ex.Import(ctx, source, events, func(done, total int) {
			w.do(func() {
				if total > 0 {
					b.bar.SetValue(float64(done) / float64(total))
				}
			})
		})
		w.do(func() {
			cancel()
			b.cancel = nil
			b.bar.Hide()
			b.stop.Hide()
			if err != nil {
				if errors.Is(err, context.Canceled) {
					err = errors.New("import cancelled: nothing was stored")
				}
				b.fail(err)
				b.run.Enable()
				return
			}
			b.status.SetText(widgets.UpperFirst(res.String()) + ".")
			b.parsed = nil
			if len(res.IDs) > 0 {
				b.firstID = res.IDs[0]
				b.show.Show()
			}
			w.imported()
		})
	}()
}
