package app

import "strings"

// With returns h with every header of set in place of those of its name
// (any case): the earlier ones are removed and set's appended, in order.
// h itself is not changed.
func (h Headers) With(set Headers) Headers {
	out := make(Headers, 0, len(h)+len(set))
	for _, x := range h {
		if !set.has(x.Name) {
			out = append(out, x)
		}
	}
	return append(out, set...)
}

func (h Headers) has(name string) bool {
	for _, x := range h {
		if strings.EqualFold(x.Name, name) {
			return true
		}
	}
	return false
}
