package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/api"
	"github.com/hooklens/hooklens/app/tunnel"
)

// tunnelFlags are listen's public-URL flags.
type tunnelFlags struct {
	s    tunnel.Settings
	auth string
}

func addTunnelFlags(c *commonFlags) *tunnelFlags {
	t := &tunnelFlags{}
	c.fs.StringVar(&t.s.Provider, "tunnel", "", "give the listener a public URL: "+strings.Join(tunnel.Providers, ", "))
	c.fs.StringVar(&t.s.PublicURL, "public-url", "", "manual: your own reverse proxy's URL; ssh, chisel: the URL in front of the remote port")
	c.fs.StringVar(&t.s.Server, "tunnel-server", "", "ssh: user@host:port; chisel: the chisel server's URL")
	c.fs.StringVar(&t.s.KeyFile, "tunnel-key", "", "ssh: private key file (default: the SSH agent)")
	c.fs.StringVar(&t.s.HostKey, "tunnel-host-key", "", "ssh: the server's public key, in authorized_keys form (pinned)")
	c.fs.StringVar(&t.auth, "tunnel-auth", "", "chisel: user:password (saved in the system keyring, or a 0600 file, for next time)")
	c.fs.StringVar(&t.s.Fingerprint, "tunnel-fingerprint", "", "chisel: the server's fingerprint (pinned)")
	c.fs.IntVar(&t.s.RemotePort, "tunnel-port", 0, "ssh, chisel: the port the server listens on for us")
	c.fs.StringVar(&t.s.RemoteHost, "tunnel-bind", "", "ssh, chisel: the address the server listens on for us (default 0.0.0.0)")
	c.fs.StringVar(&t.s.Domain, "tunnel-domain", "", "ngrok: your reserved domain (token from NGROK_AUTHTOKEN or saved)")
	c.fs.StringVar(&t.s.Cloudflared, "cloudflared", "", "cloudflared: the program's path (default: on PATH)")
	return t
}

// config is the tunnel to start, nil when none was asked for. Secrets come
// from the flag, else from the data dir's secret store.
func (t *tunnelFlags) config(dataDirFlag string) (*TunnelConfig, error) {
	if t.s.Provider == "" {
		if t.s.PublicURL != "" || t.s.Server != "" || t.auth != "" || t.s.Domain != "" {
			return nil, fmt.Errorf("%w: the tunnel flags need --tunnel PROVIDER (%s)", errUsage, strings.Join(tunnel.Providers, ", "))
		}
		return nil, nil
	}
	dir, err := dataDir(dataDirFlag)
	if err != nil {
		return nil, err
	}
	secrets := tunnel.OpenSecrets(dir)
	creds, err := tunnel.LoadCredentials(secrets)
	if err != nil {
		return nil, err
	}
	if t.auth != "" {
		creds.ChiselAuth = t.auth
		if err := tunnel.SaveCredentials(secrets, creds); err != nil {
			return nil, err
		}
	}
	if _, err := tunnel.New(t.s, creds); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return &TunnelConfig{Settings: t.s, Credentials: creds}, nil
}

// tunnelLine is listen's line about the public URL.
type tunnelLine struct {
	Public    string `json:"public"`
	Provider  string `json:"provider"`
	Reachable bool   `json:"reachable"`
	State     string `json:"state"`
	Reason    string `json:"reason,omitempty"`
	RTTMS     int64  `json:"rtt_ms,omitempty"`
}

// printTunnel prints a line whenever the tunnel's state, URL or reason
// changes (not on every passing probe).
func printTunnel(out io.Writer, asJSON bool) func(tunnel.Status) {
	var mu sync.Mutex
	var last string
	return func(st tunnel.Status) {
		key := string(st.State) + "|" + st.PublicURL + "|" + st.Reason
		mu.Lock()
		defer mu.Unlock()
		if key == last {
			return
		}
		last = key
		if asJSON {
			b, _ := json.Marshal(tunnelLine{Public: st.PublicURL, Provider: st.Provider, Reachable: st.State == tunnel.Reachable,
				State: string(st.State), Reason: st.Reason, RTTMS: st.RTT.Milliseconds()})
			out.Write(append(b, '\n'))
			return
		}
		fmt.Fprintf(out, "tunnel: %s\n", st)
	}
}

// cmdTunnel runs `hooklens tunnel check URL`: one probe, exit 0 only when
// its nonce arrived at this Hooklens's listener.
func cmdTunnel(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: use 'hooklens tunnel check URL'", errUsage)
	}
	c := newFlags("tunnel check", stderr)
	addr := c.fs.String("addr", defaultAddr, "when no Hooklens runs on the data dir, listen here for the probe")
	timeout := c.fs.Duration("timeout", 15*time.Second, "give up after this long")
	asJSON := c.fs.Bool("json", false, "print the result as JSON")
	rest := args[1:]
	var url string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		url, rest = rest[0], rest[1:]
	}
	if err := c.parse(rest); err != nil {
		return err
	}
	if url == "" {
		return fmt.Errorf("%w: give the public URL to check: hooklens tunnel check https://example.ngrok.app", errUsage)
	}
	if _, err := tunnel.ParsePublicURL(url); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, stop := signalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	dir, err := dataDir(c.data)
	if err != nil {
		return err
	}
	var res tunnel.Result
	if cl, err := api.Dial(dir); err == nil {
		if res, err = cl.CheckTunnel(ctx, url); err != nil {
			return usageOf(err)
		}
	} else if res, err = tunnel.CheckAt(ctx, *addr, url); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(tunnelLine{Public: res.URL, Reachable: res.Reachable, Reason: res.Reason, RTTMS: res.RTT.Milliseconds()})
	} else if res.Reachable {
		fmt.Fprintf(stdout, "reachable: %s leads to this Hooklens (round trip %s)\n", res.URL, app.FormatDuration(res.RTT))
		for _, q := range tunnel.Quirks(url) {
			fmt.Fprintln(stdout, "note:", q)
		}
	} else {
		fmt.Fprintf(stdout, "not reachable: %s\n", res.Reason)
	}
	if !res.Reachable {
		return errQuiet
	}
	return nil
}
