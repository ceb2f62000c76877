package tunnel

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

func TestNewChecksEachProvider(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	t.Setenv("NGROK_AUTHTOKEN", "")
	keys := newSSHKeys(t, "")
	good := []struct {
		s    Settings
		c    Credentials
		name string
	}{
		{Settings{Provider: "manual", PublicURL: "https://hooks.example.com"}, Credentials{}, "manual"},
		{Settings{Provider: "NGROK", Domain: "hooks.example.ngrok.app"}, Credentials{NgrokAuthtoken: "t"}, "ngrok"},
		{Settings{Provider: "cloudflared"}, Credentials{}, "cloudflared"},
		{Settings{Provider: "ssh", Server: "hook@example.com", KeyFile: keys.keyFile, HostKey: keys.hostPublic}, Credentials{}, "ssh"},
		{Settings{Provider: "chisel", Server: "https://chisel.example.com", Fingerprint: "abc=", RemotePort: 9000}, Credentials{ChiselAuth: "u:p"}, "chisel"},
	}
	for _, g := range good {
		p, err := New(g.s, g.c)
		if err != nil || p.Name() != g.name {
			t.Errorf("New(%+v) = %v, %v", g.s, p, err)
		}
	}
	bad := []struct {
		s    Settings
		c    Credentials
		want string
	}{
		{Settings{}, Credentials{}, "no tunnel provider chosen: choose one of manual, ngrok, cloudflared, ssh, chisel"},
		{Settings{Provider: "localtunnel"}, Credentials{}, `unknown tunnel provider "localtunnel"`},
		{Settings{Provider: "manual"}, Credentials{}, "manual tunnel: the public URL is empty"},
		{Settings{Provider: "ngrok"}, Credentials{}, "ngrok needs an authtoken"},
		{Settings{Provider: "ssh", Server: "example.com", KeyFile: keys.keyFile, HostKey: keys.hostPublic}, Credentials{}, "must be user@host[:port]"},
		{Settings{Provider: "ssh", Server: "hook@example.com:99999", KeyFile: keys.keyFile, HostKey: keys.hostPublic}, Credentials{}, "bad port"},
		{Settings{Provider: "ssh", Server: "hook@example.com", KeyFile: keys.keyFile}, Credentials{}, "host key is missing"},
		{Settings{Provider: "ssh", Server: "hook@example.com", KeyFile: keys.keyFile, HostKey: "ssh-ed25519 notbase64"}, Credentials{}, "host key cannot be read"},
		{Settings{Provider: "ssh", Server: "hook@example.com", HostKey: keys.hostPublic}, Credentials{}, "private key file"},
		{Settings{Provider: "chisel", Server: "chisel.example.com", RemotePort: 9000}, Credentials{}, "fingerprint is missing"},
		{Settings{Provider: "chisel", Server: "chisel.example.com", Fingerprint: "abc="}, Credentials{}, "port the server should listen on"},
		{Settings{Provider: "chisel", Server: "chisel.example.com", Fingerprint: "abc=", RemotePort: 9000}, Credentials{ChiselAuth: "nopass"}, "user:pass"},
		{Settings{Provider: "chisel", Server: "ftp://chisel.example.com", Fingerprint: "abc=", RemotePort: 9000}, Credentials{}, "must be http(s)://host[:port]"},
	}
	for _, b := range bad {
		_, err := New(b.s, b.c)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("New(%+v) error = %v, want %q", b.s, err, b.want)
		}
	}
}

func TestKnownHostsLineIsAcceptedAsHostKey(t *testing.T) {
	keys := newSSHKeys(t, "")
	line := "[tunnel.example.com]:2222 " + strings.TrimSuffix(keys.hostPublic, " root@tunnel-test")
	k, err := ParseHostKey(line)
	if err != nil || string(k.Marshal()) != string(keys.host.PublicKey().Marshal()) {
		t.Fatalf("ParseHostKey(known_hosts line) = %v, %v", k, err)
	}
}

func TestSettingsJSONHoldsNoSecrets(t *testing.T) {
	s := Settings{Provider: "chisel", Server: "https://c.example.com", Fingerprint: "fp=", RemotePort: 9000}
	c := Credentials{NgrokAuthtoken: "ngrok-secret", ChiselAuth: "u:chisel-secret", KeyPassphrase: "pass-secret"}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || back != s {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
	for _, shown := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), string(b)} {
		for _, secret := range []string{"ngrok-secret", "chisel-secret", "pass-secret"} {
			if strings.Contains(shown, secret) {
				t.Errorf("%q shows a secret", shown)
			}
		}
	}
}

func TestSecretsFileIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := OpenSecretsFile(dir)
	if v, err := s.Get(SecretNgrokAuthtoken); v != "" || err != nil {
		t.Fatalf("empty store Get = %q, %v", v, err)
	}
	c := Credentials{NgrokAuthtoken: "tok", ChiselAuth: "u:p", KeyPassphrase: "pp"}
	if err := SaveCredentials(s, c); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, SecretsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	got, err := LoadCredentials(OpenSecretsFile(dir))
	if err != nil || got != c {
		t.Fatalf("loaded %v, %v", got, err)
	}
	if err := SaveCredentials(s, Credentials{NgrokAuthtoken: "tok2"}); err != nil {
		t.Fatal(err)
	}
	got, _ = LoadCredentials(s)
	if got != (Credentials{NgrokAuthtoken: "tok2"}) {
		t.Fatalf("after saving fewer secrets: %v", got)
	}
	b, _ := os.ReadFile(filepath.Join(dir, SecretsFile))
	if strings.Contains(string(b), "u:p") || strings.Contains(string(b), "pp") {
		t.Fatalf("deleted secrets remain in the file: %s", b)
	}
	os.WriteFile(filepath.Join(dir, SecretsFile), []byte("{not json tok3"), 0o600)
	_, err = s.Get(SecretNgrokAuthtoken)
	if err == nil || !strings.Contains(err.Error(), "damaged") || strings.Contains(err.Error(), "tok3") {
		t.Fatalf("damaged file error = %v", err)
	}
	if s.Where() != filepath.Join(dir, SecretsFile) {
		t.Fatalf("Where = %s", s.Where())
	}
}

func TestSecretsGoToTheKeyringWhenOneAnswers(t *testing.T) {
	keyring.MockInit() // the library's in-memory keyring
	dir := t.TempDir()
	s := OpenSecrets(dir)
	if s.Where() != "the system keyring" {
		t.Fatalf("Where = %s", s.Where())
	}
	if err := s.Set(SecretChiselAuth, "u:p"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get(KeyringService, SecretChiselAuth); v != "u:p" || err != nil {
		t.Fatalf("keyring holds %q, %v", v, err)
	}
	if _, err := os.Stat(filepath.Join(dir, SecretsFile)); !os.IsNotExist(err) {
		t.Fatal("a secrets file was written though the keyring answered")
	}
	if err := s.Delete(SecretChiselAuth); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(SecretChiselAuth); v != "" || err != nil {
		t.Fatalf("after delete: %q, %v", v, err)
	}
}
