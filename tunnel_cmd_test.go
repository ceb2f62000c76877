package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gssh "github.com/gliderlabs/ssh"
	"golang.org/x/crypto/ssh"
)

// sshTestServer is a real SSH server on 127.0.0.1 that allows remote
// forwards for one client key; it returns the key file and the pinned host
// key for `listen --tunnel ssh`.
func sshTestServer(t *testing.T) (addr, keyFile, hostKey string) {
	t.Helper()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	host, _ := ssh.NewSignerFromKey(hostPriv)
	_, clientPriv, _ := ed25519.GenerateKey(rand.Reader)
	client, _ := ssh.NewSignerFromKey(clientPriv)
	block, err := ssh.MarshalPrivateKey(clientPriv, "test")
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	fwd := &gssh.ForwardedTCPHandler{}
	srv := &gssh.Server{
		Handler:                       func(s gssh.Session) { io.WriteString(s, "no shell\n") },
		PublicKeyHandler:              func(_ gssh.Context, k gssh.PublicKey) bool { return gssh.KeysEqual(k, client.PublicKey()) },
		ReversePortForwardingCallback: func(gssh.Context, string, uint32) bool { return true },
		RequestHandlers:               map[string]gssh.RequestHandler{"tcpip-forward": fwd.HandleSSHRequest, "cancel-tcpip-forward": fwd.HandleSSHRequest},
	}
	srv.AddHostKey(host)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), keyFile, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(host.PublicKey())))
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// listen --tunnel ssh: once the probe passes it prints reachable, a request
// from the public side is captured byte-exact, probes never show as
// events, and `tunnel check` says which URLs lead here.
func TestListenWithAnSSHTunnel(t *testing.T) {
	dir := shortDir(t)
	sshAddr, keyFile, hostKey := sshTestServer(t)
	port := freePort(t)
	public := fmt.Sprintf("http://127.0.0.1:%d", port)
	l := startListen(t, dir, "--tunnel", "ssh", "--tunnel-server", "hook@"+sshAddr, "--tunnel-key", keyFile,
		"--tunnel-host-key", hostKey, "--tunnel-port", fmt.Sprint(port), "--tunnel-bind", "127.0.0.1", "--public-url", public)
	var line tunnelLine
	for {
		b := l.next(t)
		if !strings.Contains(string(b), `"public"`) {
			continue
		}
		if err := json.Unmarshal(b, &line); err != nil {
			t.Fatal(err)
		}
		if line.Reachable {
			break
		}
		if line.State == "failed" {
			t.Fatalf("tunnel failed: %s", b)
		}
	}
	if line.Public != public || line.Provider != "ssh" {
		t.Fatalf("tunnel line %+v", line)
	}
	body := "\x00\x01binary\xff"
	req, _ := http.NewRequest("POST", public+"/from/outside?q=1", strings.NewReader(body))
	req.Header.Add("X-Repeat", "a")
	req.Header.Add("X-Repeat", "b")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("through the tunnel: %d", resp.StatusCode)
	}
	ev := l.next(t)
	if !strings.Contains(string(ev), `"path":"/from/outside"`) {
		t.Fatalf("event line %s", ev)
	}
	out, _, _ := runHooklens(t, "events", "--data", dir, "--json")
	if n := strings.Count(out, "\n"); n != 1 || strings.Contains(out, "/.hooklens/probe") {
		t.Fatalf("stored events (probes must not be among them):\n%s", out)
	}
	if !strings.Contains(out, `["X-Repeat","a"],["X-Repeat","b"]`) || !strings.Contains(out, `"body_base64":"AAFiaW5hcnn/"`) {
		t.Fatalf("not byte-exact through the tunnel: %s", out)
	}
	// tunnel check beside the running listener.
	if out, errs, code := runHooklens(t, "tunnel", "check", public, "--data", dir); code != 0 || !strings.HasPrefix(out, "reachable:") {
		t.Fatalf("tunnel check of the public URL: exit %d, %q %q", code, out, errs)
	}
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })}
	oln, _ := net.Listen("tcp", "127.0.0.1:0")
	go other.Serve(oln)
	defer other.Close()
	out, _, code := runHooklens(t, "tunnel", "check", "http://"+oln.Addr().String(), "--data", dir)
	if code != 1 || !strings.Contains(out, "some other server") {
		t.Fatalf("tunnel check of another server: exit %d, %q", code, out)
	}
}
