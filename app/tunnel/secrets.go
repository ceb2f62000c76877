package tunnel

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Names of the tunnel secrets.
const (
	SecretNgrokAuthtoken = "ngrok-authtoken"
	SecretChiselAuth     = "chisel-auth"
	SecretKeyPassphrase  = "ssh-key-passphrase"
)

// KeyringService is the service name tunnel secrets are kept under in the
// system keyring.
const KeyringService = "hooklens"

// SecretsFile is the file in the data dir that holds tunnel secrets when
// there is no system keyring (mode 0600).
const SecretsFile = "tunnel-secrets.json"

// Secrets keeps tunnel secrets. Get returns "" for a secret not stored.
type Secrets interface {
	Get(name string) (string, error)
	Set(name, value string) error
	Delete(name string) error
}

// SecretStore keeps secrets in the system keyring when one answers, else
// in a 0600 file in the data dir. Values never appear in its errors.
type SecretStore struct {
	keyring bool
	path    string
	mu      sync.Mutex
}

var _ Secrets = (*SecretStore)(nil)

// OpenSecrets picks the system keyring when it answers within a few
// seconds, else the file SecretsFile in dataDir.
func OpenSecrets(dataDir string) *SecretStore {
	if keyringWorks() {
		return &SecretStore{keyring: true}
	}
	return OpenSecretsFile(dataDir)
}

// OpenSecretsFile keeps secrets in the file SecretsFile in dataDir.
func OpenSecretsFile(dataDir string) *SecretStore {
	return &SecretStore{path: filepath.Join(dataDir, SecretsFile)}
}

func keyringWorks() bool {
	answer := make(chan bool, 1)
	go func() {
		_, err := keyring.Get(KeyringService, "hooklens-keyring-check")
		answer <- err == nil || errors.Is(err, keyring.ErrNotFound)
	}()
	select {
	case ok := <-answer:
		return ok
	case <-time.After(3 * time.Second):
		return false
	}
}

// Where says where secrets go: "the system keyring" or the file's path.
func (s *SecretStore) Where() string {
	if s.keyring {
		return "the system keyring"
	}
	return s.path
}

// Get returns the secret name, "" when none is stored.
func (s *SecretStore) Get(name string) (string, error) {
	if s.keyring {
		v, err := keyring.Get(KeyringService, name)
		if errors.Is(err, keyring.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("cannot read the %s from the system keyring: %w", name, err)
		}
		return v, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.read()
	if err != nil {
		return "", err
	}
	return m[name], nil
}

// Set stores the secret name; an empty value deletes it.
func (s *SecretStore) Set(name, value string) error {
	if value == "" {
		return s.Delete(name)
	}
	if s.keyring {
		if err := keyring.Set(KeyringService, name, value); err != nil {
			return fmt.Errorf("cannot store the %s in the system keyring: %w", name, err)
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.read()
	if err != nil {
		return err
	}
	m[name] = value
	return s.write(m)
}

// Delete removes the secret name; a secret not stored is no error.
func (s *SecretStore) Delete(name string) error {
	if s.keyring {
		err := keyring.Delete(KeyringService, name)
		if err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return fmt.Errorf("cannot delete the %s from the system keyring: %w", name, err)
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.read()
	if err != nil {
		return err
	}
	if _, ok := m[name]; !ok {
		return nil
	}
	delete(m, name)
	return s.write(m)
}

func (s *SecretStore) read() (map[string]string, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the tunnel secrets file %s: %w", s.path, err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		// The error would quote the file; say only where it is.
		return nil, fmt.Errorf("the tunnel secrets file %s is damaged: delete it and enter the tunnel secrets again", s.path)
	}
	return m, nil
}

func (s *SecretStore) write(m map[string]string) error {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the data dir %s: %w", dir, err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode the tunnel secrets: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tunnel-secrets-*")
	if err != nil {
		return fmt.Errorf("cannot write the tunnel secrets in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("cannot restrict the tunnel secrets file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("cannot write the tunnel secrets in %s: %w", dir, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot write the tunnel secrets in %s: %w", dir, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write the tunnel secrets in %s: %w", dir, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("cannot write the tunnel secrets file %s: %w", s.path, err)
	}
	return nil
}
