package ui

import (
	"fmt"
	"net/url"
	"regexp"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/skratchdot/open-golang/open"

	"github.com/hooklens/hooklens/app"
)

// Links found in a payload (a Bigin signal's actions, a SignalZen chat URL)
// are listed so they can be opened, but only http and https, and only when
// the user clicks: a payload is data from a stranger and never acts by itself.

// linkPattern finds http(s) URLs in text; the characters after it end a URL
// in JSON, HTML and prose.
var linkPattern = regexp.MustCompile(`https?://[^\s"'<>\\` + "`" + `]+`)

const (
	maxLinks       = 20
	maxLinkScanned = 1 << 20 // bytes of body searched for links
)

// bodyLinks returns the distinct http(s) URLs in a body, in order of
// appearance, at most maxLinks.
func bodyLinks(h app.Headers, body []byte) []string {
	text, _, _ := app.DecodedBody(h, body, maxLinkScanned)
	if len(text) > maxLinkScanned {
		text = text[:maxLinkScanned]
	}
	if !app.IsText(text) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range linkPattern.FindAll(text, -1) {
		s := string(m)
		if seen[s] || !isWebLink(s) {
			continue
		}
		seen[s] = true
		out = append(out, s)
		if len(out) == maxLinks {
			break
		}
	}
	return out
}

// isWebLink accepts absolute http and https URLs with a host, nothing else.
func isWebLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// openLink opens raw in the user's browser. open.Run waits for the opener,
// so it runs off the UI goroutine; a failure is shown in the window.
func (w *Window) openLink(raw string) {
	if !isWebLink(raw) {
		w.top.showError(fmt.Errorf("not opening %q: only http and https links open from a payload", raw))
		return
	}
	go func() {
		if err := open.Run(raw); err != nil {
			w.do(func() { w.top.showError(fmt.Errorf("could not open %s in the browser: %w", raw, err)) })
		}
	}()
}

// linkRows are Overview form rows, one per link: the URL, Open and Copy.
func (d *detail) linkRows(e *app.Event) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, link := range bodyLinks(e.Headers, e.Body) {
		l := widget.NewLabelWithStyle(link, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		l.Selectable = true
		l.Truncation = fyne.TextTruncateEllipsis
		openBtn := widget.NewButtonWithIcon("Open", theme.ComputerIcon(), func() { d.w.openLink(link) })
		openBtn.Importance = widget.LowImportance
		cp := d.w.newCopyButton("", func() string { return link })
		rows = append(rows, d.keyLabel("Link"), container.NewBorder(nil, nil, nil, container.NewHBox(openBtn, cp), l))
	}
	return rows
}
