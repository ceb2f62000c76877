package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// Badge is a small rounded label tinted in a semantic colour: method,
// status, verdict, delivery state. Its sizer is the widest text it must fit
// so badges in a column line up.
type Badge struct {
	widget.BaseWidget
	Text  string
	Color fyne.ThemeColorName
	Icon  fyne.Resource // optional, drawn before the text
	Mono  bool          // monospace text (status codes)
	Big   bool          // heading-sized, for the verdict at the top of the Signature tab
	sizer string
}

// NewBadge is an empty grey badge at least as wide as sizer.
func NewBadge(sizer string) *Badge {
	b := &Badge{sizer: sizer, Color: hltheme.Grey}
	b.ExtendBaseWidget(b)
	return b
}

// Set changes text and colour and redraws.
func (b *Badge) Set(text string, c fyne.ThemeColorName) {
	if b.Text == text && b.Color == c {
		return
	}
	b.Text, b.Color = text, c
	b.Refresh()
}

func (b *Badge) CreateRenderer() fyne.WidgetRenderer {
	r := &badgeRenderer{b: b, bg: canvas.NewRectangle(color.Transparent), txt: canvas.NewText("", color.Black),
		icon: canvas.NewImageFromResource(nil)}
	r.txt.TextStyle = fyne.TextStyle{Bold: !b.Mono, Monospace: b.Mono}
	r.txt.Alignment = fyne.TextAlignCenter
	r.icon.FillMode = canvas.ImageFillContain
	r.Refresh()
	return r
}

type badgeRenderer struct {
	b    *Badge
	bg   *canvas.Rectangle
	txt  *canvas.Text
	icon *canvas.Image
	// drawn is what icon shows: reading a themed SVG again recolours,
	// parses and rasterises it, so it is read only when this changes.
	drawn badgeIcon
}

// badgeIcon is an icon in a colour.
type badgeIcon struct {
	res  fyne.Resource
	name fyne.ThemeColorName
	c    color.NRGBA // the colour the icon is drawn in: name in the app's theme
}

func (r *badgeRenderer) textSize() float32 {
	if r.b.Big {
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
	if r.b.Big {
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
		if r.b.Big {
			left = 9
		}
		r.icon.Move(fyne.NewPos(left, y+(min.Height-is)/2))
		r.icon.Resize(fyne.NewSquareSize(is))
		x = is + 3
		if r.b.Big {
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
	reread := false
	if r.b.Icon != nil {
		want := badgeIcon{res: r.b.Icon, name: r.b.Color, c: color.NRGBAModel.Convert(theme.Color(r.b.Color)).(color.NRGBA)}
		if reread = want != r.drawn; reread {
			r.drawn = want
			r.icon.Resource = theme.NewColoredResource(r.b.Icon, r.b.Color)
		}
		r.icon.Show()
	} else {
		r.icon.Hide()
	}
	r.bg.Hidden = r.b.Text == ""
	r.Layout(r.b.Size())
	r.bg.Refresh()
	r.txt.Refresh()
	if reread {
		r.icon.Refresh()
	} else {
		canvas.Refresh(r.icon)
	}
}

func (r *badgeRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.txt}
}
func (r *badgeRenderer) Destroy() {}
