package signal

import (
	"fmt"
	"strings"

	"github.com/hooklens/hooklens/app"
)

// SelfURL is This Hooklens for t: the running listener's URL and the
// template's path, so a demo needs no network.
func SelfURL(listenerURL string, t Template) string {
	return strings.TrimSuffix(listenerURL, "/") + t.Path
}

// Fire is template t fired, the way every door fires it: rendered with
// vars, sent to url (SelfURL for This Hooklens) with t's method, signed as
// scheme (t's own when ""), with secret, or — secret "" — with Hooklens's
// own key from keys (salesiq, signalzen).
func Fire(t Template, vars map[string]string, url, scheme, secret string, keys *KeyStore) (*app.Delivery, error) {
	body, headers, err := t.Render(vars)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Name, err)
	}
	d := &app.Delivery{Kind: app.KindSignal, Request: app.Request{Method: t.Method, URL: url, Headers: headers, Body: body}}
	if scheme == "" {
		scheme = t.Scheme
	}
	if scheme == "" {
		return d, nil
	}
	if secret == "" {
		k, err := keys.Key(scheme)
		if err != nil {
			return nil, err
		}
		secret = k.Secret
	}
	d.Sign = app.Signing{Scheme: scheme, Secret: secret}
	return d, nil
}
