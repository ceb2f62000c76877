// Package team shares captured events beyond one laptop through NATS
// JetStream: a Publisher sends every event a Hooklens captures (from the
// store's durable outbox, so nothing is lost while NATS is down), a
// Follower imports them into another Hooklens's store, and Serve runs an
// embedded NATS server for a small team. Only events are published: never
// endpoint secrets, target credentials or private keys.
package team

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
)

// Stream defaults, used when the publisher or a follower creates the
// stream because it is missing. An existing stream is used as it is.
const (
	DefaultStream     = "HOOKLENS"
	SubjectPrefix     = "hooklens.events."
	DefaultMaxAge     = 7 * 24 * time.Hour
	DefaultMaxBytes   = 1 << 30 // 1 GiB
	DefaultDuplicates = 10 * time.Minute
)

// Config is how to reach NATS and which stream to use.
type Config struct {
	URL      string // nats://HOST:4222 (a comma-separated list for a cluster)
	Stream   string // "" is DefaultStream
	Creds    string // a NATS credentials file (JWT and nkey seed)
	User     string
	Password string
	TLSCA    string // a PEM file of CAs to trust for tls:// servers
	// Instance names this Hooklens in subjects and message ids; it must be
	// a subject token (see InstanceName). The publisher needs it.
	Instance string
	// MaxAge, MaxBytes and Replicas are the stream's limits when it is
	// created here; 0 is DefaultMaxAge, DefaultMaxBytes and 1.
	MaxAge   time.Duration
	MaxBytes int64
	Replicas int
	Logf     func(format string, args ...any)
}

func (c Config) stream() string {
	if c.Stream == "" {
		return DefaultStream
	}
	return c.Stream
}

