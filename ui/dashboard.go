package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// dashboardEvery is how often an open dashboard reads the counters again.
const dashboardEvery = 2 * time.Second

// dashboard is the Dashboard window: per endpoint what arrived and how it
// was judged, per target what was delivered, and events per minute. Every
// figure comes from the store's kept counters (app.StatsStore), never from
// scanning events.
type dashboard struct {
	w        *Window
	win      fyne.Window
	chart    *widgets.RateChart
	span     *widget.RadioGroup
	total    *widget.Label
	eps      *fyne.Container
	tgs      *fyne.Container
	status   *widget.Label
	stop     chan struct{}
	dayView  bool
	toggling map[string]bool
}

// showDashboard opens the Dashboard window (or brings it forward).
func (c *controller) showDashboard() {
	if c.dash != nil {
		c.dash.win.RequestFocus()
		return
	}
	d := &dashboard{w: c.w, stop: make(chan struct{}), toggling: map[string]bool{}}
	c.dash = d
	d.win = c.w.app.NewWindow("Dashboard — Hooklens")
	d.chart = widgets.NewRateChart(90)
	d.total = widgets.Caption("")
	d.span = widget.NewRadioGroup([]string{"Last hour", "Last 24 hours"}, func(s string) {
		d.dayView = s == "Last 24 hours"
		d.reload()
	})
	d.span.Horizontal = true
	d.span.SetSelected("Last hour")
	d.eps = container.NewVBox()
	d.tgs = container.NewVBox()
	d.status = widgets.Caption("")
	d.status.Hide()
	body := container.NewVBox(
		container.NewBorder(nil, nil, widgets.Heading("Events per minute"), d.span), d.chart, d.total,
		widget.NewSeparator(), widgets.Heading("Endpoints"), d.eps,
		widget.NewSeparator(), widgets.Heading("Targets"), d.tgs, d.status)
	d.win.SetContent(container.NewPadded(container.NewVScroll(body)))
	d.win.Resize(fyne.NewSize(860, 640))
	d.win.SetOnClosed(func() {
		close(d.stop)
		if c.dash == d {
			c.dash = nil
		}
	})
	d.win.Show()
	d.reload()
	go func() {
		t := time.NewTicker(dashboardEvery)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
				d.w.do(d.reload)
			}
		}
	}()
}

// dashData is one read of the counters.
type dashData struct {
	rate    []int64
	eps     []app.EndpointStats
	epRates map[string][]int64
	tgs     []app.Target
	tstats  map[string]app.TargetStats
}

func (d *dashboard) reload() {
	st, deliveries := d.w.d.Stats, d.w.d.Deliveries
	day := d.dayView
	fetch(d.w.ctl, func() (dashData, error) {
		var x dashData
		since, step := time.Now().Add(-59*time.Minute), time.Minute
		if day {
			since, step = time.Now().Add(-24*time.Hour+20*time.Minute), 20*time.Minute
		}
		var err error
		if x.rate, err = st.Rate("*", since, step); err != nil {
			return x, err
		}
		if x.eps, err = st.EndpointStats(); err != nil {
			return x, err
		}
		x.epRates = map[string][]int64{}
		for _, e := range x.eps {
			if x.epRates[e.Slug], err = st.Rate(e.Slug, time.Now().Add(-59*time.Minute), time.Minute); err != nil {
				return x, err
			}
		}
		if deliveries != nil {
			if x.tgs, err = deliveries.Targets(); err != nil {
				return x, err
			}
			ts, err := st.TargetStats()
			if err != nil {
				return x, err
			}
			x.tstats = map[string]app.TargetStats{}
			for _, t := range ts {
				x.tstats[t.TargetID] = t
			}
		}
		return x, nil
	}, func(x dashData, err error) {
		if err != nil {
			d.status.SetText("could not read the counters: " + err.Error())
			d.status.Importance = widget.DangerImportance
			d.status.Show()
			return
		}
		d.status.Hide()
		d.show(x)
	})
}

