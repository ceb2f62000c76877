package app

import (
	"bytes"
	"encoding/json"
	"strings"
)

// What a resend or an edited delivery changed against the captured event it
// came from: the method, headers added, removed or changed, and a line diff
// of the body. The window's Changes view and any other door read this.

// Diff operations.
const (
	DiffEqual  = ' '
	DiffDelete = '-'
	DiffInsert = '+'
)

// DiffLine is one line of a line diff. Old and New are its 1-based line
// numbers in the original and the edited text; 0 where it has none (a
// deleted line has no New, an inserted one no Old).
type DiffLine struct {
	Op       byte // DiffEqual, DiffDelete or DiffInsert
	Text     string
	Old, New int
}

// MaxDiffEdits bounds the work DiffLines does: past this many differing
// lines the texts are reported as wholly replaced.
const MaxDiffEdits = 1000

// DiffLines is a shortest line diff of a and b (Myers' algorithm). Lines
// are split at "\n"; a final newline does not make an empty last line.
func DiffLines(a, b string) []DiffLine {
	al, bl := splitLines(a), splitLines(b)
	// Interning lines makes each comparison one integer compare.
	ids := map[string]int{}
	intern := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := intern(al), intern(bl)
	// Common head and tail cost nothing and shrink the search.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	ops := myers(x[pre:len(x)-suf], y[pre:len(y)-suf])

	var out []DiffLine
	i, j := 0, 0
	eq := func() {
		out = append(out, DiffLine{Op: DiffEqual, Text: al[i], Old: i + 1, New: j + 1})
		i++
		j++
	}
	for range pre {
		eq()
	}
	for _, op := range ops {
		switch op {
		case DiffEqual:
			eq()
		case DiffDelete:
			out = append(out, DiffLine{Op: DiffDelete, Text: al[i], Old: i + 1})
			i++
		case DiffInsert:
			out = append(out, DiffLine{Op: DiffInsert, Text: bl[j], New: j + 1})
			j++
		}
	}
	for range suf {
		eq()
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// myers returns the edit script turning x into y: one op per line.
func myers(x, y []int) []byte {
	n, m := len(x), len(y)
	if n == 0 || m == 0 {
		return replaceAll(n, m)
	}
	maxD := min(n+m, MaxDiffEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		// Only diagonals -d-1 … d+1 are read back at this depth.
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var px int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				px = v[off+k+1] // down: insert
			} else {
				px = v[off+k-1] + 1 // right: delete
			}
			py := px - k
			for px < n && py < m && x[px] == y[py] {
				px++
				py++
			}
			v[off+k] = px
			if px >= n && py >= m {
				return backtrack(trace, n, m)
			}
		}
	}
	return replaceAll(n, m)
}

