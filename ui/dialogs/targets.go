package dialogs

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// TargetList is the Targets dialog: every saved destination with where its
// sends go now (PRODUCTION or SANDBOX), signing, retries and whether it is
// enabled; Add, Edit, Retry all failed, Delete, and the connections. The
// caller fills it with Set and acts on the callbacks.
type TargetList struct {
	listBody[app.Target]
	OnAdd         func()
	OnEdit        func(app.Target)
	OnRetryFailed func(app.Target)
	OnDelete      func(app.Target) // after the user confirmed
	OnConnections func()

	parent fyne.Window
}

// NewTargetList builds the dialog over parent.
func NewTargetList(parent fyne.Window) *TargetList {
	l := &TargetList{parent: parent}
	intro := "A target is a saved destination for resends: its URL (production, and optionally a sandbox), " +
		"how requests to it are signed, extra headers, credentials from a connection, a timeout and a retry policy."
	add := widget.NewButtonWithIcon("Add target", theme.ContentAddIcon(), func() { call(l.OnAdd) })
	add.Importance = widget.HighImportance
	conns := widget.NewButtonWithIcon("Connections", theme.AccountIcon(), func() { call(l.OnConnections) })
	l.init("Targets", intro, "No targets yet. Add one to resend events to your app, a customer's endpoint or a sandbox with one click.",
		[]fyne.CanvasObject{add, conns}, fyne.NewSize(820, 580), l.row, parent)
	return l
}

func (l *TargetList) row(t app.Target) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(t.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	env := widgets.NewEnvBadge()
	widgets.SetEnv(env, t)
	head := container.NewHBox(name, container.NewCenter(env))
	if !t.Enabled {
		off := widgets.NewBadge("")
		off.Icon = theme.CancelIcon()
		off.Set("DISABLED", hltheme.Red)
		head.Add(container.NewCenter(off))
	}
	u, err := t.ActiveURL()
	if err != nil {
		u = err.Error()
	}
	urlLabel := widget.NewLabelWithStyle(app.RedactURL(u), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	urlLabel.Truncation = fyne.TextTruncateEllipsis
	sum := widgets.Caption(TargetSummary(t))
	sum.Wrapping = fyne.TextWrapWord
	lines := []fyne.CanvasObject{head, urlLabel, sum}
	if !t.Enabled {
		why := t.DisabledReason
		if why == "" {
			why = "turned off by hand"
		}
		reason := widget.NewLabel("Disabled: " + why)
		reason.Importance = widget.DangerImportance
		reason.Wrapping = fyne.TextWrapWord
		lines = append(lines, reason)
	}
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() {
		if l.OnEdit != nil {
			l.OnEdit(t)
		}
	})
	retry := widget.NewButtonWithIcon("Retry all failed", theme.ViewRefreshIcon(), func() {
		if l.OnRetryFailed != nil {
			l.OnRetryFailed(t)
		}
	})
	del := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() {
		ConfirmDelete("Delete target?", fmt.Sprintf("Delete target %s?\nIts deliveries stay in the log.", t.Name), "Delete", func() {
			if l.OnDelete != nil {
				l.OnDelete(t)
			}
		}, l.parent)
	})
	del.Importance = widget.LowImportance
	return listRow(lines, edit, retry, del)
}

// TargetSummary is one line about a target: signing, retries, timeout, extras.
func TargetSummary(t app.Target) string {
	parts := []string{}
	if t.Scheme == "" {
		parts = append(parts, "unsigned")
	} else {
		key := t.Secret
		if verify.UsesPublicKey(t.Scheme) {
			key = t.PrivateKey
		}
		parts = append(parts, "signs as "+t.Scheme+" with "+app.Mask(key))
	}
	if t.Retry.Retries == 0 {
		parts = append(parts, "no retries")
	} else {
		r := fmt.Sprintf("%s %s apart", widgets.Plural(t.Retry.Retries, "retry"), app.FormatDuration(retryDelay(t.Retry)))
		if t.Retry.Backoff {
			r += ", backing off"
		}
		parts = append(parts, r)
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = app.DefaultTimeout
	}
	parts = append(parts, "timeout "+app.FormatDuration(timeout))
	if n := len(t.Headers); n > 0 {
		parts = append(parts, widgets.Plural(n, "extra header"))
	}
	if t.Connection != "" {
		parts = append(parts, "connection "+t.Connection)
	}
	if t.SandboxURL != "" && !t.UseSandbox {
		parts = append(parts, "has a sandbox URL")
	}
	return strings.Join(parts, " · ")
}

func retryDelay(p app.RetryPolicy) time.Duration {
	if p.Delay <= 0 {
		return time.Minute
	}
	return p.Delay
}
