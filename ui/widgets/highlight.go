package widgets

import (
	"strings"

	"fyne.io/fyne/v2/theme"

	"github.com/hooklens/hooklens/app"
	hltheme "github.com/hooklens/hooklens/ui/theme"
)

// Highlighters for CodeView: each colours one line.

// HighlightJSON colours one line of pretty-printed JSON: keys, strings,
// numbers and literals, the way most API tools do.
func HighlightJSON(line []rune) []Span {
	var out []Span
	n := len(line)
	for i := 0; i < n; {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			j := i + 1
			for j < n && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, n)
			k := j
			for k < n && line[k] == ' ' {
				k++
			}
			col := hltheme.Green
			if k < n && line[k] == ':' {
				col = hltheme.Blue
			}
			out = append(out, Span{From: i, To: j, Color: col})
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < n && strings.ContainsRune("0123456789.eE+-", line[j]) {
				j++
			}
			out = append(out, Span{From: i, To: j, Color: hltheme.Orange})
			i = j
		case c >= 'a' && c <= 'z':
			j := i + 1
			for j < n && line[j] >= 'a' && line[j] <= 'z' {
				j++
			}
			out = append(out, Span{From: i, To: j, Color: hltheme.Purple})
			i = j
		default:
			j := i + 1
			for j < n && strings.ContainsRune("{}[],:", line[j]) {
				j++
			}
			out = append(out, Span{From: i, To: j, Color: theme.ColorNameForeground})
			i = j
		}
	}
	return out
}

// HighlightHex dims the offset column and the ASCII column of a hex dump so
// the bytes stand out.
func HighlightHex(line []rune) []Span {
	const asciiAt = 10 + 40 + 1
	if len(line) < 10 {
		return []Span{{From: 0, To: len(line), Color: hltheme.Grey}}
	}
	out := []Span{{From: 0, To: 10, Color: hltheme.Grey}, {From: 10, To: min(asciiAt, len(line)), Color: theme.ColorNameForeground}}
	if len(line) > asciiAt {
		out = append(out, Span{From: asciiAt, To: len(line), Color: hltheme.Purple})
	}
	return out
}

// HighlightRequest colours RequestText: the request line and header names.
func HighlightRequest(line []rune) []Span {
	s := string(line)
	if i := strings.IndexByte(s, ' '); i > 0 && strings.ToUpper(s[:i]) == s[:i] && strings.Contains(s, "://") {
		return []Span{{From: 0, To: len([]rune(s[:i])), Color: hltheme.Green}, {From: len([]rune(s[:i])), To: len(line), Color: theme.ColorNameForeground}}
	}
	if i := strings.IndexByte(s, ':'); i > 0 && app.IsHeaderName(s[:i]) && !strings.HasPrefix(s, " ") {
		n := len([]rune(s[:i]))
		return []Span{{From: 0, To: n, Color: hltheme.Blue}, {From: n, To: len(line), Color: theme.ColorNameForeground}}
	}
	return HighlightJSON(line)
}

// HighlightHeaders colours "Name: value" lines.
func HighlightHeaders(line []rune) []Span {
	for i, r := range line {
		if r == ':' {
			return []Span{{From: 0, To: i, Color: hltheme.Blue}, {From: i, To: len(line), Color: theme.ColorNameForeground}}
		}
	}
	return []Span{{From: 0, To: len(line), Color: theme.ColorNameForeground}}
}
