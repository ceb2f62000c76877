package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

func sampleDelivery(n int, event uint64, target string) *app.Delivery {
	body := []byte(fmt.Sprintf(`{"n":%d}`, n))
	return &app.Delivery{
		CreatedAt: time.Now(), EventID: event, TargetID: target, Kind: app.KindResend,
		Request: app.Request{Method: "POST", URL: "http://127.0.0.1:3000/hook",
			Headers: app.Headers{{Name: "webhook-id", Value: "msg_1"}, {Name: "X-Raw", Value: "caf\xe9"}}, Body: body},
		Sign:  app.Signing{Scheme: "stripe", Secret: "whsec_x"},
		Retry: app.DefaultRetry, State: app.Pending, NextAttemptAt: time.Now().Add(time.Duration(n) * time.Minute),
	}
}

func mustPutDelivery(t *testing.T, s *Store, d *app.Delivery) uint64 {
	t.Helper()
	if err := s.PutDelivery(d); err != nil {
		t.Fatalf("PutDelivery: %v", err)
	}
	return d.ID
}

func TestDeliveryRoundTripAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	d := sampleDelivery(1, 9, "3")
	binary := []byte{0x1f, 0x8b, 0x00, 0xff, 0xfe}
	d.Attempts = []app.Attempt{
		{At: time.Now(), Request: app.Request{Method: "POST", URL: d.Request.URL, Headers: d.Request.Headers, Body: d.Request.Body},
			Status: 500, ResponseHeaders: app.Headers{{Name: "Content-Encoding", Value: "gzip"}}, ResponseBody: binary, ResponseSize: 5, Duration: 12 * time.Millisecond},
		{At: time.Now(), Request: app.Request{Method: "POST", URL: d.Request.URL, Body: []byte("edited")}, Error: "timeout: no complete response"},
	}
	id := mustPutDelivery(t, s, d)
	s.Close()

	s = openTest(t, dir)
	got, err := s.Delivery(id)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id || got.EventID != 9 || got.TargetID != "3" || got.Kind != app.KindResend || got.Sign != d.Sign || got.Retry != d.Retry {
		t.Fatalf("metadata changed: %+v", got)
	}
	if !slices.Equal(got.Request.Headers, d.Request.Headers) || !bytes.Equal(got.Request.Body, d.Request.Body) {
		t.Fatalf("request changed: %q %q", got.Request.Headers, got.Request.Body)
	}
	if len(got.Attempts) != 2 || !bytes.Equal(got.Attempts[0].ResponseBody, binary) || got.Attempts[0].Status != 500 ||
		got.Attempts[0].Duration != 12*time.Millisecond || !bytes.Equal(got.Attempts[0].Request.Body, d.Request.Body) {
		t.Fatalf("first attempt changed: %+v", got.Attempts[0])
	}
	if a := got.Attempts[1]; string(a.Request.Body) != "edited" || a.Error != "timeout: no complete response" || a.Status != 0 {
		t.Fatalf("second attempt changed: %+v", a)
	}
	if !got.NextAttemptAt.Equal(d.NextAttemptAt) || !got.CreatedAt.Equal(d.CreatedAt) {
		t.Fatalf("times changed: %v %v", got.NextAttemptAt, got.CreatedAt)
	}
	if _, err := s.Delivery(id + 1); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("missing delivery: %v", err)
	}
}

