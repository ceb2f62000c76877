package store

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// variedEvents are variedEvent's mix of indexed keys, stored as the
// listener, an import and a follow store them: the listener's own answer
// with its Date and Content-Length, a relayed answer, headers of every kind
// the table knows and some it does not, bytes that are not UTF-8, an origin
// verdict, a truncated body.
func variedEvents(n int) []*app.Event {
	out := make([]*app.Event, 0, n)
	for i := range n {
		e := variedEvent(i + 1)
		e.ReceivedAt = time.Unix(1764600000+int64(i), int64(i)*1000)
		e.Headers = app.Headers{
			{Name: "Host", Value: e.Host},
			{Name: "User-Agent", Value: "Zoho-Webhook/1.0"},
			{Name: "Content-Length", Value: fmt.Sprint(e.Size)},
			{Name: "Content-Type", Value: "application/json"},
			{Name: "Accept", Value: "*/*"},
			{Name: "X-Zoho-Signature", Value: fmt.Sprintf("%064x", i)},
		}
		date := e.ReceivedAt.Add(time.Duration(i%3) * time.Second).UTC().Format(http.TimeFormat)
		e.Response = app.Response{Status: e.Response.Status, Headers: app.Headers{
			{Name: "Access-Control-Allow-Origin", Value: "*"},
			{Name: "Content-Length", Value: fmt.Sprint(len(fmt.Sprintf(`{"ok":true,"id":"%d"}`, i+1)))},
			{Name: "Content-Type", Value: "application/json"},
			{Name: "Date", Value: date},
		}, Body: fmt.Appendf(nil, `{"ok":true,"id":"%d"}`, i+1)}
		switch i % 5 {
		case 1: // a relayed answer: its own headers, a Date far off
			e.Response = app.Response{Status: 201, Headers: app.Headers{
				{Name: "Content-Length", Value: "99"},
				{Name: "Date", Value: "Mon, 01 Jan 2024 00:00:00 GMT"},
				{Name: "X-App", Value: "\xff\xfe"},
			}, Body: []byte("created")}
			e.Proto = "HTTP/2.0"
		case 2: // imported, judged at its origin
			e.Origin = app.ImportOrigin("export.jsonl", i)
			e.OriginVerdict = &app.Verdict{Scheme: "zoho", Result: app.VerdictValid, Reason: "ok at origin"}
			e.Host = "example.test" // not its Host header
			e.Proto = "HTTP/9"
		case 3: // truncated, headers named in another case
			e.Truncated, e.Size = true, 1<<30
			e.Headers = append(e.Headers, app.Header{Name: "content-length", Value: "1073741824"}, app.Header{Name: "X-Bin", Value: "\xc3\x28"})
			e.Response.Status = 413
			e.Verdict.Details = "the body was cut at the size limit"
		case 4: // no headers at all, no answer
			e.Headers, e.Host, e.Response = nil, "", app.Response{}
		}
		out = append(out, e)
	}
	return out
}

// The packed record gives back every field byte for byte, whatever the
// headers hold, and a record cut anywhere does not decode.
func TestPackedRecordRoundTrip(t *testing.T) {
	at := time.Unix(1764600000, 5)
	for _, e := range variedEvents(10) {
		b, err := encodeRecord(e, at)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRecord(e.ID, b)
		if err != nil {
			t.Fatalf("event %d: %v", e.ID, err)
		}
		want := *e
		want.Body = nil
		if !got.ReceivedAt.Equal(want.ReceivedAt) {
			t.Fatalf("event %d received at %v, want %v", e.ID, got.ReceivedAt, want.ReceivedAt)
		}
		got.ReceivedAt = want.ReceivedAt
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("event %d decoded\n%+v\nwant\n%+v", e.ID, got, &want)
		}
		sum, err := decodeSummary(e.ID, recordSummary(b))
		if err != nil || !reflect.DeepEqual(sum.Verdict, e.Summary().Verdict) || sum.Path != e.Path || sum.Type != e.Type {
			t.Fatalf("event %d: summary %+v, %v", e.ID, sum, err)
		}
		if s, _ := storedAt(recordSummary(b)); !s.Equal(at) {
			t.Fatalf("event %d stored at %v, want %v", e.ID, s, at)
		}
		for cut := range len(b) {
			if _, err := decodeRecord(e.ID, b[:cut]); err == nil {
				t.Fatalf("event %d: a record cut at %d of %d bytes decoded", e.ID, cut, len(b))
			}
		}
	}
}

