package team

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hooklens/hooklens/app"
)

// Outbox is what the publisher reads and clears: the store's outbox of
// captured events not yet acknowledged by JetStream, and the events.
// *store.Store implements it.
type Outbox interface {
	// OutboxPending returns up to limit ids waiting, oldest first.
	OutboxPending(limit int) ([]uint64, error)
	// OutboxDone removes ids from the outbox.
	OutboxDone(ids []uint64) error
	// OutboxCount is the number waiting, kept as a counter.
	OutboxCount() (int, error)
	// Event returns a stored event, or an error wrapping app.ErrNotFound.
	Event(id uint64) (*app.Event, error)
}

// closeGrace is how long Close goes on publishing what waits.
const closeGrace = 5 * time.Second

// batch is how many events one round publishes before waiting for acks.
const batch = 256

// Status is what the publisher is doing, for "team: 1,204 waiting to publish".
type Status struct {
	Waiting   int    // events in the outbox
	Connected bool   // connected to a NATS server
	Err       error  // why events are waiting (NATS down, stream missing ...); nil when publishing
	URL       string // the NATS URL published to, passwords masked
}

// String is the status line the window and `listen` show.
func (s Status) String() string {
	to := ""
	if s.URL != "" {
		to = " to " + s.URL
	}
	if s.Waiting == 0 && s.Err == nil {
		return "team: publishing" + to + "; 0 waiting to publish"
	}
	if s.Err != nil { // the reason names the server
		return fmt.Sprintf("team: %s waiting to publish: %v", app.GroupDigits(s.Waiting), s.Err)
	}
	return fmt.Sprintf("team: %s waiting to publish%s", app.GroupDigits(s.Waiting), to)
}

// Publisher sends the outbox to JetStream in id order and clears what
// JetStream acknowledged. It never slows capture: the outbox is written by
// the store with each event, and the publisher only reads it.
type Publisher struct {
	ob  Outbox
	cfg Config

	wake chan struct{}
	quit chan struct{}
	done chan struct{}

	mu        sync.Mutex
	connected bool
	lastErr   error
	onStatus  func(Status)

	nc *nats.Conn
	js jetstream.JetStream
}

// NewPublisher checks cfg (its Instance is required) and connects in the
// background; Start begins publishing.
func NewPublisher(ob Outbox, cfg Config) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("--publish: %w", err)
	}
	if cfg.Instance == "" {
		return nil, errors.New("--publish: no instance name: see team.InstanceName")
	}
	p := &Publisher{ob: ob, cfg: cfg, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	nc, err := cfg.connect("hooklens publisher "+cfg.Instance, p.setConnected)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(batch*2), jetstream.WithPublishAsyncTimeout(5*time.Second))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("starting JetStream on %s: %w", cfg.Redacted(), err)
	}
	p.nc, p.js = nc, js
	p.mu.Lock()
	if p.connected = nc.IsConnected(); !p.connected && p.lastErr == nil {
		p.lastErr = fmt.Errorf("NATS at %s is not reachable yet", cfg.Redacted())
	}
	p.mu.Unlock()
	return p, nil
}

// OnStatus calls fn (from the publisher's goroutine) whenever the waiting
// count or the reason changes, for the window's "team: N waiting to
// publish". It may be set at any time; the window wraps fn in fyne.Do.
func (p *Publisher) OnStatus(fn func(Status)) {
	p.mu.Lock()
	p.onStatus = fn
	p.mu.Unlock()
}

// Start runs the publishing loop until Close.
func (p *Publisher) Start() { go p.run() }

// Notify says that new events were committed; cheap, never blocks.
func (p *Publisher) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Status is the current state.
func (p *Publisher) Status() Status {
	n, err := p.ob.OutboxCount()
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Status{Waiting: n, Connected: p.connected, Err: p.lastErr, URL: p.cfg.Redacted()}
	if err != nil {
		s.Err = err
	}
	return s
}

// Close publishes what waits for up to two seconds while NATS is reachable,
// then stops (what is still waiting stays in the outbox for the next start)
// and closes the connection.
func (p *Publisher) Close() error {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	<-p.done
	p.nc.Close()
	return nil
}

func (p *Publisher) setConnected(ok bool, err error) {
	p.mu.Lock()
	p.connected = ok
	if !ok {
		p.lastErr = fmt.Errorf("NATS at %s is unreachable (%v); capture goes on and the outbox drains when it is back", p.cfg.Redacted(), err)
	}
	p.mu.Unlock()
	p.Notify()
}

func (p *Publisher) setErr(err error) {
	p.mu.Lock()
	p.lastErr = err
	p.mu.Unlock()
}

