package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/assets"
	"github.com/hooklens/hooklens/store"
	"github.com/hooklens/hooklens/ui"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

const appID = "dev.hooklens.app"

// windowGC has the window's process collect garbage when its heap has
// grown by half (Go's default waits for it to double), unless GOGC says
// otherwise. A desktop window should stay small: under a stream of 1,000
// requests a second a real window peaked at 152 MB of anonymous memory
// with the default and at 134 MB with this, for about 3% more of its CPU
// (`go run ./bench/window`). `hooklens listen` keeps Go's default.
func windowGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}

// userCacheDir makes the user's cache directory (~/.cache) when it is
// missing, as on a new account: Fyne makes only its own folder in it, and
// otherwise logs that it could not (and keeps no cache).
func userCacheDir() {
	if dir, err := os.UserCacheDir(); err == nil {
		_ = os.MkdirAll(dir, 0o700)
	}
}

// cmdWindow opens the window with the assembly running behind it.
func cmdWindow(args []string, stdout, stderr io.Writer) error {
	c := newFlags("hooklens", stderr)
	addr := c.fs.String("addr", defaultAddr, "address to listen on; 127.0.0.1:0 picks a free port")
	demoMode := c.fs.Bool("demo", false, "open on a temporary data directory filled with sample events (nothing is kept)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *demoMode {
		if c.data != "" {
			return fmt.Errorf("%w: --demo uses a temporary data directory; drop --data", errUsage)
		}
		dir, err := os.MkdirTemp("", "hooklens-demo-")
		if err != nil {
			return fmt.Errorf("creating a temporary data directory for the demo: %w", err)
		}
		defer os.RemoveAll(dir)
		c.data = dir
	}
	windowGC()
	var stopReceiver, stopRun func()
	cfg := Config{Data: c.data, Addr: *addr, FallbackPorts: true, AskBeforePruning: true, Logf: log.Printf}
	dir, _ := dataDir(c.data)
	keys := signal.NewKeyStore(dir)
	var demoKey string
	wteam := &windowTeam{}
	cfg.BeforeListen = func(h *Hooklens) (err error) {
		wteam.h = h
		if *demoMode {
			if demoKey, stopReceiver, err = seedDemo(h, keys); err != nil {
				return err
			}
		}
		return wteam.resume()
	}

	// The app runs from the start, so that an upgrade of an older data
	// file, which the open does first, shows in a window of its own.
	userCacheDir()
	a := fyneapp.NewWithID(appID)
	a.SetIcon(assets.IconResource())
	a.Settings().SetTheme(hltheme.New())
	open := func(progress func(store.UpgradeProgress)) (*Hooklens, error) {
		cfg.OnUpgrade = progress
		h, err := OpenHooklens(cfg)
		if err != nil {
			return nil, err
		}
		if h.Notice != "" {
			fmt.Fprintln(stderr, "hooklens:", h.Notice)
		}
		if *demoMode {
			if stopRun, err = startDemoRun(h, demoKey, demoStart, demoPace, log.Printf); err != nil {
				return h, err // closed below, after the team publisher
			}
		}
		return h, nil
	}
	parts := windowParts{keys: keys, team: wteam, demo: *demoMode}
	show := func(h *Hooklens, err error) { parts.show(a, dir, h, err) }
	start := startWindow(a, filepath.Join(dir, store.FileName), fyne.Do, open, show)
	a.Run()

	h, ok, err := start.result()
	if !ok {
		log.Printf("hooklens: closed while the data file was being upgraded; the upgrade goes on the next time Hooklens opens it")
		return nil
	}
	wteam.stopPublisher() // before h.Close closes the store
	wteam.Stop()
	if stopRun != nil {
		stopRun()
	}
	if stopReceiver != nil {
		stopReceiver()
	}
	h.Close()
	return err
}

