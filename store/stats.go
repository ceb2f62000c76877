package store

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// The stats bucket keeps the dashboard's counters, written in the same
// transactions as what they count, so the dashboard never scans events:
//
//	e/<slug>                 received, valid, invalid, unsigned, unverified, last (unix ns)
//	m/<8-byte minute><slug>  events received in that minute
//	t/<target id>            deliveries, failures, last triggered (unix ns)
var bucketStats = []byte("stats")

var _ app.StatsStore = (*Store)(nil)

// minuteKeep is how long per-minute counts are kept.
const minuteKeep = 48 * time.Hour

type counters []int64

func getCounters(b *bolt.Bucket, k []byte, n int) counters {
	c := make(counters, n)
	v := b.Get(k)
	for i := 0; i < n && len(v) >= 8*(i+1); i++ {
		c[i] = int64(binary.BigEndian.Uint64(v[8*i:]))
	}
	return c
}

func (c counters) put(b *bolt.Bucket, k []byte) error {
	v := make([]byte, 8*len(c))
	for i, x := range c {
		binary.BigEndian.PutUint64(v[8*i:], uint64(x))
	}
	return b.Put(k, v)
}

func endpointKey(slug string) []byte { return append([]byte("e/"), slug...) }

func minuteKey(at time.Time, slug string) []byte {
	k := make([]byte, 2, 10+len(slug))
	copy(k, "m/")
	k = binary.BigEndian.AppendUint64(k, uint64(at.Unix()/60))
	return append(k, slug...)
}

func verdictIndex(result string) int {
	switch result {
	case app.VerdictValid:
		return 1
	case app.VerdictInvalid:
		return 2
	case app.VerdictUnsigned:
		return 3
	case app.VerdictUnverified:
		return 4
	}
	return -1
}

// countEvents adds a group of newly stored events to the counters.
func countEvents(tx *bolt.Tx, events []*app.Event) error {
	b := tx.Bucket(bucketStats)
	if b == nil {
		return nil
	}
	eps := map[string]counters{}
	mins := map[string]int64{}
	for _, e := range events {
		c, ok := eps[e.Endpoint]
		if !ok {
			c = getCounters(b, endpointKey(e.Endpoint), 6)
			eps[e.Endpoint] = c
		}
		c[0]++
		if i := verdictIndex(e.Verdict.Result); i > 0 {
			c[i]++
		}
		c[5] = max(c[5], e.ReceivedAt.UnixNano())
		mins[string(minuteKey(e.ReceivedAt, e.Endpoint))]++
	}
	for slug, c := range eps {
		if err := c.put(b, endpointKey(slug)); err != nil {
			return err
		}
	}
	for k, n := range mins {
		c := getCounters(b, []byte(k), 1)
		c[0] += n
		if err := c.put(b, []byte(k)); err != nil {
			return err
		}
	}
	return nil
}

// recountVerdict moves one event's count from its old verdict to the new.
func recountVerdict(tx *bolt.Tx, slug, old, now string) error {
	b := tx.Bucket(bucketStats)
	if b == nil || old == now {
		return nil
	}
	c := getCounters(b, endpointKey(slug), 6)
	if i := verdictIndex(old); i > 0 && c[i] > 0 {
		c[i]--
	}
	if i := verdictIndex(now); i > 0 {
		c[i]++
	}
	return c.put(b, endpointKey(slug))
}

// countDelivery counts a new delivery of a target, and one that ended failed
// or gone (once, when it gets there).
func countDelivery(tx *bolt.Tx, d *app.Delivery, isNew bool, oldState app.State) error {
	b := tx.Bucket(bucketStats)
	if b == nil || d.TargetID == "" {
		return nil
	}
	k := append([]byte("t/"), d.TargetID...)
	c := getCounters(b, k, 3)
	if isNew {
		c[0]++
		c[2] = max(c[2], d.CreatedAt.UnixNano())
	}
	ended := func(s app.State) bool { return s == app.Failed || s == app.Gone }
	if ended(d.State) && (isNew || !ended(oldState)) {
		c[1]++
	}
	return c.put(b, k)
}

// EndpointStats implements app.StatsStore, sorted by slug.
func (s *Store) EndpointStats() ([]app.EndpointStats, error) {
	var out []app.EndpointStats
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStats)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		p := []byte("e/")
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			n := getCounters(b, k, 6)
			st := app.EndpointStats{Slug: string(k[2:]), Received: n[0], Valid: n[1], Invalid: n[2], Unsigned: n[3], Unverified: n[4]}
			if n[5] > 0 {
				st.LastReceived = time.Unix(0, n[5])
			}
			out = append(out, st)
		}
		return nil
	})
	return out, err
}

// TargetStats implements app.StatsStore.
func (s *Store) TargetStats() ([]app.TargetStats, error) {
	var out []app.TargetStats
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStats)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		p := []byte("t/")
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			n := getCounters(b, k, 3)
			st := app.TargetStats{TargetID: string(k[2:]), Deliveries: n[0], Failures: n[1]}
			if n[2] > 0 {
				st.LastTriggered = time.Unix(0, n[2])
			}
			out = append(out, st)
		}
		return nil
	})
	return out, err
}

// Rate implements app.StatsStore from the per-minute counts.
func (s *Store) Rate(slug string, since time.Time, step time.Duration) ([]int64, error) {
	if step < time.Minute {
		step = time.Minute
	}
	// Whole steps, the last one holding now.
	since = since.Truncate(step)
	now := time.Now().Truncate(step)
	n := int(now.Sub(since)/step) + 1
	if n < 1 || n > 10000 {
		n = 1
	}
	out := make([]int64, n)
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStats)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		from := minuteKey(since, "")
		for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, []byte("m/")); k, v = c.Next() {
			if len(k) < 10 || len(v) < 8 {
				continue
			}
			ks := string(k[10:])
			if slug != "*" && ks != slug {
				continue
			}
			at := time.Unix(int64(binary.BigEndian.Uint64(k[2:10]))*60, 0)
			i := int(at.Sub(since) / step)
			if i >= 0 && i < n {
				out[i] += int64(binary.BigEndian.Uint64(v))
			}
		}
		return nil
	})
	return out, err
}

// pruneMinutes drops per-minute counts older than minuteKeep.
func (s *Store) pruneMinutes() error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStats)
		if b == nil {
			return nil
		}
		end := minuteKey(time.Now().Add(-minuteKeep), "")
		var doomed [][]byte
		c := b.Cursor()
		for k, _ := c.Seek([]byte("m/")); k != nil && strings.HasPrefix(string(k), "m/") && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			doomed = append(doomed, bytes.Clone(k))
		}
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// migrateV3 starts the dashboard's counters from the stored events.
func migrateV3(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketStats); err != nil {
		return err
	}
	var group []*app.Event
	err := tx.Bucket(bucketSummaries).ForEach(func(k, v []byte) error {
		sum, err := decodeSummary(idOf(k), v)
		if err != nil {
			return nil // an unreadable summary is not counted
		}
		group = append(group, &app.Event{ReceivedAt: sum.ReceivedAt, Endpoint: sum.Endpoint, Verdict: sum.Verdict})
		if len(group) == 1000 {
			err = countEvents(tx, group)
			group = group[:0]
		}
		return err
	})
	if err != nil {
		return err
	}
	return countEvents(tx, group)
}
