package app

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// sides rebuilds both texts from a diff and counts its edits, checking the
// line numbers on the way.
func sides(t *testing.T, d []DiffLine) (a, b string, edits int) {
	t.Helper()
	var al, bl []string
	for _, l := range d {
		switch l.Op {
		case DiffEqual:
			al, bl = append(al, l.Text), append(bl, l.Text)
			if l.Old != len(al) || l.New != len(bl) {
				t.Fatalf("equal line %q numbered %d/%d, want %d/%d", l.Text, l.Old, l.New, len(al), len(bl))
			}
		case DiffDelete:
			al = append(al, l.Text)
			edits++
			if l.Old != len(al) || l.New != 0 {
				t.Fatalf("deleted line %q numbered %d/%d", l.Text, l.Old, l.New)
			}
		case DiffInsert:
			bl = append(bl, l.Text)
			edits++
			if l.New != len(bl) || l.Old != 0 {
				t.Fatalf("inserted line %q numbered %d/%d", l.Text, l.Old, l.New)
			}
		default:
			t.Fatalf("op %q", l.Op)
		}
	}
	return strings.Join(al, "\n"), strings.Join(bl, "\n"), edits
}

func TestDiffLinesIsShortest(t *testing.T) {
	cases := []struct {
		a, b  string
		edits int
	}{
		{"", "", 0},
		{"a\nb\nc", "a\nb\nc\n", 0},
		{"", "x\ny", 2},
		{"x\ny", "", 2},
		{"a\nb\nc", "a\nc", 1},
		{"a\nb\nc", "a\nB\nc", 2},
		// Myers' paper's example: ABCABBA -> CBABAC in 5 edits.
		{"A\nB\nC\nA\nB\nB\nA", "C\nB\nA\nB\nA\nC", 5},
	}
	for _, c := range cases {
		d := DiffLines(c.a, c.b)
		a, b, edits := sides(t, d)
		if a != strings.TrimSuffix(c.a, "\n") || b != strings.TrimSuffix(c.b, "\n") {
			t.Errorf("diff of %q and %q rebuilds %q and %q", c.a, c.b, a, b)
		}
		if edits != c.edits {
			t.Errorf("diff of %q and %q has %d edits, want %d", c.a, c.b, edits, c.edits)
		}
	}
	d := DiffLines("a\nb\nc", "a\nB\nc")
	if d[1].Op != DiffDelete || d[1].Text != "b" || d[2].Op != DiffInsert || d[2].Text != "B" || d[2].New != 2 {
		t.Errorf("changed middle line: %+v", d)
	}
}

// Random edits of random texts: the diff always rebuilds both sides and is
// never longer than the edits made.
func TestDiffLinesRandom(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for n := 0; n < 300; n++ {
		var a []string
		for i := r.Intn(40); i > 0; i-- {
			a = append(a, strconv.Itoa(r.Intn(6)))
		}
		b := append([]string(nil), a...)
		made := 0
		for i := r.Intn(6); i > 0; i-- {
			made++
			p := r.Intn(len(b) + 1)
			if r.Intn(2) == 0 && p < len(b) {
				b = append(b[:p], b[p+1:]...)
			} else {
				b = append(b[:p], append([]string{"new" + strconv.Itoa(i)}, b[p:]...)...)
			}
		}
		as, bs := strings.Join(a, "\n"), strings.Join(b, "\n")
		ga, gb, edits := sides(t, DiffLines(as, bs))
		if ga != as || gb != bs {
			t.Fatalf("rebuilt %q / %q from %q / %q", ga, gb, as, bs)
		}
		if edits > made {
			t.Fatalf("%d edits for %d changes: %q -> %q", edits, made, as, bs)
		}
	}
}

// Texts too far apart are reported as replaced, still correctly.
func TestDiffLinesBeyondTheEditBound(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < MaxDiffEdits; i++ {
		a.WriteString("a" + strconv.Itoa(i) + "\n")
		b.WriteString("b" + strconv.Itoa(i) + "\n")
	}
	ga, gb, edits := sides(t, DiffLines(a.String(), b.String()))
	if ga+"\n" != a.String() || gb+"\n" != b.String() || edits != 2*MaxDiffEdits {
		t.Errorf("replaced texts rebuilt wrong or %d edits", edits)
	}
}

