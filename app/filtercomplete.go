package app

import "strings"

// FilterCompletion is one suggestion for the word being typed at the end of
// a filter expression: Label is what a list shows ("endpoint:github") and
// Expr the whole expression with that word completed.
type FilterCompletion struct {
	Label string
	Hint  string
	Expr  string
}

// CompleteFilter suggests how to finish the last word of expr from keys:
// key names while no colon is typed ("ver" → "verdict:"), then the key's
// fixed values or those given in values (endpoint slugs, target names) with
// the typed prefix. A leading - (negation) is kept. Nothing is offered
// inside an open quote or after a space.
func CompleteFilter(expr string, keys []FilterKey, values map[string][]string) []FilterCompletion {
	if strings.Count(expr, `"`)%2 == 1 {
		return nil
	}
	start := strings.LastIndexAny(expr, " \t") + 1
	head, word := expr[:start], expr[start:]
	neg := ""
	if strings.HasPrefix(word, "-") {
		neg, word = "-", word[1:]
	}
	var out []FilterCompletion
	name, typed, hasColon := strings.Cut(word, ":")
	if !hasColon {
		lw := strings.ToLower(word)
		for _, k := range keys {
			if strings.HasPrefix(k.Name, lw) {
				out = append(out, FilterCompletion{Label: neg + k.Name + ":", Hint: k.Hint, Expr: head + neg + k.Name + ":"})
			}
		}
		return out
	}
	name = strings.ToLower(name)
	for _, k := range keys {
		if k.Name != name {
			continue
		}
		seen := map[string]bool{}
		for _, v := range append(append([]string{}, k.Values...), values[name]...) {
			lv := strings.ToLower(v)
			if seen[lv] || !strings.HasPrefix(lv, strings.ToLower(typed)) || strings.EqualFold(v, typed) {
				continue
			}
			seen[lv] = true
			if strings.ContainsAny(v, " \t") {
				v = `"` + v + `"`
			}
			out = append(out, FilterCompletion{Label: neg + name + ":" + v, Expr: head + neg + name + ":" + v})
		}
	}
	return out
}

// HasFilterTerm reports whether expr holds term as a whole word (what a
// quick chip shows as on).
func HasFilterTerm(expr, term string) bool {
	for _, w := range strings.Fields(expr) {
		if strings.EqualFold(w, term) {
			return true
		}
	}
	return false
}

// ToggleFilterTerm adds term to expr, or removes it when present. With
// exclusive, adding first removes the other terms with term's key (one
// endpoint at a time: two endpoint terms would match nothing).
func ToggleFilterTerm(expr, term string, exclusive bool) string {
	words := strings.Fields(expr)
	key, _, _ := strings.Cut(strings.ToLower(term), ":")
	out := words[:0:0]
	found := false
	for _, w := range words {
		switch {
		case strings.EqualFold(w, term):
			found = true
		case exclusive && strings.HasPrefix(strings.ToLower(w), key+":"):
		default:
			out = append(out, w)
		}
	}
	if !found {
		out = append(out, term)
	}
	return strings.Join(out, " ")
}
