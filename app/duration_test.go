package app

import (
	"testing"
	"time"
)

func TestFormatAndParseDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		300 * time.Millisecond:  "300ms",
		1500 * time.Millisecond: "1.5s",
		8 * time.Second:         "8s",
		72 * time.Second:        "1m12s",
		time.Minute:             "1m",
		2 * time.Hour:           "2h",
		90 * time.Minute:        "1h30m",
		60 * 24 * time.Hour:     "60d",
		-2 * time.Second:        "-2s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for s, want := range map[string]time.Duration{"500ms": 500 * time.Millisecond, "2s": 2 * time.Second, "1m30s": 90 * time.Second, "60d": 60 * 24 * time.Hour, "1.5d": 36 * time.Hour} {
		if got, err := ParseDuration("x", s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "soon", "-1s", "5", "d"} {
		if _, err := ParseDuration("delay", s); err == nil {
			t.Errorf("ParseDuration(%q) accepted", s)
		}
	}
}

func TestParseSize(t *testing.T) {
	for s, want := range map[string]int64{"512": 512, "10KiB": 10 << 10, "1MB": 1 << 20, "2 GiB": 2 << 30, "1.5k": 1536} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	if _, err := ParseSize("big"); err == nil {
		t.Error("ParseSize(big) accepted")
	}
}
