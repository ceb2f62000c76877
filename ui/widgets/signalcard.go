package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app/signal"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// SignalCard shows a Bigin signal as a Bigin user sees it in the signals
// panel: an icon, the subject, the message and the link actions. A link
// does nothing until it is clicked; then OnOpen gets its URL (the window
// opens only http and https links, in the browser).
type SignalCard struct {
	Root    fyne.CanvasObject
	Subject *widget.Label
	Message *widget.Label
	Contact *widget.Label
	Actions *fyne.Container // one button per action

	// OnOpen is called with an action's URL when its link is clicked.
	OnOpen func(raw string)
}

// NewSignalCard makes an empty card; Set fills it.
func NewSignalCard() *SignalCard {
	c := &SignalCard{}
	c.Subject = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.Subject.Wrapping = fyne.TextWrapWord
	c.Message = widget.NewLabel("")
	c.Message.Wrapping = fyne.TextWrapWord
	c.Contact = Caption("")
	c.Actions = container.NewVBox()
	icon := widget.NewIcon(theme.NewPrimaryThemedResource(theme.InfoIcon()))
	head := container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(32), icon)), nil,
		container.NewVBox(c.Subject, c.Contact))
	body := container.NewVBox(head, c.Message, c.Actions)
	c.Root = container.NewStack(NewThemedRect(hltheme.Panel, 8), container.NewPadded(body))
	return c
}

// Set shows s. Every action is a link button; what a click may open is
// OnOpen's decision.
func (c *SignalCard) Set(s signal.Signal) {
	subj := strings.TrimSpace(s.Subject)
	if subj == "" {
		subj = "(no subject)"
	}
	c.Subject.SetText(subj)
	c.Message.SetText(s.Message)
	who := strings.TrimSpace(s.Email)
	if who == "" && strings.TrimSpace(s.RecordID) != "" {
		who = "record " + strings.TrimSpace(s.RecordID)
	}
	if ns := strings.TrimSpace(s.Namespace); ns != "" {
		if who != "" {
			who += " · "
		}
		who += ns
	}
	c.Contact.SetText(who)
	c.Actions.RemoveAll()
	for _, a := range s.Actions {
		name := strings.TrimSpace(a.DisplayName)
		if name == "" {
			name = strings.TrimSpace(a.URL)
		}
		raw := strings.TrimSpace(a.URL)
		icon := theme.ComputerIcon()
		if a.OpenIn == "popup" {
			icon = theme.ViewFullScreenIcon()
		}
		b := widget.NewButtonWithIcon(name, icon, func() {
			if c.OnOpen != nil {
				c.OnOpen(raw)
			}
		})
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		c.Actions.Add(b)
	}
	c.Root.Refresh()
}
