package tunnel

import (
	"context"
	"fmt"
)

// Manual is a public URL the user already has: their own reverse proxy or
// port forward. Starting it only checks the URL's form; the probe says
// whether it reaches this listener.
type Manual struct {
	URL string
}

// Name is "manual".
func (m *Manual) Name() string { return "manual" }

// Start checks the URL and returns a tunnel that holds nothing.
func (m *Manual) Start(ctx context.Context, _ Local) (Tunnel, error) {
	u, err := ParsePublicURL(m.URL)
	if err != nil {
		return nil, permanent(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return newBase(u.String(), nil), nil
}

// Quirks lists what known webhook senders will make of publicURL, for the
// window to show next to it.
func Quirks(publicURL string) []string {
	u, err := ParsePublicURL(publicURL)
	if err != nil {
		return nil
	}
	var out []string
	if u.Port() != "" {
		out = append(out, fmt.Sprintf("SalesIQ will refuse this URL: Zoho SalesIQ accepts no webhook URL with a port number (:%s); use a tunnel or proxy that serves on 443", u.Port()))
	}
	return out
}
