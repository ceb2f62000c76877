package signal

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// KeysDir is the directory, inside the data dir, of Hooklens' own keys.
const KeysDir = "keys"

// Key files in KeysDir, each 0600.
const (
	salesIQKeyFile   = "salesiq-private.pem" // PKCS#8 PEM RSA private key
	signalZenKeyFile = "signalzen.secret"    // the HMAC secret, hex
)

// KeyStore holds the keys Hooklens signs fired events with when it plays
// the provider: a SalesIQ RSA 2048 key pair and a SignalZen HMAC secret,
// each generated with crypto/rand on first use and kept in the data dir
// (directory 0700, files 0600) so receivers configured once keep verifying.
// The private key leaves the store only through SalesIQ, for signing.
type KeyStore struct {
	dir string
	mu  sync.Mutex
}

// NewKeyStore keeps keys in dataDir/keys; nothing is created until a key is
// first asked for.
func NewKeyStore(dataDir string) *KeyStore {
	return &KeyStore{dir: filepath.Join(dataDir, KeysDir)}
}

// SalesIQ is Hooklens' SalesIQ key pair: Secret is the private key (PKCS#8
// PEM) for verify.Sign, PublicKey the public key as SalesIQ's keys API gives
// it (base64 DER SubjectPublicKeyInfo).
func (s *KeyStore) SalesIQ() (verify.Key, error) {
	pemText, err := s.load(salesIQKeyFile, func() (string, error) {
		k, err := verify.GenerateKey("salesiq")
		return k.Secret, err
	})
	if err != nil {
		return verify.Key{}, err
	}
	pub, err := publicDER(pemText)
	if err != nil {
		return verify.Key{}, fmt.Errorf("the SalesIQ key in %s cannot be read (%w): move the file away and Hooklens makes a new pair, which receivers must then be given", filepath.Join(s.dir, salesIQKeyFile), err)
	}
	return verify.Key{Label: "Hooklens SalesIQ key", Secret: pemText, PublicKey: base64.StdEncoding.EncodeToString(pub)}, nil
}

// PublicKeyBase64 is the SalesIQ public key as SalesIQ's docs give it:
// base64 DER SubjectPublicKeyInfo, to paste where a receiver expects
// SalesIQ's key.
func (s *KeyStore) PublicKeyBase64() (string, error) {
	k, err := s.SalesIQ()
	return k.PublicKey, err
}

// PublicKeyPEM is the SalesIQ public key as a PEM "PUBLIC KEY" block.
func (s *KeyStore) PublicKeyPEM() (string, error) {
	k, err := s.SalesIQ()
	if err != nil {
		return "", err
	}
	der, _ := base64.StdEncoding.DecodeString(k.PublicKey) // SalesIQ encoded it
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// SignalZen is Hooklens' SignalZen HMAC secret (64 hex digits), to give a
// receiver as its SignalZen API secret.
func (s *KeyStore) SignalZen() (verify.Key, error) {
	secret, err := s.load(signalZenKeyFile, func() (string, error) {
		k, err := verify.GenerateKey("signalzen")
		return k.Secret, err
	})
	if err != nil {
		return verify.Key{}, err
	}
	if secret == "" {
		return verify.Key{}, fmt.Errorf("the SignalZen secret in %s is empty: remove the file and Hooklens makes a new one", filepath.Join(s.dir, signalZenKeyFile))
	}
	return verify.Key{Label: "Hooklens SignalZen secret", Secret: secret}, nil
}

// Key is Hooklens' own key for scheme (a verify.Config string): the
// SalesIQ pair or the SignalZen secret. Other schemes sign with the
// receiver's secret, which Hooklens does not make up.
func (s *KeyStore) Key(scheme string) (verify.Key, error) {
	c, err := verify.ParseConfig(scheme)
	if err != nil {
		return verify.Key{}, err
	}
	switch c.Scheme {
	case "salesiq":
		return s.SalesIQ()
	case "signalzen":
		return s.SignalZen()
	}
	return verify.Key{}, fmt.Errorf("signing as %s needs the receiver's secret: give it (Hooklens has keys of its own only for salesiq and signalzen)", c.Scheme)
}

// Sign signs a fired request as scheme (a verify.Config string) with k, or
// with Hooklens' own key when k has no secret, and returns r's headers with
// the signature headers set (replacing any of the same name). Signing is
// verify.Sign's; r.Time is the signing time (zero: now).
func (s *KeyStore) Sign(scheme string, k verify.Key, r verify.Request) (app.Headers, error) {
	c, err := verify.ParseConfig(scheme)
	if err != nil {
		return nil, err
	}
	if k.Secret == "" {
		if k, err = s.Key(scheme); err != nil {
			return nil, err
		}
	}
	sig, err := verify.Sign(c, k, r)
	if err != nil {
		return nil, err
	}
	return r.Headers.With(sig), nil
}

// load reads name from the keys directory, making it with gen first if it
// does not exist. Two processes making it at once end with the same key:
// the file is written aside and linked into place only if still absent.
func (s *KeyStore) load(name string, gen func() (string, error)) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := filepath.Join(s.dir, name)
	if b, err := readKey(path); err == nil {
		return b, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the keys directory %s: %w", s.dir, err)
	}
	v, err := gen()
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(s.dir, "."+name+".*")
	if err != nil {
		return "", fmt.Errorf("writing a new key in %s: %w", s.dir, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("protecting the new key file: %w", err)
	}
	_, err = tmp.WriteString(v)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("writing a new key in %s: %w", s.dir, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKey(path) // another process made it first: use theirs
		}
		// A file system without hard links: rename, which replaces a file
		// made meanwhile; both then read the one left.
		if err := os.Rename(tmp.Name(), path); err != nil {
			return "", fmt.Errorf("storing the new key as %s: %w", path, err)
		}
	}
	return readKey(path)
}

// readKey reads a key file, tightening its mode to 0600 if others could
// read it.
func readKey(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return "", fmt.Errorf("key file %s can be read by other users and cannot be made private (%w): run chmod 600 on it", path, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading key file %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// publicDER is the DER SubjectPublicKeyInfo of the RSA key in pemText.
func publicDER(pemText string) ([]byte, error) {
	blk, _ := pem.Decode([]byte(pemText))
	if blk == nil {
		return nil, errors.New("not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an RSA key", k)
	}
	return x509.MarshalPKIXPublicKey(&rk.PublicKey)
}