func TestDeliveriesNewestFirstAndByIndex(t *testing.T) {
	s := openTest(t, t.TempDir())
	var ids []uint64
	for i := range 7 {
		ids = append(ids, mustPutDelivery(t, s, sampleDelivery(i, uint64(i%2+1), []string{"1", "10"}[i%2])))
	}
	ids1 := func(sums []app.DeliverySummary) []uint64 {
		var out []uint64
		for _, x := range sums {
			out = append(out, x.ID)
		}
		return out
	}
	page, err := s.Deliveries(app.DeliveryPage{Offset: 2, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids1(page), []uint64{ids[4], ids[3], ids[2]}; !slices.Equal(got, want) {
		t.Fatalf("page 2..4: %v, want %v", got, want)
	}
	if page[0].Method != "POST" || page[0].State != app.Pending || page[0].URL != "http://127.0.0.1:3000/hook" {
		t.Fatalf("summary: %+v", page[0])
	}
	byEvent, _ := s.Deliveries(app.DeliveryPage{EventID: 2})
	if got, want := ids1(byEvent), []uint64{ids[5], ids[3], ids[1]}; !slices.Equal(got, want) {
		t.Fatalf("event 2: %v, want %v", got, want)
	}
	// Target "1" must not pick up target "10"'s deliveries.
	byTarget, _ := s.Deliveries(app.DeliveryPage{TargetID: "1", Offset: 1, Limit: 2})
	if got, want := ids1(byTarget), []uint64{ids[4], ids[2]}; !slices.Equal(got, want) {
		t.Fatalf("target 1, offset 1: %v, want %v", got, want)
	}
	if none, _ := s.Deliveries(app.DeliveryPage{EventID: 99}); len(none) != 0 {
		t.Fatalf("event 99: %v", none)
	}
	if n, _ := s.CountDeliveries(); n != 7 {
		t.Fatalf("count %d", n)
	}
}

func TestQueueFollowsState(t *testing.T) {
	s := openTest(t, t.TempDir())
	now := time.Now()
	a := sampleDelivery(3, 0, "t") // due in 3 minutes
	b := sampleDelivery(1, 0, "t") // due in 1 minute
	c := sampleDelivery(0, 0, "t")
	c.State, c.NextAttemptAt = app.Delivered, time.Time{}
	for _, d := range []*app.Delivery{a, b, c} {
		mustPutDelivery(t, s, d)
	}
	if at, ok, _ := s.NextDue(nil); !ok || !at.Equal(b.NextAttemptAt) {
		t.Fatalf("next due %v %v, want b's %v", at, ok, b.NextAttemptAt)
	}
	if due, _ := s.Due(now, 10, nil); len(due) != 0 {
		t.Fatalf("due now: %v", due)
	}
	if due, _ := s.Due(now.Add(5*time.Minute), 10, nil); !slices.Equal(due, []uint64{b.ID, a.ID}) {
		t.Fatalf("due in 5m: %v, want soonest first [%d %d]", due, b.ID, a.ID)
	}
	skipB := func(id uint64) bool { return id == b.ID }
	if due, _ := s.Due(now.Add(5*time.Minute), 10, skipB); !slices.Equal(due, []uint64{a.ID}) {
		t.Fatalf("due in 5m without b: %v", due)
	}
	if at, ok, _ := s.NextDue(skipB); !ok || !at.Equal(a.NextAttemptAt) {
		t.Fatalf("next due without b: %v %v, want a's %v", at, ok, a.NextAttemptAt)
	}
	// Rescheduling moves it; failing takes it out and into the failed index.
	a.NextAttemptAt = now.Add(-time.Second)
	mustPutDelivery(t, s, a)
	if due, _ := s.Due(now, 10, nil); !slices.Equal(due, []uint64{a.ID}) {
		t.Fatalf("due after rescheduling a: %v", due)
	}
	b.State, b.NextAttemptAt = app.Failed, time.Time{}
	mustPutDelivery(t, s, b)
	if due, _ := s.Due(now.Add(time.Hour), 10, nil); !slices.Equal(due, []uint64{a.ID}) {
		t.Fatalf("due after b failed: %v", due)
	}
	other := sampleDelivery(4, 0, "tt") // a target whose id starts like "t"
	other.State, other.NextAttemptAt = app.Failed, time.Time{}
	mustPutDelivery(t, s, other)
	if f, _ := s.Failed("t"); !slices.Equal(f, []uint64{b.ID}) {
		t.Fatalf("failed for t: %v, want only %d", f, b.ID)
	}
	b.State, b.NextAttemptAt = app.Pending, now
	mustPutDelivery(t, s, b)
	if f, _ := s.Failed("t"); len(f) != 0 {
		t.Fatalf("failed after retrying b: %v", f)
	}

	if err := s.DeleteDelivery(a.ID); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(now.Add(time.Hour), 10, nil); !slices.Equal(due, []uint64{b.ID}) {
		t.Fatalf("due after deleting a: %v", due)
	}
	if n, _ := s.CountDeliveries(); n != 3 {
		t.Fatalf("count after delete %d", n)
	}
	s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDeliveryBodies).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if idOf(k[:8]) == a.ID {
				t.Errorf("body %x of the deleted delivery is left", k)
			}
		}
		return nil
	})
	if err := s.DeleteDelivery(a.ID); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
	if err := s.PutDelivery(a); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("updating a deleted delivery: %v", err)
	}
}

