package dialogs

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// SetPublicURL lists each endpoint's public URL (base + "/" + slug), what
// a provider on the internet posts to while a tunnel runs; "" for none.
func (l *EndpointList) SetPublicURL(base string) {
	base = strings.TrimSuffix(base, "/")
	if base == l.public {
		return
	}
	l.public = base
	if l.loaded {
		l.Set(l.items)
	}
}

// PublicURLOf is ep's public URL in the list, "" while no tunnel runs.
func (l *EndpointList) PublicURLOf(ep app.Endpoint) string {
	if l.public == "" {
		return ""
	}
	return l.public + "/" + ep.Slug
}

// publicLine is a row's public URL with a copy button, hidden without one.
func (l *EndpointList) publicLine(ep app.Endpoint) fyne.CanvasObject {
	u := l.PublicURLOf(ep)
	if u == "" {
		none := widget.NewLabel("")
		none.Hide()
		return none
	}
	lbl := widgets.Mono(u)
	lbl.Truncation = fyne.TextTruncateEllipsis
	head := widgets.Caption("Public URL")
	cp := widgets.NewCopyButton("", func() string { return u }, fyne.Do)
	return container.NewBorder(nil, nil, head, cp, lbl)
}
