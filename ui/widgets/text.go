package widgets

import (
	"fmt"
	"strings"
)

// GroupDigits writes n with thousands separators: 12,345.
func GroupDigits(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + GroupDigits(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Plural returns "1 event" or "3 events" ("1 delivery", "3 deliveries").
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if l := len(word); l > 1 && word[l-1] == 'y' && !strings.ContainsRune("aeiou", rune(word[l-2])) {
		return GroupDigits(n) + " " + word[:l-1] + "ies"
	}
	return GroupDigits(n) + " " + word + "s"
}

// UpperFirst turns an error message into the start of a sentence on screen.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
