package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// Deliveries are stored like events: metadata as JSON keyed by an 8-byte
// big-endian id from the bucket's sequence (so keys are creation-ordered),
// bodies as raw bytes in their own bucket, and indexes beside them.
var (
	bucketDeliveries     = []byte("deliveries")      // id -> JSON deliveryRecord, bodies left out
	bucketDeliveryBodies = []byte("delivery_bodies") // id + part -> raw bytes (see bodyKey)
	// bucketQueue orders pending deliveries by next attempt:
	// next-attempt Unix ns (8, big-endian) + id (8) -> nothing.
	bucketQueue = []byte("queue")
	// bucketDeliveryIndex finds deliveries by event, by target and failed
	// by target: "e" + event id (8) + id (8); "t" + target id + 0 + id (8);
	// "f" + target id + 0 + id (8). Values are empty.
	bucketDeliveryIndex = []byte("delivery_index")

	keyDeliveries = []byte("deliveries") // in meta: 8-byte count of deliveries
)

// Body parts: the request body once per delivery; per attempt the response
// body and, only when it differs from the delivery's (it never does when
// sent by this Hooklens), the request body.
const (
	partRequest      = 'r'
	partAttemptReq   = 'q'
	partAttemptResp  = 's'
	deliveryKeyBytes = 8
)

func bodyKey(id uint64, part byte, attempt int) []byte {
	k := make([]byte, 0, 13)
	k = append(k, key(id)...)
	k = append(k, part)
	if part != partRequest {
		k = binary.BigEndian.AppendUint32(k, uint32(attempt))
	}
	return k
}

func queueKey(at time.Time, id uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(max(at.UnixNano(), 0)))
	binary.BigEndian.PutUint64(k[8:], id)
	return k
}

func eventIndexKey(event, id uint64) []byte {
	return append(append([]byte{'e'}, key(event)...), key(id)...)
}

func targetIndexPrefix(kind byte, target string) []byte {
	return append(append([]byte{kind}, target...), 0)
}

func targetIndexKey(kind byte, target string, id uint64) []byte {
	return append(targetIndexPrefix(kind, target), key(id)...)
}

type requestRecord struct {
	Method  rawString `json:"method"`
	URL     rawString `json:"url"`
	Headers []header  `json:"headers,omitempty"`
}

type attemptRecord struct {
	At           time.Time     `json:"at"`
	Request      requestRecord `json:"request"`
	OwnBody      bool          `json:"own_body,omitempty"` // request body stored apart from the delivery's
	Status       int           `json:"status,omitempty"`
	RespHeaders  []header      `json:"response_headers,omitempty"`
	ResponseSize int64         `json:"response_size,omitempty"`
	Duration     time.Duration `json:"duration"`
	Error        string        `json:"error,omitempty"`
}

type deliveryRecord struct {
	CreatedAt     time.Time       `json:"created_at"`
	EventID       uint64          `json:"event_id,omitempty"`
	TargetID      string          `json:"target_id,omitempty"`
	Kind          string          `json:"kind,omitempty"`
	Request       requestRecord   `json:"request"`
	Sign          app.Signing     `json:"sign"`
	Connection    string          `json:"connection,omitempty"`
	Timeout       time.Duration   `json:"timeout,omitempty"`
	Retry         app.RetryPolicy `json:"retry"`
	State         app.State       `json:"state"`
	Attempts      []attemptRecord `json:"attempts,omitempty"`
	NextAttemptAt time.Time       `json:"next_attempt_at,omitzero"`
	Reason        string          `json:"reason,omitempty"`
	RoundStart    int             `json:"round_start,omitempty"`
}

func toRequestRecord(r app.Request) requestRecord {
	return requestRecord{Method: rawString(r.Method), URL: rawString(r.URL), Headers: toHeaders(r.Headers)}
}

func (r requestRecord) request() app.Request {
	return app.Request{Method: string(r.Method), URL: string(r.URL), Headers: fromHeaders(r.Headers)}
}

func encodeDelivery(d *app.Delivery) ([]byte, error) {
	r := deliveryRecord{
		CreatedAt: d.CreatedAt, EventID: d.EventID, TargetID: d.TargetID, Kind: d.Kind,
		Request: toRequestRecord(d.Request), Sign: d.Sign, Connection: d.Connection,
		Timeout: d.Timeout, Retry: d.Retry, State: d.State, NextAttemptAt: d.NextAttemptAt,
		Reason: d.Reason, RoundStart: d.RoundStart,
	}
	for _, a := range d.Attempts {
		r.Attempts = append(r.Attempts, attemptRecord{
			At: a.At, Request: toRequestRecord(a.Request), OwnBody: !bytes.Equal(a.Request.Body, d.Request.Body),
			Status: a.Status, RespHeaders: toHeaders(a.ResponseHeaders), ResponseSize: a.ResponseSize,
			Duration: a.Duration, Error: a.Error,
		})
	}
	return json.Marshal(r)
}

