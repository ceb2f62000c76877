package demo

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"

	"github.com/hooklens/hooklens/app"
)

// Signing makes the demo's signatures tell a story: SalesIQ deliveries are
// signed with a fresh RSA key whose public half the salesiq endpoint holds,
// SignalZen ones with SignalZenSecret, and two of them are broken the way
// senders commonly break them, so the window shows valid, invalid and
// unsigned events, and explains the invalid ones.
type Signing struct {
	key *rsa.PrivateKey
}

// NewSigning makes a SalesIQ-style RSA key pair with crypto/rand.
func NewSigning() (*Signing, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("making the demo's SalesIQ key: %w", err)
	}
	return &Signing{key: k}, nil
}

// SigningWith signs the SalesIQ events with privatePEM, an RSA private key
// in PKCS#8 PEM (as signal.KeyStore keeps Hooklens's own).
func SigningWith(privatePEM string) (*Signing, error) {
	blk, _ := pem.Decode([]byte(privatePEM))
	if blk == nil {
		return nil, fmt.Errorf("the demo's SalesIQ key is not PEM: pass the private key as signal.KeyStore keeps it")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("reading the demo's SalesIQ key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the demo's SalesIQ key is not an RSA key")
	}
	return &Signing{key: rk}, nil
}

// Endpoints are the demo's endpoints: salesiq checks RSA signatures with the
// public key (base64 DER, as SalesIQ's keys API returns it), signalzen checks
// HMACs with the demo secret, and ziwo and bigin, which do not sign, only
// route.
func (s *Signing) Endpoints() ([]app.Endpoint, error) {
	der, err := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
	if err != nil {
		return nil, err
	}
	return []app.Endpoint{
		{Slug: "salesiq", Scheme: "salesiq", PublicKey: base64.StdEncoding.EncodeToString(der)},
		{Slug: "signalzen", Scheme: "signalzen", Secrets: []string{SignalZenSecret}},
		{Slug: "ziwo"},
		{Slug: "bigin"},
	}, nil
}

// Sign re-signs the SalesIQ and SignalZen events in place. The missed-chat
// SalesIQ event reaches the endpoint re-indented by a proxy after signing,
// and the blocked-user SignalZen event was signed with a trailing newline
// the sender never sent.
func (s *Signing) Sign(events []app.Event) error {
	for i := range events {
		e := &events[i]
		switch {
		case e.Headers.Get("x-siqsignature") != "":
			digest := sha256.Sum256(e.Body)
			sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, digest[:])
			if err != nil {
				return fmt.Errorf("signing demo event: %w", err)
			}
			setHeader(e, "x-siqsignature", base64.StdEncoding.EncodeToString(sig))
			if bytes.Contains(e.Body, []byte(`"event":"conversation.missed"`)) {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, e.Body, "", "  "); err == nil {
					setBody(e, pretty.Bytes())
				}
			}
		case e.Headers.Get("X-Signalzen-Signature") != "":
			signed := e.Body
			if bytes.Contains(e.Body, []byte(`"event":"user.blocked"`)) {
				signed = append(bytes.Clone(e.Body), '\n')
			}
			m := hmac.New(sha256.New, []byte(SignalZenSecret))
			m.Write(signed)
			setHeader(e, "X-Signalzen-Signature", hex.EncodeToString(m.Sum(nil)))
		}
	}
	return nil
}

// RouteTo sets each event's endpoint from the first path segment, as the
// listener does for requests.
func RouteTo(events []app.Event, eps []app.Endpoint) {
	for i := range events {
		first, _, _ := strings.Cut(strings.TrimPrefix(events[i].Path, "/"), "/")
		for _, ep := range eps {
			if ep.Slug == first {
				events[i].Endpoint = ep.Slug
			}
		}
	}
}

func setHeader(e *app.Event, name, value string) {
	for i := range e.Headers {
		if strings.EqualFold(e.Headers[i].Name, name) {
			e.Headers[i].Value = value
		}
	}
}

func setBody(e *app.Event, body []byte) {
	e.Body = body
	e.Size = int64(len(body))
	setHeader(e, "Content-Length", strconv.Itoa(len(body)))
}
