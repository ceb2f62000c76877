package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/capture"
	"github.com/hooklens/hooklens/app/deliver"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/team"
	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/store"
)

// Hooklens is the one assembly of the running program, as wtf's Main is:
// the store, retention, the delivery queue and forwarder, the listener and
// the local API. The window, `hooklens listen` and the end-to-end tests all
// open it with OpenHooklens and stop it with Close, so they prune, forward
// and serve the command line the same way.
type Hooklens struct {
	Store     *store.Store
	Queue     *deliver.Queue
	Forwarder *deliver.Forwarder
	Listener  *capture.Server
	API       *apiServer
	// Prober answers tunnel probes at the listener (they are never
	// recorded) and sends them, for the tunnel and `hooklens tunnel check`.
	Prober *tunnel.Prober
	tunnel tunnelRun
	// PruneHeld, when not "", says that the data dir was over the
	// retention cap at open and retention waits for PruneNow (the window
	// asks first; see Config.AskBeforePruning).
	PruneHeld string
	held      Retention

	// Publisher sends captured events to a team stream (Config.Publish);
	// nil when not publishing. Its Status is "team: N waiting to publish".
	Publisher *team.Publisher
	// Notice is a sentence for the user about how the assembly started
	// (a listener on another port than asked for), "" when none.
	Notice string

	cfg         Config
	stopRetain  context.CancelFunc
	retainMu    sync.Mutex
	retention   Retention
	stopWorkers context.CancelFunc
	closed      bool
}

// Config is how to open Hooklens.
type Config struct {
	Data string // data directory; "" is store.DefaultDir
	Addr string // listener address; "" is capture.DefaultAddr
	// FallbackPorts lets a busy Addr fall back to the next ports (8791…8799
	// for 8790) and then a free one, with a Notice; the window does this,
	// `listen` fails instead.
	FallbackPorts bool
	Retention     Retention
	// AskBeforePruning holds retention when the data dir is already over
	// its size cap at open, until PruneNow (the window asks the user).
	AskBeforePruning bool
	// NoListener opens everything but the listener (the demo's seeding).
	NoListener bool
	Logf       func(format string, args ...any)
	// OnUpgrade hears how an upgrade of an older data file at open goes,
	// every report the store gives (the window shows them); the log gets
	// its lines either way. It runs on the goroutine of OpenHooklens.
	OnUpgrade func(store.UpgradeProgress)
	// Tunnel, when set, starts a public URL once the listener runs.
	Tunnel *TunnelConfig
	// OnTunnel hears every tunnel status change (see Hooklens.OnTunnel).
	OnTunnel func(tunnel.Status)
	// BeforeListen runs once the store is open, before the listener starts
	// (demo seeding).
	BeforeListen func(h *Hooklens) error
	// Publish, when set, keeps an outbox in the store and publishes every
	// captured event to NATS JetStream (team_cmd.go).
	Publish *TeamConfig
}

// TunnelConfig is a tunnel to start with the assembly.
type TunnelConfig struct {
	Settings    tunnel.Settings
	Credentials tunnel.Credentials
}

// Retention is how long and how much the store keeps; pruned in the
// background every hour and once at start.
type Retention struct {
	MaxAge    time.Duration // 0 is store.DefaultMaxAge
	MaxBytes  int64         // 0 is store.DefaultMaxBytes
	MaxEvents int           // 0 is no limit on the number of events
	Every     time.Duration // 0 is an hour
}

func (r Retention) withDefaults() Retention {
	if r.MaxAge <= 0 {
		r.MaxAge = store.DefaultMaxAge
	}
	if r.MaxBytes <= 0 {
		r.MaxBytes = store.DefaultMaxBytes
	}
	if r.Every <= 0 {
		r.Every = time.Hour
	}
	return r
}

// upgradeReporter logs how an upgrade of an older data file at open goes:
// the start and end of each step and, between them, a line every two
// seconds at most.
func upgradeReporter(logf func(string, ...any)) func(store.UpgradeProgress) {
	var step string
	var last time.Time
	return func(p store.UpgradeProgress) {
		if p.Step != step || p.Done >= p.Total || time.Since(last) >= 2*time.Second {
			step, last = p.Step, time.Now()
			logf("hooklens: %s", p)
		}
	}
}

