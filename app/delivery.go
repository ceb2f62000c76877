package app

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file holds the delivery domain: outgoing requests (resends,
// forwards, fired signals), their targets, connections, retry policy and
// attempts, and the store interface app/deliver and the window consume.

// Delivery kinds.
const (
	KindSend    = "send"    // a request composed by hand or from a file
	KindResend  = "resend"  // a captured event sent again
	KindForward = "forward" // a captured event relayed by its endpoint's forward_to
	KindSignal  = "signal"  // a fired template or Bigin signal
)

// DefaultTimeout is how long one attempt may take when a target sets none:
// five seconds, as Zoho SalesIQ allows its webhooks.
const DefaultTimeout = 5 * time.Second

// MaxResponseBody is how much of each response body an attempt keeps.
const MaxResponseBody = 64 << 10

// DefaultRetry is Zoho SalesIQ's documented policy: up to 3 retries, one
// minute apart. New targets start with it.
var DefaultRetry = RetryPolicy{Retries: 3, Delay: time.Minute}

// RetryPolicy says how often and how far apart a failed delivery is tried
// again. Retries counts attempts after the first, so Retries 3 means at most
// 4 attempts; 0 means no retry.
type RetryPolicy struct {
	Retries int           `json:"retries"`
	Delay   time.Duration `json:"delay"` // before the first retry; 0 means one minute
	// Backoff doubles the delay after each retry, with ±20% jitter so many
	// deliveries failing together do not come back together.
	Backoff  bool          `json:"backoff,omitempty"`
	MaxDelay time.Duration `json:"max_delay,omitempty"` // caps a backed-off delay; 0 means no cap
}

// Connection kinds.
const (
	AuthNone         = "none"
	AuthBasic        = "basic"
	AuthBearer       = "bearer"        // Authorization: <Prefix> <Token>
	AuthAPIKeyHeader = "apikey-header" // <KeyName>: <KeyValue>
	AuthAPIKeyQuery  = "apikey-query"  // ?<KeyName>=<KeyValue>, like Bigin's zapikey
)

// AuthKinds lists the connection kinds in the order a form offers them.
var AuthKinds = []string{AuthNone, AuthBasic, AuthBearer, AuthAPIKeyHeader, AuthAPIKeyQuery}

// Connection is a set of credentials saved once and used by name from any
// number of targets (Bigin's connections). They are applied when each
// attempt is sent, so a renewed token reaches pending retries too.
type Connection struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"` // one of AuthKinds; "" is none
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Token    string `json:"token,omitempty"`
	// Prefix comes before the token in Authorization: "Bearer" when empty,
	// "Zoho-oauthtoken" for Zoho's OAuth tokens.
	Prefix   string `json:"prefix,omitempty"`
	KeyName  string `json:"key_name,omitempty"` // header or query parameter name, e.g. zapikey
	KeyValue string `json:"key_value,omitempty"`
}

// Validate says what is missing for the connection's kind.
func (c Connection) Validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return errors.New("connection has no name: give it one so targets can use it")
	}
	switch c.Kind {
	case "", AuthNone:
	case AuthBasic:
		if c.Username == "" {
			return fmt.Errorf("connection %q uses basic auth but has no username", c.Name)
		}
	case AuthBearer:
		if c.Token == "" {
			return fmt.Errorf("connection %q sends a token but has none: paste the token", c.Name)
		}
		if strings.ContainsAny(c.Prefix, " \r\n") {
			return fmt.Errorf("connection %q has token prefix %q: write it without spaces, e.g. Bearer or Zoho-oauthtoken", c.Name, c.Prefix)
		}
	case AuthAPIKeyHeader, AuthAPIKeyQuery:
		if c.KeyName == "" || c.KeyValue == "" {
			return fmt.Errorf("connection %q sends an API key but its name or value is empty: fill both (e.g. zapikey and the key)", c.Name)
		}
	default:
		return fmt.Errorf("connection %q has kind %q: use one of %s", c.Name, c.Kind, strings.Join(AuthKinds, ", "))
	}
	return nil
}

// Masked is a copy of c safe to show: every secret masked with Mask.
func (c Connection) Masked() Connection {
	c.Password = Mask(c.Password)
	c.Token = Mask(c.Token)
	c.KeyValue = Mask(c.KeyValue)
	return c
}

