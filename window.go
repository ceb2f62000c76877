package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/capture"
	"github.com/hooklens/hooklens/app/demo"
	"github.com/hooklens/hooklens/assets"
	"github.com/hooklens/hooklens/store"
	"github.com/hooklens/hooklens/ui"
)

const appID = "dev.hooklens.app"

// cmdWindow opens the window with the listener running behind it.
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
	st, err := c.open()
	if err != nil {
		// Started from a menu there is no terminal to read stderr: say it in a window too.
		showStartupError(err)
		return err
	}
	defer st.Close()
	if *demoMode {
		if err := fillDemo(st); err != nil {
			return err
		}
	}
	retention, stopRetention := context.WithCancel(context.Background())
	defer stopRetention()
	st.StartRetention(retention, time.Hour, store.DefaultMaxAge, store.DefaultMaxBytes)

	queue, stopDeliveries := startDeliveries(st, log.Printf)
	defer stopDeliveries()

	srv, err := startListener(st, queue, *addr, log.Printf)
	notice := ""
	if errors.Is(err, capture.ErrAddrInUse) {
		// The window still opens, on a free port, and says so: a person who
		// started it from a menu would otherwise see nothing at all.
		if srv, err = startListener(st, queue, "127.0.0.1:0", log.Printf); err == nil {
			notice = fmt.Sprintf("%s is in use by another program, so Hooklens listens on %s instead. Point your webhooks there, or stop the other program and restart Hooklens.", *addr, srv.URL())
			fmt.Fprintln(stderr, "hooklens:", notice)
		}
	}
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	a := fyneapp.NewWithID(appID)
	a.SetIcon(assets.IconResource())
	w := ui.New(a, ui.Deps{Events: st, Settings: st, Endpoints: st, Verdicts: st, Queue: queue, Deliveries: st, Listener: srv, Demo: *demoMode, Notice: notice})
	w.ShowAndRun()
	return nil
}

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

// fillDemo stores the demo's endpoints and the sample events built from the
// provider templates, each judged as the listener would judge it.
func fillDemo(st *store.Store) error {
	tpls, err := demo.LoadTemplates(assets.Templates)
	if err != nil {
		return err
	}
	signing, err := demo.NewSigning()
	if err != nil {
		return err
	}
	eps, err := signing.Endpoints()
	if err != nil {
		return err
	}
	for _, ep := range eps {
		if err := st.PutEndpoint(ep); err != nil {
			return fmt.Errorf("storing demo endpoints: %w", err)
		}
	}
	events := demo.Events(tpls, time.Now())
	if err := signing.Sign(events); err != nil {
		return err
	}
	demo.RouteTo(events, eps)
	verdict := judge(st)
	ctx := context.Background()
	for i := range events {
		e := &events[i]
		var ep *app.Endpoint
		if e.Endpoint != "" {
			found, err := st.Endpoint(e.Endpoint)
			if err != nil {
				return err
			}
			ep = &found
		}
		e.Verdict = verdict(e, ep)
		if err := st.Record(ctx, e, demo.FinishResponse); err != nil {
			return fmt.Errorf("storing demo events: %w", err)
		}
	}
	return nil
}

var _ app.Recorder = (*store.Store)(nil)
