package tunnel

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gssh "github.com/gliderlabs/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

type sshKeys struct {
	host       ssh.Signer
	client     ssh.Signer
	keyFile    string // the client's private key, OpenSSH form
	hostPublic string // authorized_keys form
}

func newSigner(t *testing.T) (ssh.Signer, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, priv
}

func newSSHKeys(t *testing.T, passphrase string) sshKeys {
	t.Helper()
	host, _ := newSigner(t)
	client, priv := newSigner(t)
	var block *pem.Block
	var err error
	if passphrase != "" {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test key", []byte(passphrase))
	} else {
		block, err = ssh.MarshalPrivateKey(priv, "test key")
	}
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return sshKeys{host: host, client: client, keyFile: file,
		hostPublic: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(host.PublicKey()))) + " root@tunnel-test"}
}

// sshServer is a real SSH server allowing remote (tcpip-forward) forwards,
// for the client key only.
type sshServer struct {
	srv  *gssh.Server
	addr string
	done chan struct{}
}

func startSSHServer(t *testing.T, addr string, keys sshKeys) *sshServer {
	t.Helper()
	fwd := &gssh.ForwardedTCPHandler{}
	srv := &gssh.Server{
		Handler: func(s gssh.Session) { io.WriteString(s, "no shell here\n") },
		PublicKeyHandler: func(_ gssh.Context, key gssh.PublicKey) bool {
			return gssh.KeysEqual(key, keys.client.PublicKey())
		},
		ReversePortForwardingCallback: func(_ gssh.Context, host string, port uint32) bool { return true },
		RequestHandlers: map[string]gssh.RequestHandler{
			"tcpip-forward":        fwd.HandleSSHRequest,
			"cancel-tcpip-forward": fwd.HandleSSHRequest,
		},
	}
	srv.AddHostKey(keys.host)
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old server's port may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := &sshServer{srv: srv, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		srv.Serve(ln)
		close(s.done)
	}()
	t.Cleanup(s.kill)
	return s
}

func (s *sshServer) kill() {
	s.srv.Close()
	<-s.done
}

func sshSettings(srv string, keys sshKeys, remotePort int) Settings {
	return Settings{Provider: "ssh", Server: "hook@" + srv, KeyFile: keys.keyFile, HostKey: keys.hostPublic,
		RemoteHost: "127.0.0.1", RemotePort: remotePort}
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, _ := net.SplitHostPort(addr)
	var n int
	fmt.Sscan(p, &n)
	return n
}

func TestSSHCarriesRequestsByteExactAndProbePasses(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	l := newLocal(t)
	keys := newSSHKeys(t, "")
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	p, err := New(sshSettings(srv.addr, keys, 0), Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tun, err := p.Start(ctx, l.Local())
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer tun.Close()
	if !strings.HasPrefix(tun.PublicURL(), "http://127.0.0.1:") || strings.HasSuffix(tun.PublicURL(), ":0") {
		t.Fatalf("public URL = %s, want the port the server picked", tun.PublicURL())
	}
	if res := l.prober.Check(ctx, tun.PublicURL()); !res.Reachable {
		t.Fatalf("probe through ssh: %s", res.Reason)
	}
	checkByteExact(t, l, hostPort(t, tun.PublicURL()))
	checkByteExact(t, l, hostPort(t, tun.PublicURL()))
	tun.Close()
	if _, err := net.DialTimeout("tcp", hostPort(t, tun.PublicURL()), time.Second); err == nil {
		// The server closes the forward once the client has gone.
		deadline := time.Now().Add(5 * time.Second)
		for err == nil && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			var c net.Conn
			c, err = net.DialTimeout("tcp", hostPort(t, tun.PublicURL()), time.Second)
			if err == nil {
				c.Close()
			}
		}
		if err == nil {
			t.Fatal("the remote port still accepts connections after Close")
		}
	}
}

