//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// releaseMapping does nothing where madvise is not used.
func releaseMapping(*bolt.Tx) {}
