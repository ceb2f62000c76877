package tunnel

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	chclient "github.com/jpillora/chisel/client"
	chshare "github.com/jpillora/chisel/share"
	"github.com/jpillora/chisel/share/ccrypto"
	"github.com/jpillora/chisel/share/cnet"
	"golang.org/x/crypto/ssh"
)

// Chisel is a reverse tunnel through the user's chisel server (started
// with --reverse): the server listens on RemotePort and carries each
// connection to the listener.
//
// chisel copies each connection both ways but closes both directions when
// one ends, so a sender that half-closes before reading the answer loses
// it; HTTP senders do not do that.
type Chisel struct {
	// Server is the chisel server's URL: https://chisel.example.com or
	// host:port (http assumed).
	Server string
	// Fingerprint is the server's key fingerprint as 'chisel server' prints
	// it at start ("Fingerprint 3Wv...="). Required: the server is pinned.
	Fingerprint string
	// Auth is user:pass, when the server asks for it.
	Auth string
	// RemoteHost and RemotePort are where the server listens; RemoteHost
	// defaults to 0.0.0.0. RemotePort is required.
	RemoteHost string
	RemotePort int
	// PublicURL is what the internet reaches that port at; default
	// http://<server host>:RemotePort.
	PublicURL string
	// MaxRetryInterval caps chisel's own backoff between reconnects
	// (default 30 s).
	MaxRetryInterval time.Duration
}

// Name is "chisel".
func (c *Chisel) Name() string { return "chisel" }

type chiselServer struct {
	ws       string // ws:// or wss:// URL with port
	hostport string
	host     string
	tls      bool
}

func parseChiselServer(s string) (chiselServer, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return chiselServer{}, errors.New("the chisel server is missing: give its URL, e.g. https://chisel.example.com or chisel.example.com:8080")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return chiselServer{}, fmt.Errorf("the chisel server %q cannot be read: give https://host[:port] or host:port", redact(s))
	}
	if u.User != nil {
		return chiselServer{}, errors.New("the chisel server URL must not carry a user name or password: put user:pass in the chisel auth setting")
	}
	cs := chiselServer{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "http", "ws":
		if port == "" {
			port = "80"
		}
		cs.ws = "ws://"
	case "https", "wss":
		if port == "" {
			port = "443"
		}
		cs.ws, cs.tls = "wss://", true
	default:
		return chiselServer{}, fmt.Errorf("the chisel server %s must be http(s)://host[:port]", u.Redacted())
	}
	cs.hostport = net.JoinHostPort(cs.host, port)
	cs.ws += cs.hostport + u.EscapedPath()
	return cs, nil
}

func normalizeFingerprint(f string) string {
	return strings.TrimPrefix(strings.TrimSpace(f), "SHA256:")
}

func (c *Chisel) check() (chiselServer, string, error) {
	cs, err := parseChiselServer(c.Server)
	if err != nil {
		return cs, "", permanent(err)
	}
	fp := normalizeFingerprint(c.Fingerprint)
	if fp == "" {
		return cs, "", permanent(errors.New("the chisel server's fingerprint is missing: 'chisel server' prints it at start (\"Fingerprint ...=\"); pass it with --tunnel-fingerprint"))
	}
	if c.RemotePort <= 0 || c.RemotePort > 65535 {
		return cs, "", permanent(errors.New("chisel needs the port the server should listen on (1-65535)"))
	}
	if c.Auth != "" && !strings.Contains(c.Auth, ":") {
		return cs, "", permanent(errors.New("the chisel auth must be user:pass"))
	}
	public := c.PublicURL
	if public == "" {
		public = "http://" + net.JoinHostPort(cs.host, strconv.Itoa(c.RemotePort))
	}
	u, err := ParsePublicURL(public)
	if err != nil {
		return cs, "", permanent(err)
	}
	return cs, u.String(), nil
}

// FingerprintError is a chisel server whose key is not the pinned one.
type FingerprintError struct {
	Server    string
	Got, Want string
}

func (e *FingerprintError) Error() string {
	return fmt.Sprintf("the chisel server %s has fingerprint %s, not the pinned %s: someone may be intercepting the connection, or the server's key changed (a server started without --key or --keyfile makes a new key each start); check what 'chisel server' printed and update the fingerprint",
		e.Server, e.Got, e.Want)
}