func TestSSHServeHandsOverTheFarListener(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	l := newLocal(t)
	keys := newSSHKeys(t, "")
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	p, _ := New(sshSettings(srv.addr, keys, 0), Credentials{})
	loc := l.Local()
	loc.Serve = func(ln net.Listener) { l.srv.Serve(rawListener{ln}) }
	tun, err := p.Start(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	defer tun.Close()
	checkByteExact(t, l, hostPort(t, tun.PublicURL()))
}

func TestSSHEncryptedKeyNeedsItsPassphrase(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	l := newLocal(t)
	keys := newSSHKeys(t, "correct horse")
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	for pass, want := range map[string]string{"": "is encrypted", "Tr0ub4dor&3": "passphrase for the ssh key"} {
		p, _ := New(sshSettings(srv.addr, keys, 0), Credentials{KeyPassphrase: pass})
		_, err := p.Start(context.Background(), l.Local())
		if err == nil || !strings.Contains(err.Error(), want) || (pass != "" && strings.Contains(err.Error(), pass)) {
			t.Errorf("passphrase %q: error = %v, want %q", pass, err, want)
		}
	}
	p, _ := New(sshSettings(srv.addr, keys, 0), Credentials{KeyPassphrase: "correct horse"})
	tun, err := p.Start(context.Background(), l.Local())
	if err != nil {
		t.Fatalf("with the right passphrase: %v", err)
	}
	tun.Close()
}

func TestSSHWrongHostKeyIsRefused(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	l := newLocal(t)
	keys := newSSHKeys(t, "")
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	impostor := newSSHKeys(t, "")
	s := sshSettings(srv.addr, keys, 0)
	s.HostKey = impostor.hostPublic
	p, _ := New(s, Credentials{})
	st := newStatuses()
	sup := &Supervisor{Provider: p, Local: l.Local(), Prober: l.prober, OnStatus: st.on}
	err := sup.Run(context.Background())
	if err == nil || !IsPermanent(err) {
		t.Fatalf("run = %v, want a permanent host key error", err)
	}
	failed := st.waitFor(t, Failed, time.Second)
	want := "not the pinned ssh-ed25519 " + ssh.FingerprintSHA256(impostor.host.PublicKey())
	if !strings.Contains(failed.Reason, want) || !strings.Contains(failed.Reason, ssh.FingerprintSHA256(keys.host.PublicKey())) {
		t.Fatalf("reason = %q, want both fingerprints", failed.Reason)
	}
	if !strings.HasPrefix(failed.String(), "failed: the ssh server") {
		t.Fatalf("line = %q", failed.String())
	}
}

func TestSSHUnknownClientKeyIsRefused(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	l := newLocal(t)
	keys := newSSHKeys(t, "")
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	s := sshSettings(srv.addr, keys, 0)
	s.KeyFile = newSSHKeys(t, "").keyFile
	p, _ := New(s, Credentials{})
	_, err := p.Start(context.Background(), l.Local())
	if err == nil || !strings.Contains(err.Error(), "refused the key for user hook") {
		t.Fatalf("error = %v, want the key refused", err)
	}
}

func TestSSHSupervisorReconnectsWhenServerReturns(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	l := newLocal(t)
	keys := newSSHKeys(t, "")
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	remote := portOf(t, freeAddr(t))
	p, _ := New(sshSettings(srv.addr, keys, remote), Credentials{})
	p.(*SSH).KeepAlive = 200 * time.Millisecond
	st := newStatuses()
	sup := &Supervisor{Provider: p, Local: l.Local(), Prober: l.prober, OnStatus: st.on,
		ProbeEvery: 200 * time.Millisecond, Settle: 5 * time.Second, MinBackoff: 50 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, StartTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()

	up := st.waitFor(t, Reachable, 10*time.Second)
	if want := fmt.Sprintf("http://127.0.0.1:%d", remote); up.PublicURL != want {
		t.Fatalf("public URL = %s, want %s", up.PublicURL, want)
	}
	if !strings.HasPrefix(up.String(), "reachable at "+up.PublicURL+" (round trip ") {
		t.Fatalf("reachable line = %q", up.String())
	}
	if len(up.Quirks) != 1 || !strings.Contains(up.Quirks[0], "SalesIQ will refuse this URL") {
		t.Fatalf("quirks for a URL with a port = %q", up.Quirks)
	}
	srv.kill()
	down := st.waitFor(t, Reconnecting, 10*time.Second)
	if !strings.Contains(down.Reason, "ssh") || down.Attempt < 1 {
		t.Fatalf("reconnecting status = %+v", down)
	}
	// While the server is away, each start fails and says why.
	for {
		r := st.waitFor(t, Reconnecting, 20*time.Second)
		if strings.Contains(r.Reason, "cannot reach the ssh server") && strings.Contains(r.Reason, "refused") {
			if r.Attempt < 2 {
				t.Fatalf("a failed start after the drop is attempt %d, want 2 or more", r.Attempt)
			}
			break
		}
	}
	startSSHServer(t, srv.addr, keys)
	again := st.waitFor(t, Reachable, 20*time.Second)
	if again.URLChanged || again.PublicURL != up.PublicURL {
		t.Fatalf("after the server came back: %+v", again)
	}
	checkByteExact(t, l, hostPort(t, again.PublicURL))
	st.log(t)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSSHPublicURLChangeIsFlagged(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	l := newLocal(t)
	keys := newSSHKeys(t, "")
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	p, _ := New(sshSettings(srv.addr, keys, 0), Credentials{}) // the server picks a new port each time
	st := newStatuses()
	sup := &Supervisor{Provider: p, Local: l.Local(), Prober: l.prober, OnStatus: st.on,
		ProbeEvery: 200 * time.Millisecond, Settle: 5 * time.Second, MinBackoff: 50 * time.Millisecond, StartTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sup.Run(ctx)
	first := st.waitFor(t, Reachable, 10*time.Second)
	srv.kill()
	startSSHServer(t, srv.addr, keys)
	second := st.waitFor(t, Reachable, 20*time.Second)
	if second.PublicURL == first.PublicURL {
		t.Skip("the server happened to pick the same port")
	}
	if !second.URLChanged || second.PreviousURL != first.PublicURL || !strings.Contains(second.String(), "the public URL changed from "+first.PublicURL) {
		t.Fatalf("a changed URL was not flagged: %+v\n%s", second, second)
	}
}

func TestSSHUsesTheAgentWhenNoKeyFile(t *testing.T) {
	l := newLocal(t)
	keys := newSSHKeys(t, "")
	// A real agent on a Unix socket, holding a client key no file has.
	var priv ed25519.PrivateKey
	keys.client, priv = newSigner(t)
	srv := startSSHServer(t, "127.0.0.1:0", keys)
	ring := agent.NewKeyring()
	if err := ring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { agent.ServeAgent(ring, c); c.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	s := sshSettings(srv.addr, keys, 0)
	s.KeyFile = ""
	p, err := New(s, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	tun, err := p.Start(context.Background(), l.Local())
	if err != nil {
		t.Fatalf("start with the agent: %v", err)
	}
	defer tun.Close()
	checkByteExact(t, l, hostPort(t, tun.PublicURL()))
}
