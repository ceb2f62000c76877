package tunnel

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// SSH is a remote forward on the user's own SSH server: the server listens
// on RemoteAddr and every connection to it is carried to the listener.
type SSH struct {
	// Server is user@host[:port] (port 22 when left out).
	Server string
	// HostKey is the server's public key in authorized_keys form
	// ("ssh-ed25519 AAAA... comment"), or a known_hosts line. Required: the
	// key is pinned, never learnt on first use.
	HostKey string
	// KeyFile is a private key; Passphrase opens it when it is encrypted.
	// When empty, or besides it, the SSH agent at $SSH_AUTH_SOCK is used.
	KeyFile    string
	Passphrase string
	// RemoteAddr is where the server listens, default "0.0.0.0:0"
	// (any port the server picks). OpenSSH binds non-loopback addresses
	// only with GatewayPorts yes (or clientspecified).
	RemoteAddr string
	// PublicURL is what the internet reaches that port at (say, a reverse
	// proxy in front of it). When empty: http://host:<bound port>.
	PublicURL string
	// KeepAlive is how often the server is asked whether it is still there,
	// default 15 s; a missed answer ends the tunnel.
	KeepAlive time.Duration
	// AgentSocket overrides $SSH_AUTH_SOCK.
	AgentSocket string
}

// Name is "ssh".
func (s *SSH) Name() string { return "ssh" }

type sshTarget struct{ user, host, port string }

func parseSSHServer(s string) (sshTarget, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "ssh://")
	at := strings.LastIndex(s, "@")
	if at <= 0 {
		return sshTarget{}, fmt.Errorf("ssh server %q must be user@host[:port], e.g. hooklens@tunnel.example.com:22", s)
	}
	t := sshTarget{user: s[:at], port: "22"}
	hp := s[at+1:]
	if h, p, err := net.SplitHostPort(hp); err == nil {
		t.host, t.port = h, p
	} else {
		t.host = strings.Trim(hp, "[]")
	}
	if t.host == "" {
		return sshTarget{}, fmt.Errorf("ssh server %q has no host: use user@host[:port]", s)
	}
	if n, err := parsePort(t.port); err != nil || n == 0 {
		return sshTarget{}, fmt.Errorf("ssh server %q has a bad port %q: use 1-65535", s, t.port)
	}
	return t, nil
}

// ParseHostKey reads a public key in authorized_keys form or a known_hosts line.
func ParseHostKey(s string) (ssh.PublicKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("the ssh server's host key is missing: pass it in authorized_keys form, e.g. the output of 'ssh-keyscan -t ed25519 HOST' without the host name, or the server's /etc/ssh/ssh_host_ed25519_key.pub")
	}
	if k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s)); err == nil {
		return k, nil
	}
	if _, _, k, _, _, err := ssh.ParseKnownHosts([]byte(s)); err == nil {
		return k, nil
	}
	return nil, errors.New("the ssh host key cannot be read: give it in authorized_keys form (\"ssh-ed25519 AAAA...\") as printed by ssh-keyscan or found in /etc/ssh/ssh_host_*_key.pub")
}

func (s *SSH) config() (sshTarget, *ssh.ClientConfig, func(), error) {
	t, err := parseSSHServer(s.Server)
	if err != nil {
		return t, nil, nil, permanent(err)
	}
	want, err := ParseHostKey(s.HostKey)
	if err != nil {
		return t, nil, nil, permanent(err)
	}
	var auths []ssh.AuthMethod
	cleanup := func() {}
	if s.KeyFile != "" {
		signer, err := loadKey(s.KeyFile, s.Passphrase)
		if err != nil {
			return t, nil, nil, permanent(err)
		}
		auths = append(auths, ssh.PublicKeys(signer))
	}
	sock := s.AgentSocket
	if sock == "" {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if sock != "" {
		if c, err := net.Dial("unix", sock); err == nil {
			ag := agent.NewClient(c)
			auths = append(auths, ssh.PublicKeysCallback(ag.Signers))
			cleanup = func() { c.Close() }
		} else if s.KeyFile == "" {
			return t, nil, nil, fmt.Errorf("cannot reach the ssh agent at %s (%v): start it or pass a private key file", sock, err)
		}
	}
	if len(auths) == 0 {
		return t, nil, nil, permanent(errors.New("ssh needs a private key file or a running ssh agent (SSH_AUTH_SOCK): pass --tunnel-key FILE"))
	}
	hostport := net.JoinHostPort(t.host, t.port)
	cfg := &ssh.ClientConfig{
		User:    t.user,
		Auth:    auths,
		Timeout: 15 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, got ssh.PublicKey) error {
			if got.Type() == want.Type() && bytes.Equal(got.Marshal(), want.Marshal()) {
				return nil
			}
			return permanent(&HostKeyError{Server: hostport, Got: got, Want: want})
		},
		HostKeyAlgorithms: []string{want.Type()},
	}
	if want.Type() == ssh.KeyAlgoRSA {
		cfg.HostKeyAlgorithms = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return t, cfg, cleanup, nil
}

// HostKeyError is a server that presented a key other than the pinned one.
type HostKeyError struct {
	Server    string
	Got, Want ssh.PublicKey
}

func (e *HostKeyError) Error() string {
	return fmt.Sprintf("the ssh server %s presented host key %s %s, not the pinned %s %s: someone may be intercepting the connection, or the server's key changed; check the key on the server and update the pinned host key",
		e.Server, e.Got.Type(), ssh.FingerprintSHA256(e.Got), e.Want.Type(), ssh.FingerprintSHA256(e.Want))
}

func loadKey(path, passphrase string) (ssh.Signer, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the ssh key %s: %w", path, err)
	}
	var signer ssh.Signer
	if passphrase != "" {
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase))
	} else {
		signer, err = ssh.ParsePrivateKey(pem)
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, fmt.Errorf("the ssh key %s is encrypted: set its passphrase in the tunnel settings", path)
	case errors.Is(err, x509.IncorrectPasswordError):
		return nil, fmt.Errorf("the passphrase for the ssh key %s is wrong", path)
	case err != nil:
		return nil, fmt.Errorf("the ssh key %s cannot be read (%v): give an OpenSSH or PEM private key", path, err)
	}
	return signer, nil
}

