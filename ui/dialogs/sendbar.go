package dialogs

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// sendBar is the foot of a window that composes one delivery (Fire, the
// Bigin signal composer): a status line and the Send button. The caller
// queues what OnSend receives and reports back with Sent or Failed.
type sendBar struct {
	Status  *widget.Label
	SendBtn *widget.Button
}

func newSendBar(label string, send func()) sendBar {
	b := sendBar{Status: widget.NewLabel("")}
	b.Status.Wrapping = fyne.TextWrapWord
	b.Status.Hide()
	b.SendBtn = widget.NewButtonWithIcon(label, theme.MailSendIcon(), send)
	b.SendBtn.Importance = widget.HighImportance
	return b
}

// root is the bar under a separator.
func (b *sendBar) root() fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, nil, b.SendBtn, b.Status))
}

// start builds the delivery with make and hands it to onSend, or says why
// it cannot be sent.
func (b *sendBar) start(make func() (*app.Delivery, error), onSend func(*app.Delivery)) {
	d, err := make()
	if err != nil {
		b.Failed(err)
		return
	}
	b.Status.Hide()
	if onSend != nil {
		b.SendBtn.Disable()
		onSend(d)
	}
}

// queued says delivery id was queued to where (already masked).
func (b *sendBar) queued(id uint64, where string) {
	b.SendBtn.Enable()
	b.Status.Importance = widget.SuccessImportance
	b.Status.SetText(fmt.Sprintf("Queued delivery %d to %s: follow it in Deliveries.", id, where))
	b.Status.Show()
}

// Failed says why nothing was sent.
func (b *sendBar) Failed(err error) {
	b.SendBtn.Enable()
	b.Status.Importance = widget.DangerImportance
	b.Status.SetText(widgets.UpperFirst(err.Error()) + ".")
	b.Status.Show()
}
