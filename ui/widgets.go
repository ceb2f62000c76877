package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// badge is a small rounded label tinted in a semantic colour: method,
// status, verdict. sizer is the widest text it must fit so badges in a
// column line up.
type badge struct {
	widget.BaseWidget
	Text  string
	Color fyne.ThemeColorName
	Icon  fyne.Resource // optional, drawn before the text
	sizer string
	mono  bool
	big   bool // heading-sized, for the verdict at the top of the Signature tab
}

func newBadge(sizer string) *badge {
	b := &badge{sizer: sizer, Color: hltheme.Grey}
	b.ExtendBaseWidget(b)
	return b
}

// Set changes text and colour and redraws.
func (b *badge) Set(text string, c fyne.ThemeColorName) {
	if b.Text == text && b.Color == c {
		return
	}
	b.Text, b.Color = text, c
	b.Refresh()
}

func (b *badge) CreateRenderer() fyne.WidgetRenderer {
	r := &badgeRenderer{b: b, bg: canvas.NewRectangle(color.Transparent), txt: canvas.NewText("", color.Black),
		icon: canvas.NewImageFromResource(nil)}
	r.txt.TextStyle = fyne.TextStyle{Bold: !b.mono, Monospace: b.mono}
	r.txt.Alignment = fyne.TextAlignCenter
	r.icon.FillMode = canvas.ImageFillContain
	r.Refresh()
	return r
}

type badgeRenderer struct {
	b    *badge
	bg   *canvas.Rectangle
	txt  *canvas.Text
	icon *canvas.Image
}

func (r *badgeRenderer) textSize() float32 {
	if r.b.big {
		return r.b.Theme().Size(theme.SizeNameSubHeadingText)
	}
	return r.b.Theme().Size(theme.SizeNameCaptionText)
}

func (r *badgeRenderer) iconSize() float32 {
	if r.b.Icon == nil {
		return 0
	}
	return r.textSize() + 2
}

func (r *badgeRenderer) MinSize() fyne.Size {
	s := r.b.sizer
	if len(r.b.Text) > len(s) {
		s = r.b.Text
	}
	m := fyne.MeasureText(s, r.textSize(), r.txt.TextStyle)
	w := m.Width + 12
	if is := r.iconSize(); is > 0 {
		w += is + 3
	}
	if r.b.big {
		return fyne.NewSize(w+8, m.Height+10)
	}
	return fyne.NewSize(w, m.Height+4)
}

func (r *badgeRenderer) Layout(s fyne.Size) {
	min := r.MinSize()
	// Keep the pill its natural height, centred vertically in its cell.
	y := (s.Height - min.Height) / 2
	r.bg.Move(fyne.NewPos(0, y))
	r.bg.Resize(fyne.NewSize(s.Width, min.Height))
	x := float32(0)
	if is := r.iconSize(); is > 0 {
		left := float32(5)
		if r.b.big {
			left = 9
		}
		r.icon.Move(fyne.NewPos(left, y+(min.Height-is)/2))
		r.icon.Resize(fyne.NewSquareSize(is))
		x = is + 3
		if r.b.big {
			x += 4
		}
	}
	r.txt.Move(fyne.NewPos(x, y))
	r.txt.Resize(fyne.NewSize(s.Width-x, min.Height))
}

func (r *badgeRenderer) Refresh() {
	th := r.b.Theme()
	c := hltheme.Color(th, r.b.Color)
	r.bg.FillColor = hltheme.Tint(c, 0x2e)
	r.bg.StrokeColor = hltheme.Tint(c, 0x50)
	r.bg.StrokeWidth = 1
	r.bg.CornerRadius = 4
	r.txt.Text = r.b.Text
	r.txt.Color = c
	r.txt.TextSize = r.textSize()
	if r.b.Icon != nil {
		r.icon.Resource = theme.NewColoredResource(r.b.Icon, r.b.Color)
		r.icon.Show()
	} else {
		r.icon.Hide()
	}
	r.bg.Hidden = r.b.Text == ""
	r.Layout(r.b.Size())
	r.bg.Refresh()
	r.txt.Refresh()
	r.icon.Refresh()
}

func (r *badgeRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.txt}
}
func (r *badgeRenderer) Destroy() {}

// newCopyButton is a copy icon (with an optional label); after a click it
// shows a check for a moment so the user knows the clipboard changed.
func (w *Window) newCopyButton(label string, get func() string) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon(label, theme.ContentCopyIcon(), func() {
		w.app.Clipboard().SetContent(get())
		b.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		time.AfterFunc(1200*time.Millisecond, func() {
			w.do(func() { b.SetIcon(theme.ContentCopyIcon()) })
		})
	})
	if label == "" {
		b.Importance = widget.LowImportance
	}
	return b
}

// caption is small dim text for secondary information.
func caption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	l.Importance = widget.LowImportance
	return l
}

// mono is a selectable monospace label.
func mono(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Selectable = true
	return l
}

// heading is a bold section title.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return l
}

// panel puts content on the slightly tinted panel background.
func panel(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(newThemedRect(hltheme.Panel, 0), content)
}

// themedRect is a rectangle filled with a theme colour that follows the
// variant when the system switches between light and dark.
type themedRect struct {
	widget.BaseWidget
	rect   *canvas.Rectangle
	name   fyne.ThemeColorName
	stroke fyne.ThemeColorName // optional border
	radius float32
}

func newThemedRect(name fyne.ThemeColorName, radius float32) *themedRect {
	r := &themedRect{rect: canvas.NewRectangle(color.Transparent), name: name, radius: radius}
	r.ExtendBaseWidget(r)
	return r
}

func (t *themedRect) CreateRenderer() fyne.WidgetRenderer {
	t.ExtendBaseWidget(t)
	r := &themedRectRenderer{t: t}
	r.Refresh()
	return r
}

type themedRectRenderer struct{ t *themedRect }

func (r *themedRectRenderer) Layout(s fyne.Size) { r.t.rect.Resize(s) }
func (r *themedRectRenderer) MinSize() fyne.Size { return fyne.Size{} }
func (r *themedRectRenderer) Destroy()           {}
func (r *themedRectRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.rect}
}
func (r *themedRectRenderer) Refresh() {
	r.t.rect.FillColor = hltheme.Color(r.t.Theme(), r.t.name)
	r.t.rect.CornerRadius = r.t.radius
	if r.t.stroke != "" {
		r.t.rect.StrokeColor = hltheme.Color(r.t.Theme(), r.t.stroke)
		r.t.rect.StrokeWidth = 1
	}
	r.t.rect.Refresh()
}

// fixedWidth gives o at least width w (the column widths of list rows).
func fixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&minWidthLayout{w: w}, o)
}

type minWidthLayout struct{ w float32 }

func (l *minWidthLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Resize(s)
		o.Move(fyne.Position{})
	}
}

func (l *minWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.w, 0)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	s.Width = l.w
	return s
}

// spacer is an expanding gap for HBox/VBox.
func spacer() fyne.CanvasObject { return layout.NewSpacer() }
