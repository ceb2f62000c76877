package app

import (
	"context"
	"time"
)

// Page asks for event summaries, newest first.
type Page struct {
	Offset int    // skip this many of the newest matching events
	Limit  int    // at most this many; 0 means 100
	Filter Filter // only events that match
	// Before, when not 0, starts the page below that id: the next page of
	// a long listing is asked for with the last id of the one before
	// (and Offset 0), so a filter that scans reads each event once instead
	// of again for every page before it.
	Before uint64
}

// Filter narrows the event list. The zero Filter matches everything.
// ParseFilter reads the filter language into Terms; Method and Text are the
// plain forms (an exact method, a free-text substring).
type Filter struct {
	Method string // exact method, case-insensitive; "" any
	Text   string // case-insensitive substring of the path, query or body; "" any
	Expr   string // the expression the terms were parsed from, as typed
	// terms are the parsed terms, shared and never changed after
	// ParseFilter, so that Filter stays comparable with ==.
	terms *[]FilterTerm
}

// Terms are the filter's parsed terms.
func (f Filter) Terms() []FilterTerm {
	if f.terms == nil {
		return nil
	}
	return *f.terms
}

// IsZero reports whether f matches every event.
func (f Filter) IsZero() bool { return f.Method == "" && f.Text == "" && len(f.Terms()) == 0 }

// Recorder stores captured events durably.
type Recorder interface {
	// Record assigns e.ID, calls finish (if not nil) so the caller can complete
	// e with anything that quotes the id (such as the response body), commits
	// e, and only then returns. Once Record returns nil the event survives a
	// crash. Subscribers are told after the commit. forwards are deliveries
	// of e (pending, their EventID set to e.ID) stored in the same
	// transaction, so an acknowledged event never loses its forward.
	Record(ctx context.Context, e *Event, finish func(*Event), forwards ...*Delivery) error
}

// EventStore is what the window and the command line read and change.
type EventStore interface {
	Recorder
	// Event returns one whole event, or ErrNotFound.
	Event(id uint64) (*Event, error)
	// Events returns summaries newest first.
	Events(p Page) ([]EventSummary, error)
	// Count is the number of stored events, kept as a counter.
	Count() (int, error)
	// CountMatching is the number of events that match f (a scan when f is not zero).
	CountMatching(f Filter) (int, error)
	Delete(id uint64) error
	DeleteAll() error
	// Subscribe calls fn with each newly committed event, in commit order,
	// from a goroutine of the store's. cancel stops the calls.
	Subscribe(fn func(*Event)) (cancel func())
}

// EndpointStore keeps endpoints by slug.
type EndpointStore interface {
	Endpoint(slug string) (Endpoint, error) // ErrNotFound when none
	Endpoints() ([]Endpoint, error)         // sorted by slug
	PutEndpoint(ep Endpoint) error
	DeleteEndpoint(slug string) error
}

// SettingStore keeps small named values (window size, split position, ...).
type SettingStore interface {
	Setting(key string) (string, error) // ErrNotFound when unset
	SetSetting(key, value string) error
}

// VerdictStore recomputes stored verdicts, for when an endpoint's secrets
// or scheme change.
type VerdictStore interface {
	// Rejudge calls judge with every stored event of endpoint slug and
	// stores the verdicts that differ. It returns how many changed.
	Rejudge(slug string, judge func(*Event) Verdict) (changed int, err error)
}

// SearchProgress is what a background search reports after each chunk of
// events it read (see the store's Search).
type SearchProgress struct {
	Matches []EventSummary // found in this chunk, newest first
	Scanned int            // events looked at so far
	Total   int            // events it will look at in all
}

// RetentionLimits are what retention keeps: events younger than MaxAge, at
// most MaxBytes of them, at most MaxEvents of them (0: no limit on the
// number). The oldest go first.
type RetentionLimits struct {
	MaxAge    time.Duration
	MaxBytes  int64
	MaxEvents int
}
