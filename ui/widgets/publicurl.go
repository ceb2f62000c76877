package widgets

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app/tunnel"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// PublicURL is the top bar's Public URL control: the tunnel provider, a
// status light, the public URL with copy and open-in-browser, start/stop,
// the tunnel settings button and, under them, the status line and the
// warnings that matter (the URL changed; SalesIQ will refuse it). It shows
// tunnel.Status values and reports the user's wishes through its On...
// callbacks; it starts nothing itself.
type PublicURL struct {
	// Root is the whole control: the row and the lines under it.
	Root fyne.CanvasObject
	// Row is the one line of controls; Details the status and warnings.
	Row, Details fyne.CanvasObject

	Light    *StatusLight
	Provider *widget.Label
	URL      *widget.Label
	// Copy puts the public URL on the clipboard; Open opens it in the
	// browser (http and https only, only when tapped).
	Copy, Open *widget.Button
	// Toggle is Start while no tunnel runs, Stop while one does; Setup
	// opens the tunnel settings.
	Toggle, Setup *widget.Button
	// StatusLine is Status.String() without the warnings, which have their
	// own lines: Changed (the public URL changed) and Quirks (what known
	// senders make of the URL). Err says why the browser did not open.
	StatusLine      *widget.Label
	Changed, Quirks *widget.Label
	Err             *widget.Label

	// OnStart and OnStop run when Toggle is tapped; OnSetup when Setup is.
	OnStart, OnStop, OnSetup func()

	do         func(func())
	st         tunnel.Status
	configured string // the provider chosen in the settings, shown while none runs
	changedBox *fyne.Container
	quirkBox   *fyne.Container
}

// NewPublicURL builds the control with nothing started. do runs a function
// on the UI goroutine (fyne.Do in the app).
func NewPublicURL(do func(func())) *PublicURL {
	p := &PublicURL{do: do}
	p.Light = NewStatusLight()
	p.Provider = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.URL = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.URL.Selectable = true
	p.URL.Truncation = fyne.TextTruncateEllipsis
	p.Copy = NewCopyButton("", func() string { return p.st.PublicURL }, do)
	p.Open = widget.NewButtonWithIcon("", theme.ComputerIcon(), p.openURL)
	p.Open.Importance = widget.LowImportance
	p.Toggle = widget.NewButtonWithIcon("Start", theme.MediaPlayIcon(), p.toggle)
	p.Setup = widget.NewButtonWithIcon("Tunnel…", theme.SettingsIcon(), func() {
		if p.OnSetup != nil {
			p.OnSetup()
		}
	})
	p.Setup.Importance = widget.LowImportance

	p.StatusLine = widget.NewLabel("")
	p.StatusLine.Wrapping = fyne.TextWrapWord
	p.StatusLine.SizeName = theme.SizeNameCaptionText
	p.Changed = loudLabel()
	p.Quirks = loudLabel()
	p.Err = ErrorLabel()
	p.changedBox = warningLine(theme.WarningIcon(), hltheme.Red, p.Changed)
	p.quirkBox = warningLine(theme.WarningIcon(), hltheme.Orange, p.Quirks)

	title := widget.NewLabelWithStyle("Public URL", fyne.TextAlignLeading, fyne.TextStyle{})
	title.Importance = widget.LowImportance
	urlBox := MinWidth(260, p.URL)
	p.Row = container.NewBorder(nil, nil,
		container.NewHBox(title, container.NewCenter(p.Light), p.Provider),
		container.NewHBox(p.Copy, p.Open, p.Toggle, p.Setup),
		urlBox)
	p.Details = container.New(layout.NewCustomPaddedVBoxLayout(0), p.StatusLine, p.changedBox, p.quirkBox, p.Err)
	p.Root = container.New(layout.NewCustomPaddedVBoxLayout(0), p.Row, p.Details)
	p.apply(tunnel.Status{})
	return p
}

func loudLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle = fyne.TextStyle{Bold: true}
	return l
}

// warningLine is an icon in colour c before l, l drawn in c too.
func warningLine(icon fyne.Resource, c fyne.ThemeColorName, l *widget.Label) *fyne.Container {
	l.Importance = hltheme.Importance(c)
	ic := widget.NewIcon(theme.NewColoredResource(icon, c))
	top := (widget.NewLabel("X").MinSize().Height - theme.IconInlineSize()) / 2
	return container.NewBorder(nil, nil,
		container.New(layout.NewCustomPaddedLayout(top, 0, theme.Padding(), 0), ic), nil, l)
}

// Set shows st. It is safe to call from any goroutine: the change is made
// on the UI goroutine, in the order of the calls.
func (p *PublicURL) Set(st tunnel.Status) { p.do(func() { p.apply(st) }) }

// SetProvider names the provider chosen in the settings, shown while no
// tunnel runs. Call it on the UI goroutine.
func (p *PublicURL) SetProvider(name string) {
	p.configured = name
	p.apply(p.st)
}

// Status is the status shown.
func (p *PublicURL) Status() tunnel.Status { return p.st }

// Running reports whether a tunnel runs (or is being started), so Toggle
// stops it.
func (p *PublicURL) Running() bool { return running(p.st.State) }

func running(s tunnel.State) bool {
	switch s {
	case tunnel.Starting, tunnel.Reachable, tunnel.Unreachable, tunnel.Reconnecting:
		return true
	}
	return false
}

