package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// The team buckets (schema 3).
var (
	// bucketOutbox holds the ids of captured events a team publisher has
	// not yet had acknowledged: key = event id (8 bytes), value empty. Its
	// size is kept in meta under keyOutbox.
	bucketOutbox = []byte("outbox")
	// bucketOrigins indexes imported events: Event.Origin -> id (8 bytes).
	// Entries outlive pruned events, so an event pruned here is not
	// imported again when its origin sends it a second time.
	bucketOrigins = []byte("origins")

	keyOutbox = []byte("outbox_count") // 8-byte big-endian entries in bucketOutbox
)

// migrateV4 adds the outbox and the origin index. Nothing existing changes.
func migrateV4(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketOutbox, bucketOrigins} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	return nil
}

// outboxTx adds a group's captured events to the outbox inside the capture
// writer's transaction. With the outbox off it does nothing.
type outboxTx struct {
	b, meta *bolt.Bucket
	added   int64
}

func (s *Store) outboxBuckets(tx *bolt.Tx) *outboxTx {
	if !s.outbox {
		return nil
	}
	return &outboxTx{b: tx.Bucket(bucketOutbox), meta: tx.Bucket(bucketMeta)}
}

// add queues e unless it was imported: followed events are never published
// again, so two Hooklens following each other cannot loop.
func (o *outboxTx) add(e *app.Event) error {
	if o == nil || e.Origin != "" {
		return nil
	}
	o.added++
	return o.b.Put(key(e.ID), nil)
}

func (o *outboxTx) commit() error {
	if o == nil || o.added == 0 {
		return nil
	}
	return addUint(o.meta, keyOutbox, o.added)
}

// OutboxPending returns up to limit event ids waiting to be published,
// oldest first.
func (s *Store) OutboxPending(limit int) ([]uint64, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	var ids []uint64
	err := s.boltView(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, _ := c.First(); k != nil && len(ids) < limit; k, _ = c.Next() {
			ids = append(ids, idOf(k))
		}
		return nil
	})
	return ids, err
}

// OutboxDone removes published (or no longer stored) events from the
// outbox. Ids not in it are ignored.
func (s *Store) OutboxDone(ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.boltUpdate(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		var n int64
		for _, id := range ids {
			k := key(id)
			if b.Get(k) == nil {
				continue
			}
			if err := b.Delete(k); err != nil {
				return err
			}
			n++
		}
		return addUint(tx.Bucket(bucketMeta), keyOutbox, -n)
	})
}

// OutboxCount is the number of events waiting to be published, read from a
// counter.
func (s *Store) OutboxCount() (int, error) {
	var n uint64
	err := s.boltView(func(tx *bolt.Tx) error {
		n = getUint(tx.Bucket(bucketMeta), keyOutbox)
		return nil
	})
	return int(n), err
}

// origin is the id of the stored event imported from origin, 0 for none.
func (b buckets) origin(origin string) uint64 {
	if v := b.origins.Get([]byte(origin)); len(v) == 8 {
		return idOf(v)
	}
	return 0
}

// ByOrigin returns the id of the event imported from origin, or an error
// wrapping app.ErrNotFound when none was.
func (s *Store) ByOrigin(origin string) (uint64, error) {
	var id uint64
	err := s.boltView(func(tx *bolt.Tx) error {
		id = eventBuckets(tx).origin(origin)
		return nil
	})
	if err == nil && id == 0 {
		err = fmt.Errorf("no event imported from %q: %w", origin, app.ErrNotFound)
	}
	return id, err
}

// Import stores imported events (each with its Origin set), in order,
// through the capture writer: they share its group commits and reach
// subscribers like captured ones. An event whose Origin is already stored
// is skipped, atomically with the check, so importing twice stores once.
// imported[i] reports whether events[i] was stored now; events[i].ID is its
// id either way. A nil error means every event is on disk.
func (s *Store) Import(ctx context.Context, events ...*app.Event) (imported []bool, err error) {
	reqs := make([]*recordReq, 0, len(events))
	for _, e := range events {
		if e.Origin == "" {
			return nil, fmt.Errorf("importing an event without an origin: set Event.Origin so a second import can be recognised")
		}
	}
	var first error
	for _, e := range events {
		r := &recordReq{e: e, done: make(chan error, 1)}
		if err := s.enqueue(ctx, r); err != nil {
			first = err
			break
		}
		reqs = append(reqs, r)
	}
	imported = make([]bool, len(events))
	for i, r := range reqs {
		if err := <-r.done; err != nil && first == nil {
			first = err
		}
		imported[i] = !r.dup
	}
	if first != nil {
		return nil, first
	}
	return imported, nil
}
