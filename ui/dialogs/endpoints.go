package dialogs

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/ui/widgets"
)

// EndpointList is the Endpoints dialog: every endpoint with its scheme,
// secrets and response, and Add / Edit / Delete. The caller fills it with
// Set and acts on the callbacks.
type EndpointList struct {
	listBody[app.Endpoint]
	OnAdd    func()
	OnEdit   func(app.Endpoint)
	OnDelete func(slug string) // after the user confirmed

	parent fyne.Window
}

// NewEndpointList builds the dialog over parent for the listener at baseURL.
func NewEndpointList(baseURL string, parent fyne.Window) *EndpointList {
	l := &EndpointList{parent: parent}
	intro := fmt.Sprintf("An endpoint is a path on the listener, %s/<slug>/…, with its own signature scheme and secrets, "+
		"response and forward target. Requests to other paths are captured too; their signature scheme is detected from the headers.",
		strings.TrimSuffix(baseURL, "/"))
	add := widget.NewButtonWithIcon("Add endpoint", theme.ContentAddIcon(), func() { call(l.OnAdd) })
	add.Importance = widget.HighImportance
	l.init("Endpoints", intro, "No endpoints yet. Add one to check signatures with a secret, or to answer requests with a chosen status and body.",
		[]fyne.CanvasObject{add}, fyne.NewSize(760, 540), l.row, parent)
	return l
}

func (l *EndpointList) row(ep app.Endpoint) fyne.CanvasObject {
	name := widget.NewLabelWithStyle("/"+ep.Slug+"/", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: true})
	sum := widgets.Caption(EndpointSummary(ep))
	sum.Wrapping = fyne.TextWrapWord
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() {
		if l.OnEdit != nil {
			l.OnEdit(ep)
		}
	})
	del := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { l.confirmDelete(ep.Slug) })
	del.Importance = widget.LowImportance
	return listRow([]fyne.CanvasObject{name, sum}, edit, del)
}

func (l *EndpointList) confirmDelete(slug string) {
	ConfirmDelete("Delete endpoint?", fmt.Sprintf(
		"Delete endpoint %s?\nIts captured events stay. New requests to /%s/ get the default answer\nand their signature scheme is detected from the headers.", slug, slug), "Delete",
		func() {
			if l.OnDelete != nil {
				l.OnDelete(slug)
			}
		}, l.parent)
}

// EndpointSummary is one line about an endpoint: scheme, keys, response, forward.
func EndpointSummary(ep app.Endpoint) string {
	scheme := ep.Scheme
	name, _ := SplitScheme(scheme)
	if scheme == "" {
		scheme = "scheme " + DetectScheme
	}
	parts := []string{scheme}
	switch n := len(ep.Secrets); {
	case n > 0:
		parts = append(parts, widgets.Plural(n, "secret"))
	case ep.PublicKey == "" && verify.UsesPublicKey(name):
		parts = append(parts, "no public key")
	case ep.PublicKey == "":
		parts = append(parts, "no secret")
	}
	if ep.PublicKey != "" {
		parts = append(parts, "public key "+verify.Fingerprint(ep.PublicKey))
	}
	status := ep.Response.Status
	if status == 0 {
		status = 200
	}
	r := fmt.Sprintf("responds %d", status)
	if ep.Response.Delay > 0 {
		r += " after " + app.FormatDuration(ep.Response.Delay)
	}
	parts = append(parts, r)
	if ep.ForwardTo != "" {
		fwd := "forwards to " + app.RedactURL(ep.ForwardTo)
		if ep.ForwardReply {
			fwd += " and answers with its response"
		}
		parts = append(parts, fwd)
	}
	return strings.Join(parts, " · ")
}
