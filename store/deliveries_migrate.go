package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// migrateV2 adds the buckets of deliveries (issue 5): targets, connections,
// deliveries with their bodies, the queue of pending ones and their index.
// Nothing existing changes.
func migrateV2(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketTargets, bucketConnections, bucketDeliveries, bucketDeliveryBodies, bucketQueue, bucketDeliveryIndex} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	return nil
}
