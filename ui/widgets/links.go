package widgets

import (
	"fmt"
	"net/url"

	"github.com/skratchdot/open-golang/open"
)

// IsWebLink accepts absolute http and https URLs with a host, nothing else:
// the only links Hooklens opens in a browser.
func IsWebLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// OpenLink opens raw in the user's browser when it is a web link (see
// IsWebLink) and reports whether it tried. open.Run waits for the opener,
// so it runs in a goroutine; a failure reaches report through do (the UI
// goroutine). Call it only from a user's click: a link never opens itself.
func OpenLink(raw string, do func(func()), report func(error)) bool {
	if !IsWebLink(raw) {
		return false
	}
	go func() {
		if err := open.Run(raw); err != nil && report != nil {
			do(func() { report(fmt.Errorf("could not open %s in the browser: %w", raw, err)) })
		}
	}()
	return true
}
