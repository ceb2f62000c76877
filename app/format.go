package app

import (
	"fmt"
	"strconv"
	"strings"
)

// GroupDigits writes n with thousands separators: 1,204.
func GroupDigits(n int) string {
	if n < 0 {
		return "-" + GroupDigits(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// HumanSize writes a byte count for people, in binary units: "512 B",
// "1.2 KiB", "10 MiB". The window and the command line both use it, so
// sizes read the same everywhere.
func HumanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	v := strings.TrimSuffix(strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64), ".0")
	return v + " " + "KMGTP"[exp:exp+1] + "iB"
}

// ParseSize reads a size as HumanSize writes it, or as people type it:
// "500MiB", "2 GiB", "1GB" (taken as GiB), "1048576".
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := int64(1)
	if t != "" {
		if i := strings.IndexByte("KMGT", t[len(t)-1]); i >= 0 {
			mult = int64(1) << (10 * (i + 1))
			t = t[:len(t)-1]
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("size %q is not a size: write it like 500MiB or 2GiB", s)
	}
	return int64(f * float64(mult)), nil
}
