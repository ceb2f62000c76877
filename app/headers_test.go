package app

import (
	"slices"
	"testing"
)

func TestHeadersWith(t *testing.T) {
	h := Headers{{"Content-Type", "application/json"}, {"x-siqsignature", "old"}, {"X-Trace", "1"}, {"X-SIQSIGNATURE", "older"}}
	got := h.With(Headers{{"x-siqsignature", "new"}, {"X-Empty", ""}})
	want := Headers{{"Content-Type", "application/json"}, {"X-Trace", "1"}, {"x-siqsignature", "new"}, {"X-Empty", ""}}
	if !slices.Equal(got, want) {
		t.Errorf("With = %v, want %v", got, want)
	}
	if h[1].Value != "old" || len(h) != 4 {
		t.Errorf("With changed its receiver: %v", h)
	}
	if got := Headers(nil).With(nil); len(got) != 0 {
		t.Errorf("nil.With(nil) = %v", got)
	}
}
