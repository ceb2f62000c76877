package widgets

import (
	"strconv"

	"fyne.io/fyne/v2/theme"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// The badges Hooklens shows everywhere: a delivery's state, a target's
// environment, an HTTP status and a verdict, each in the colour the theme
// gives what it means.

// NewStateBadge is a badge sized for any delivery state.
func NewStateBadge() *Badge {
	b := NewBadge("cancelled")
	b.Icon = theme.HistoryIcon()
	return b
}

// SetState shows delivery state s with its icon.
func SetState(b *Badge, s app.State) {
	c, icon := hltheme.StateStyle(s)
	b.Icon = icon
	b.Set(string(s), c)
	b.Refresh()
}

// NewEnvBadge is a badge sized for a target's environment.
func NewEnvBadge() *Badge { return NewBadge("PRODUCTION") }

// SetEnv marks which of a target's URLs sends go to; production is red so
// nobody fires at it by mistake.
func SetEnv(b *Badge, t app.Target) {
	if t.UseSandbox {
		b.Set("SANDBOX", hltheme.Blue)
	} else {
		b.Set("PRODUCTION", hltheme.Red)
	}
}

// NewStatusBadge is a monospace badge sized for a three-digit status.
func NewStatusBadge() *Badge {
	b := NewBadge("000")
	b.Mono = true
	return b
}

// SetStatus shows an HTTP status in its colour, or "no response".
func SetStatus(b *Badge, code int) {
	if code == 0 {
		b.Set("no response", hltheme.Red)
		return
	}
	b.Set(strconv.Itoa(code), hltheme.StatusColor(code))
}

// SetVerdict shows a verdict result with its icon.
func SetVerdict(b *Badge, result string) {
	c, icon := hltheme.VerdictStyle(result)
	b.Icon = icon
	b.Set(result, c)
	b.Refresh()
}
