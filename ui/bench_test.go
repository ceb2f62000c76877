//go:build ci

package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/ui/widgets"
)

// BenchmarkBodyView compares showing 256 KiB of pretty JSON in the code view
// with Fyne's selectable Label (the baseline); it reports how many times
// faster the code view is.
func BenchmarkBodyView(b *testing.B) {
	test.NewTempApp(b)
	var sb strings.Builder
	for i := 0; sb.Len() < widgets.ViewLimit; i++ {
		fmt.Fprintf(&sb, "  \"key_%06d\": \"value %d\",\n", i, i)
	}
	text := sb.String()

	v := widgets.NewCodeView()
	w := test.NewTempWindow(b, v)
	w.Resize(fyne.NewSize(800, 600))
	start := time.Now()
	for i := 0; i < b.N; i++ {
		v.SetText(text)
	}
	code := time.Since(start) / time.Duration(b.N)

	// The baseline is slow (seconds), so it runs once.
	l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Selectable = true
	w.SetContent(container.NewScroll(l))
	start = time.Now()
	l.SetText(text)
	label := time.Since(start)

	b.ReportMetric(float64(code.Microseconds())/1000, "ms/codeview")
	b.ReportMetric(float64(label.Microseconds())/1000, "ms/label")
	b.ReportMetric(float64(label)/float64(code), "x-faster")
}
