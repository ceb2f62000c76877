package dialogs

import (
	"fmt"
	"net/http"
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

// DeliveryPane shows one delivery: its state and why, and each attempt —
// the request as sent (credentials masked), the response's status, headers
// and body, the duration and any error. The Edit and resend window and the
// Deliveries window both use it.
//
// The parts a caller or a test reads are exported: Root is the whole pane,
// State the delivery's state and Reason why, Next when it is tried again,
// AttemptsTitle over the attempt rows, and AttemptStatus, AttemptMeta,
// ResponseBody, ResponseHeaders and RequestView for the attempt shown.
type DeliveryPane struct {
	do func(func())
	// onCancel and onRetry ask the caller to cancel or retry delivery id
	// (Cancel and Retry are offered only with them); it answers with
	// ActionDone.
	OnCancel, OnRetry func(id uint64)
	d                 *app.Delivery
	target            *app.Target // nil when the delivery has none, or it was deleted
	sel               int         // attempt shown
	follow            bool        // show the newest attempt as attempts arrive
	actions           bool

	Root         fyne.CanvasObject
	content      fyne.CanvasObject
	empty        fyne.CanvasObject
	emptyText    *widget.Label
	State        *widgets.Badge
	method       *widgets.Badge
	url          *widget.Label
	env          *widgets.Badge
	toTarget     *widget.Label
	Reason       *widget.Label
	meta         *widget.Label
	Next         *widget.Label
	CancelButton *widget.Button
	RetryButton  *widget.Button
	curlBtn      *widget.Button
	actionBar    fyne.CanvasObject
	actionErr    *widget.Label
	// EventLink names the captured event a resend or forward came from;
	// tapping it runs OnEvent (hidden while OnEvent is nil).
	EventLink *widget.Hyperlink
	OnEvent   func(id uint64)

	AttemptsTitle *widget.Label
	attemptRows   *fyne.Container
	rows          []*widgets.TapRow

	AttemptStatus   *widgets.Badge
	AttemptMeta     *widget.Label
	aError          *widget.Label
	tabs            *container.AppTabs
	bodyTab         *container.TabItem
	headTab         *container.TabItem
	reqTab          *container.TabItem
	ResponseBody    *widgets.CodeView
	ResponseHeaders *widgets.CodeView
	RequestView     *widgets.CodeView

	// Original reads the captured event a delivery came from, for the
	// Changes tab; nil hides the tab. It is called off the UI goroutine.
	Original   func(id uint64) (*app.Event, error)
	Changes    *ChangesView
	changesTab *container.TabItem
}

func NewDeliveryPane(do func(func()), actions bool, emptyText string) *DeliveryPane {
	p := &DeliveryPane{do: do, actions: actions, follow: true}
	p.State = widgets.NewStateBadge()
	p.method = widgets.NewBadge("DELETE")
	p.url = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.url.Truncation = fyne.TextTruncateEllipsis
	p.url.Selectable = true
	copyURL := widgets.NewCopyButton("", func() string {
		if p.d == nil {
			return ""
		}
		return p.d.Request.URL
	}, do)
	p.env = widgets.NewEnvBadge()
	p.toTarget = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.Reason = widget.NewLabel("")
	p.Reason.Wrapping = fyne.TextWrapWord
	p.meta = widgets.Caption("")
	p.meta.Wrapping = fyne.TextWrapWord
	p.Next = widget.NewLabel("")
	p.Next.Importance = widget.HighImportance
	p.Next.Wrapping = fyne.TextWrapWord

	p.CancelButton = widget.NewButtonWithIcon("Cancel delivery", theme.CancelIcon(), p.doCancel)
	p.RetryButton = widget.NewButtonWithIcon("Retry", theme.ViewRefreshIcon(), p.doRetry)
	p.RetryButton.Importance = widget.HighImportance
	p.curlBtn = widgets.NewCopyButton("Copy as curl", func() string {
		if p.d == nil {
			return ""
		}
		r := p.d.Request
		if a := p.d.Last(); a != nil {
			r = a.Request
		}
		return widgets.CurlCommand(r)
	}, do)
	p.actionErr = widget.NewLabel("")
	p.actionErr.Importance = widget.DangerImportance
	p.actionErr.Wrapping = fyne.TextWrapWord
	p.actionErr.Hide()
	p.actionBar = container.NewHBox(p.CancelButton, p.RetryButton, p.curlBtn)
	if !actions {
		p.actionBar.Hide()
	}

	p.AttemptsTitle = widgets.Heading("Attempts")
	p.attemptRows = container.NewVBox()

	p.AttemptStatus = widgets.NewBadge("000")
	p.AttemptStatus.Mono = true
	p.AttemptStatus.Big = true
	p.AttemptMeta = widget.NewLabel("")
	p.aError = widget.NewLabel("")
	p.aError.Importance = widget.DangerImportance
	p.aError.Wrapping = fyne.TextWrapWord
	p.ResponseBody = widgets.NewCodeView()
	p.ResponseBody.Highlight = widgets.HighlightJSON
	p.ResponseHeaders = widgets.NewCodeView()
	p.ResponseHeaders.Highlight = widgets.HighlightHeaders
	p.RequestView = widgets.NewCodeView()
	p.RequestView.Highlight = widgets.HighlightRequest
	p.bodyTab = container.NewTabItem("Response body", p.ResponseBody)
	p.headTab = container.NewTabItem("Response headers", p.ResponseHeaders)
	p.reqTab = container.NewTabItem("Request sent", p.RequestView)
	p.Changes = newChangesView()
	p.changesTab = container.NewTabItem("Changes", p.Changes.Root)
	p.tabs = container.NewAppTabs(p.bodyTab, p.headTab, p.reqTab, p.changesTab)

	head := container.NewBorder(nil, nil, container.NewHBox(container.NewCenter(p.State), container.NewCenter(p.method)), copyURL, p.url)
	targetLine := container.NewHBox(container.NewCenter(p.env), p.toTarget)
	attemptHead := container.NewHBox(container.NewCenter(p.AttemptStatus), container.NewCenter(p.AttemptMeta))
	p.EventLink = widget.NewHyperlink("", nil)
	p.EventLink.OnTapped = func() {
		if p.d != nil && p.d.EventID != 0 && p.OnEvent != nil {
			p.OnEvent(p.d.EventID)
		}
	}
	p.EventLink.Hide()
	top := container.NewVBox(head, targetLine, p.EventLink, p.Reason, p.Next, p.meta, p.actionBar, p.actionErr,
		widget.NewSeparator(), p.AttemptsTitle, p.attemptRows, widget.NewSeparator(), attemptHead, p.aError)
	p.content = container.NewBorder(container.NewPadded(top), nil, nil, nil, p.tabs)
	p.emptyText = widgets.Caption(emptyText)
	p.emptyText.Alignment = fyne.TextAlignCenter
	p.emptyText.Wrapping = fyne.TextWrapWord
	p.empty = container.NewCenter(p.emptyText)
	p.Root = container.NewStack(p.empty, p.content)
	p.content.Hide()
	return p
}

// clear shows the empty state with text.
func (p *DeliveryPane) Clear(text string) {
	p.d = nil
	p.emptyText.SetText(text)
	p.content.Hide()
	p.empty.Show()
}

// show draws d (with its target, nil for none). A newer copy of the same
// delivery keeps the attempt the user picked unless they were on the newest.
func (p *DeliveryPane) Show(d *app.Delivery, t *app.Target) {
	same := p.d != nil && p.d.ID == d.ID && d.ID != 0
	if !same {
		p.follow = true
		p.actionErr.Hide()
	}
	p.d, p.target = d, t
	if p.follow || p.sel >= len(d.Attempts) {
		p.sel = len(d.Attempts) - 1
	}
	widgets.SetState(p.State, d.State)
	m := d.Request.Method
	if a := d.Last(); a != nil {
		m = a.Request.Method
	}
	p.method.Set(strings.ToUpper(m), hltheme.MethodColor(m))
	p.url.SetText(app.RedactURL(d.Request.URL))

	switch {
	case t != nil:
		widgets.SetEnv(p.env, *t)
		p.env.Show()
		p.toTarget.SetText("to target " + t.Name)
	case d.TargetID != "":
		p.env.Hide()
		p.toTarget.SetText("to a deleted target")
	default:
		p.env.Hide()
		p.toTarget.SetText("to a URL typed in, no target")
	}
	p.Reason.SetText(widgets.UpperFirst(d.Reason))
	p.Reason.Importance = hltheme.Importance(func() fyne.ThemeColorName { c, _ := hltheme.StateStyle(d.State); return c }())
	p.Reason.Hidden = d.Reason == ""
	p.Reason.Refresh()

	if d.State == app.Pending && !d.NextAttemptAt.IsZero() {
		if wait := time.Until(d.NextAttemptAt); wait > time.Second {
			p.Next.SetText(fmt.Sprintf("Next attempt at %s (in %s)", d.NextAttemptAt.Local().Format("15:04:05"), app.FormatDuration(wait)))
		} else {
			p.Next.SetText("Sending now…")
		}
		p.Next.Show()
	} else {
		p.Next.Hide()
	}

	meta := []string{}
	if d.ID != 0 {
		meta = append(meta, "delivery #"+app.FormatID(d.ID))
	}
	from := ""
	switch d.Kind {
	case app.KindResend:
		from = "resend of event #" + app.FormatID(d.EventID)
	case app.KindForward:
		from = "forward of event #" + app.FormatID(d.EventID)
	case "":
	default:
		meta = append(meta, d.Kind)
	}
	p.EventLink.Hide()
	if from != "" {
		if p.OnEvent != nil && d.EventID != 0 {
			p.EventLink.SetText(widgets.UpperFirst(from))
			p.EventLink.Show()
		} else {
			meta = append(meta, from)
		}
	}
	if !d.CreatedAt.IsZero() {
		meta = append(meta, "created "+widgets.FullTime(d.CreatedAt))
	}
	meta = append(meta, signingText(d.Sign))
	if d.Connection != "" {
		meta = append(meta, "connection "+d.Connection)
	}
	retries := d.Retry.Retries
	meta = append(meta, map[bool]string{true: "no retries", false: fmt.Sprintf("up to %s", widgets.Plural(retries, "retry"))}[retries == 0])
	p.meta.SetText(strings.Join(meta, "  ·  "))

	if d.State == app.Pending {
		p.CancelButton.Show()
		p.RetryButton.Hide()
	} else {
		// A delivered one is sent again by resending its event instead.
		p.CancelButton.Hide()
		widgets.ShowRow(d.State != app.Delivered, p.RetryButton)
		p.RetryButton.Enable()
	}
	if d.ID == 0 {
		p.CancelButton.Disable()
	} else {
		p.CancelButton.Enable()
	}

	p.AttemptsTitle.SetText(fmt.Sprintf("Attempts (%d)", len(d.Attempts)))
	p.fillAttempts()
	p.showAttempt()
	p.empty.Hide()
	p.content.Show()
}

// signingText says in a few words how a delivery is signed.
func signingText(s app.Signing) string {
	switch {
	case s.KeepOriginal:
		return "original headers kept byte-for-byte"
	case s.Scheme == "":
		return "unsigned"
	}
	return "signed as " + s.Scheme + " with " + app.Mask(s.Secret)
}

func (p *DeliveryPane) fillAttempts() {
	d := p.d
	p.attemptRows.Objects = nil
	p.rows = nil
	if len(d.Attempts) == 0 {
		p.attemptRows.Add(widgets.Caption("No attempt yet."))
	}
	for i := range d.Attempts {
		a := &d.Attempts[i]
		num := widget.NewLabelWithStyle(fmt.Sprintf("#%d", i+1), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		st := widgets.NewBadge("000")
		st.Mono = true
		widgets.SetStatus(st, a.Status)
		dur := widget.NewLabelWithStyle(app.FormatElapsed(a.Duration), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		at := widgets.Caption(widgets.ClockTime(a.At))
		what := a.Error
		if what == "" {
			what = http.StatusText(a.Status)
		}
		if i == d.RoundStart && i > 0 {
			what = "retried by hand · " + what
		}
		msg := widget.NewLabel(what)
		msg.Truncation = fyne.TextTruncateEllipsis
		if a.Error != "" {
			msg.Importance = widget.DangerImportance
		}
		left := container.NewHBox(widgets.FixedWidth(40, num), widgets.FixedWidth(80, container.NewHBox(st)), widgets.FixedWidth(90, dur), container.NewCenter(at))
		i := i
		r := widgets.NewTapRow(container.NewBorder(nil, nil, left, nil, msg), func() {
			p.sel = i
			p.follow = i == len(p.d.Attempts)-1
			p.showAttempt()
		})
		p.rows = append(p.rows, r)
		p.attemptRows.Add(r)
	}
	p.attemptRows.Refresh()
}

// showAttempt fills the lower half with attempt p.sel.
func (p *DeliveryPane) showAttempt() {
	for i, r := range p.rows {
		r.SetSelected(i == p.sel)
	}
	if p.sel < 0 || p.sel >= len(p.d.Attempts) {
		p.AttemptStatus.Hide()
		p.AttemptMeta.SetText("")
		p.aError.Hide()
		p.ResponseBody.SetText("")
		p.ResponseHeaders.SetText("")
		p.RequestView.SetText(widgets.RequestText(p.d.Request))
		p.headTab.Text = "Response headers"
		p.tabs.Select(p.reqTab)
		p.showChanges(p.d.Request)
		p.tabs.Refresh()
		return
	}
	a := &p.d.Attempts[p.sel]
	widgets.SetStatus(p.AttemptStatus, a.Status)
	p.AttemptStatus.Show()
	meta := []string{}
	if a.Status != 0 {
		meta = append(meta, http.StatusText(a.Status))
	}
	meta = append(meta, app.FormatElapsed(a.Duration))
	if a.Status != 0 {
		size := app.HumanSize(a.ResponseSize)
		if a.ResponseSize > int64(len(a.ResponseBody)) {
			size += fmt.Sprintf(" (first %s kept)", app.HumanSize(int64(len(a.ResponseBody))))
		}
		meta = append(meta, size)
	}
	meta = append(meta, fmt.Sprintf("attempt %d of %d", p.sel+1, len(p.d.Attempts)), "at "+widgets.ClockTime(a.At))
	p.AttemptMeta.SetText(strings.Join(meta, "  ·  "))
	if a.Error != "" {
		p.aError.SetText(widgets.UpperFirst(a.Error))
		p.aError.Show()
	} else {
		p.aError.Hide()
	}
	body, _ := widgets.BodyText(a.ResponseBody)
	p.ResponseBody.SetText(body)
	p.ResponseHeaders.SetText(widgets.HeaderLines(a.ResponseHeaders))
	p.headTab.Text = fmt.Sprintf("Response headers (%d)", len(a.ResponseHeaders))
	p.RequestView.SetText(widgets.RequestText(a.Request))
	p.showChanges(a.Request)
	if a.Status == 0 && p.tabs.Selected() != p.reqTab {
		p.tabs.Select(p.reqTab)
	} else if a.Status != 0 && p.tabs.Selected() == p.reqTab && p.follow {
		p.tabs.Select(p.bodyTab)
	}
	p.tabs.Refresh()
}

func (p *DeliveryPane) doCancel() { p.act(p.CancelButton, p.OnCancel) }

func (p *DeliveryPane) doRetry() { p.act(p.RetryButton, p.OnRetry) }

// act disables btn and asks the caller to run op on the shown delivery;
// the caller answers with actionDone.
func (p *DeliveryPane) act(btn *widget.Button, op func(id uint64)) {
	d := p.d
	if op == nil || d == nil || d.ID == 0 {
		return
	}
	btn.Disable()
	op(d.ID)
}

func (p *DeliveryPane) ActionDone(id uint64, err error) {
	if p.d == nil || p.d.ID != id {
		return
	}
	if err != nil {
		p.actionErr.SetText(widgets.UpperFirst(err.Error()) + ".")
		p.actionErr.Show()
		p.CancelButton.Enable()
		p.RetryButton.Enable()
		return
	}
	p.actionErr.Hide()
	p.follow = true
}

// Delivery is the delivery shown, nil for none.
func (p *DeliveryPane) Delivery() *app.Delivery { return p.d }

// Attempts is how many attempt rows the pane lists.
func (p *DeliveryPane) Attempts() int { return len(p.rows) }