// What the listener stores for a 1 KiB webhook: the record holds the
// summary and packs the headers, so it is far smaller than the record
// and summary of schema 7 together.
func TestPackedRecordIsSmaller(t *testing.T) {
	e := variedEvents(1)[0]
	b, _ := encodeRecord(e, time.Now())
	v1, _ := encodeRecordV1(e)
	old := len(v1) + len(encodeSummary(e, time.Now())) + 8 + 16 // its key and leaf entry in the summaries bucket
	if len(b)*2 > old {
		t.Fatalf("record of %d bytes, against %d for schema 7's record and summary: want at most half", len(b), old)
	}
	t.Logf("record %d B; schema 7 record %d B + summary %d B", len(b), len(v1), old-len(v1))
}

// writeSchema7 turns the store file in dir (closed) into the layout of
// schema 7: binary records without their summary, a summaries bucket,
// and the size counter as schema 7 counted it.
func writeSchema7(t *testing.T, dir string) {
	t.Helper()
	writeFixture(t, dir, func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		sums, err := tx.CreateBucket(bucketSummaries)
		if err != nil {
			return err
		}
		var size int64
		type kv struct{ k, v, s []byte }
		var all []kv
		err = b.events.ForEach(func(k, v []byte) error {
			e, err := decodeRecord(idOf(k), v)
			if err != nil {
				return err
			}
			at, _ := storedAt(recordSummary(v))
			old, _ := encodeRecordV1(e)
			all = append(all, kv{bytes.Clone(k), old, encodeSummary(e, at)})
			size += int64(3*len(k) + len(old) + len(b.bodies.Get(k)) + len(encodeSummary(e, at)))
			return nil
		})
		if err != nil {
			return err
		}
		for _, x := range all {
			if err := b.events.Put(x.k, x.v); err != nil {
				return err
			}
			if err := sums.Put(x.k, x.s); err != nil {
				return err
			}
		}
		if err := putUint(b.meta, keyBytes, uint64(size)); err != nil {
			return err
		}
		return b.meta.Put(keySchema, []byte("7"))
	})
}