// windowParts are what the main window is built with besides the assembly.
type windowParts struct {
	keys *signal.KeyStore
	team *windowTeam
	demo bool
	do   func(func()) // runs work from other goroutines on the UI goroutine; nil is fyne.Do
}

// show shows what the open of the data dir dir ended in: the main window
// over h, or why Hooklens could not start.
func (p windowParts) show(a fyne.App, dir string, h *Hooklens, err error) {
	if err != nil {
		// Started from a menu there is no terminal to read stderr: say it in a window too.
		startupErrorWindow(a, err, dir).Show()
		return
	}
	p.mainWindow(a, h).Show()
}

// mainWindow builds the main window on a, over the open assembly h.
func (p windowParts) mainWindow(a fyne.App, h *Hooklens) *ui.Window {
	w := ui.New(a, ui.Deps{Events: h.Store, Settings: h.Store, Endpoints: h.Store, Verdicts: h.Store, Queue: h.Queue,
		Deliveries: h.Store, Listener: h.Listener, Retention: h, Stats: h.Store, Keys: p.keys, Team: p.team, Demo: p.demo, Notice: h.Notice,
		PruneHeld: h.PruneHeld, PruneNow: h.PruneNow, Compact: windowCompact{h.Store},
		Tunnel: windowTunnel{h}, TunnelSecrets: windowSecrets(h, p.demo), // window_tunnel.go
		Exchange: windowExchange{h}, Do: p.do})
	h.Store.OnPrune(func(r store.PruneReport) {
		w.Notify(r.String())
		log.Printf("hooklens: %s", r) // and a log line, as listen prints
	})
	return w
}

// The window reaches the store and the delivery queue through the
// interfaces it declares.
var (
	_ ui.Sender     = (*deliver.Queue)(nil)
	_ ui.Events     = (*store.Store)(nil)
	_ ui.Deliveries = (*store.Store)(nil)
	_ ui.Keys       = (*signal.KeyStore)(nil)
)

// startupErrorWindow is a small window saying why Hooklens could not start.
// A damaged database gets a Repair button: the readable records are copied
// into a fresh file (the damaged one is kept beside it) and the report is
// shown; Hooklens then opens on the repaired file when started again.
func startupErrorWindow(a fyne.App, err error, dir string) fyne.Window {
	w := a.NewWindow("Hooklens could not start")
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("Hooklens could not start", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	quit := widget.NewButtonWithIcon("Close", theme.CancelIcon(), w.Close)
	buttons := container.NewHBox(layout.NewSpacer(), quit)
	if errors.Is(err, store.ErrDamaged) && dir != "" {
		bar := widget.NewProgressBarInfinite()
		bar.Hide()
		var repair *widget.Button
		repair = widget.NewButtonWithIcon("Repair into a fresh file", theme.ViewRefreshIcon(), func() {
			repair.Disable()
			bar.Show()
			go func() {
				rep, err := store.Repair(dir)
				fyne.Do(func() {
					bar.Hide()
					if err != nil {
						msg.SetText("Repair failed: " + err.Error())
						repair.Enable()
						return
					}
					title.SetText("Repaired")
					msg.SetText(rep.String())
					// Open Hooklens on the repaired file: this process
					// starts again in place.
					repair.SetText("Open Hooklens")
					repair.SetIcon(theme.NavigateNextIcon())
					repair.OnTapped = func() {
						self, err := os.Executable()
						if err == nil {
							err = syscall.Exec(self, os.Args, os.Environ())
						}
						msg.SetText(rep.String() + "\n\nCould not start again (" + err.Error() + "): start Hooklens yourself.")
					}
					repair.Enable()
				})
			}()
		})
		repair.Importance = widget.HighImportance
		buttons = container.NewHBox(bar, layout.NewSpacer(), quit, repair)
	}
	w.SetContent(container.NewPadded(container.NewBorder(title, buttons, nil, nil, msg)))
	w.Resize(fyne.NewSize(620, 240))
	return w
}
