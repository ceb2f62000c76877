package main

import (
	"fmt"
	"io"
	"log"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/demo"
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
	cfg := Config{Data: c.data, Addr: *addr, FallbackPorts: true, Logf: log.Printf}
	if *demoMode {
		cfg.BeforeListen = func(h *Hooklens) error {
			events, err := demo.Seed(h.Store)
			if err != nil {
				return err
			}
			stopReceiver, err = demo.Deliveries(h.Store, h.Queue, events)
			return err
		}
	}
	h, err := OpenHooklens(cfg)
	if err != nil {
		// Started from a menu there is no terminal to read stderr: say it in a window too.
		showStartupError(err)
		return err
	}
	defer h.Close()
	if stopReceiver != nil {
		defer stopReceiver()
	}
	if h.Notice != "" {
		fmt.Fprintln(stderr, "hooklens:", h.Notice)
	}

	a := fyneapp.NewWithID(appID)
	a.SetIcon(assets.IconResource())
	w := ui.New(a, ui.Deps{Events: h.Store, Settings: h.Store, Endpoints: h.Store, Verdicts: h.Store, Queue: h.Queue,
		Deliveries: h.Store, Listener: h.Listener, Demo: *demoMode, Notice: h.Notice,
		Tunnel: windowTunnel{h}, TunnelSecrets: windowSecrets(h, *demoMode)}) // window_tunnel.go
	h.Store.OnPrune(func(p store.PruneReport) { w.Notify(p.String()) })
	w.ShowAndRun()
	return nil
}

// The window sends through the delivery queue.
var _ ui.Sender = (*deliver.Queue)(nil)

// showStartupError shows why Hooklens could not start, in a small window.
func showStartupError(err error) {
	a := fyneapp.NewWithID(appID)
	a.SetIcon(assets.IconResource())
	w := a.NewWindow("Hooklens could not start")
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("Hooklens could not start", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	quit := widget.NewButtonWithIcon("Close", theme.CancelIcon(), w.Close)
	w.SetContent(container.NewPadded(container.NewBorder(title, container.NewHBox(layout.NewSpacer(), quit), nil, nil, msg)))
	w.Resize(fyne.NewSize(520, 180))
	w.ShowAndRun()
}