// Describe says in a few words what the connection adds to a request, for a
// target's form: "Authorization: Zoho-oauthtoken 1000.••••••••a1b2".
func (c Connection) Describe() string {
	switch c.Kind {
	case AuthBasic:
		return "Authorization: Basic (" + c.Username + ")"
	case AuthBearer:
		return "Authorization: " + c.TokenPrefix() + " " + Mask(c.Token)
	case AuthAPIKeyHeader:
		return c.KeyName + ": " + Mask(c.KeyValue)
	case AuthAPIKeyQuery:
		return "?" + c.KeyName + "=" + Mask(c.KeyValue)
	}
	return "no credentials"
}

// TokenPrefix is what comes before the token in Authorization: Prefix, or
// Bearer when none is set.
func (c Connection) TokenPrefix() string {
	if c.Prefix == "" {
		return "Bearer"
	}
	return c.Prefix
}

// Target is a saved destination.
type Target struct {
	ID   string `json:"id"` // assigned by the store
	Name string `json:"name"`
	URL  string `json:"url"` // production
	// SandboxURL is used instead of URL while UseSandbox is on.
	SandboxURL string `json:"sandbox_url,omitempty"`
	UseSandbox bool   `json:"use_sandbox,omitempty"`
	// Scheme is a scheme setting (see ParseScheme) ("stripe", "hmac;header=X-Sig"); ""
	// sends unsigned.
	Scheme     string        `json:"scheme,omitempty"`
	Secret     string        `json:"secret,omitempty"`      // HMAC secret
	PrivateKey string        `json:"private_key,omitempty"` // for salesiq (RSA) and discord (Ed25519)
	Headers    Headers       `json:"headers,omitempty"`     // added to every request, replacing the same names
	Timeout    time.Duration `json:"timeout,omitempty"`     // per attempt; 0 means DefaultTimeout
	Retry      RetryPolicy   `json:"retry"`
	Enabled    bool          `json:"enabled"`
	// DisabledReason says why the target was turned off, e.g. after a 410.
	DisabledReason string    `json:"disabled_reason,omitempty"`
	Connection     string    `json:"connection,omitempty"` // name of a saved Connection
	CreatedAt      time.Time `json:"created_at"`
}

// Environment is "sandbox" or "production": which URL sends go to. The
// window shows it beside the target's name.
func (t Target) Environment() string {
	if t.UseSandbox {
		return "sandbox"
	}
	return "production"
}

// ActiveURL is the URL sends go to now.
func (t Target) ActiveURL() (string, error) {
	if t.UseSandbox {
		if t.SandboxURL == "" {
			return "", fmt.Errorf("target %q is switched to sandbox but has no sandbox URL: add one or switch to production", t.Name)
		}
		return t.SandboxURL, nil
	}
	if t.URL == "" {
		return "", fmt.Errorf("target %q has no production URL: add one or switch to sandbox", t.Name)
	}
	return t.URL, nil
}

// Validate checks the URLs, the signing setup and the timeout.
func (t Target) Validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return errors.New("target has no name: give it one")
	}
	if t.URL == "" && t.SandboxURL == "" {
		return fmt.Errorf("target %q has no URL: add a production or sandbox URL", t.Name)
	}
	for _, u := range []string{t.URL, t.SandboxURL} {
		if u != "" {
			if err := CheckURL(u); err != nil {
				return fmt.Errorf("target %q: %w", t.Name, err)
			}
		}
	}
	if _, err := t.ActiveURL(); err != nil {
		return err
	}
	if _, err := t.Signing(); err != nil {
		return err
	}
	if t.Timeout < 0 || t.Retry.Retries < 0 || t.Retry.Delay < 0 || t.Retry.MaxDelay < 0 {
		return fmt.Errorf("target %q has a negative timeout, retry count or delay: use 0 or more", t.Name)
	}
	return nil
}

// Signing is how sends to the target are signed.
func (t Target) Signing() (Signing, error) {
	if t.Scheme == "" {
		return Signing{}, nil
	}
	c, err := ParseScheme(t.Scheme)
	if err != nil {
		return Signing{}, fmt.Errorf("target %q: %w", t.Name, err)
	}
	s := Signing{Scheme: c.String(), Secret: t.Secret}
	if UsesPublicKey(c.Scheme) {
		s.Secret = t.PrivateKey
		if s.Secret == "" {
			return Signing{}, fmt.Errorf("target %q signs as %s, which needs a private key: paste it (PEM) or choose another scheme", t.Name, c.Scheme)
		}
	} else if s.Secret == "" {
		return Signing{}, fmt.Errorf("target %q signs as %s but has no secret: paste the receiver's signing secret", t.Name, c.Scheme)
	}
	return s, nil
}

