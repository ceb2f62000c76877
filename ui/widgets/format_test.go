//go:build ci

package widgets

import (
	"testing"
	"time"
)

func TestRowTimeShowsTheDateWhenNotToday(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.Local)
	if got := RowTime(now.Add(-time.Hour), now); got != "11:00:00.000" {
		t.Errorf("today: %q", got)
	}
	if got := RowTime(now.AddDate(0, 0, -1), now); got != "Nov 30 12:00:00.000" {
		t.Errorf("yesterday: %q", got)
	}
	if got := RowTime(now.AddDate(-1, 0, 0), now); got != "2025-12-01 12:00:00" {
		t.Errorf("last year: %q", got)
	}
}
