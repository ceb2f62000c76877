package tunnel

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Providers are the provider names New accepts.
var Providers = []string{"manual", "ngrok", "cloudflared", "ssh", "chisel"}

// Settings are the chosen provider and its settings. They hold no secrets
// and can be kept as JSON (window preferences, the settings bucket).
type Settings struct {
	Provider    string `json:"provider"`              // one of Providers
	PublicURL   string `json:"public_url,omitempty"`  // manual; ssh and chisel: the URL in front of the remote port
	Domain      string `json:"domain,omitempty"`      // ngrok: reserved domain
	Cloudflared string `json:"cloudflared,omitempty"` // cloudflared: program path (default: on PATH)
	Server      string `json:"server,omitempty"`      // ssh: user@host:port; chisel: server URL
	KeyFile     string `json:"key_file,omitempty"`    // ssh: private key file (else the agent)
	HostKey     string `json:"host_key,omitempty"`    // ssh: server key, authorized_keys form
	Fingerprint string `json:"fingerprint,omitempty"` // chisel: server fingerprint
	RemoteHost  string `json:"remote_host,omitempty"` // ssh, chisel: address the server listens on (default 0.0.0.0)
	RemotePort  int    `json:"remote_port,omitempty"` // ssh (0: server picks), chisel (required)
}

// Credentials are the secrets a provider needs. They are kept in Secrets,
// never in Settings, logs or exports.
type Credentials struct {
	NgrokAuthtoken string
	ChiselAuth     string // user:pass
	KeyPassphrase  string
}

// String hides the values, so a stray %v prints nothing secret.
func (c Credentials) String() string {
	set := func(s string) string {
		if s == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("{ngrok authtoken %s, chisel auth %s, key passphrase %s}", set(c.NgrokAuthtoken), set(c.ChiselAuth), set(c.KeyPassphrase))
}

// GoString hides the values from %#v too.
func (c Credentials) GoString() string { return c.String() }

// LoadCredentials reads every tunnel secret from s.
func LoadCredentials(s Secrets) (Credentials, error) {
	var c Credentials
	for _, f := range []struct {
		name string
		dst  *string
	}{{SecretNgrokAuthtoken, &c.NgrokAuthtoken}, {SecretChiselAuth, &c.ChiselAuth}, {SecretKeyPassphrase, &c.KeyPassphrase}} {
		v, err := s.Get(f.name)
		if err != nil {
			return Credentials{}, err
		}
		*f.dst = v
	}
	return c, nil
}

// SaveCredentials stores every tunnel secret in s; empty ones are deleted.
func SaveCredentials(s Secrets, c Credentials) error {
	for name, v := range map[string]string{SecretNgrokAuthtoken: c.NgrokAuthtoken, SecretChiselAuth: c.ChiselAuth, SecretKeyPassphrase: c.KeyPassphrase} {
		if err := s.Set(name, v); err != nil {
			return err
		}
	}
	return nil
}

// New makes the provider s names, checking its settings without
// connecting anywhere. An empty ngrok authtoken falls back to
// $NGROK_AUTHTOKEN.
func New(s Settings, c Credentials) (Provider, error) {
	name := strings.ToLower(strings.TrimSpace(s.Provider))
	switch name {
	case "manual":
		if _, err := ParsePublicURL(s.PublicURL); err != nil {
			return nil, fmt.Errorf("manual tunnel: %w", err)
		}
		return &Manual{URL: s.PublicURL}, nil
	case "ngrok":
		tok := c.NgrokAuthtoken
		if tok == "" {
			tok = os.Getenv("NGROK_AUTHTOKEN")
		}
		if strings.TrimSpace(tok) == "" {
			return nil, errors.New("ngrok needs an authtoken: copy yours from https://dashboard.ngrok.com/get-started/your-authtoken into the tunnel settings (or set NGROK_AUTHTOKEN)")
		}
		if strings.ContainsAny(s.Domain, " /?#@") && !strings.HasPrefix(s.Domain, "https://") {
			return nil, fmt.Errorf("ngrok domain %q is not a host name: give it as hooks.example.ngrok.app", s.Domain)
		}
		return &Ngrok{Authtoken: tok, Domain: strings.TrimSpace(s.Domain)}, nil
	case "cloudflared":
		return &Cloudflared{Path: s.Cloudflared}, nil
	case "ssh":
		p := &SSH{Server: s.Server, HostKey: s.HostKey, KeyFile: s.KeyFile, Passphrase: c.KeyPassphrase, PublicURL: s.PublicURL}
		host := s.RemoteHost
		if host == "" {
			host = "0.0.0.0"
		}
		if s.RemotePort < 0 || s.RemotePort > 65535 {
			return nil, fmt.Errorf("ssh tunnel: remote port %d is not 0-65535", s.RemotePort)
		}
		p.RemoteAddr = net.JoinHostPort(host, strconv.Itoa(s.RemotePort))
		if _, err := parseSSHServer(s.Server); err != nil {
			return nil, fmt.Errorf("ssh tunnel: %w", err)
		}
		if _, err := ParseHostKey(s.HostKey); err != nil {
			return nil, fmt.Errorf("ssh tunnel: %w", err)
		}
		if s.KeyFile == "" && os.Getenv("SSH_AUTH_SOCK") == "" {
			return nil, errors.New("ssh tunnel: give a private key file (--tunnel-key FILE) or run an ssh agent")
		}
		if s.PublicURL != "" {
			if _, err := ParsePublicURL(s.PublicURL); err != nil {
				return nil, fmt.Errorf("ssh tunnel: %w", err)
			}
		}
		return p, nil
	case "chisel":
		p := &Chisel{Server: s.Server, Fingerprint: s.Fingerprint, Auth: c.ChiselAuth, RemoteHost: s.RemoteHost, RemotePort: s.RemotePort, PublicURL: s.PublicURL}
		if _, _, err := p.check(); err != nil {
			return nil, fmt.Errorf("chisel tunnel: %w", err)
		}
		return p, nil
	case "":
		return nil, fmt.Errorf("no tunnel provider chosen: choose one of %s", strings.Join(Providers, ", "))
	}
	return nil, fmt.Errorf("unknown tunnel provider %q: choose one of %s", s.Provider, strings.Join(Providers, ", "))
}