// Masked is a copy of t safe to show: secret and private key masked.
func (t Target) Masked() Target {
	t.Secret = Mask(t.Secret)
	t.PrivateKey = Mask(t.PrivateKey)
	return t
}

// NewDelivery makes a delivery of r to the target: the active URL (r.URL
// is ignored), the target's extra headers over r's, its signing, timeout,
// retry policy and connection. A disabled target refuses.
func (t Target) NewDelivery(r Request) (*Delivery, error) {
	if !t.Enabled {
		why := t.DisabledReason
		if why == "" {
			why = "turned off"
		}
		return nil, fmt.Errorf("target %q is disabled (%s): enable it first", t.Name, why)
	}
	u, err := t.ActiveURL()
	if err != nil {
		return nil, err
	}
	sg, err := t.Signing()
	if err != nil {
		return nil, err
	}
	r.URL = u
	r.Headers = r.Headers.With(t.Headers)
	return &Delivery{
		TargetID:   t.ID,
		Request:    r,
		Sign:       sg,
		Connection: t.Connection,
		Timeout:    t.Timeout,
		Retry:      t.Retry,
	}, nil
}

// Request is an HTTP request to send.
type Request struct {
	Method  string  `json:"method"`
	URL     string  `json:"url"`
	Headers Headers `json:"headers,omitempty"` // in order, original spelling
	Body    []byte  `json:"body,omitempty"`
}

// RequestFrom is the request a captured event made, ready to be sent
// elsewhere: its method, headers without hop-by-hop ones, and body. URL is
// left for the caller (or Target.NewDelivery) to fill.
func RequestFrom(e *Event) Request {
	return Request{Method: e.Method, Headers: e.Headers.Relayable(), Body: e.Body}
}

// Signing is how a delivery is signed on each attempt.
type Signing struct {
	// Scheme is a scheme setting (see ParseScheme); "" sends without signing.
	Scheme string `json:"scheme,omitempty"`
	// Secret is the HMAC secret, or the private key for salesiq and discord.
	Secret string `json:"secret,omitempty"`
	// KeepOriginal sends the request's headers as they are, signature
	// included, to replay exactly what was received. No re-signing.
	KeepOriginal bool `json:"keep_original,omitempty"`
	// KeepID keeps a message id already in the headers (webhook-id, svix-id
	// or the hmac scheme's id header) instead of giving the delivery a new
	// one. Receivers drop duplicates by that id, so by default a resend gets
	// a fresh id; retries of one delivery always share it.
	KeepID bool `json:"keep_id,omitempty"`
}

// State is where a delivery stands.
type State string

// Delivery states.
const (
	Pending   State = "pending"   // an attempt is due or running
	Delivered State = "delivered" // a 2xx came back
	Failed    State = "failed"    // every attempt allowed failed
	Gone      State = "gone"      // the receiver answered 410: never again
	Cancelled State = "cancelled" // stopped by the user
)

// Delivery is one outgoing request with its ordered attempts.
type Delivery struct {
	ID        uint64    `json:"id"` // assigned by the store
	CreatedAt time.Time `json:"created_at"`
	EventID   uint64    `json:"event_id,omitempty"` // the captured event resent or forwarded; 0 for none
	TargetID  string    `json:"target_id,omitempty"`
	// Kind says where it came from: "send", "resend", "forward", "signal".
	Kind       string        `json:"kind,omitempty"`
	Request    Request       `json:"request"` // before signing and credentials
	Sign       Signing       `json:"sign"`
	Connection string        `json:"connection,omitempty"` // looked up on each attempt
	Timeout    time.Duration `json:"timeout,omitempty"`    // per attempt; 0 means DefaultTimeout
	Retry      RetryPolicy   `json:"retry"`

	State         State     `json:"state"`
	Attempts      []Attempt `json:"attempts,omitempty"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"` // set while pending
	Reason        string    `json:"reason,omitempty"`         // why it ended as it did
	// RoundStart is how many attempts came before the last manual retry:
	// the retry budget counts from there.
	RoundStart int `json:"round_start,omitempty"`
}

// Last is the latest attempt, or nil before the first.
func (d *Delivery) Last() *Attempt {
	if len(d.Attempts) == 0 {
		return nil
	}
	return &d.Attempts[len(d.Attempts)-1]
}

