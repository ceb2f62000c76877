package app

import "time"

// EndpointStats are the kept counters of one endpoint ("" for requests no
// endpoint matched): what the dashboard shows without scanning events.
// They count every event received since the counters began (Clear all
// resets them), whether or not it has been deleted or pruned since.
type EndpointStats struct {
	Slug         string
	Received     int64
	Valid        int64
	Invalid      int64
	Unsigned     int64
	Unverified   int64
	LastReceived time.Time
}

// TargetStats are the kept counters of one target's deliveries.
type TargetStats struct {
	TargetID      string
	Deliveries    int64
	Failures      int64 // ended failed or gone
	LastTriggered time.Time
}

// StatsStore is what the dashboard reads.
type StatsStore interface {
	EndpointStats() ([]EndpointStats, error)
	TargetStats() ([]TargetStats, error)
	// Rate counts the events received per step from since until now, of
	// endpoint slug ("*" for all, "" for none matched), oldest first.
	Rate(slug string, since time.Time, step time.Duration) ([]int64, error)
}
