package app

import (
	"fmt"
	"strings"
)

// HumanSize writes a byte count for people, in binary units: "512 B",
// "1.2 KiB", "10 MiB". The window and the command line both use it, so
// sizes read the same everywhere.
func HumanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	v := strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/float64(div)), ".0")
	return fmt.Sprintf("%s %ciB", v, "KMGTP"[exp])
}
