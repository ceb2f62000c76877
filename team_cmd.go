package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/team"
	"github.com/hooklens/hooklens/store"
)

// TeamConfig is how the assembly publishes to a team stream.
type TeamConfig = team.Config

// startPublisher names this data directory (team.InstanceName), starts
// the publisher on st's outbox and wakes it after every commit.
func startPublisher(st *store.Store, cfg TeamConfig, logf func(string, ...any)) (*team.Publisher, error) {
	p, _, err := startPublisherWith(st, cfg, logf)
	return p, err
}

// startPublisherWith is startPublisher that also returns how to stop
// waking the publisher, for a window that stops publishing while it runs.
func startPublisherWith(st *store.Store, cfg TeamConfig, logf func(string, ...any)) (*team.Publisher, func(), error) {
	if cfg.Instance == "" {
		name, err := team.InstanceName(st)
		if err != nil {
			return nil, nil, err
		}
		cfg.Instance = name
	}
	if cfg.Logf == nil {
		cfg.Logf = logf
	}
	p, err := team.NewPublisher(st, cfg)
	if err != nil {
		return nil, nil, err
	}
	// Without an unsubscribe the subscription ends with the store's Close,
	// after the publisher's.
	unsub := st.Subscribe(func(*app.Event) { p.Notify() })
	p.Start()
	logf("team: publishing to %s, stream %s, as %s; %d waiting", cfg.Redacted(), streamName(cfg), cfg.Instance, p.Status().Waiting)
	return p, unsub, nil
}

func streamName(c TeamConfig) string {
	if c.Stream == "" {
		return team.DefaultStream
	}
	return c.Stream
}

// natsFlags are the flags that reach a NATS server: listen --publish and follow.
type natsFlags struct {
	stream, creds, user, password, tlsCA string
}

func addNATSFlags(c *commonFlags) *natsFlags {
	n := &natsFlags{}
	c.fs.StringVar(&n.stream, "stream", team.DefaultStream, "JetStream stream of the team's events (created if missing)")
	c.fs.StringVar(&n.creds, "creds", "", "NATS credentials file (JWT and seed)")
	c.fs.StringVar(&n.user, "user", "", "NATS user (with --password)")
	c.fs.StringVar(&n.password, "password", "", "NATS password (or set HOOKLENS_NATS_PASSWORD, which ps does not show)")
	c.fs.StringVar(&n.tlsCA, "tls-ca", "", "PEM file of the CA that signed the NATS server's certificate")
	return n
}

// config is the team config for url; a wrong combination is a usage error.
func (n *natsFlags) config(url string) (TeamConfig, error) {
	pw := n.password
	if pw == "" && n.user != "" {
		pw = os.Getenv("HOOKLENS_NATS_PASSWORD")
	}
	cfg := TeamConfig{URL: url, Stream: n.stream, Creds: n.creds, User: n.user, Password: pw, TLSCA: n.tlsCA}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, nil
}

// publishFlags are listen's --publish and the NATS flags.
type publishFlags struct {
	url string
	*natsFlags
}

func addPublishFlags(c *commonFlags) *publishFlags {
	p := &publishFlags{natsFlags: addNATSFlags(c)}
	c.fs.StringVar(&p.url, "publish", "", "publish every captured event to NATS JetStream at nats://HOST:4222 (see 'hooklens team serve')")
	return p
}

// config is nil without --publish.
func (p *publishFlags) config() (*TeamConfig, error) {
	if p.url == "" {
		if p.creds != "" || p.user != "" || p.password != "" || p.tlsCA != "" || p.stream != team.DefaultStream {
			return nil, fmt.Errorf("%w: --stream, --creds, --user, --password and --tls-ca need --publish nats://HOST:4222", errUsage)
		}
		return nil, nil
	}
	cfg, err := p.natsFlags.config(p.url)
	if err != nil {
		return nil, err
	}
	return &cfg, nil
}

// cmdTeam is `hooklens team serve`.
func cmdTeam(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "serve" {
		return fmt.Errorf("%w: hooklens team serve [--addr 127.0.0.1:4222] [--data DIR] [--user U --password P]", errUsage)
	}
	c := newFlags("team serve", stderr)
	addr := c.fs.String("addr", team.DefaultServeAddr, "address of the NATS server; beyond loopback only with a user and password (generated when not given)")
	user := c.fs.String("user", "", "user clients must give (with --password)")
	password := c.fs.String("password", "", "password clients must give (or set HOOKLENS_NATS_PASSWORD)")
	if err := c.parse(args[1:]); err != nil {
		return err
	}
	if *password == "" && *user != "" {
		*password = os.Getenv("HOOKLENS_NATS_PASSWORD")
	}
	dir, err := dataDir(c.data)
	if err != nil {
		return err
	}
	srv, err := team.Serve(team.ServeConfig{Addr: *addr, Dir: dir, User: *user, Password: *password})
	if err != nil {
		return err
	}
	defer srv.Close()
	url := srv.URL()
	if host, err := os.Hostname(); err == nil && (strings.Contains(url, "//0.0.0.0:") || strings.Contains(url, "//[::]:")) {
		url = strings.Replace(strings.Replace(url, "0.0.0.0", host, 1), "[::]", host, 1) // what others dial
	}
	fmt.Fprintf(stdout, "Team server on %s — JetStream data in %s. Press Ctrl+C to stop.\n", url, filepath.Join(dir, "nats"))
	switch {
	case srv.Generated:
		fmt.Fprintf(stdout, "Clients log in as user %s with password %s (shown once; kept in %s, owner only):\n", srv.User, srv.Password, srv.PasswordPath)
		fmt.Fprintf(stdout, "  hooklens listen --publish %s --user %s --password ...\n", url, srv.User)
	case srv.PasswordPath != "":
		fmt.Fprintf(stdout, "Clients log in as user %s with the password kept in %s.\n", srv.User, srv.PasswordPath)
	case srv.User != "":
		fmt.Fprintf(stdout, "Clients log in as user %s.\n", srv.User)
	default:
		fmt.Fprintf(stdout, "  hooklens listen --publish %s    hooklens follow %s\n", url, url)
	}
	ctx, stop := signalContext()
	defer stop()
	<-ctx.Done()
	return nil
}

var (
	_ team.Outbox   = (*store.Store)(nil)
	_ team.Importer = (*store.Store)(nil)
)