// run publishes until quit. It reports the status when it changes and, while
// events wait, every ten seconds.
func (p *Publisher) run() {
	defer close(p.done)
	// A round in progress at Close, and the last drain, get closeGrace.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-p.quit
		time.AfterFunc(closeGrace, cancel)
	}()
	var (
		stream   jetstream.Stream
		lastErr  string    // the reason last logged, "" when publishing
		lastSaid time.Time // when it was logged
		outage   bool      // events waited for a reason since the last drain
		last     Status
	)
	drain := func() {
		for stream != nil && p.nc.IsConnected() && ctx.Err() == nil {
			if n, err := p.round(ctx); err != nil || n == 0 {
				return
			}
		}
	}
	report := func() {
		st := p.Status()
		why := ""
		if st.Err != nil {
			why = st.Err.Error()
		}
		switch {
		case why != "" && (why != lastErr || time.Since(lastSaid) >= 10*time.Second):
			p.cfg.logf("%s", st)
			lastSaid, outage = time.Now(), true
		case why == "" && lastErr != "":
			p.cfg.logf("team: publishing to %s again; %s waiting", p.cfg.Redacted(), app.GroupDigits(st.Waiting))
		}
		if why == "" && outage && st.Waiting == 0 {
			p.cfg.logf("team: outbox drained, every event is published")
			outage = false
		}
		lastErr = why
		p.mu.Lock()
		fn := p.onStatus
		p.mu.Unlock()
		if fn != nil && (st.Waiting != last.Waiting || st.Connected != last.Connected || why != errString(last.Err)) {
			fn(st)
		}
		last = st
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		progressed := false
		if p.nc.IsConnected() {
			if stream == nil {
				s, err := p.cfg.ensureStream(ctx, p.js)
				if err != nil {
					p.setErr(err)
				} else {
					stream = s
				}
			}
			if stream != nil {
				n, err := p.round(ctx)
				if err != nil {
					p.setErr(err)
					if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, jetstream.ErrStreamNotFound) {
						stream = nil // deleted, or the server lost it: create it again
					}
				} else {
					p.setErr(nil)
				}
				progressed = n > 0
			}
		}
		report()
		if progressed {
			select {
			case <-p.quit:
				drain()
				return
			default:
				continue
			}
		}
		select {
		case <-p.quit:
			drain()
			return
		case <-p.wake:
		case <-tick.C:
		}
	}
}

// round publishes one batch from the outbox, waits for JetStream's acks and
// clears what was acknowledged. It returns how many left the outbox.
func (p *Publisher) round(ctx context.Context) (int, error) {
	ids, err := p.ob.OutboxPending(batch)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	type sent struct {
		id  uint64
		fut jetstream.PubAckFuture
	}
	var (
		futures []sent
		done    []uint64
		first   error
	)
	maxPayload := p.nc.MaxPayload()
	for _, id := range ids {
		e, err := p.ob.Event(id)
		if errors.Is(err, app.ErrNotFound) {
			done = append(done, id) // pruned or deleted before it could be sent
			continue
		}
		if err != nil {
			first = err
			break
		}
		data, err := encode(p.cfg.Instance, e)
		if err != nil {
			first = fmt.Errorf("encoding event %d: %w", id, err)
			break
		}
		if maxPayload > 0 && int64(len(data)) > maxPayload {
			p.cfg.logf("team: event %d is %s as a message, over the server's limit of %s: not published (raise max_payload on the NATS server)",
				id, app.HumanSize(int64(len(data))), app.HumanSize(maxPayload))
			done = append(done, id)
			continue
		}
		msg := &nats.Msg{Subject: Subject(p.cfg.Instance, e), Data: data, Header: nats.Header{}}
		fut, err := p.js.PublishMsgAsync(msg, jetstream.WithMsgID(MsgID(p.cfg.Instance, e)), jetstream.WithExpectStream(p.cfg.stream()))
		if err != nil {
			first = fmt.Errorf("publishing to %s: %w", p.cfg.Redacted(), err)
			break
		}
		futures = append(futures, sent{id, fut})
	}
	for _, f := range futures {
		// An answer already here counts even once ctx has ended (a select
		// with both ready picks either): an event NATS stored leaves the
		// outbox instead of being sent again at the next start.
		select {
		case <-f.fut.Ok():
			done = append(done, f.id)
			continue
		case err := <-f.fut.Err():
			if first == nil {
				first = fmt.Errorf("NATS at %s did not store the event: %w", p.cfg.Redacted(), err)
			}
			continue
		default:
		}
		select {
		case <-f.fut.Ok():
			done = append(done, f.id)
		case err := <-f.fut.Err():
			if first == nil {
				first = fmt.Errorf("NATS at %s did not store the event: %w", p.cfg.Redacted(), err)
			}
		case <-ctx.Done():
			if first == nil {
				first = ctx.Err()
			}
		}
	}
	if err := p.ob.OutboxDone(done); err != nil {
		return 0, fmt.Errorf("clearing the outbox: %w", err)
	}
	return len(done), first
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
