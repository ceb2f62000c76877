package store

import (
	"fmt"
	"time"

	"github.com/hooklens/hooklens/app"
	bolt "go.etcd.io/bbolt"
)

// PruneDeliveries deletes deliveries created before olderThan that have
// ended; pending ones are kept whatever their age, since their retries are
// still to come. Keys are time-ordered, so the walk stops at the first
// delivery young enough to keep.
func (s *Store) PruneDeliveries(olderThan time.Time) (removed int, err error) {
	var doomed []uint64
	err = s.view(func(tx *bolt.Tx) error {
		c := deliveryBucketsOf(tx).deliveries.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			id := idOf(k)
			d, _, err := decodeDelivery(id, v)
			if err != nil {
				continue // damaged: left for the user to see and delete
			}
			if !d.CreatedAt.Before(olderThan) {
				return nil
			}
			if d.State != app.Pending {
				doomed = append(doomed, id)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("finding old deliveries: %w", err)
	}
	for _, id := range doomed {
		if err := s.DeleteDelivery(id); err != nil {
			return removed, fmt.Errorf("pruning old deliveries: %w", err)
		}
		removed++
	}
	return removed, nil
}