func decodeDelivery(id uint64, v []byte) (*app.Delivery, []attemptRecord, error) {
	var r deliveryRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, nil, fmt.Errorf("delivery %d is damaged in the store: delete it: %w", id, err)
	}
	d := &app.Delivery{
		ID: id, CreatedAt: r.CreatedAt, EventID: r.EventID, TargetID: r.TargetID, Kind: r.Kind,
		Request: r.Request.request(), Sign: r.Sign, Connection: r.Connection, Timeout: r.Timeout,
		Retry: r.Retry, State: r.State, NextAttemptAt: r.NextAttemptAt, Reason: r.Reason, RoundStart: r.RoundStart,
	}
	for _, a := range r.Attempts {
		d.Attempts = append(d.Attempts, app.Attempt{
			At: a.At, Request: a.Request.request(), Status: a.Status,
			ResponseHeaders: fromHeaders(a.RespHeaders), ResponseSize: a.ResponseSize,
			Duration: a.Duration, Error: a.Error,
		})
	}
	return d, r.Attempts, nil
}

// deliveryBuckets are the delivery buckets of one transaction.
type deliveryBuckets struct {
	meta, deliveries, bodies, queue, index *bolt.Bucket
}

func deliveryBucketsOf(tx *bolt.Tx) deliveryBuckets {
	return deliveryBuckets{
		meta:       tx.Bucket(bucketMeta),
		deliveries: tx.Bucket(bucketDeliveries),
		bodies:     tx.Bucket(bucketDeliveryBodies),
		queue:      tx.Bucket(bucketQueue),
		index:      tx.Bucket(bucketDeliveryIndex),
	}
}

// putIfChanged writes v unless k already holds it, so rewriting a delivery
// after each attempt does not rewrite the bodies of earlier ones.
func putIfChanged(b *bolt.Bucket, k, v []byte) error {
	if old := b.Get(k); old != nil && bytes.Equal(old, v) {
		return nil
	}
	if v == nil {
		v = []byte{} // a nil value is not allowed; empty is
	}
	return b.Put(k, v)
}