// OpenHooklens opens the store and starts everything that runs behind the
// window or `listen`. On error, whatever was started is stopped again.
func OpenHooklens(cfg Config) (h *Hooklens, err error) {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	dir, err := dataDir(cfg.Data)
	if err != nil {
		return nil, err
	}
	progress := upgradeReporter(cfg.Logf)
	if on := cfg.OnUpgrade; on != nil {
		logged := progress
		progress = func(p store.UpgradeProgress) {
			logged(p)
			on(p)
		}
	}
	st, err := store.OpenWith(dir, store.Options{Outbox: cfg.Publish != nil, Progress: progress})
	if err != nil {
		return nil, err
	}
	h = &Hooklens{Store: st, cfg: cfg, Prober: tunnel.NewProber()}
	if n := st.Notice(); n != "" {
		cfg.Logf("hooklens: %s", n)
	}
	// Damage found while running: the store refuses further writes; say so.
	st.OnDamage(func(err error) {
		cfg.Logf("hooklens: %v — stop Hooklens and run 'hooklens repair' to copy what is readable into a fresh file", err)
	})
	defer func() {
		if err != nil {
			h.Close()
			h = nil
		}
	}()

	r := cfg.Retention
	if r.MaxAge == 0 && r.MaxBytes == 0 && r.MaxEvents == 0 {
		r = savedRetention(st) // the window's Settings
	}
	r = r.withDefaults()
	if over := overCap(st, r); over != "" && cfg.AskBeforePruning {
		// Over the cap already: nothing is removed before the user says so.
		h.held = r
		h.PruneHeld = over + ": the oldest events beyond it will be pruned once you say so. Prune now, or raise the cap in Settings."
	} else {
		if over != "" {
			// Headless: say so before the first prune removes anything.
			cfg.Logf("hooklens: %s: pruning the oldest events beyond it now (--max-size and --max-events keep more)", over)
		}
		h.startRetention(r)
	}

	h.Queue = newQueue(st, cfg.Logf)
	h.Forwarder = deliver.NewForwarder(h.Queue)
	workers, stopWorkers := context.WithCancel(context.Background())
	h.stopWorkers = stopWorkers
	h.Queue.Start(workers)
	if cfg.Publish != nil {
		if h.Publisher, err = startPublisher(st, *cfg.Publish, cfg.Logf); err != nil {
			return nil, err
		}
	}

	if cfg.BeforeListen != nil {
		if err := cfg.BeforeListen(h); err != nil {
			return nil, err
		}
	}
	if !cfg.NoListener {
		if err := h.listen(); err != nil {
			return nil, err
		}
	}
	if h.API, err = startAPI(h); err != nil {
		return nil, err
	}
	if cfg.OnTunnel != nil {
		h.OnTunnel(cfg.OnTunnel)
	}
	if cfg.Tunnel != nil && h.Listener != nil {
		if err := h.StartTunnel(cfg.Tunnel.Settings, cfg.Tunnel.Credentials); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// listen starts the listener on cfg.Addr, or a fallback port when allowed.
func (h *Hooklens) listen() error {
	addr := h.cfg.Addr
	if addr == "" {
		addr = capture.DefaultAddr
	}
	start := func(a string) error {
		srv := capture.New(h.Store, h.Store, capture.Config{Addr: a, Forward: h.Forwarder, Logf: h.cfg.Logf,
			Intercept: h.Prober.Intercept, PublicURL: h.PublicURL})
		if err := srv.Start(); err != nil {
			return err
		}
		h.Listener = srv
		h.Forwarder.SetListenerAddr(srv.Addr())
		return nil
	}
	err := start(addr)
	if err == nil || !h.cfg.FallbackPorts || !errors.Is(err, capture.ErrAddrInUse) {
		return err
	}
	for _, a := range fallbackAddrs(addr) {
		if err2 := start(a); err2 == nil {
			h.Notice = fmt.Sprintf("%s is in use by another program, so Hooklens listens on %s instead. Point your webhooks there, or stop the other program and restart Hooklens.", addr, h.Listener.URL())
			return nil
		} else if !errors.Is(err2, capture.ErrAddrInUse) {
			return err2
		}
	}
	return err
}

// Close stops everything in order — the listener (requests in flight are
// answered), the local API, the delivery worker (forwards in flight get a
// few seconds), retention — and closes the store, which publishes every
// event committed before it. It may be called more than once.
func (h *Hooklens) Close() error {
	if h == nil || h.closed {
		return nil
	}
	h.closed = true
	var errs []error
	h.StopTunnel()
	if h.Listener != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, h.Listener.Shutdown(ctx))
		cancel()
	}
	if h.API != nil {
		errs = append(errs, h.API.Close())
	}
	if h.Queue != nil {
		h.stopWorkers()
		h.Queue.Stop()
	}
	h.retainMu.Lock()
	if h.stopRetain != nil {
		h.stopRetain()
	}
	h.retainMu.Unlock()
	if h.Publisher != nil {
		errs = append(errs, h.Publisher.Close()) // what is unsent stays in the outbox
	}
	errs = append(errs, h.Store.Close())
	return errors.Join(errs...)
}

// dataDir is dir, or the default data directory when dir is "".
func dataDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	d, err := store.DefaultDir()
	if err != nil {
		return "", fmt.Errorf("no user config directory to keep data in: pass --data DIR: %w", err)
	}
	return d, nil
}

var (
	_ app.Recorder      = (*store.Store)(nil)
	_ capture.Forwarder = (*deliver.Forwarder)(nil)
)

