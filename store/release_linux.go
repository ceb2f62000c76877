package store

import (
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// releaseMapping tells the kernel the mapped file's pages are not needed
// now (madvise MADV_DONTNEED). The mapping is read-only and shared, so its
// pages are dropped from this process and read again from the page cache
// when touched; nothing is lost. It must run inside a transaction, which
// keeps bbolt from remapping meanwhile.
func releaseMapping(tx *bolt.Tx) {
	info := tx.DB().Info()
	if info.Data == 0 {
		return
	}
	size := uintptr(tx.Size())
	syscall.Syscall(syscall.SYS_MADVISE, info.Data, size, syscall.MADV_DONTNEED)
}
