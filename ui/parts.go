package ui

import (
	"fmt"
	"mime"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// maxPartRows is how many parts the Parts view lists; app.ParseMultipart
// reads at most app.MaxParts.
const maxPartRows = 200

// partsView lists a multipart body's parts: name, file name, content type
// and size, each part copyable (when text) and savable.
type partsView struct {
	b     *bodyPane
	root  fyne.CanvasObject
	count *widget.Label
	list  *fyne.Container
	parts []app.Part
}

func newPartsView(b *bodyPane) *partsView {
	v := &partsView{b: b}
	v.count = widgets.Caption("")
	v.list = container.NewVBox()
	v.root = container.NewBorder(container.NewPadded(v.count), nil, nil, nil, container.NewVScroll(v.list))
	return v
}

// set shows parts.
func (v *partsView) set(parts []app.Part) {
	v.parts = parts
	v.list.RemoveAll()
	v.count.SetText(widgets.Plural(len(parts), "part") + " in the order sent")
	if len(parts) == 0 {
		v.list.Add(container.NewCenter(widgets.Caption("This multipart body has no parts.")))
	}
	for i, p := range parts {
		if i == maxPartRows {
			v.list.Add(widgets.Caption(fmt.Sprintf("… and %d more parts: save the body to see them all", len(parts)-maxPartRows)))
			break
		}
		v.list.Add(v.row(i, p))
		v.list.Add(widget.NewSeparator())
	}
	v.list.Refresh()
}

// row is one part: its name in bold monospace, then file name, content type
// and size, with copy and save buttons.
func (v *partsView) row(i int, p app.Part) fyne.CanvasObject {
	name := p.Name
	if name == "" {
		name = fmt.Sprintf("part %d", i+1)
	}
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	title.Importance = widget.HighImportance
	title.Selectable = true
	var meta []string
	if p.Filename != "" {
		meta = append(meta, "file "+p.Filename)
	}
	ct := p.ContentType
	if ct == "" {
		ct = "no content type"
	}
	meta = append(meta, ct, fmt.Sprintf("%s (%s bytes)", app.HumanSize(int64(len(p.Body))), app.GroupDigits(len(p.Body))))
	info := widgets.Caption(strings.Join(meta, "  ·  "))
	info.Selectable = true

	var preview fyne.CanvasObject
	text := app.IsText(p.Body)
	if text && len(p.Body) > 0 {
		s := widgets.CutText(p.Body, 512)
		if len(s) < len(p.Body) {
			s += "…"
		}
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		l.Wrapping = fyne.TextWrapBreak
		l.Selectable = true
		preview = l
	}
	cp := v.b.d.w.newCopyButton("", func() string { return string(p.Body) })
	if !text {
		cp.Disable() // the clipboard holds text; Save keeps the bytes
	}
	save := widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), func() {
		v.b.saveBytes(partFileName(v.b.ev, i, p), "the part", p.Body)
	})
	save.Importance = widget.LowImportance
	head := container.NewBorder(nil, nil, nil, container.NewHBox(cp, save),
		container.New(layout.NewCustomPaddedVBoxLayout(0), title, info))
	if preview == nil {
		return head
	}
	return container.New(layout.NewCustomPaddedVBoxLayout(0), head, preview)
}

// partFileName suggests a name to save part i as: its own file name, or one
// made from the event, the part and its content type.
func partFileName(e *app.Event, i int, p app.Part) string {
	if f := filepath.Base(p.Filename); p.Filename != "" && f != "." && f != "/" {
		return f
	}
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(p.ContentType); len(exts) > 0 {
		ext = exts[0]
	} else if app.IsText(p.Body) {
		ext = ".txt"
	}
	id := "event"
	if e != nil {
		id = "event-" + e.IDString()
	}
	return fmt.Sprintf("%s-part-%d%s", id, i+1, ext)
}
