package app

import (
	"fmt"
	"regexp"
	"time"
)

// Endpoint is a path prefix on the listener, /{slug}/..., with its own
// verification, response rule and optional forward target.
type Endpoint struct {
	Slug      string       `json:"slug"`
	Scheme    string       `json:"scheme,omitempty"`
	Secrets   []string     `json:"secrets,omitempty"`
	PublicKey string       `json:"public_key,omitempty"`
	Response  ResponseRule `json:"response"`
	ForwardTo string       `json:"forward_to,omitempty"`
	// ForwardReply answers the sender with the forward target's response
	// (waiting for it) instead of the response rule.
	ForwardReply bool      `json:"forward_reply,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// ResponseRule says how the listener answers requests to an endpoint.
// Zero values mean the default answer: 200 with {"ok":true,"id":"<id>"}.
type ResponseRule struct {
	Status  int           `json:"status,omitempty"`
	Headers Headers       `json:"headers,omitempty"`
	Body    string        `json:"body,omitempty"`
	Delay   time.Duration `json:"delay,omitempty"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// ValidateSlug reports whether s can name an endpoint.
func ValidateSlug(s string) error {
	if !slugPattern.MatchString(s) {
		return fmt.Errorf("endpoint slug %q is not valid: use 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit", s)
	}
	return nil
}