func TestTargetsAndConnections(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.PutTarget(&app.Target{Name: "x", URL: "http://a", Connection: "nope"}); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("target with a missing connection: %v", err)
	}
	if err := s.PutConnection(app.Connection{Name: "zoho", Kind: app.AuthBearer}); err == nil {
		t.Fatal("a bearer connection without a token was saved")
	}
	zoho := app.Connection{Name: "zoho", Kind: app.AuthBearer, Prefix: "Zoho-oauthtoken", Token: "1000.secret.token"}
	if err := s.PutConnection(zoho); err != nil {
		t.Fatal(err)
	}
	b := app.Target{Name: "bigin", URL: "https://www.zohoapis.com/bigin/v2/x", Connection: "zoho", Enabled: true, Retry: app.DefaultRetry,
		Headers: app.Headers{{Name: "X-Env", Value: "prod"}}}
	a := app.Target{Name: "App", URL: "http://127.0.0.1:3000/hook", Scheme: "stripe", Secret: "whsec_abcdefghijklmnop1234", Enabled: true}
	for _, x := range []*app.Target{&b, &a} {
		if err := s.PutTarget(x); err != nil {
			t.Fatal(err)
		}
	}
	if a.ID == "" || a.ID == b.ID || a.CreatedAt.IsZero() {
		t.Fatalf("ids %q %q, created %v", a.ID, b.ID, a.CreatedAt)
	}
	s.Close()
	s = openTest(t, dir)
	all, err := s.Targets()
	if err != nil || len(all) != 2 || all[0].Name != "App" || all[1].Name != "bigin" {
		t.Fatalf("targets by name: %+v %v", all, err)
	}
	if got := all[0]; got.Secret != a.Secret || got.Scheme != "stripe" {
		t.Fatalf("secret not kept as given: %+v", got)
	}
	if got, _ := s.Target(b.ID); got.Connection != "zoho" || got.Retry != app.DefaultRetry || !slices.Equal(got.Headers, b.Headers) {
		t.Fatalf("target b: %+v", got)
	}
	if err := s.DeleteConnection("zoho"); err == nil || !strings.Contains(err.Error(), `"bigin"`) {
		t.Fatalf("deleting a used connection: %v", err)
	}
	if err := s.DeleteTarget(b.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConnection("zoho"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Target(b.ID); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("deleted target: %v", err)
	}
	if cs, _ := s.Connections(); len(cs) != 0 {
		t.Fatalf("connections left: %v", cs)
	}
	// The same file that holds the secrets is private.
	if fi, err := os.Stat(s.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v %v", fi.Mode(), err)
	}
}

// A file of the first release gains the delivery buckets, keeps its events
// and is backed up first.
func TestMigrateV1FileToDeliveries(t *testing.T) {
	dir := t.TempDir()
	path := writeFixture(t, dir, func(tx *bolt.Tx) error {
		if err := migrateV1(tx); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte("1"))
	})
	s := openTest(t, dir)
	if v := s.schema(t); v != currentSchema() || v < 2 {
		t.Fatalf("schema %d after opening a schema 1 file", v)
	}
	if v := schemaIn(t, path+".v1.bak"); v != 1 {
		t.Fatalf("backup schema %d", v)
	}
	id := mustPutDelivery(t, s, sampleDelivery(1, 0, ""))
	if _, err := s.Delivery(id); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnection(app.Connection{Name: "none"}); err != nil {
		t.Fatal(err)
	}
}