// Start connects, asks the server to listen and carries each connection
// to local.Addr.
func (s *SSH) Start(ctx context.Context, local Local) (Tunnel, error) {
	t, cfg, cleanup, err := s.config()
	if err != nil {
		return nil, err
	}
	hostport := net.JoinHostPort(t.host, t.port)
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("cannot reach the ssh server %s: %w", hostport, err)
	}
	// The handshake and the listen request obey ctx.
	stopWatch := context.AfterFunc(ctx, func() { raw.Close() })
	cc, chans, reqs, err := ssh.NewClientConn(raw, hostport, cfg)
	if err != nil {
		stopWatch()
		raw.Close()
		cleanup()
		var hk *HostKeyError
		if errors.As(err, &hk) {
			return nil, permanent(hk)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the ssh server %s did not complete the handshake in time: %w", hostport, ctx.Err())
		}
		if strings.Contains(err.Error(), "unable to authenticate") {
			return nil, permanent(fmt.Errorf("the ssh server %s refused the key for user %s: add its public key to ~%s/.ssh/authorized_keys on the server", hostport, t.user, t.user))
		}
		return nil, fmt.Errorf("ssh handshake with %s failed: %w", hostport, err)
	}
	client := ssh.NewClient(cc, chans, reqs)
	remote := s.RemoteAddr
	if remote == "" {
		remote = "0.0.0.0:0"
	}
	ln, err := client.Listen("tcp", remote)
	stopWatch()
	if err != nil {
		client.Close()
		cleanup()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the ssh server %s did not answer the forward request in time: %w", hostport, ctx.Err())
		}
		return nil, fmt.Errorf("the ssh server %s refused to listen on %s (%v): allow remote forwarding (AllowTcpForwarding yes, and GatewayPorts for a public address) or choose another port", hostport, remote, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	public := s.PublicURL
	if public == "" {
		public = "http://" + net.JoinHostPort(t.host, strconv.Itoa(port))
	}
	u, err := ParsePublicURL(public)
	if err != nil {
		ln.Close()
		client.Close()
		cleanup()
		return nil, permanent(err)
	}
	local.logf("ssh: %s listens on port %d for %s", hostport, port, local.Addr)

	tun := newBase(u.String(), func() error {
		ln.Close()
		err := client.Close()
		cleanup()
		return ignoreClosed(err)
	})
	go func() {
		err := serveOrForward(ln, local)
		tun.end(fmt.Errorf("the ssh server %s stopped forwarding: %v", hostport, err))
	}()
	go func() {
		err := client.Wait()
		reason := "the connection closed"
		if err != nil {
			reason = err.Error()
		}
		tun.end(fmt.Errorf("the ssh connection to %s dropped: %s", hostport, reason))
	}()
	go s.keepAlive(client, tun, hostport)
	return tun, nil
}

func (s *SSH) keepAlive(c *ssh.Client, tun *base, hostport string) {
	every := s.KeepAlive
	if every <= 0 {
		every = 15 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tun.Done():
			return
		case <-tick.C:
		}
		answered := make(chan error, 1)
		go func() {
			_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
			answered <- err
		}()
		select {
		case err := <-answered:
			if err != nil {
				tun.end(fmt.Errorf("the ssh connection to %s dropped: %v", hostport, err))
				return
			}
		case <-time.After(2 * every):
			tun.end(fmt.Errorf("the ssh server %s stopped answering (no keepalive reply in %s): the network may be down or the laptop slept", hostport, app.FormatDuration(2*every)))
			return
		case <-tun.Done():
			return
		}
	}
}

func ignoreClosed(err error) error {
	if err == nil || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "use of closed network connection") {
		return nil
	}
	return err
}