// A schema 7 file opens as schema 8: a copy is kept, every event reads as
// before (fields, body, list row, filters), the summaries bucket is gone,
// the size counter is what the new records take, the upgrade says how it
// went, and capture goes on.
func TestMigrateV7FoldsSummariesIntoRecords(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	events := variedEvents(45)
	for _, e := range events {
		mustRecord(t, s, e)
	}
	wantList, err := s.Events(app.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]*app.Event{}
	for _, e := range events {
		w, err := s.Event(e.ID)
		if err != nil {
			t.Fatal(err)
		}
		want[e.ID] = w
	}
	invalid, _ := app.ParseFilter("status:413", time.Now())
	wantN, _ := s.CountMatching(invalid)
	s.Close()
	os.Remove(filepath.Join(dir, WALFileName))
	writeSchema7(t, dir)

	var steps []UpgradeProgress
	c, err := OpenWith(dir, Options{Progress: func(p UpgradeProgress) { steps = append(steps, p) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v := c.schema(t); v != currentSchema() || v != 8 {
		t.Fatalf("schema = %d, want 8", v)
	}
	if v := schemaIn(t, filepath.Join(dir, FileName)+".v7.bak"); v != 7 {
		t.Fatalf("the copy kept before upgrading has schema %d, want 7", v)
	}
	var last UpgradeProgress
	for _, p := range steps {
		if p.Step == StepRecords {
			last = p
		}
	}
	if last.Done != int64(len(events)) || last.Total != int64(len(events)) {
		t.Fatalf("last progress of the rewrite %+v, want %d of %d", last, len(events), len(events))
	}
	// Then the pages the old records took are given back.
	if end := steps[len(steps)-1]; end.Step != StepCompact || end.Done != end.Total {
		t.Fatalf("the upgrade ended with %+v, want the compaction done", end)
	}
	if _, free, err := c.Reclaimable(); err != nil || free > 64<<10 {
		t.Fatalf("%d bytes left free inside the upgraded file (%v)", free, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, FileName+".*compact")); len(left) > 0 {
		t.Fatalf("compaction left %v behind", left)
	}
	c.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSummaries) != nil {
			t.Error("the summaries bucket is still there")
		}
		if tx.Bucket(bucketMeta).Get(keyFoldNext) != nil {
			t.Error("the rewrite's resume mark is still there")
		}
		return nil
	})
	for id, w := range want {
		got, err := c.Event(id)
		if err != nil {
			t.Fatal(err)
		}
		if !got.ReceivedAt.Equal(w.ReceivedAt) {
			t.Fatalf("event %d received at %v, want %v", id, got.ReceivedAt, w.ReceivedAt)
		}
		got.ReceivedAt = w.ReceivedAt
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("event %d after upgrading\n%+v\nwant\n%+v", id, got, w)
		}
	}
	gotList, err := c.Events(app.Page{Limit: 100})
	if err != nil || len(gotList) != len(wantList) {
		t.Fatalf("list after upgrading: %d rows, %v; want %d", len(gotList), err, len(wantList))
	}
	for i := range gotList {
		if gotList[i].ID != wantList[i].ID || gotList[i].Path != wantList[i].Path || gotList[i].Verdict != wantList[i].Verdict || gotList[i].Status != wantList[i].Status {
			t.Fatalf("row %d after upgrading %+v, want %+v", i, gotList[i], wantList[i])
		}
	}
	if n, _ := c.CountMatching(invalid); n != wantN || n == 0 {
		t.Fatalf("status:413 counts %d after upgrading, %d before", n, wantN)
	}
	var size int
	c.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		return b.events.ForEach(func(k, v []byte) error {
			size += recordSize(k, v, b.bodies.Get(k))
			return nil
		})
	})
	if stored, _ := c.StoredBytes(); int(stored) != size {
		t.Fatalf("size counter %d after upgrading, the records take %d", stored, size)
	}
	e := sampleEvent(99)
	if err := c.Record(context.Background(), e, nil); err != nil || e.ID != uint64(len(events)+1) {
		t.Fatalf("Record after upgrading: id %d, %v", e.ID, err)
	}
}

// An upgrade stopped part way (the process killed between two chunks)
// resumes where it stopped at the next open.
func TestFoldResumesAfterInterruption(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for _, e := range variedEvents(30) {
		mustRecord(t, s, e)
	}
	s.Close()
	os.Remove(filepath.Join(dir, WALFileName))
	writeSchema7(t, dir)
	// As if a first run had rewritten events 1-10 and stopped: schema 8,
	// the resume mark at 11, the summaries bucket still there.
	writeFixture(t, dir, func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		sums := tx.Bucket(bucketSummaries)
		var delta int64
		for id := uint64(1); id <= 10; id++ {
			k := key(id)
			v, sum := b.events.Get(k), sums.Get(k)
			rec, ok := foldRecord(k, v, sum)
			if !ok {
				return fmt.Errorf("event %d does not fold", id)
			}
			delta += int64(len(rec)) - int64(len(v)) - int64(len(sum)) - int64(len(k))
			if err := b.events.Put(k, rec); err != nil {
				return err
			}
		}
		if err := addUint(b.meta, keyBytes, delta); err != nil {
			return err
		}
		if err := putUint(b.meta, keyFoldNext, 11); err != nil {
			return err
		}
		return b.meta.Put(keySchema, []byte("8"))
	})
	c := openTest(t, dir)
	list, err := c.Events(app.Page{Limit: 100})
	if err != nil || len(list) != 30 || c.Skipped() != 0 {
		t.Fatalf("list after resuming: %d rows, %v, %d skipped", len(list), err, c.Skipped())
	}
	var size int
	c.view(func(tx *bolt.Tx) error {
		b := eventBuckets(tx)
		if tx.Bucket(bucketSummaries) != nil {
			t.Error("the summaries bucket is still there")
		}
		return b.events.ForEach(func(k, v []byte) error {
			if recordSummary(v) == nil {
				t.Errorf("event %d was not rewritten", idOf(k))
			}
			size += recordSize(k, v, b.bodies.Get(k))
			return nil
		})
	})
	if stored, _ := c.StoredBytes(); int(stored) != size {
		t.Fatalf("size counter %d after resuming, the records take %d", stored, size)
	}
	if p := (UpgradeProgress{Step: StepRecords, Done: 5, Total: 10}).String(); !strings.Contains(p, "5 of 10 events") {
		t.Fatalf("progress reads %q", p)
	}
}