func (p *PublicURL) apply(st tunnel.Status) {
	p.st = st
	p.Light.SetColor(hltheme.TunnelColor(st.State))

	name := st.Provider
	if name == "" || !running(st.State) && p.configured != "" {
		name = p.configured
	}
	if name == "" {
		name = "none"
	}
	p.Provider.SetText(name)

	switch {
	case st.PublicURL != "":
		p.URL.SetText(st.PublicURL)
		p.URL.Importance = widget.MediumImportance
		p.URL.TextStyle = fyne.TextStyle{Monospace: true}
	case running(st.State):
		p.URL.SetText("waiting for the public URL…")
		p.URL.Importance = widget.LowImportance
		p.URL.TextStyle = fyne.TextStyle{Italic: true}
	default:
		p.URL.SetText("not started: only this computer reaches the listener")
		p.URL.Importance = widget.LowImportance
		p.URL.TextStyle = fyne.TextStyle{Italic: true}
	}
	p.URL.Refresh()
	if st.PublicURL == "" {
		p.Copy.Disable()
	} else {
		p.Copy.Enable()
	}
	if IsWebLink(st.PublicURL) {
		p.Open.Enable()
	} else {
		p.Open.Disable()
	}

	if running(st.State) {
		p.Toggle.SetText("Stop")
		p.Toggle.SetIcon(theme.MediaStopIcon())
		p.Toggle.Importance = widget.MediumImportance
	} else {
		p.Toggle.SetText("Start")
		p.Toggle.SetIcon(theme.MediaPlayIcon())
		p.Toggle.Importance = widget.HighImportance
	}
	p.Toggle.Refresh()

	// The status line without the warnings, which get lines of their own.
	line := st
	line.URLChanged, line.Quirks = false, nil
	if st.State == "" {
		p.StatusLine.Hide()
	} else {
		p.StatusLine.SetText(UpperFirst(line.String()))
		p.StatusLine.Importance = hltheme.Importance(hltheme.TunnelColor(st.State))
		p.StatusLine.Refresh()
		p.StatusLine.Show()
	}

	if st.URLChanged && st.PreviousURL != "" && running(st.State) {
		// The sentence Status.String() adds for the change, on its own line.
		changed := line
		changed.URLChanged = true
		p.Changed.SetText(UpperFirst(strings.TrimPrefix(changed.String(), line.String()+"; ")) + ".")
		p.changedBox.Show()
	} else {
		p.changedBox.Hide()
	}
	if len(st.Quirks) > 0 && running(st.State) {
		text := ""
		for i, q := range st.Quirks {
			if i > 0 {
				text += "\n"
			}
			text += UpperFirst(q) + "."
		}
		p.Quirks.SetText(text)
		p.quirkBox.Show()
	} else {
		p.quirkBox.Hide()
	}
}

func (p *PublicURL) toggle() {
	if p.Running() {
		if p.OnStop != nil {
			p.OnStop()
		}
		return
	}
	if p.OnStart != nil {
		p.OnStart()
	}
}

// openURL opens the public URL in the browser, only http or https.
func (p *PublicURL) openURL() {
	p.Err.Hide()
	OpenLink(p.st.PublicURL, p.do, func(err error) {
		p.Err.SetText(UpperFirst(err.Error()) + ".")
		p.Err.Show()
	})
}

// StatusLight is a small filled circle in a theme colour.
type StatusLight struct {
	widget.BaseWidget
	// Color is the colour it shows.
	Color fyne.ThemeColorName
}

// NewStatusLight is a grey light.
func NewStatusLight() *StatusLight {
	l := &StatusLight{Color: hltheme.Grey}
	l.ExtendBaseWidget(l)
	return l
}

// SetColor changes the light's colour.
func (l *StatusLight) SetColor(c fyne.ThemeColorName) {
	if l.Color == c {
		return
	}
	l.Color = c
	l.Refresh()
}

func (l *StatusLight) CreateRenderer() fyne.WidgetRenderer {
	r := &lightRenderer{l: l, dot: canvas.NewCircle(color.Transparent), halo: canvas.NewCircle(color.Transparent)}
	r.Refresh()
	return r
}

type lightRenderer struct {
	l         *StatusLight
	dot, halo *canvas.Circle
}

const lightSize = 12

func (r *lightRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(lightSize + 4) }

func (r *lightRenderer) Layout(s fyne.Size) {
	halo := float32(lightSize + 4)
	r.halo.Move(fyne.NewPos((s.Width-halo)/2, (s.Height-halo)/2))
	r.halo.Resize(fyne.NewSquareSize(halo))
	r.dot.Move(fyne.NewPos((s.Width-lightSize)/2, (s.Height-lightSize)/2))
	r.dot.Resize(fyne.NewSquareSize(lightSize))
}

func (r *lightRenderer) Refresh() {
	c := hltheme.Color(r.l.Theme(), r.l.Color)
	r.dot.FillColor = c
	r.halo.FillColor = hltheme.Tint(c, 0x40)
	r.Layout(r.l.Size())
	r.dot.Refresh()
	r.halo.Refresh()
}

func (r *lightRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.halo, r.dot} }
func (r *lightRenderer) Destroy()                     {}
