package widgets

import (
	"strings"

	"github.com/hooklens/hooklens/app"
)

// Plural returns "1 event" or "3 events" ("1 delivery", "3 deliveries").
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if l := len(word); l > 1 && word[l-1] == 'y' && !strings.ContainsRune("aeiou", rune(word[l-2])) {
		return app.GroupDigits(n) + " " + word[:l-1] + "ies"
	}
	return app.GroupDigits(n) + " " + word + "s"
}

// UpperFirst turns an error message into the start of a sentence on screen.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
