package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/ui"
)

// The window's Public URL control drives the assembly's tunnel through
// windowTunnel: an SSH remote forward to a real server becomes reachable,
// its status arrives through OnStatus, and Stop ends it.
func TestWindowTunnelOverSSH(t *testing.T) {
	h, err := OpenHooklens(Config{Data: shortDir(t), Addr: "127.0.0.1:0", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var tun ui.Tunnel = windowTunnel{h}
	statuses := make(chan tunnel.Status, 64)
	tun.OnStatus(func(st tunnel.Status) {
		select {
		case statuses <- st:
		default:
		}
	})

	sshAddr, keyFile, hostKey := sshTestServer(t)
	port := freePort(t)
	public := fmt.Sprintf("http://127.0.0.1:%d", port)
	s := tunnel.Settings{Provider: "ssh", Server: "hook@" + sshAddr, KeyFile: keyFile, HostKey: hostKey,
		RemoteHost: "127.0.0.1", RemotePort: port, PublicURL: public}
	if err := tun.Start(s, tunnel.Credentials{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(60 * time.Second)
	var seen []tunnel.State
	for reachable := false; !reachable; {
		select {
		case st := <-statuses:
			seen = append(seen, st.State)
			if st.State == tunnel.Failed {
				t.Fatalf("tunnel failed: %s", st)
			}
			reachable = st.State == tunnel.Reachable
		case <-deadline:
			t.Fatalf("not reachable in time; states %v", seen)
		}
	}
	if seen[0] != tunnel.Starting {
		t.Errorf("states %v: want starting first", seen)
	}
	if st := tun.Status(); st.State != tunnel.Reachable || st.PublicURL != public || st.Provider != "ssh" {
		t.Errorf("status %s", st)
	}
	tun.Stop()
	if st := tun.Status(); st.State != tunnel.Stopped {
		t.Errorf("after Stop: %s", st)
	}
	if h.PublicURL() != "" {
		t.Errorf("public URL %q after Stop", h.PublicURL())
	}
}

// A demo window keeps tunnel secrets in its own temporary data dir, in a
// 0600 file, never in the user's keyring.
func TestDemoWindowKeepsTunnelSecretsInItsDataDir(t *testing.T) {
	dir := shortDir(t)
	h, err := OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sec := windowSecrets(h, true)
	if err := tunnel.SaveCredentials(sec, tunnel.Credentials{ChiselAuth: "hook:s3cret"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, tunnel.SecretsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v, %v", fi, err)
	}
	c, err := tunnel.LoadCredentials(sec)
	if err != nil || c.ChiselAuth != "hook:s3cret" {
		t.Errorf("read back %v, %v", c, err)
	}
}
