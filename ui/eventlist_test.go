package ui

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
)

// The second line is drawn in pieces; cut to any width it must show what
// the joined line cut to that width shows, with the pieces side by side.
func TestMonoLineShowsWhatTheJoinedLineShows(t *testing.T) {
	test.NewTempApp(t)
	const size = 12
	cw := monoWidth(size)
	for _, parts := range [][]string{
		{"imported · stripe · ", "15:04:05", ".123", " · 1.2 KiB · stripe-prod"},
		{"", "Jan 2 15:04:05", ".007", " · 679 B"},
		{"", "2025-01-02 15:04:05", "", " · 0 B · ünïcødé-endpoint"},
		{"conversation.started · ", "15:04:05", ".999", " · 12 KiB (cut)"},
	} {
		joined := strings.Join(parts, "")
		l := newMonoLine(metaPieces)
		l.style(nil, size, false)
		for chars := 0; chars <= utf8.RuneCountInString(joined)+2; chars++ {
			w := float32(chars)*cw + cw/2
			l.layout(parts, fyne.NewPos(10, 20), fyne.NewSize(w, 16), size)
			if got, want := l.Text(), fitMono(joined, w, size); got != want {
				t.Fatalf("%q in %d characters: shows %q, want %q", joined, chars, got, want)
			}
			x := float32(10)
			for i, tx := range l.texts {
				if tx.Hidden {
					continue
				}
				if d := tx.Position().X - x; d > 0.01 || d < -0.01 || tx.Position().Y != 20 {
					t.Fatalf("%q in %d characters: piece %d %q at %v, want x %.2f", joined, chars, i, tx.Text, tx.Position(), x)
				}
				x += float32(utf8.RuneCountInString(tx.Text)) * cw
			}
		}
	}
}

// Under a stream, events a millisecond apart differ only in the piece that
// holds the milliseconds: the other pieces are texts already drawn.
func TestRowSecondLineRepeatsAllButTheMilliseconds(t *testing.T) {
	at := time.Now().Truncate(time.Second)
	row := func(d time.Duration) []string {
		s := app.EventSummary{ReceivedAt: at.Add(d), Size: 679, Type: "visitor.chat", Endpoint: "salesiq", Origin: "import:file.har"}
		return (&eventRowRenderer{r: &eventRow{sum: s}}).metaParts()
	}
	a, b := row(3*time.Millisecond), row(4*time.Millisecond)
	if len(a) != metaPieces || len(b) != metaPieces {
		t.Fatalf("pieces %q %q, want %d each", a, b, metaPieces)
	}
	for i := range a {
		if (a[i] != b[i]) != (i == 2) {
			t.Errorf("piece %d: %q and %q", i, a[i], b[i])
		}
	}
	if got := strings.Join(a, ""); !strings.HasPrefix(got, "import · visitor.chat · ") || !strings.HasSuffix(got, ".003 · 679 B · salesiq") {
		t.Errorf("line %q", got)
	}
}

// A line cut to n characters ends with an ellipsis in the n-th; the pieces
// after the cut are empty.
func TestFitPiecesCutsTheJoinedLine(t *testing.T) {
	for _, c := range []struct {
		parts []string
		n     int
		want  []string
	}{
		{[]string{"abc", "def"}, 6, []string{"abc", "def"}},
		{[]string{"abc", "def"}, 9, []string{"abc", "def"}},
		{[]string{"abc", "def"}, 5, []string{"abc", "d…"}},
		{[]string{"abc", "def"}, 4, []string{"abc…", ""}},
		{[]string{"abc", "def"}, 3, []string{"ab…", ""}},
		{[]string{"", "ünï", "x"}, 3, []string{"", "ün…", ""}},
		{[]string{"abc", "def"}, 1, []string{"…", ""}},
		{[]string{"abc", "def"}, 0, []string{"", ""}},
		{[]string{"abc"}, -2, []string{""}},
	} {
		if got := fitPieces(c.parts, c.n); !slices.Equal(got, c.want) {
			t.Errorf("fitPieces(%q, %d) = %q, want %q", c.parts, c.n, got, c.want)
		}
	}
}