func (c Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// Redacted is the server URL without any password, for messages.
func (c Config) Redacted() string {
	parts := strings.Split(c.URL, ",")
	for i, p := range parts {
		parts[i] = app.RedactURL(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

// Validate checks c before anything connects.
func (c Config) Validate() error {
	if strings.TrimSpace(c.URL) == "" {
		return errors.New("no NATS server given: pass nats://HOST:4222")
	}
	for _, u := range strings.Split(c.URL, ",") {
		u = strings.TrimSpace(u)
		scheme, _, ok := strings.Cut(u, "://")
		if !ok || (scheme != "nats" && scheme != "tls") {
			return fmt.Errorf("NATS server %q must look like nats://HOST:4222 (or tls://HOST:4222)", app.RedactURL(u))
		}
	}
	if c.Creds != "" && (c.User != "" || c.Password != "") {
		return errors.New("give either a credentials file or a user and password, not both")
	}
	if (c.User == "") != (c.Password == "") {
		return errors.New("a NATS user needs a password and a password needs a user: pass both")
	}
	if c.Stream != "" && !validToken(c.Stream) {
		return fmt.Errorf("stream name %q must be letters, digits, '-' or '_'", c.Stream)
	}
	if c.Instance != "" && !validToken(c.Instance) {
		return fmt.Errorf("instance name %q must be letters, digits, '-' or '_'", c.Instance)
	}
	return nil
}

// connect opens a connection that keeps reconnecting for ever: capture
// never depends on NATS being up.
func (c Config) connect(name string, onChange func(connected bool, err error)) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.RetryOnFailedConnect(true),
		nats.Timeout(3 * time.Second),
		nats.ConnectHandler(func(*nats.Conn) { onChange(true, nil) }),
		nats.ReconnectHandler(func(*nats.Conn) { onChange(true, nil) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err == nil {
				err = errors.New("connection closed")
			}
			onChange(false, err)
		}),
	}
	if c.Creds != "" {
		if _, err := os.Stat(c.Creds); err != nil {
			return nil, fmt.Errorf("cannot read the NATS credentials file: check --creds: %w", err)
		}
		opts = append(opts, nats.UserCredentials(c.Creds))
	}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.TLSCA != "" {
		pem, err := os.ReadFile(c.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("cannot read the CA file: check --tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate: pass the CA that signed the NATS server's certificate", c.TLSCA)
		}
		opts = append(opts, nats.Secure(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	}
	nc, err := nats.Connect(c.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to NATS at %s: %w", c.Redacted(), err)
	}
	return nc, nil
}

// ensureStream returns the stream, creating it with the configured limits
// when it does not exist.
func (c Config) ensureStream(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, c.stream())
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("looking up stream %s: %w", c.stream(), err)
	}
	cfg := jetstream.StreamConfig{
		Name:        c.stream(),
		Description: "Hooklens captured events",
		Subjects:    []string{SubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      orDefault(c.MaxAge, DefaultMaxAge),
		MaxBytes:    orDefault(c.MaxBytes, DefaultMaxBytes),
		Duplicates:  DefaultDuplicates,
		Replicas:    max(c.Replicas, 1),
	}
	s, err = js.CreateStream(ctx, cfg)
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return js.Stream(ctx, c.stream()) // another Hooklens created it meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("creating stream %s (subjects %s>): check that the server runs JetStream and that no other stream takes these subjects: %w", c.stream(), SubjectPrefix, err)
	}
	c.logf("team: created stream %s (file storage, max age %s, max %s)", c.stream(), app.FormatDuration(cfg.MaxAge), app.HumanSize(cfg.MaxBytes))
	return s, nil
}

func orDefault[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}

// validToken reports whether s can be one subject token and a consumer name.
func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// token makes s usable as one subject token: anything but letters,
// digits, '-' and '_' becomes '_'.
func token(s string) string {
	if s == "" {
		return "_"
	}
	b := []byte(s)
	for i, c := range b {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Subject is where an event of instance is published:
// hooklens.events.<instance>.<endpoint or _>.
func Subject(instance string, e *app.Event) string {
	return SubjectPrefix + token(instance) + "." + token(e.Endpoint)
}

// MsgID is the event's Nats-Msg-Id: <instance>:<event id>, so JetStream
// drops a message published twice (after a crash before the outbox was
// cleared).
func MsgID(instance string, e *app.Event) string { return instance + ":" + e.IDString() }

// settingInstance is the setting that keeps this data directory's name.
const settingInstance = "team.instance"

// InstanceName is the name this data directory publishes under: kept in
// the settings, first made from the host name and 4 random bytes so two
// Hooklens on one machine never share message ids.
func InstanceName(st app.SettingStore) (string, error) {
	if v, err := st.Setting(settingInstance); err == nil && validToken(v) {
		return v, nil
	} else if err != nil && !errors.Is(err, app.ErrNotFound) {
		return "", fmt.Errorf("reading the team instance name: %w", err)
	}
	host, _ := os.Hostname()
	host, _, _ = strings.Cut(host, ".")
	if host = token(host); host == "_" || len(host) > 40 {
		host = "hooklens"
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	name := host + "-" + hex.EncodeToString(b[:])
	if err := st.SetSetting(settingInstance, name); err != nil {
		return "", fmt.Errorf("saving the team instance name: %w", err)
	}
	return name, nil
}

// Message is what is published for one event: the lossless JSON line of
// `hooklens events --json` (headers in wire order, body in base64,
// verdict, the status answered, the endpoint) plus what a follower needs
// to judge it again.
type Message struct {
	exchange.EventLine
	Instance       string `json:"instance"`
	Host           string `json:"host,omitempty"`
	Proto          string `json:"proto,omitempty"`
	VerdictDetails string `json:"verdict_details,omitempty"`
	// Raw holds, only when one is not valid UTF-8 (which a JSON string
	// cannot carry), the exact bytes of the path, query and headers.
	Raw *RawFields `json:"raw,omitempty"`
}

// RawFields are request fields as bytes (base64 in JSON).
type RawFields struct {
	Path    []byte      `json:"path"`
	Query   []byte      `json:"query,omitempty"`
	Headers [][2][]byte `json:"headers"`
}

// NewMessage is the message for e captured by instance.
func NewMessage(instance string, e *app.Event) Message {
	m := Message{
		EventLine: exchange.NewEventLine(e, true),
		Instance:  instance,
		Host:      e.Host, Proto: e.Proto, VerdictDetails: e.Verdict.Details,
	}
	clean := utf8.ValidString(e.Path) && utf8.ValidString(e.Query)
	for _, h := range e.Headers {
		clean = clean && utf8.ValidString(h.Name) && utf8.ValidString(h.Value)
	}
	if !clean {
		r := &RawFields{Path: []byte(e.Path), Query: []byte(e.Query), Headers: make([][2][]byte, len(e.Headers))}
		for i, h := range e.Headers {
			r.Headers[i] = [2][]byte{[]byte(h.Name), []byte(h.Value)}
		}
		m.Raw = r
	}
	return m
}

// Event is the message as an event to import: no local id, its Origin
// "team:<instance>:<remote id>".
func (m Message) Event() (*app.Event, error) {
	if !validToken(m.Instance) || m.ID == "" {
		return nil, fmt.Errorf("team message without an instance and an event id: not sent by Hooklens")
	}
	e, err := m.EventLine.Event()
	if err != nil {
		return nil, err
	}
	e.Origin = app.TeamOrigin(m.Instance, e.ID)
	e.ID = 0
	e.Host, e.Proto, e.Verdict.Details = m.Host, m.Proto, m.VerdictDetails
	if r := m.Raw; r != nil {
		e.Path, e.Query = string(r.Path), string(r.Query)
		e.Headers = make(app.Headers, len(r.Headers))
		for i, h := range r.Headers {
			e.Headers[i] = app.Header{Name: string(h[0]), Value: string(h[1])}
		}
	}
	return e, nil
}

func encode(instance string, e *app.Event) ([]byte, error) {
	return json.Marshal(NewMessage(instance, e))
}

func decode(b []byte) (*app.Event, error) {
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("team message is not JSON: %w", err)
	}
	return m.Event()
}