// Any headers, lengths and times pack and unpack to the same bytes.
func FuzzPackedHeadersRoundTrip(f *testing.F) {
	f.Add("Date", "Tue, 01 Dec 2026 10:00:01 GMT", "Content-Length", "12", int64(12), int64(1796119200))
	f.Add("Host", "127.0.0.1:8790", "content-length", "x", int64(0), int64(0))
	f.Add("Accept", "*/*", "Date", "Tue, 01 Dec 2026 10:00:09 GMT", int64(-1), int64(1796119200))
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string, length, at int64) {
		h := app.Headers{{Name: n1, Value: v1}, {Name: n2, Value: v2}, {Name: "Date", Value: dateText(at)}}
		for _, atOK := range []bool{true, false} {
			ctx := headerContext{length: length, at: at, atOK: atOK}
			b := appendPackedHeaders(nil, h, ctx)
			d := summaryDecoder{b: b}
			got := d.packedHeaders(ctx)
			if d.bad || len(d.b) != 0 || !reflect.DeepEqual(got, h) {
				t.Fatalf("packed %q unpacks as %q (bad %v, %d left)", h, got, d.bad, len(d.b))
			}
			s := summaryDecoder{b: b}
			skipHeaders(&s)
			if s.bad || len(s.b) != 0 {
				t.Fatalf("skipping %q leaves %d bytes (bad %v)", h, len(s.b), s.bad)
			}
		}
	})
}

// Paging by the last id seen (Page.Before) gives the pages offsets give,
// for every kind of filter: none, an indexed term, a scan.
func TestPagesBeforeAnIDMatchOffsets(t *testing.T) {
	s := openTest(t, t.TempDir())
	for _, e := range variedEvents(230) {
		mustRecord(t, s, e)
	}
	for _, expr := range []string{"", "status:413", "hook-1", "method:POST hook-2"} {
		f, err := app.ParseFilter(expr, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		all, err := s.Events(app.Page{Limit: 1000, Filter: f})
		if err != nil || len(all) == 0 {
			t.Fatalf("%q: %d events, %v", expr, len(all), err)
		}
		var got []app.EventSummary
		var before uint64
		for {
			page, err := s.Events(app.Page{Limit: 7, Filter: f, Before: before})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 7 {
				break
			}
			before = page[len(page)-1].ID
		}
		if len(got) != len(all) {
			t.Fatalf("%q: %d events paged by id, %d in one page", expr, len(got), len(all))
		}
		for i := range got {
			if got[i].ID != all[i].ID {
				t.Fatalf("%q: event %d of the pages is %d, want %d", expr, i, got[i].ID, all[i].ID)
			}
		}
	}
}

// A damaged file of schema 7 (records and summaries apart) is repaired into
// a file of this version: the events of the damaged page come back from
// the summaries as partial events or from the raw pages, every record is
// of the new layout, and nothing else is lost.
func TestRepairOfASchema7File(t *testing.T) {
	dir, path := goodFile(t)
	writeSchema7(t, dir)
	off, _ := eventPage(t, path, damageEvents/2)
	damage(t, path, off, 16, 16+96) // the page's elements
	before := sum(t, path)
	rep, err := Repair(dir)
	if err != nil {
		t.Fatalf("Repair: %v", err)
	}
	t.Logf("%+v", rep)
	if rep.EventsLost+rep.EventsPartial == 0 {
		t.Error("a damaged page of records lost nothing?")
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v := c.schema(t); v != currentSchema() {
		t.Fatalf("repaired file has schema %d, want %d", v, currentSchema())
	}
	c.view(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSummaries) != nil {
			t.Error("the repaired file has a summaries bucket")
		}
		return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			if recordSummary(v) == nil {
				t.Errorf("event %d is not in this version's layout", idOf(k))
			}
			return nil
		})
	})
	c.Close()
	checkRepaired(t, dir, path, before, rep, false)
}
