package team

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// Importer is what a follower writes to: *store.Store implements it.
type Importer interface {
	// Import stores events (each with its Origin set) in order, skipping
	// those whose Origin is already stored; imported[i] says whether
	// events[i] was stored now. A nil error means all are on disk.
	Import(ctx context.Context, events ...*app.Event) (imported []bool, err error)
	// Endpoints are the local endpoints, whose secrets judge followed
	// events again.
	Endpoints() ([]app.Endpoint, error)
}

// FollowConfig is a follower: where the stream is and what to take from it.
type FollowConfig struct {
	Config
	// Name is the durable consumer's name: a follower restarted with the
	// same name resumes where it stopped. Letters, digits, '-' and '_'.
	Name string
	// Filter keeps only matching events (app.ParseFilter's language);
	// the rest are acknowledged and skipped. The zero Filter keeps all.
	Filter app.Filter
	// OnEvent hears each event stored by this follower, after its commit.
	OnEvent func(*app.Event)
}

// Follower imports a team stream into the local store through a durable
// JetStream consumer. A message is acknowledged only after its event is on
// disk, and the store skips an origin it already holds, so a follower
// stopped anywhere resumes with no gap and no duplicate.
type Follower struct {
	st  Importer
	cfg FollowConfig
}

// NewFollower checks cfg.
func NewFollower(st Importer, cfg FollowConfig) (*Follower, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !validToken(cfg.Name) {
		return nil, fmt.Errorf("follower name %q must be 1-64 letters, digits, '-' or '_' (it names the durable consumer)", cfg.Name)
	}
	return &Follower{st: st, cfg: cfg}, nil
}

// fetchBatch is how many messages one fetch asks for.
const fetchBatch = 256

// Run follows until ctx is cancelled (then it returns nil) or the store
// fails. While NATS is unreachable it waits and says so through Logf.
func (f *Follower) Run(ctx context.Context) error {
	nc, err := f.cfg.connect("hooklens follower "+f.cfg.Name, func(ok bool, err error) {
		if !ok && ctx.Err() == nil {
			f.cfg.logf("team: NATS at %s is unreachable (%v); following resumes when it is back", f.cfg.Redacted(), err)
		}
	})
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("starting JetStream on %s: %w", f.cfg.Redacted(), err)
	}
	var cons jetstream.Consumer
	lastWhy := ""
	for cons == nil {
		cons, err = f.consumer(ctx, js)
		if err != nil {
			if why := err.Error(); why != lastWhy {
				f.cfg.logf("team: waiting to follow: %v", err)
				lastWhy = why
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
		}
	}
	f.cfg.logf("team: following stream %s on %s as %s", f.cfg.stream(), f.cfg.Redacted(), f.cfg.Name)
	it, err := cons.Messages(jetstream.PullMaxMessages(2 * fetchBatch))
	if err != nil {
		return fmt.Errorf("reading consumer %s: %w", f.cfg.Name, err)
	}
	defer it.Stop()
	for ctx.Err() == nil {
		// Block for the first message, then take what is already here:
		// one import (one commit) per burst, no waiting for a full batch.
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return fmt.Errorf("the stream %s or consumer %s went away: %w", f.cfg.stream(), f.cfg.Name, err)
			}
			select { // NATS down: missed heartbeats until it is back
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		batch := []jetstream.Msg{m}
		for len(batch) < fetchBatch {
			m, err := it.Next(jetstream.NextMaxWait(time.Millisecond))
			if err != nil {
				break
			}
			batch = append(batch, m)
		}
		if err := f.take(batch); err != nil {
			return err
		}
	}
	// Acks are published messages: send the last ones before closing.
	_ = nc.FlushTimeout(2 * time.Second)
	return nil
}

func (f *Follower) consumer(ctx context.Context, js jetstream.JetStream) (jetstream.Consumer, error) {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := f.cfg.ensureStream(c, js); err != nil {
		return nil, err
	}
	cons, err := js.CreateOrUpdateConsumer(c, f.cfg.stream(), jetstream.ConsumerConfig{
		Durable:       f.cfg.Name,
		Description:   "Hooklens follower",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 4 * fetchBatch,
		FilterSubject: SubjectPrefix + ">",
	})
	if err != nil {
		return nil, fmt.Errorf("creating consumer %s on stream %s: %w", f.cfg.Name, f.cfg.stream(), err)
	}
	return cons, nil
}

// take imports one fetched batch in stream order and acknowledges it. Not
// acknowledged (the store failed), the messages come again after AckWait.
func (f *Follower) take(batch []jetstream.Msg) error {
	if len(batch) == 0 {
		return nil
	}
	var (
		events []*app.Event
		keep   []jetstream.Msg
	)
	eps, err := f.st.Endpoints()
	if err != nil {
		return fmt.Errorf("reading endpoints to judge followed events: %w", err)
	}
	for _, m := range batch {
		e, err := decode(m.Data())
		if err != nil {
			f.cfg.logf("team: skipping message %s: %v", m.Subject(), err)
			_ = m.Term() // it will never decode: do not send it again
			continue
		}
		if f.cfg.Instance != "" && strings.HasPrefix(e.Origin, "team:"+f.cfg.Instance+":") {
			_ = m.Ack() // our own event, published by this data directory
			continue
		}
		if !f.cfg.Filter.IsZero() && !f.cfg.Filter.Match(app.EventCandidate{E: e}) {
			_ = m.Ack()
			continue
		}
		Rejudge(e, eps)
		events = append(events, e)
		keep = append(keep, m)
	}
	if len(events) == 0 {
		return nil
	}
	// The import commits the whole batch in the capture writer's groups;
	// a nil error means every event is on disk.
	imported, err := f.st.Import(context.Background(), events...)
	if err != nil {
		return fmt.Errorf("storing followed events: %w", err)
	}
	for i, m := range keep {
		_ = m.Ack()
		if imported[i] && f.cfg.OnEvent != nil {
			f.cfg.OnEvent(events[i])
		}
	}
	return nil
}

// Rejudge judges a followed event again with verify.Judge when a local
// endpoint of the same slug has secrets or a key. When the local result
// differs from the origin's, the local verdict becomes Verdict and the
// origin's is kept in OriginVerdict, so both are shown.
func Rejudge(e *app.Event, eps []app.Endpoint) {
	if e.Endpoint == "" {
		return
	}
	for i := range eps {
		ep := &eps[i]
		if ep.Slug != e.Endpoint {
			continue
		}
		if len(ep.Secrets) == 0 && ep.PublicKey == "" {
			return // nothing here to judge it with: the origin's verdict stands
		}
		local := verify.Judge(e, ep, verify.EndpointList(eps), "").Verdict
		if local.Result != e.Verdict.Result {
			remote := e.Verdict
			e.OriginVerdict, e.Verdict = &remote, local
		}
		return
	}
}