func TestDiffHeaders(t *testing.T) {
	a := Headers{{"Content-Type", "application/json"}, {"X-Trace", "1"}, {"Accept", "a"}, {"Accept", "b"}, {"X-Gone", "x"}}
	b := Headers{{"content-type", "application/json"}, {"X-Trace", "2"}, {"Accept", "b"}, {"Accept", "a"}, {"X-New", "n"}}
	got := DiffHeaders(a, b)
	want := []HeaderChange{
		{HeaderChanged, "X-Trace", "1", "2"},
		{HeaderChanged, "Accept", "a, b", "b, a"},
		{HeaderRemoved, "X-Gone", "x", ""},
		{HeaderAdded, "X-New", "", "n"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(DiffHeaders(a, a)) != 0 {
		t.Error("equal headers differ")
	}
}

func TestRequestChangesOfAnEditedResend(t *testing.T) {
	e := &Event{Method: "POST", Headers: Headers{
		{"Host", "127.0.0.1:8790"}, {"Content-Length", "40"}, {"Content-Type", "application/json"},
		{"Stripe-Signature", "t=1,v1=aa"}, {"User-Agent", "Stripe/1.0"},
	}, Body: []byte(`{"id":"evt_1","amount":4200,"currency":"eur"}`)}
	r := Request{Method: "PUT", Headers: Headers{
		{"Content-Type", "application/json"}, {"Stripe-Signature", "t=2,v1=bb"}, {"X-Debug", "on"},
	}, Body: []byte(`{"id":"evt_1","amount":5000,"currency":"eur"}`)}
	c := RequestChanges(e, r)
	if c.OldMethod != "POST" || c.NewMethod != "PUT" {
		t.Errorf("method change %q -> %q", c.OldMethod, c.NewMethod)
	}
	// Host and Content-Length are never relayed: dropping them is not an edit.
	want := []HeaderChange{
		{HeaderChanged, "Stripe-Signature", "t=1,v1=aa", "t=2,v1=bb"},
		{HeaderRemoved, "User-Agent", "Stripe/1.0", ""},
		{HeaderAdded, "X-Debug", "", "on"},
	}
	if len(c.Headers) != len(want) {
		t.Fatalf("header changes %+v", c.Headers)
	}
	for i := range want {
		if c.Headers[i] != want[i] {
			t.Errorf("header change %d = %+v, want %+v", i, c.Headers[i], want[i])
		}
	}
	// Minified JSON is compared pretty-printed: the one changed value shows.
	if !c.BodyPretty || c.BodySame || c.None() {
		t.Fatalf("body compared pretty %v, same %v", c.BodyPretty, c.BodySame)
	}
	var del, ins []string
	for _, l := range c.Body {
		switch l.Op {
		case DiffDelete:
			del = append(del, l.Text)
		case DiffInsert:
			ins = append(ins, l.Text)
		}
	}
	if len(del) != 1 || del[0] != `  "amount": 4200,` || len(ins) != 1 || ins[0] != `  "amount": 5000,` {
		t.Errorf("body diff deleted %q inserted %q", del, ins)
	}

	same := RequestChanges(e, RequestFrom(e))
	if !same.None() {
		t.Errorf("a plain resend shows changes: %+v", same)
	}
	bin := RequestChanges(&Event{Method: "POST", Body: []byte{0xff, 0}}, Request{Method: "POST", Body: []byte{0xfe}})
	if !bin.BodyBinary || bin.Body != nil || bin.BodyOld != 2 || bin.BodyNew != 1 {
		t.Errorf("binary bodies: %+v", bin)
	}
}

func BenchmarkDiffLinesLargeBodyOneEdit(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 100000; i++ {
		sb.WriteString(`  "field` + strconv.Itoa(i) + `": "value",` + "\n")
	}
	x := sb.String()
	y := strings.Replace(x, `"field50000": "value"`, `"field50000": "edited"`, 1)
	b.ResetTimer()
	for range b.N {
		DiffLines(x, y)
	}
}

func FuzzDiffLines(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd")
	f.Fuzz(func(t *testing.T, a, b string) {
		ga, gb, _ := sides(t, DiffLines(a, b))
		if ga != strings.TrimSuffix(a, "\n") || gb != strings.TrimSuffix(b, "\n") {
			t.Fatalf("diff of %q and %q rebuilds %q and %q", a, b, ga, gb)
		}
	})
}
