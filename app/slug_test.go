package app

import (
	"regexp"
	"strings"
	"testing"
)

// The slug check is a loop for speed; it must accept exactly what the rule
// written as a regular expression accepts.
func TestSlugRuleMatchesPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	cases := []string{"", "a", "0", "-", "_", "-a", "_a", "a-", "a_", "ab-c_d9", "A", "aB", "a.b", "a b", "a/b",
		"é", "a\n", "a\x00", strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("z9", 32)}
	for c := byte(0); c < 128; c++ {
		cases = append(cases, string([]byte{'x', c}), string([]byte{c}))
	}
	for _, s := range cases {
		want := pattern.MatchString(s)
		if got := ValidateSlug(s) == nil; got != want {
			t.Errorf("ValidateSlug(%q) accepts: %v, the pattern: %v", s, got, want)
		}
		if got := PathSlug("/"+s+"/x") == s && s != ""; got != want {
			t.Errorf("PathSlug(/%s/x) finds the slug: %v, the pattern accepts it: %v", s, got, want)
		}
	}
}
