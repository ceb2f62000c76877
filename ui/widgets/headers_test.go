//go:build ci

// The ci build tag selects Fyne's headless test driver: these tests need no display.

package widgets

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

func TestHeaderEditorRemovesTheTappedRow(t *testing.T) {
	test.NewTempApp(t)
	he := NewHeaderEditor(app.Headers{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}, {Name: "C", Value: "3"}}, "Add header")
	changes := 0
	he.OnChange = func() { changes++ }
	kept := []fyne.CanvasObject{he.rows[0].root, he.rows[2].root}

	test.Tap(he.rows[1].remove)

	h, err := he.Headers()
	if err != nil || len(h) != 2 || h[0] != (app.Header{Name: "A", Value: "1"}) || h[1] != (app.Header{Name: "C", Value: "3"}) {
		t.Errorf("after removing B: headers %+v, %v; want A: 1 and C: 3", h, err)
	}
	if !slices.Equal(he.box.Objects, kept) {
		t.Errorf("the editor shows %d rows, want the A and C rows", len(he.box.Objects))
	}
	if changes != 1 {
		t.Errorf("onChange ran %d times, want 1", changes)
	}
}
