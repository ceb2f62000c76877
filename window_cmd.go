package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
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
)

const appID = "dev.hooklens.app"

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
	var stopReceiver func()
	cfg := Config{Data: c.data, Addr: *addr, FallbackPorts: true, AskBeforePruning: true, Logf: log.Printf}
	keysDir, _ := dataDir(c.data)
	keys := signal.NewKeyStore(keysDir)
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
	h, err := OpenHooklens(cfg)
	if err != nil {
		// Started from a menu there is no terminal to read stderr: say it in a window too.
		dir, _ := dataDir(c.data)
		showStartupError(err, dir)
		return err
	}
	defer h.Close()
	if stopReceiver != nil {
		defer stopReceiver()
	}
	if h.Notice != "" {
		fmt.Fprintln(stderr, "hooklens:", h.Notice)
	}
	if *demoMode {
		stopRun, err := startDemoRun(h, demoKey, demoStart, demoPace, log.Printf)
		if err != nil {
			return err
		}
		defer stopRun()
	}

	defer wteam.Stop()
	defer wteam.stopPublisher() // before h.Close closes the store
	a := fyneapp.NewWithID(appID)
	a.SetIcon(assets.IconResource())
	w := ui.New(a, ui.Deps{Events: h.Store, Settings: h.Store, Endpoints: h.Store, Verdicts: h.Store, Queue: h.Queue,
		Deliveries: h.Store, Listener: h.Listener, Retention: h, Stats: h.Store, Keys: keys, Team: wteam, Demo: *demoMode, Notice: h.Notice,
		PruneHeld: h.PruneHeld, PruneNow: h.PruneNow, Compact: windowCompact{h.Store},
		Tunnel: windowTunnel{h}, TunnelSecrets: windowSecrets(h, *demoMode), // window_tunnel.go
		Exchange: windowExchange{h}})
	h.Store.OnPrune(func(p store.PruneReport) {
		w.Notify(p.String())
		log.Printf("hooklens: %s", p) // and a log line, as listen prints
	})
	w.ShowAndRun()
	return nil
}

// The window reaches the store and the delivery queue through the
// interfaces it declares.
var (
	_ ui.Sender     = (*deliver.Queue)(nil)
	_ ui.Events     = (*store.Store)(nil)
	_ ui.Deliveries = (*store.Store)(nil)
	_ ui.Keys       = (*signal.KeyStore)(nil)
)

// showStartupError shows why Hooklens could not start, in a small window.
// A damaged database gets a Repair button: the readable records are copied
// into a fresh file (the damaged one is kept beside it) and the report is
// shown; Hooklens then opens on the repaired file when started again.
func showStartupError(err error, dir string) {
	a := fyneapp.NewWithID(appID)
	a.SetIcon(assets.IconResource())
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
	w.ShowAndRun()
}