// Summary is what a list row shows.
func (d *Delivery) Summary() DeliverySummary {
	s := DeliverySummary{
		ID: d.ID, CreatedAt: d.CreatedAt, EventID: d.EventID, TargetID: d.TargetID, Kind: d.Kind,
		Method: d.Request.Method, URL: d.Request.URL, State: d.State, Attempts: len(d.Attempts),
		NextAttemptAt: d.NextAttemptAt, Reason: d.Reason,
	}
	if a := d.Last(); a != nil {
		s.LastStatus, s.LastError = a.Status, a.Error
	}
	return s
}

// Attempt is one try at sending a delivery.
type Attempt struct {
	At              time.Time     `json:"at"`
	Request         Request       `json:"request"` // as sent: signed, with credentials
	Status          int           `json:"status,omitempty"`
	ResponseHeaders Headers       `json:"response_headers,omitempty"`
	ResponseBody    []byte        `json:"response_body,omitempty"` // the first MaxResponseBody bytes
	ResponseSize    int64         `json:"response_size,omitempty"` // bytes read; more than len(ResponseBody) when cut
	Duration        time.Duration `json:"duration"`
	Error           string        `json:"error,omitempty"` // why no (complete) response came; "" when Status is the answer
}

// OK reports whether the attempt delivered.
func (a *Attempt) OK() bool { return a.Error == "" && a.Status >= 200 && a.Status < 300 }

// DeliverySummary is a delivery without bodies or attempts, for lists.
type DeliverySummary struct {
	ID            uint64
	CreatedAt     time.Time
	EventID       uint64
	TargetID      string
	Kind          string
	Method        string
	URL           string
	State         State
	Attempts      int
	LastStatus    int    // 0 when the last attempt got no response
	LastError     string // of the last attempt
	NextAttemptAt time.Time
	Reason        string
}

// DeliveryPage asks for deliveries, newest first.
type DeliveryPage struct {
	Offset   int
	Limit    int    // 0 means 100
	EventID  uint64 // only deliveries of this event; 0 any
	TargetID string // only deliveries to this target; "" any
	// Filter keeps only the deliveries it matches (ParseDeliveryFilter).
	Filter DeliveryFilter
}

// DeliveryStore keeps targets, connections and deliveries. *store.Store
// implements it.
type DeliveryStore interface {
	Target(id string) (Target, error) // wraps ErrNotFound
	Targets() ([]Target, error)       // sorted by name
	// PutTarget adds (t.ID "" gets a new id) or replaces a target.
	PutTarget(t *Target) error
	DeleteTarget(id string) error

	Connection(name string) (Connection, error) // wraps ErrNotFound
	Connections() ([]Connection, error)         // sorted by name
	PutConnection(c Connection) error
	DeleteConnection(name string) error

	// PutDelivery adds (d.ID 0 gets a new id) or replaces a delivery, and
	// keeps the queue of pending ones in step with d.State and d.NextAttemptAt.
	PutDelivery(d *Delivery) error
	Delivery(id uint64) (*Delivery, error)                // wraps ErrNotFound
	Deliveries(p DeliveryPage) ([]DeliverySummary, error) // newest first
	CountDeliveries() (int, error)
	DeleteDelivery(id uint64) error
	// LinkDelivery sets the event a stored delivery belongs to (a forward
	// made while its event waited for its id).
	LinkDelivery(id, eventID uint64) error
	// Due lists pending deliveries whose next attempt is at or before now,
	// soonest first, at most limit, leaving out those skip reports (nil
	// skips none). skip runs inside a read transaction: it must not call
	// the store.
	Due(now time.Time, limit int, skip func(id uint64) bool) ([]uint64, error)
	// NextDue is the earliest next attempt of any pending delivery skip
	// does not report; ok is false when there is none.
	NextDue(skip func(id uint64) bool) (at time.Time, ok bool, err error)
	// Failed lists the failed deliveries to a target, oldest first.
	Failed(targetID string) ([]uint64, error)
}

// CheckURL accepts absolute http and https URLs with a host: outgoing
// requests go only where the user points them, and nowhere else.
func CheckURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("URL %q is not valid: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("URL %q must start with http:// or https://", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("URL %q has no host: write it like http://127.0.0.1:3000/webhook", raw)
	}
	return nil
}