// queueState is the part of a stored delivery that places it in the queue
// and the failed index.
type queueState struct {
	State         app.State `json:"state"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
}

// PutDelivery adds (d.ID 0 gets the next id) or replaces a delivery, with
// its bodies, in one transaction that also moves it in the queue (pending
// deliveries by next attempt) and the failed-by-target index.
func (s *Store) PutDelivery(d *app.Delivery) error {
	return s.update(func(tx *bolt.Tx) error { return putDelivery(tx, d) })
}

// LinkDelivery implements app.DeliveryStore: it sets the event a stored
// delivery belongs to and indexes it under that event.
func (s *Store) LinkDelivery(id, eventID uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		d, err := s.deliveryIn(tx, id)
		if err != nil {
			return err
		}
		if d.EventID == eventID {
			return nil
		}
		b := deliveryBucketsOf(tx)
		if d.EventID != 0 {
			if err := b.index.Delete(eventIndexKey(d.EventID, id)); err != nil {
				return err
			}
		}
		d.EventID = eventID
		if err := b.index.Put(eventIndexKey(eventID, id), nil); err != nil {
			return err
		}
		return putDelivery(tx, d)
	})
}

// putDelivery is PutDelivery inside tx: the capture writer uses it to store
// an event's forwards in the event's own transaction.
func putDelivery(tx *bolt.Tx, d *app.Delivery) error {
	{
		b := deliveryBucketsOf(tx)
		id := d.ID
		isNew := id == 0
		var old queueState
		if isNew {
			seq, err := b.deliveries.NextSequence()
			if err != nil {
				return err
			}
			id = seq
		} else {
			v := b.deliveries.Get(key(id))
			if v == nil {
				return fmt.Errorf("delivery %d is not in the store (deleted?): %w", id, app.ErrNotFound)
			}
			if err := json.Unmarshal(v, &old); err != nil {
				return fmt.Errorf("delivery %d is damaged in the store: delete it: %w", id, err)
			}
		}
		c := *d
		c.ID = id
		v, err := encodeDelivery(&c)
		if err != nil {
			return fmt.Errorf("encoding delivery %d: %w", id, err)
		}
		if err := b.deliveries.Put(key(id), v); err != nil {
			return err
		}
		if err := putIfChanged(b.bodies, bodyKey(id, partRequest, 0), c.Request.Body); err != nil {
			return err
		}
		for i, a := range c.Attempts {
			if err := putIfChanged(b.bodies, bodyKey(id, partAttemptResp, i), a.ResponseBody); err != nil {
				return err
			}
			if !bytes.Equal(a.Request.Body, c.Request.Body) {
				if err := putIfChanged(b.bodies, bodyKey(id, partAttemptReq, i), a.Request.Body); err != nil {
					return err
				}
			}
		}
		if isNew {
			if err := addUint(b.meta, keyDeliveries, 1); err != nil {
				return err
			}
			if c.EventID != 0 {
				if err := b.index.Put(eventIndexKey(c.EventID, id), nil); err != nil {
					return err
				}
			}
			if c.TargetID != "" {
				if err := b.index.Put(targetIndexKey('t', c.TargetID, id), nil); err != nil {
					return err
				}
			}
		} else if old.State == app.Pending {
			if err := b.queue.Delete(queueKey(old.NextAttemptAt, id)); err != nil {
				return err
			}
		}
		if c.State == app.Pending {
			if err := b.queue.Put(queueKey(c.NextAttemptAt, id), nil); err != nil {
				return err
			}
		}
		if c.TargetID != "" {
			fk := targetIndexKey('f', c.TargetID, id)
			if c.State == app.Failed {
				err = b.index.Put(fk, nil)
			} else {
				err = b.index.Delete(fk)
			}
			if err != nil {
				return err
			}
		}
		if err := countDelivery(tx, &c, isNew, old.State); err != nil {
			return err
		}
		d.ID = id
		return nil
	}
}

// Delivery returns one delivery with its bodies and every attempt, or an
// error wrapping app.ErrNotFound.
func (s *Store) Delivery(id uint64) (*app.Delivery, error) {
	var d *app.Delivery
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		d, err = s.deliveryIn(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// deliveryIn reads delivery id inside tx, bodies copied out.
func (s *Store) deliveryIn(tx *bolt.Tx, id uint64) (*app.Delivery, error) {
	b := deliveryBucketsOf(tx)
	v := b.deliveries.Get(key(id))
	if v == nil {
		return nil, fmt.Errorf("delivery %d is not in the store (deleted?): %w", id, app.ErrNotFound)
	}
	d, recs, err := decodeDelivery(id, v)
	if err != nil {
		return nil, err
	}
	// bbolt's slices die with the transaction: copy.
	d.Request.Body = bytes.Clone(b.bodies.Get(bodyKey(id, partRequest, 0)))
	for i := range d.Attempts {
		a := &d.Attempts[i]
		a.ResponseBody = bytes.Clone(b.bodies.Get(bodyKey(id, partAttemptResp, i)))
		if recs[i].OwnBody {
			a.Request.Body = bytes.Clone(b.bodies.Get(bodyKey(id, partAttemptReq, i)))
		} else {
			a.Request.Body = d.Request.Body
		}
	}
	return d, nil
}

// Deliveries returns summaries newest first, of one event's or one
// target's deliveries when p says so (through the index, not a scan).
func (s *Store) Deliveries(p app.DeliveryPage) ([]app.DeliverySummary, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	offset := max(p.Offset, 0)
	out := make([]app.DeliverySummary, 0, min(limit, 1024))
	err := s.view(func(tx *bolt.Tx) error {
		b := deliveryBucketsOf(tx)
		add := func(id uint64, v []byte) error {
			if p.TargetID != "" || p.EventID != 0 {
				if v = b.deliveries.Get(key(id)); v == nil {
					return nil // index ahead of a delete; never expected
				}
			}
			d, _, err := decodeDelivery(id, v)
			if err != nil {
				s.skip() // one unreadable delivery does not hide the rest
				return nil
			}
			if p.TargetID != "" && d.TargetID != p.TargetID {
				return nil
			}
			sum := d.Summary()
			if !p.Filter.Empty() && !p.Filter.Match(sum) {
				return nil
			}
			if offset > 0 {
				offset--
				return nil
			}
			out = append(out, sum)
			return nil
		}
		var prefix []byte
		switch {
		case p.EventID != 0:
			prefix = append([]byte{'e'}, key(p.EventID)...)
		case p.TargetID != "":
			prefix = targetIndexPrefix('t', p.TargetID)
		default:
			c := b.deliveries.Cursor()
			for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
				if err := add(idOf(k), v); err != nil {
					return err
				}
			}
			return nil
		}
		c := b.index.Cursor()
		for k := lastWithPrefix(c, prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Prev() {
			if err := add(idOf(k[len(k)-deliveryKeyBytes:]), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lastWithPrefix places c on the last key starting with prefix, or returns
// nil when there is none.
func lastWithPrefix(c *bolt.Cursor, prefix []byte) []byte {
	// Every key with the prefix sorts before prefix + 0xff...: seek there
	// and step back once.
	end := append(bytes.Clone(prefix), bytes.Repeat([]byte{0xff}, deliveryKeyBytes+1)...)
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil
	}
	return k
}

// CountDeliveries is the number of stored deliveries, read from a counter.
func (s *Store) CountDeliveries() (int, error) {
	var n uint64
	err := s.view(func(tx *bolt.Tx) error {
		n = getUint(tx.Bucket(bucketMeta), keyDeliveries)
		return nil
	})
	return int(n), err
}

// DeleteDelivery removes a delivery with its bodies, queue place and index
// entries, or returns an error wrapping app.ErrNotFound.
func (s *Store) DeleteDelivery(id uint64) error {
	return s.update(func(tx *bolt.Tx) error {
		b := deliveryBucketsOf(tx)
		v := b.deliveries.Get(key(id))
		if v == nil {
			return fmt.Errorf("delivery %d is not in the store: %w", id, app.ErrNotFound)
		}
		d, _, err := decodeDelivery(id, v)
		if err != nil {
			return err
		}
		type entry struct {
			b *bolt.Bucket
			k []byte
		}
		dels := []entry{{b.deliveries, key(id)}}
		if d.State == app.Pending {
			dels = append(dels, entry{b.queue, queueKey(d.NextAttemptAt, id)})
		}
		if d.EventID != 0 {
			dels = append(dels, entry{b.index, eventIndexKey(d.EventID, id)})
		}
		if d.TargetID != "" {
			dels = append(dels, entry{b.index, targetIndexKey('t', d.TargetID, id)}, entry{b.index, targetIndexKey('f', d.TargetID, id)})
		}
		for _, x := range dels {
			if err := x.b.Delete(x.k); err != nil {
				return err
			}
		}
		// Bodies: every key starting with the id. Collect first: deleting
		// while iterating a cursor skips keys.
		var ks [][]byte
		c := b.bodies.Cursor()
		for k, _ := c.Seek(key(id)); k != nil && bytes.HasPrefix(k, key(id)); k, _ = c.Next() {
			ks = append(ks, bytes.Clone(k))
		}
		for _, k := range ks {
			if err := b.bodies.Delete(k); err != nil {
				return err
			}
		}
		return addUint(b.meta, keyDeliveries, -1)
	})
}

// Due lists pending deliveries whose next attempt is at or before now,
// soonest first, at most limit, without those skip reports (nil skips none).
func (s *Store) Due(now time.Time, limit int, skip func(uint64) bool) ([]uint64, error) {
	var ids []uint64
	end := queueKey(now, ^uint64(0))
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketQueue).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) <= 0 && len(ids) < limit; k, _ = c.Next() {
			if id := idOf(k[8:]); skip == nil || !skip(id) {
				ids = append(ids, id)
			}
		}
		return nil
	})
	return ids, err
}

// NextDue is the earliest next attempt of any pending delivery that skip
// does not report (nil skips none).
func (s *Store) NextDue(skip func(uint64) bool) (time.Time, bool, error) {
	var at time.Time
	var ok bool
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketQueue).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if skip == nil || !skip(idOf(k[8:])) {
				at, ok = time.Unix(0, int64(binary.BigEndian.Uint64(k))), true
				return nil
			}
		}
		return nil
	})
	return at, ok, err
}

// Failed lists the failed deliveries to a target, oldest first.
func (s *Store) Failed(targetID string) ([]uint64, error) {
	var ids []uint64
	prefix := targetIndexPrefix('f', targetID)
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDeliveryIndex).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			ids = append(ids, idOf(k[len(k)-deliveryKeyBytes:]))
		}
		return nil
	})
	return ids, err
}
