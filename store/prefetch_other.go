//go:build !linux

package store

import "os"

// willNeed does nothing where posix_fadvise is not used.
func willNeed(*os.File, int64, int64) {}

// memAvailable is unknown here: nothing is read ahead.
func memAvailable() int64 { return 0 }
