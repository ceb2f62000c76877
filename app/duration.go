package app

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a duration as people write it in Hooklens's forms and
// flags: Go's form (500ms, 2s, 1m30s, 1h) plus days (60d). what names the
// setting in the error ("delay", "timeout").
func ParseDuration(what, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%s %q is not a duration: write it like 500ms, 5s, 1m or 60d", what, s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 || n > 100*365 {
			return 0, bad
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad
	}
	if d < 0 {
		return 0, fmt.Errorf("%s %q is negative: use 0 or more", what, s)
	}
	return d, nil
}

// FormatDuration writes a duration for people, the one way Hooklens shows
// them: under a second to the millisecond ("300ms"), under ten seconds to
// the tenth ("1.5s"), else to the second without zero units ("7m12s",
// "1m", "2h", "1h30m"), whole days as "60d".
// Negative durations keep their sign.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// FormatElapsed writes a measured time (a response, an attempt) in
// milliseconds, as the window and the command line show it: "3.4 ms",
// "125 ms", "12,034 ms".
func FormatElapsed(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	if ms < 10 {
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	}
	return GroupDigits(int(math.Round(ms))) + " ms"
}
