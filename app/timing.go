package app

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Stage is one step a captured request goes through, from its bytes
// arriving to its copy in the database. With timings on (listen --timings),
// the listener and the store add up the wall time each stage takes, so a
// benchmark can say which one costs what.
type Stage int

// The stages, in the order a request meets them.
const (
	StageParse      Stage = iota // net/http reading the request head, up to the handler
	StageHead                    // finding the head's bytes for wire-order headers
	StageBody                    // reading the body
	StageJudge                   // the endpoint, the signature verdict, the event type
	StageRecord                  // Record: queue, encode, log write and sync, as the handler waits
	StageAnswer                  // writing the response
	StageQueued                  // Record: from the queue until the writer takes the event's group
	StageWake                    // Record: from the group's answer until the caller runs again
	StageEncode                  // the writer: ids, the response, binary records, copies
	StageLogWrite                // the writer: the group's write to the capture log
	StageLogSync                 // the writer: the group's fdatasync
	StageLogRestart              // the writer: waiting for the applier before starting the log again
	StageBacklog                 // the writer: waiting for the applier to come within its backlog bound
	StageApply                   // the applier: bbolt puts, counters, outbox
	StageCommit                  // the applier: bbolt's commit (page writes and its two syncs)
	StagePublish                 // the applier: handing events to subscribers
	numStages
)

var stageNames = [numStages]string{
	"parse", "head capture", "body read", "judge", "record (handler waits)", "answer",
	"record: queued", "record: wake-up", "encode", "log write", "log fdatasync", "log restart wait", "applier backlog wait", "apply (bbolt puts)", "bbolt commit", "publish",
}

func (s Stage) String() string { return stageNames[s] }

var (
	timingsOn  atomic.Bool
	stageNS    [numStages]atomic.Int64
	stageCalls [numStages]atomic.Int64
	stageItems [numStages]atomic.Int64
)

// EnableTimings turns stage timing on for the rest of the process.
func EnableTimings() { timingsOn.Store(true) }

// StageStart is the start of a timed stage: the zero time when timings are
// off, which makes StageEnd a no-op.
func StageStart() time.Time {
	if !timingsOn.Load() {
		return time.Time{}
	}
	return time.Now()
}

// StageEnd adds the time since start to stage s, for items events (a
// group's stage counts each event of it). It returns the time it read, to
// start the next stage with.
func StageEnd(s Stage, start time.Time, items int) time.Time {
	if start.IsZero() {
		return start
	}
	now := time.Now()
	stageNS[s].Add(int64(now.Sub(start)))
	stageCalls[s].Add(1)
	stageItems[s].Add(int64(items))
	return now
}

// StageTime is what one stage has added up.
type StageTime struct {
	Stage        Stage
	Total        time.Duration
	Calls, Items int64
}

// StageTimes returns every stage's totals so far.
func StageTimes() []StageTime {
	out := make([]StageTime, numStages)
	for i := range out {
		out[i] = StageTime{Stage: Stage(i), Total: time.Duration(stageNS[i].Load()), Calls: stageCalls[i].Load(), Items: stageItems[i].Load()}
	}
	return out
}

// WriteStageTimes prints the totals as a table: per call and per event.
func WriteStageTimes(w io.Writer) {
	fmt.Fprintf(w, "stage timings: %-24s %10s %10s %12s %12s\n", "stage", "calls", "events", "µs/call", "µs/event")
	for _, t := range StageTimes() {
		if t.Calls == 0 {
			continue
		}
		perItem := 0.0
		if t.Items > 0 {
			perItem = float64(t.Total.Microseconds()) / float64(t.Items)
		}
		fmt.Fprintf(w, "stage timings: %-24s %10d %10d %12.1f %12.2f\n", t.Stage, t.Calls, t.Items,
			float64(t.Total.Microseconds())/float64(t.Calls), perItem)
	}
}
