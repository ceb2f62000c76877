package verify

import (
	"crypto"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	_ "crypto/sha1" // registers crypto.SHA1 for hmac and rsa
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

var hashByName = map[string]crypto.Hash{
	"sha1":   crypto.SHA1,
	"sha256": crypto.SHA256,
	"sha512": crypto.SHA512,
}

func hmacSum(h crypto.Hash, key, content []byte) []byte {
	m := hmac.New(h.New, key)
	m.Write(content)
	return m.Sum(nil)
}

func digest(h crypto.Hash, content []byte) []byte {
	d := h.New()
	d.Write(content)
	return d.Sum(nil)
}

// An encoding turns signature bytes into header text. The first two are the
// ones schemes use; the rest are how senders get it wrong.
type encoding struct {
	name   string
	encode func([]byte) string
	decode func(string) ([]byte, bool)
}

var encodings = []encoding{
	{"hex", hex.EncodeToString, func(s string) ([]byte, bool) {
		if strings.ToLower(s) != s {
			return nil, false
		}
		b, err := hex.DecodeString(s)
		return b, err == nil
	}},
	{"base64", base64.StdEncoding.EncodeToString, b64(base64.StdEncoding)},
	{"upper-case hex", func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }, func(s string) ([]byte, bool) {
		if strings.ToUpper(s) != s {
			return nil, false
		}
		b, err := hex.DecodeString(s)
		return b, err == nil
	}},
	{"base64 without padding", base64.RawStdEncoding.EncodeToString, b64(base64.RawStdEncoding)},
	{"base64url", base64.URLEncoding.EncodeToString, b64(base64.URLEncoding)},
	{"base64url without padding", base64.RawURLEncoding.EncodeToString, b64(base64.RawURLEncoding)},
}

func b64(e *base64.Encoding) func(string) ([]byte, bool) {
	return func(s string) ([]byte, bool) {
		b, err := e.Strict().DecodeString(s)
		return b, err == nil && len(b) > 0
	}
}

func encodingByName(name string) encoding {
	for _, e := range encodings {
		if e.name == name {
			return e
		}
	}
	panic("verify: no encoding " + name)
}

// parsePublicKey reads a public key as providers hand it out: PEM (public
// key, certificate, or a private key whose public half is wanted), base64
// DER, or for Ed25519 the raw 32 bytes in hex or base64.
func parsePublicKey(s string) (crypto.PublicKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("the public key is empty")
	}
	if strings.HasPrefix(s, "-----BEGIN") {
		blk, _ := pem.Decode([]byte(s))
		if blk == nil {
			return nil, errors.New("the public key starts like PEM but is not valid PEM: paste it whole, BEGIN and END lines included")
		}
		switch blk.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the certificate cannot be read: %w", err)
			}
			return cert.PublicKey, nil
		case "RSA PUBLIC KEY":
			return x509.ParsePKCS1PublicKey(blk.Bytes)
		case "PRIVATE KEY", "RSA PRIVATE KEY":
			k, err := parsePrivateKey(s)
			if err != nil {
				return nil, err
			}
			return k.Public(), nil
		}
		return derPublicKey(blk.Bytes)
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	der, err := decodeBase64Loose(s)
	if err != nil {
		return nil, errors.New("the public key is neither PEM, base64 DER nor a hex Ed25519 key: copy it again from the provider")
	}
	if len(der) == ed25519.PublicKeySize {
		return ed25519.PublicKey(der), nil
	}
	return derPublicKey(der)
}

func derPublicKey(der []byte) (crypto.PublicKey, error) {
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s.Public(), nil
		}
	}
	return nil, errors.New("the public key decodes but is not a SubjectPublicKeyInfo or PKCS#1 key: copy it again from the provider")
}

// parsePrivateKey reads a signing key: PEM PKCS#8 or PKCS#1, base64 DER
// PKCS#8, or an Ed25519 seed or private key in hex.
func parsePrivateKey(s string) (crypto.Signer, error) {
	s = strings.TrimSpace(s)
	var der []byte
	if strings.HasPrefix(s, "-----BEGIN") {
		blk, _ := pem.Decode([]byte(s))
		if blk == nil {
			return nil, errors.New("the private key starts like PEM but is not valid PEM")
		}
		if blk.Type == "RSA PRIVATE KEY" {
			return x509.ParsePKCS1PrivateKey(blk.Bytes)
		}
		der = blk.Bytes
	} else if b, err := hex.DecodeString(s); err == nil && (len(b) == ed25519.SeedSize || len(b) == ed25519.PrivateKeySize) {
		if len(b) == ed25519.SeedSize {
			return ed25519.NewKeyFromSeed(b), nil
		}
		return ed25519.PrivateKey(b), nil
	} else {
		der, err = decodeBase64Loose(s)
		if err != nil {
			return nil, errors.New("the private key is neither PEM, base64 DER nor a hex Ed25519 seed")
		}
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		if rk, err1 := x509.ParsePKCS1PrivateKey(der); err1 == nil {
			return rk, nil
		}
		return nil, fmt.Errorf("the private key cannot be read as PKCS#8 or PKCS#1: %w", err)
	}
	sg, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("the private key is a %T, which cannot sign", k)
	}
	return sg, nil
}

// decodeBase64Loose accepts base64 as people paste it: wrapped lines,
// missing padding, URL alphabet.
func decodeBase64Loose(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// A check prepares, for one key, hash h and content, the test of whether a
// signature is valid. Preparing once (one HMAC, one digest) and testing
// every decoding of every signature sent keeps the diagnosis affordable.
type check func(h crypto.Hash, content []byte) func(sig []byte) bool

func macCheck(key []byte) check {
	return func(h crypto.Hash, content []byte) func([]byte) bool {
		sum := hmacSum(h, key, content)
		return func(sig []byte) bool { return hmac.Equal(sum, sig) }
	}
}

func rsaCheck(pub *rsa.PublicKey, pss bool) check {
	return func(h crypto.Hash, content []byte) func([]byte) bool {
		d := digest(h, content)
		return func(sig []byte) bool {
			if pss {
				return rsa.VerifyPSS(pub, h, d, sig, nil) == nil
			}
			return rsa.VerifyPKCS1v15(pub, h, d, sig) == nil
		}
	}
}

func ed25519Check(pub ed25519.PublicKey) check {
	return func(_ crypto.Hash, content []byte) func([]byte) bool {
		return func(sig []byte) bool { return ed25519.Verify(pub, content, sig) }
	}
}
