package widgets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// JSONError says where a body stops being JSON, in the terms an editor
// shows: 1-based line and column (in characters, not bytes).
type JSONError struct {
	Line, Col int
	Msg       string
}

func (e *JSONError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// CheckJSON returns nil when b is one valid JSON value, or where it is not.
func CheckJSON(b []byte) *JSONError {
	if json.Valid(b) {
		return nil
	}
	var raw json.RawMessage
	err := json.Unmarshal(b, &raw)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		msg := "not valid JSON"
		if err != nil {
			msg = err.Error()
		}
		return &JSONError{Line: 1, Col: 1, Msg: msg}
	}
	// Offset counts the bytes read, the offending one included; at the end
	// of the input there is no offending byte, so point just past the last.
	pos := int(se.Offset) - 1
	if strings.HasPrefix(se.Error(), "unexpected end") || pos < 0 {
		pos = int(se.Offset)
	}
	pos = max(0, min(pos, len(b)))
	line, col := lineCol(b, pos)
	return &JSONError{Line: line, Col: col, Msg: se.Error()}
}

// lineCol is the 1-based line and character column of byte offset pos.
func lineCol(b []byte, pos int) (line, col int) {
	before := b[:pos]
	line = bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// LooksJSON reports whether a body is meant to be JSON: its content type
// says so, or it starts like an object or array.
func LooksJSON(contentType string, b []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "json") {
		return true
	}
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// PrettyJSON indents b with two spaces, keeping key order and numbers as
// written.
func PrettyJSON(b []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(b), "", "  "); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// MinifyJSON removes the insignificant whitespace from b.
func MinifyJSON(b []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return "", err
	}
	return buf.String(), nil
}
