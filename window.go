package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/capture"
	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/demo"
	"github.com/hooklens/hooklens/app/verify"
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
	var demoEvents []app.Event
	if *demoMode {
		if demoEvents, err = fillDemo(st); err != nil {
			return err
		}
	}
	retention, stopRetention := context.WithCancel(context.Background())
	defer stopRetention()
	st.StartRetention(retention, time.Hour, store.DefaultMaxAge, store.DefaultMaxBytes)

	queue, stopDeliveries := startDeliveries(st, log.Printf)
	defer stopDeliveries()
	if *demoMode {
		stopReceiver, err := demoDeliveries(st, queue, demoEvents)
		if err != nil {
			return err
		}
		defer stopReceiver()
	}

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
func fillDemo(st *store.Store) ([]app.Event, error) {
	tpls, err := demo.LoadTemplates(assets.Templates)
	if err != nil {
		return nil, err
	}
	signing, err := demo.NewSigning()
	if err != nil {
		return nil, err
	}
	eps, err := signing.Endpoints()
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		if err := st.PutEndpoint(ep); err != nil {
			return nil, fmt.Errorf("storing demo endpoints: %w", err)
		}
	}
	events := demo.Events(tpls, time.Now())
	if err := signing.Sign(events); err != nil {
		return nil, err
	}
	demo.RouteTo(events, eps)
	bySlug := map[string]*app.Endpoint{}
	for i := range eps {
		bySlug[eps[i].Slug] = &eps[i]
	}
	verdict := judge(st)
	ctx := context.Background()
	for i := range events {
		e := &events[i]
		e.Verdict = verdict(e, bySlug[e.Endpoint]) // nil when no endpoint matched
		if err := st.Record(ctx, e, demo.FinishResponse); err != nil {
			return nil, fmt.Errorf("storing demo events: %w", err)
		}
	}
	return events, nil
}

// demoDeliveries runs the demo's receiving app on a free loopback port,
// saves three targets on it and resends a few demo events through the real
// queue: one is delivered, one is retried twice before it lands (watch it in
// the Deliveries window), and one meets 410 Gone, which disables its target.
func demoDeliveries(st *store.Store, q *deliver.Queue, events []app.Event) (stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the demo's receiving app: %w", err)
	}
	srv := &http.Server{Handler: &demo.Receiver{}, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()
	key, err := verify.GenerateKey("standard-webhooks")
	if err != nil {
		return nil, err
	}
	targets := []*app.Target{
		{Name: "Zylker CRM", URL: base + demo.CRMPath, SandboxURL: base + demo.CRMSandboxPath, UseSandbox: true,
			Scheme: "standard-webhooks", Secret: key.Secret, Retry: app.DefaultRetry, Enabled: true},
		{Name: "Zylker Desk", URL: base + demo.DeskPath, Retry: app.RetryPolicy{Retries: 3, Delay: 4 * time.Second}, Enabled: true},
		{Name: "Legacy CRM", URL: base + demo.LegacyPath, Retry: app.DefaultRetry, Enabled: true},
	}
	for _, t := range targets {
		if err := st.PutTarget(t); err != nil {
			return nil, fmt.Errorf("storing demo targets: %w", err)
		}
	}
	// The newest event of each provider goes to one target.
	pick := map[string]*app.Target{"/salesiq/": targets[0], "/ziwo/": targets[1], "/signalzen/": targets[2]}
	for i := len(events) - 1; i >= 0 && len(pick) > 0; i-- {
		e := &events[i]
		for prefix, t := range pick {
			if !strings.HasPrefix(e.Path, prefix) {
				continue
			}
			d, err := t.Resend(e)
			if err == nil {
				err = q.Enqueue(d)
			}
			if err != nil {
				return nil, fmt.Errorf("queueing demo deliveries: %w", err)
			}
			delete(pick, prefix)
		}
	}
	return func() { srv.Close() }, nil
}

var _ app.Recorder = (*store.Store)(nil)