func (d *dashboard) show(x dashData) {
	d.chart.Set(x.rate)
	var sum int64
	for _, n := range x.rate {
		sum += n
	}
	span := "in the last hour"
	if d.dayView {
		span = "in the last 24 hours (20-minute bars)"
	}
	d.total.SetText(widgets.Plural(int(sum), "event") + " " + span)

	d.eps.RemoveAll()
	if len(x.eps) == 0 {
		d.eps.Add(widgets.Caption("Nothing received yet: send a request to the listener and it shows here."))
	}
	for _, e := range x.eps {
		d.eps.Add(d.endpointRow(e, x.epRates[e.Slug]))
	}
	d.tgs.RemoveAll()
	if len(x.tgs) == 0 {
		d.tgs.Add(widgets.Caption("No targets yet: add one in Targets to resend and fire signals."))
	}
	for _, t := range x.tgs {
		d.tgs.Add(d.targetRow(t, x.tstats[t.ID]))
	}
}

// share is n of total as a percentage, "—" when there is nothing.
func share(n, total int64) string {
	if total == 0 {
		return "—"
	}
	return fmt.Sprintf("%d%%", (n*100+total/2)/total)
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return app.FormatDuration(time.Since(t).Round(time.Second)) + " ago"
}

func (d *dashboard) endpointRow(e app.EndpointStats, rate []int64) fyne.CanvasObject {
	name := e.Slug
	url := strings.TrimSuffix(d.w.d.Listener.URL(), "/") + "/" + e.Slug + "/"
	if e.Slug == "" {
		name, url = "no endpoint", ""
	}
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	counts := widget.NewRichText(
		&widget.TextSegment{Text: app.GroupDigits(int(e.Received)) + " received · ", Style: widget.RichTextStyleInline},
		&widget.TextSegment{Text: "valid " + share(e.Valid, e.Received), Style: colored(hltheme.Green)},
		&widget.TextSegment{Text: " · ", Style: widget.RichTextStyleInline},
		&widget.TextSegment{Text: "invalid " + share(e.Invalid, e.Received), Style: colored(hltheme.Red)},
		&widget.TextSegment{Text: " · ", Style: widget.RichTextStyleInline},
		&widget.TextSegment{Text: "unsigned " + share(e.Unsigned, e.Received), Style: colored(hltheme.Grey)},
		&widget.TextSegment{Text: " · last " + ago(e.LastReceived), Style: widget.RichTextStyleInline},
	)
	left := container.NewVBox(title, counts)
	if url != "" {
		u := widget.NewLabelWithStyle(url, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		u.Selectable = true
		left.Add(container.NewHBox(u, d.w.newCopyButton("", func() string { return url })))
	}
	chart := widgets.NewRateChart(44)
	chart.Set(rate)
	return container.NewVBox(container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(220, 44), chart), left), widget.NewSeparator())
}

func colored(c fyne.ThemeColorName) widget.RichTextStyle {
	s := widget.RichTextStyleInline
	s.ColorName = c
	return s
}

func (d *dashboard) targetRow(t app.Target, s app.TargetStats) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(t.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	env := widgets.NewBadge("production")
	if t.UseSandbox {
		env.Set("sandbox", hltheme.Orange)
	} else {
		env.Set("production", hltheme.Blue)
	}
	line := fmt.Sprintf("%s deliveries · %s failed or gone · last triggered %s",
		app.GroupDigits(int(s.Deliveries)), app.GroupDigits(int(s.Failures)), ago(s.LastTriggered))
	info := container.NewVBox(container.NewHBox(title, container.NewCenter(env)), widgets.Caption(line))
	if !t.Enabled {
		why := t.DisabledReason
		if why == "" {
			why = "turned off"
		}
		l := widgets.Caption("Disabled: " + why)
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		info.Add(l)
	}
	// One click turns the target on or off.
	enabled := widget.NewCheck("Enabled", nil)
	enabled.SetChecked(t.Enabled)
	enabled.OnChanged = func(on bool) {
		if d.toggling[t.ID] {
			return
		}
		d.toggling[t.ID] = true
		nt := t
		nt.Enabled = on
		if on {
			nt.DisabledReason = ""
		}
		run(d.w.ctl, func() error { return d.w.d.Deliveries.PutTarget(&nt) }, func(err error) {
			delete(d.toggling, t.ID)
			if err != nil {
				d.status.SetText(fmt.Sprintf("could not change target %q: %v", t.Name, err))
				d.status.Importance = widget.DangerImportance
				d.status.Show()
			}
			d.reload()
		})
	}
	return container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.MailForwardIcon()), enabled, info), widget.NewSeparator())
}
