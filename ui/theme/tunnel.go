package theme

import (
	"fyne.io/fyne/v2"

	"github.com/hooklens/hooklens/app/tunnel"
)

// TunnelColor is the colour of the Public URL control's status light:
// amber while starting or reconnecting, green once the probe came back,
// red when the URL does not reach Hooklens or the tunnel gave up, grey
// when stopped (or never started).
func TunnelColor(s tunnel.State) fyne.ThemeColorName {
	switch s {
	case tunnel.Starting, tunnel.Reconnecting:
		return Orange
	case tunnel.Reachable:
		return Green
	case tunnel.Unreachable, tunnel.Failed:
		return Red
	}
	return Grey
}