// fallbackAddrs are the addresses tried after addr is busy: the next nine
// ports (so a provider's configured URL survives more restarts), then any.
func fallbackAddrs(addr string) []string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	var out []string
	if p, err := strconv.Atoi(port); err == nil && p > 0 {
		for i := 1; i <= 9 && p+i <= 65535; i++ {
			out = append(out, net.JoinHostPort(host, strconv.Itoa(p+i)))
		}
	}
	return append(out, net.JoinHostPort(host, "0"))
}

// newQueue is the delivery queue every door uses: fired signals count their
// attempts in the body as SalesIQ does (1, 2, 3 ... on each retry).
func newQueue(st app.DeliveryStore, logf func(string, ...any)) *deliver.Queue {
	return deliver.New(st, deliver.Options{
		OnError: func(err error) { logf("hooklens: deliveries: %v", err) },
		Stamp: func(d *app.Delivery, n int, body []byte) []byte {
			if d.Kind != app.KindSignal {
				return body
			}
			return signal.StampAttempt(body, n)
		},
	})
}

// overCap says how the store is over r's size or count cap ("" when not).
func overCap(st *store.Store, r Retention) string {
	size, err := st.StoredBytes()
	if err == nil && r.MaxBytes > 0 && size > r.MaxBytes {
		return fmt.Sprintf("%s of events are stored, over the %s retention cap", app.HumanSize(size), app.HumanSize(r.MaxBytes))
	}
	n, err := st.Count()
	if err == nil && r.MaxEvents > 0 && n > r.MaxEvents {
		return fmt.Sprintf("%s events are stored, over the retention cap of %s events", app.GroupDigits(n), app.GroupDigits(r.MaxEvents))
	}
	return ""
}

// Settings keys for retention chosen in the window.
const (
	keyRetentionKeep   = "retention.keep"
	keyRetentionSize   = "retention.max_size"
	keyRetentionEvents = "retention.max_events"
)

func savedRetention(st *store.Store) Retention {
	var r Retention
	if v, err := st.Setting(keyRetentionKeep); err == nil {
		r.MaxAge, _ = app.ParseDuration("keep", v)
	}
	if v, err := st.Setting(keyRetentionSize); err == nil {
		r.MaxBytes, _ = app.ParseSize(v)
	}
	if v, err := st.Setting(keyRetentionEvents); err == nil {
		r.MaxEvents, _ = strconv.Atoi(v)
	}
	return r
}

func (h *Hooklens) startRetention(r Retention) {
	h.retainMu.Lock()
	defer h.retainMu.Unlock()
	if h.stopRetain != nil {
		h.stopRetain()
	}
	ctx, stop := context.WithCancel(context.Background())
	h.stopRetain, h.retention = stop, r
	h.Store.StartRetention(ctx, r.Every, r.MaxAge, r.MaxBytes, r.MaxEvents)
}

// Retention is what retention keeps now.
func (h *Hooklens) Retention() app.RetentionLimits {
	h.retainMu.Lock()
	defer h.retainMu.Unlock()
	r := h.retention
	if h.held.Every > 0 {
		r = h.held // held at open: these are the limits that will apply
	}
	return app.RetentionLimits{MaxAge: r.MaxAge, MaxBytes: r.MaxBytes, MaxEvents: r.MaxEvents}
}

// DefaultRetention is what Hooklens keeps unless told otherwise.
func (h *Hooklens) DefaultRetention() app.RetentionLimits {
	return app.RetentionLimits{MaxAge: store.DefaultMaxAge, MaxBytes: store.DefaultMaxBytes}
}

// SetRetention applies new limits now (a prune runs at once) and saves them
// for the next start of the window.
func (h *Hooklens) SetRetention(l app.RetentionLimits) error {
	if err := h.Store.SetSetting(keyRetentionKeep, app.FormatDuration(l.MaxAge)); err != nil {
		return err
	}
	if err := h.Store.SetSetting(keyRetentionSize, strconv.FormatInt(l.MaxBytes, 10)); err != nil {
		return err
	}
	if err := h.Store.SetSetting(keyRetentionEvents, strconv.Itoa(max(l.MaxEvents, 0))); err != nil {
		return err
	}
	h.retainMu.Lock()
	h.held, h.PruneHeld = Retention{}, ""
	h.retainMu.Unlock()
	h.startRetention(Retention{MaxAge: l.MaxAge, MaxBytes: l.MaxBytes, MaxEvents: l.MaxEvents}.withDefaults())
	return nil
}

// PruneNow starts the retention that was held at open (see PruneHeld).
func (h *Hooklens) PruneNow() {
	h.retainMu.Lock()
	r := h.held
	h.held, h.PruneHeld = Retention{}, ""
	h.retainMu.Unlock()
	if r.Every > 0 {
		h.startRetention(r)
	}
}
