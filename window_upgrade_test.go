//go:build ci

package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/demo"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/store"
)

// uiLoop stands in for Fyne's main goroutine: other goroutines queue UI
// work with do and the test goroutine runs it, one function at a time, so
// widgets are only ever touched from one goroutine, as in the app.
type uiLoop struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiLoop) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

// runOne runs the oldest queued function, waiting a little for one.
func (q *uiLoop) runOne() bool {
	for range 100 {
		q.mu.Lock()
		if len(q.fns) > 0 {
			fn := q.fns[0]
			q.fns = q.fns[1:]
			q.mu.Unlock()
			fn()
			return true
		}
		q.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	return false
}

// olderDataFile stores n demo events in dir and sets the file's schema back
// to 6, as a Hooklens from before the current event indexes left it: the
// next open keeps a copy of the file and rebuilds the indexes.
func olderDataFile(t *testing.T, dir string, n int) {
	t.Helper()
	signing, err := demo.NewSigning()
	if err != nil {
		t.Fatal(err)
	}
	bulk, err := demo.NewBulk(signing, n, time.Now(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; {
		chunk := make([]*app.Event, 0, 5000)
		for ; i < n && len(chunk) < cap(chunk); i++ {
			chunk = append(chunk, bulk.Event(i))
		}
		if err := st.ImportAll(context.Background(), chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	setSchema(t, dir, "6")
}

// setSchema writes schema v into the closed data file in dir, as a Hooklens
// of that schema would have left it.
func setSchema(t *testing.T, dir, v string) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, store.FileName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(store.MetaBucket)).Put([]byte(store.SchemaKey), []byte(v))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// opening is the window command's start on a test app: the open of dir on
// its goroutine, the UI work on the test's.
type opening struct {
	t     *testing.T
	a     fyne.App
	q     *uiLoop
	start *windowStart
	h     *Hooklens
	err   error
	shown bool // show has run
	dummy []fyne.Window
}

func openWindow(t *testing.T, dir string) *opening {
	t.Helper()
	o := &opening{t: t, a: test.NewApp(), q: &uiLoop{}}
	o.dummy = o.a.Driver().AllWindows() // the test driver's own window, for rendering
	wteam := &windowTeam{}
	parts := windowParts{keys: signal.NewKeyStore(dir), team: wteam, do: o.q.do}
	open := func(progress func(store.UpgradeProgress)) (*Hooklens, error) {
		return OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", Logf: t.Logf, OnUpgrade: progress,
			BeforeListen: func(h *Hooklens) error { wteam.h = h; return nil }})
	}
	o.start = startWindow(o.a, filepath.Join(dir, store.FileName), o.q.do, open, func(h *Hooklens, err error) {
		o.h, o.err, o.shown = h, err, true
		parts.show(o.a, dir, h, err)
	})
	t.Cleanup(func() {
		for _, w := range o.windows() {
			w.Close()
		}
		for o.q.runOne() {
		}
		o.h.Close()
		o.a.Quit()
	})
	return o
}

// windows are the windows on the screen.
func (o *opening) windows() []fyne.Window {
	var out []fyne.Window
	for _, w := range o.a.Driver().AllWindows() {
		if !slices.Contains(o.dummy, w) {
			out = append(out, w)
		}
	}
	return out
}

// titles are the titles of the windows on the screen.
func (o *opening) titles() []string {
	var out []string
	for _, w := range o.windows() {
		out = append(out, w.Title())
	}
	return out
}

// texts are the texts of the labels window w shows.
func texts(w fyne.Window) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(w.Content()) {
		if l, ok := obj.(*widget.Label); ok && l.Visible() && l.Text != "" {
			out = append(out, l.Text)
		}
	}
	return out
}

func (o *opening) windowTitled(title string) fyne.Window {
	for _, w := range o.windows() {
		if w.Title() == title {
			return w
		}
	}
	return nil
}

// An older data file is upgraded at open: a window says so at once, shows
// each step in the store's words with a bar that goes to 100%, and closes
// when the main window appears on the upgraded file.
func TestWindowShowsAnUpgradeAtOpenThenTheMainWindow(t *testing.T) {
	const n = 25000 // more than one chunk of the index rebuild, so its bar moves in between
	dir := t.TempDir()
	olderDataFile(t, dir, n)
	o := openWindow(t, dir)

	type seen struct {
		step, line string
		value      float64
		finished   []string
	}
	var reports []seen
	deadline := time.Now().Add(3 * time.Minute)
	for !o.shown {
		if time.Now().After(deadline) {
			t.Fatalf("the open has not ended after 3 minutes; %d reports shown", len(reports))
		}
		if !o.q.runOne() || o.shown {
			continue
		}
		u := o.start.up
		if u == nil {
			t.Fatal("UI work before any upgrade window")
		}
		if got := o.titles(); len(got) != 1 || got[0] != "Hooklens" {
			t.Fatalf("windows during the upgrade: %q, want the one upgrade window", got)
		}
		shown := strings.Join(texts(u.win), "\n")
		for _, want := range []string{"Upgrading the data file", filepath.Join(dir, store.FileName), u.step.Text, u.line.Text} {
			if !strings.Contains(shown, want) {
				t.Fatalf("the upgrade window shows %q, without %q", shown, want)
			}
		}
		s := seen{step: u.step.Text, line: u.line.Text, value: u.bar.Value}
		for _, obj := range u.finished.Objects {
			for _, l := range test.LaidOutObjects(obj) {
				if l, ok := l.(*widget.Label); ok {
					s.finished = append(s.finished, l.Text)
				}
			}
		}
		reports = append(reports, s)
	}
	if o.err != nil {
		t.Fatalf("open: %v", o.err)
	}

	// The steps, in order, each from 0 to 100%; the index rebuild in between too.
	var steps []string
	values := map[string][]float64{}
	for _, r := range reports {
		if len(steps) == 0 || steps[len(steps)-1] != r.step {
			steps = append(steps, r.step)
		}
		values[r.step] = append(values[r.step], r.value)
	}
	if len(steps) != 2 || steps[0] != store.StepBackup || steps[1] != store.StepIndexes {
		t.Fatalf("steps shown %q, want the copy and then the index rebuild", steps)
	}
	for _, step := range steps {
		v := values[step]
		if v[0] != 0 || v[len(v)-1] != 1 {
			t.Errorf("bar of %q went %v, want from 0 to 1", step, v)
		}
		for i := 1; i < len(v); i++ {
			if v[i] < v[i-1] {
				t.Errorf("bar of %q went back: %v", step, v)
			}
		}
	}
	if v := values[store.StepIndexes]; len(v) < 3 || v[1] <= 0 || v[1] >= 1 {
		t.Errorf("index rebuild bar %v: want a value between 0 and 1 after the first chunk", v)
	}
	last := reports[len(reports)-1]
	if want := app.GroupDigits(n) + " of " + app.GroupDigits(n) + " events (100%)"; last.line != want {
		t.Errorf("last line %q, want %q", last.line, want)
	}
	if len(last.finished) != 1 || last.finished[0] != store.StepBackup {
		t.Errorf("finished steps %q, want the copy", last.finished)
	}

	// The main window replaced the upgrade window, on all the events.
	if o.start.up != nil {
		t.Error("the upgrade window is still kept after the open")
	}
	if got := o.titles(); len(got) != 1 || got[0] != "Hooklens" {
		t.Fatalf("windows after the open: %q, want the main window alone", got)
	}
	main := o.windows()[0]
	if txt := strings.Join(texts(main), "\n"); strings.Contains(txt, "Upgrading the data file") || !strings.Contains(txt, app.GroupDigits(n)+" events") {
		t.Errorf("the window after the open shows %q: want the main window with %s events", txt, app.GroupDigits(n))
	}
	if c, _ := o.h.Store.Count(); c != n {
		t.Errorf("%d events after the upgrade, want %d", c, n)
	}
}

// Without an upgrade no window comes before the main one.
func TestWindowWithoutAnUpgradeOpensTheMainWindowAlone(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	o := openWindow(t, dir)
	deadline := time.Now().Add(time.Minute)
	for !o.shown {
		if time.Now().After(deadline) {
			t.Fatal("the open has not ended after a minute")
		}
		if o.q.runOne() && !o.shown {
			t.Fatalf("UI work before the main window: windows %q", o.titles())
		}
	}
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.start.up != nil {
		t.Error("an upgrade window was made without an upgrade")
	}
	if got := o.titles(); len(got) != 1 || got[0] != "Hooklens" {
		t.Errorf("windows %q, want the main window alone", got)
	}
}

// An open that fails after the start still says why, in its own window.
func TestWindowSaysWhyItCouldNotStart(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	setSchema(t, dir, "999")

	o := openWindow(t, dir)
	deadline := time.Now().Add(time.Minute)
	for !o.shown {
		if time.Now().After(deadline) {
			t.Fatal("the open has not ended after a minute")
		}
		o.q.runOne()
	}
	if o.err == nil {
		t.Fatal("a file of a newer schema opened")
	}
	w := o.windowTitled("Hooklens could not start")
	if w == nil {
		t.Fatalf("windows %q, want the one saying why Hooklens could not start", o.titles())
	}
	if txt := strings.Join(texts(w), "\n"); !strings.Contains(txt, "newer Hooklens") {
		t.Errorf("the window says %q, want the reason", txt)
	}
	if _, ok, err := o.start.result(); !ok || err == nil {
		t.Errorf("result after the open: ok %v, err %v", ok, err)
	}
}

// The window shows whatever steps the store reports, in its words: a step
// it has never heard of needs no change here.
func TestUpgradeWindowShowsAnyStep(t *testing.T) {
	a := test.NewApp()
	q := &uiLoop{}
	u := newUpgradeWindow(a, "/data/hooklens.db", q.do)
	u.set(store.UpgradeProgress{Step: "rewriting the event records", Done: 250, Total: 1000})
	if u.step.Text != "rewriting the event records" || u.bar.Value != 0.25 {
		t.Errorf("step %q, bar %v; want the new step at 0.25", u.step.Text, u.bar.Value)
	}
	u.set(store.UpgradeProgress{Step: "checking the event records", Total: 0})
	if u.step.Text != "checking the event records" || u.bar.Value != 1 {
		t.Errorf("step %q, bar %v; want the next step, with nothing to do, at 1", u.step.Text, u.bar.Value)
	}
	shown := strings.Join(texts(u.win), "\n")
	for _, want := range []string{"rewriting the event records", "checking the event records", "0 of 0 events (100%)"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the window shows %q, without %q", shown, want)
		}
	}
	if len(u.finished.Objects) != 1 {
		t.Errorf("%d finished steps, want the one before", len(u.finished.Objects))
	}
}