// Mask hides a secret for display, keeping enough to recognise it: a
// provider prefix such as "whsec_" and the last four characters, e.g.
// "whsec_••••••••3f9a". Short secrets show nothing; PEM keys show their type.
func Mask(s string) string {
	const dots = "••••••••"
	if s == "" {
		return ""
	}
	if strings.Contains(s, "-----BEGIN ") {
		typ := s[strings.Index(s, "-----BEGIN ")+len("-----BEGIN "):]
		typ, _, _ = strings.Cut(typ, "-----")
		return dots + " (" + typ + ")"
	}
	if len(s) < 12 {
		return dots
	}
	prefix := ""
	if i := strings.IndexAny(s, "_."); i > 0 && i <= 8 {
		prefix = s[:i+1]
	}
	return prefix + dots + s[len(s)-4:]
}

// Resend is a delivery of a captured event to url, unsigned and without
// retries until the caller sets Sign and Retry.
func Resend(e *Event, url string) *Delivery {
	r := RequestFrom(e)
	r.URL = url
	return &Delivery{EventID: e.ID, Kind: KindResend, Request: r}
}

// Resend is a delivery of a captured event to the target (see NewDelivery).
func (t Target) Resend(e *Event) (*Delivery, error) {
	d, err := t.NewDelivery(RequestFrom(e))
	if err != nil {
		return nil, err
	}
	d.EventID, d.Kind = e.ID, KindResend
	return d, nil
}

// DeliveryLine is a delivery as `hooklens send --json` and `hooklens deliveries
// --json` print it: no bodies, no secrets.
type DeliveryLine struct {
	ID            uint64        `json:"id"`
	CreatedAt     time.Time     `json:"created_at"`
	Kind          string        `json:"kind"`
	EventID       uint64        `json:"event_id,omitempty"`
	TargetID      string        `json:"target_id,omitempty"`
	Method        string        `json:"method"`
	URL           string        `json:"url"`
	State         State         `json:"state"`
	Reason        string        `json:"reason,omitempty"`
	NextAttemptAt *time.Time    `json:"next_attempt_at,omitempty"`
	Attempts      []AttemptLine `json:"attempts"`
}

// AttemptLine is one attempt in a DeliveryLine.
type AttemptLine struct {
	At         time.Time `json:"at"`
	Status     int       `json:"status"` // 0 when no response came
	Error      string    `json:"error,omitempty"`
	DurationMS float64   `json:"duration_ms"`
}

// Line is d for JSON output.
func (d *Delivery) Line() DeliveryLine {
	l := DeliveryLine{
		ID: d.ID, CreatedAt: d.CreatedAt, Kind: d.Kind, EventID: d.EventID, TargetID: d.TargetID,
		Method: d.Request.Method, URL: RedactURL(d.Request.URL), State: d.State, Reason: d.Reason,
		Attempts: make([]AttemptLine, 0, len(d.Attempts)),
	}
	if d.State == Pending && !d.NextAttemptAt.IsZero() {
		at := d.NextAttemptAt
		l.NextAttemptAt = &at
	}
	for _, a := range d.Attempts {
		l.Attempts = append(l.Attempts, AttemptLine{At: a.At, Status: a.Status, Error: a.Error,
			DurationMS: float64(a.Duration.Microseconds()) / 1000})
	}
	return l
}

// HopHeader counts how many Hooklens forwards a request has been through.
// Every forward sets it one higher than it arrived with; the listener refuses
// a request that arrives beyond MaxHops, so a forward that points back at a
// Hooklens (itself or another forwarding to it) stops at once.
const HopHeader = "X-Hooklens-Hops"

// MaxHops is how many Hooklens forwards a request may have been through
// when it arrives: one (a Hooklens forwarding to another is fine).
const MaxHops = 1

// Hops reads HopHeader from h: 0 when absent, MaxHops+1 when it is not a
// number (treated as a loop rather than trusted).
func Hops(h Headers) int {
	v := strings.TrimSpace(h.Get(HopHeader))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return MaxHops + 1
	}
	return n
}

// StateText says a delivery's state with its reason, the state only once:
// reasons usually start with it ("failed after 4 attempts: 502"), so those
// stand alone; others follow the state ("gone — the receiver answered 410").
func StateText(state State, reason string) string {
	switch {
	case reason == "":
		return string(state)
	case strings.HasPrefix(strings.ToLower(reason), string(state)):
		return reason
	}
	return string(state) + " — " + reason
}
