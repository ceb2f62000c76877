package store

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// willNeed asks the kernel to read [off, off+n) of f into the page cache
// and waits until the last page of it is there (a one-byte read of it),
// so that steps follow the disk rather than queue up ahead of it. The
// kernel reads at most the device's read-ahead size for one request
// (128 KiB by default) and drops the rest, so it is asked in pieces of
// that size.
func willNeed(f *os.File, off, n int64) {
	if n <= 0 {
		return
	}
	const piece = 128 << 10
	for p := off; p < off+n; p += piece {
		unix.Fadvise(int(f.Fd()), p, min(piece, off+n-p), unix.FADV_WILLNEED)
	}
	var b [1]byte
	f.ReadAt(b[:], off+n-1)
}

// memAvailable is the memory the kernel says is available for new work
// (MemAvailable), or 0 when it cannot be read.
func memAvailable() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