// backtrack walks the saved frontiers back from (n, m) to the start.
func backtrack(trace [][]int, n, m int) []byte {
	var rev []byte
	px, py := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		at := func(k int) int { return trace[d][k+d+1] }
		k := px - py
		var prevK int
		if k == -d || k != d && at(k-1) < at(k+1) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := 0
		if d > 0 {
			prevX = at(prevK)
		}
		prevY := prevX - prevK
		for px > prevX && py > prevY {
			rev = append(rev, DiffEqual)
			px--
			py--
		}
		if d == 0 {
			break
		}
		if px == prevX {
			rev = append(rev, DiffInsert)
		} else {
			rev = append(rev, DiffDelete)
		}
		px, py = prevX, prevY
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

func replaceAll(n, m int) []byte {
	ops := make([]byte, 0, n+m)
	for range n {
		ops = append(ops, DiffDelete)
	}
	for range m {
		ops = append(ops, DiffInsert)
	}
	return ops
}

// Header change kinds.
const (
	HeaderAdded   = "added"
	HeaderRemoved = "removed"
	HeaderChanged = "changed"
)

// HeaderChange is one header name whose values differ. Old and New are its
// values joined with ", " (empty for an added or removed one).
type HeaderChange struct {
	Kind     string // HeaderAdded, HeaderRemoved or HeaderChanged
	Name     string // as spelled in the edited request (the original for a removed one)
	Old, New string
}

// DiffHeaders lists the headers that differ between a and b, names compared
// without case and values in order; the original's order first, then names
// only b has.
func DiffHeaders(a, b Headers) []HeaderChange {
	type entry struct {
		name   string
		values []string
	}
	group := func(h Headers) (map[string]*entry, []string) {
		m := map[string]*entry{}
		var order []string
		for _, x := range h {
			k := strings.ToLower(x.Name)
			e, ok := m[k]
			if !ok {
				e = &entry{name: x.Name}
				m[k] = e
				order = append(order, k)
			}
			e.values = append(e.values, x.Value)
		}
		return m, order
	}
	am, aorder := group(a)
	bm, border := group(b)
	var out []HeaderChange
	for _, k := range aorder {
		old := am[k]
		nw, ok := bm[k]
		switch {
		case !ok:
			out = append(out, HeaderChange{Kind: HeaderRemoved, Name: old.name, Old: strings.Join(old.values, ", ")})
		case strings.Join(old.values, "\x00") != strings.Join(nw.values, "\x00"):
			out = append(out, HeaderChange{Kind: HeaderChanged, Name: nw.name, Old: strings.Join(old.values, ", "), New: strings.Join(nw.values, ", ")})
		}
	}
	for _, k := range border {
		if _, ok := am[k]; !ok {
			nw := bm[k]
			out = append(out, HeaderChange{Kind: HeaderAdded, Name: nw.name, New: strings.Join(nw.values, ", ")})
		}
	}
	return out
}

// Changes is what a delivery's request changed against its event.
type Changes struct {
	OldMethod, NewMethod string // set only when the method changed
	Headers              []HeaderChange
	// Body is the line diff of the bodies; nil when they are equal.
	Body []DiffLine
	// BodyPretty: both bodies are JSON and were compared pretty-printed,
	// so a re-serialised body shows the values that changed.
	BodyPretty bool
	// BodyBinary: a body is not text; BodyOld and BodyNew are the sizes.
	BodyBinary       bool
	BodyOld, BodyNew int
	BodySame         bool // the bytes are identical
}

// None reports whether nothing changed.
func (c Changes) None() bool {
	return c.OldMethod == "" && len(c.Headers) == 0 && c.BodySame
}

// RequestChanges compares r, a request made from e (a resend, an edit, a
// forward), with e as it arrived. Headers a relay never copies (hop-by-hop,
// Host, Content-Length) are left out of e first: dropping them is not an edit.
func RequestChanges(e *Event, r Request) Changes {
	var c Changes
	if !strings.EqualFold(e.Method, r.Method) && r.Method != "" {
		c.OldMethod, c.NewMethod = e.Method, r.Method
	}
	c.Headers = DiffHeaders(e.Headers.Relayable(), r.Headers.Relayable())
	c.BodyOld, c.BodyNew = len(e.Body), len(r.Body)
	if bytes.Equal(e.Body, r.Body) {
		c.BodySame = true
		return c
	}
	if !IsText(e.Body) || !IsText(r.Body) {
		c.BodyBinary = true
		return c
	}
	a, b := string(e.Body), string(r.Body)
	if pa, pb, ok := prettyPair(e.Body, r.Body); ok {
		a, b, c.BodyPretty = pa, pb, true
	}
	c.Body = DiffLines(a, b)
	return c
}

// prettyPair indents two JSON bodies alike (keys in the order sent).
func prettyPair(a, b []byte) (string, string, bool) {
	var pa, pb bytes.Buffer
	if json.Indent(&pa, bytes.TrimSpace(a), "", "  ") != nil || json.Indent(&pb, bytes.TrimSpace(b), "", "  ") != nil {
		return "", "", false
	}
	return pa.String(), pb.String(), true
}