// preflight connects once by itself to say clearly what is wrong: server
// unreachable, fingerprint or credentials refused. The chisel client only
// logs those and retries.
func (c *Chisel) preflight(ctx context.Context, cs chiselServer, dial func(context.Context, string, string) (net.Conn, error)) error {
	d := websocket.Dialer{
		HandshakeTimeout: 15 * time.Second,
		Subprotocols:     []string{chshare.ProtocolVersion},
		NetDialContext:   dial,
	}
	if cs.tls {
		d.TLSClientConfig = &tls.Config{ServerName: cs.host}
	}
	ws, resp, err := d.DialContext(ctx, cs.ws, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("the chisel server %s answered %s instead of a tunnel: is it a chisel server (and the URL right)?", cs.hostport, statusText(resp.StatusCode))
		}
		return fmt.Errorf("cannot reach the chisel server %s: %v", cs.hostport, transportReason(err))
	}
	conn := cnet.NewWebSocketConn(ws)
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	want := normalizeFingerprint(c.Fingerprint)
	var fpErr *FingerprintError
	user, pass, _ := strings.Cut(c.Auth, ":")
	cfg := &ssh.ClientConfig{
		User:          user,
		Auth:          []ssh.AuthMethod{ssh.Password(pass)},
		ClientVersion: "SSH-" + chshare.ProtocolVersion + "-client",
		Timeout:       15 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if got := ccrypto.FingerprintKey(key); got != want {
				fpErr = &FingerprintError{Server: cs.hostport, Got: got, Want: want}
				return fpErr
			}
			return nil
		},
	}
	sc, _, _, err := ssh.NewClientConn(conn, "", cfg)
	if err != nil {
		switch {
		case fpErr != nil:
			return permanent(fpErr)
		case strings.Contains(err.Error(), "unable to authenticate"):
			return permanent(fmt.Errorf("the chisel server %s refused the credentials for user %q: check the chisel auth (user:pass)", cs.hostport, user))
		case ctx.Err() != nil:
			return fmt.Errorf("the chisel server %s did not complete the handshake in time: %w", cs.hostport, ctx.Err())
		}
		return fmt.Errorf("the chisel handshake with %s failed: %v", cs.hostport, err)
	}
	sc.Close()
	return nil
}

// Start checks the server by connecting once, then runs the chisel client,
// which retries without limit (with backoff) while the tunnel is up. It
// returns once the client's connection is established; when that
// connection later drops, the tunnel ends so the Supervisor can say so.
func (c *Chisel) Start(ctx context.Context, local Local) (Tunnel, error) {
	cs, public, err := c.check()
	if err != nil {
		return nil, err
	}
	var nd net.Dialer
	if err := c.preflight(ctx, cs, nd.DialContext); err != nil {
		return nil, err
	}
	lhost, lport, err := net.SplitHostPort(local.Addr)
	if err != nil {
		return nil, permanent(fmt.Errorf("the listener address %q is not host:port", local.Addr))
	}
	rhost := c.RemoteHost
	if rhost == "" {
		rhost = "0.0.0.0"
	}
	remote := fmt.Sprintf("R:%s:%d:%s:%s", rhost, c.RemotePort, lhost, lport)
	retry := c.MaxRetryInterval
	if retry <= 0 {
		retry = 30 * time.Second
	}

	connected := make(chan struct{})
	var connOnce sync.Once
	var tun *base
	var mu sync.Mutex
	var lastDialErr error
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := nd.DialContext(dctx, network, addr)
		if err != nil {
			mu.Lock()
			lastDialErr = err
			mu.Unlock()
			return nil, err
		}
		connOnce.Do(func() { close(connected) })
		return &watchConn{Conn: conn, onEnd: func(err error) {
			mu.Lock()
			t := tun
			mu.Unlock()
			if t != nil {
				// Not on chisel's reading goroutine: ending waits for it.
				go t.end(fmt.Errorf("the chisel connection to %s dropped: %v", cs.hostport, err))
			}
		}}, nil
	}
	cfg := &chclient.Config{
		Fingerprint:      normalizeFingerprint(c.Fingerprint),
		Auth:             c.Auth,
		KeepAlive:        25 * time.Second,
		MaxRetryCount:    -1, // unlimited
		MaxRetryInterval: retry,
		Server:           strings.Replace(strings.Replace(cs.ws, "wss://", "https://", 1), "ws://", "http://", 1),
		Remotes:          []string{remote},
		DialContext:      dial,
	}
	if cs.tls {
		cfg.TLS.ServerName = cs.host
	}
	client, err := chclient.NewClient(cfg)
	if err != nil {
		return nil, permanent(fmt.Errorf("the chisel settings are not valid: %v", err))
	}
	// chisel logs to stderr by itself; what matters is reported here instead.
	client.Logger.Info = false
	client.Logger.Debug = false
	runCtx, cancel := context.WithCancel(context.Background())
	if err := client.Start(runCtx); err != nil {
		cancel()
		return nil, fmt.Errorf("the chisel client did not start: %v", err)
	}
	waited := make(chan struct{})
	go func() {
		client.Wait()
		close(waited)
	}()
	mu.Lock()
	tun = newBase(public, func() error {
		cancel()
		client.Close()
		<-waited
		return nil
	})
	t := tun
	mu.Unlock()
	go func() {
		<-waited
		t.end(fmt.Errorf("the chisel client to %s stopped", cs.hostport))
	}()

	select {
	case <-connected:
		local.logf("chisel: connected to %s; the server listens on %s:%d for %s", cs.hostport, rhost, c.RemotePort, local.Addr)
		return t, nil
	case <-t.Done():
		err := t.Err()
		t.Close()
		return nil, err
	case <-ctx.Done():
		t.Close()
		mu.Lock()
		last := lastDialErr
		mu.Unlock()
		if last != nil {
			return nil, fmt.Errorf("cannot reach the chisel server %s: %v", cs.hostport, transportReason(last))
		}
		return nil, fmt.Errorf("the chisel server %s did not connect in time: %w", cs.hostport, ctx.Err())
	}
}

// watchConn reports the first read error: the link has dropped.
type watchConn struct {
	net.Conn
	once  sync.Once
	onEnd func(error)
}

func (w *watchConn) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	if err != nil {
		w.once.Do(func() { w.onEnd(err) })
	}
	return n, err
}
