//go:build ci

package widgets

import (
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// greener is the Hooklens theme with another green.
type greener struct{ fyne.Theme }

func (g greener) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == hltheme.Green {
		return color.NRGBA{G: 0x80, A: 0xff}
	}
	return g.Theme.Color(n, v)
}

// A badge's icon is an SVG recoloured, parsed and rasterised each time it
// is read: a list row redrawn with the same verdict must not read it again,
// but a new colour, a new icon or a theme that draws the colour otherwise
// must.
func TestBadgeReadsItsIconOnlyWhenItChanges(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(hltheme.New())
	b := NewBadge("unverified")
	b.Icon = theme.ConfirmIcon()
	b.Set("valid", hltheme.Green)
	test.NewTempWindow(t, b)
	r := test.WidgetRenderer(b).(*badgeRenderer)
	icon := func() *theme.ThemedResource {
		t.Helper()
		res, ok := r.icon.Resource.(*theme.ThemedResource)
		if !ok || !r.icon.Visible() {
			t.Fatalf("the badge shows icon %v (visible %v), want the themed confirm icon", r.icon.Resource, r.icon.Visible())
		}
		return res
	}
	first := icon()
	if first.ThemeColorName() != hltheme.Green {
		t.Fatalf("icon drawn in %q, want green", first.ThemeColorName())
	}

	b.Refresh() // what each redraw of a list row does
	b.Set("valid", hltheme.Green)
	if icon() != first {
		t.Error("a redraw with the same icon and colour read the icon again")
	}

	b.Set("invalid", hltheme.Red)
	if got := icon(); got == first || got.ThemeColorName() != hltheme.Red {
		t.Errorf("after a change to red the icon is drawn in %q", got.ThemeColorName())
	}
	b.Icon = theme.ErrorIcon()
	before := icon()
	b.Refresh()
	if got := icon(); got == before || !strings.Contains(got.Name(), "error") {
		t.Errorf("after a change of icon it shows %s", got.Name())
	}

	b.Icon = theme.ConfirmIcon()
	b.Set("valid", hltheme.Green)
	before = icon()
	a.Settings().SetTheme(greener{hltheme.New()})
	b.Refresh() // as Fyne does for every widget when the theme changes
	if icon() == before {
		t.Error("the icon was not read again for a theme with another green")
	}
}
