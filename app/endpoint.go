package app

import (
	"errors"
	"fmt"
	"strings"
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

// isSlug reports whether s can name an endpoint: 1-63 of a-z, 0-9, '-'
// and '_', starting with a letter or digit. The listener asks for every
// request, so it is a loop rather than a regular expression.
func isSlug(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[0] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ValidateSlug reports whether s can name an endpoint.
func ValidateSlug(s string) error {
	if !isSlug(s) {
		return fmt.Errorf("endpoint slug %q is not valid: use 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit", s)
	}
	return nil
}

// PathSlug is the endpoint slug a request path names (its first segment), or
// "" when that cannot be a slug. The listener matches endpoints this way.
func PathSlug(path string) string {
	if !strings.HasPrefix(path, "/") {
		return ""
	}
	slug, _, _ := strings.Cut(path[1:], "/")
	if !isSlug(slug) {
		return ""
	}
	return slug
}

// MaxResponseDelay bounds a response rule's delay: longer than any sender
// waits, short enough not to hold connections for ever.
const MaxResponseDelay = 5 * time.Minute

// Endpoint fields, as FieldError.Field names them.
const (
	FieldSlug     = "slug"
	FieldScheme   = "scheme"
	FieldKeys     = "keys"
	FieldResponse = "response"
	FieldForward  = "forward"
)

// FieldError is one problem with one field of a form.
type FieldError struct {
	Field string
	Msg   string
}

func (e FieldError) Error() string { return e.Msg }

// Problems lists what is wrong with ep, a field at a time, in form order:
// the one endpoint check that the command line, the window's editor, the
// local API and the listener all apply.
func (ep Endpoint) Problems() []FieldError {
	var out []FieldError
	add := func(field, format string, a ...any) {
		out = append(out, FieldError{Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	if err := ValidateSlug(ep.Slug); err != nil {
		add(FieldSlug, "%v", err)
	}
	if strings.TrimSpace(ep.Scheme) != "" {
		if _, err := ParseScheme(ep.Scheme); err != nil {
			add(FieldScheme, "%v", err)
		}
	}
	for i, s := range ep.Secrets {
		if strings.TrimSpace(s) == "" {
			add(FieldKeys, "secret %d is empty: paste the secret or remove the row", i+1)
		}
	}
	r := ep.Response
	if r.Status != 0 && (r.Status < 200 || r.Status > 599) {
		add(FieldResponse, "status %d is not a final HTTP status: use 200-599, or leave it empty for 200", r.Status)
	}
	for _, h := range r.Headers {
		if !IsHeaderName(h.Name) {
			add(FieldResponse, "response header name %q is not valid: use letters, digits and - (like X-Request-Id)", h.Name)
		} else if strings.ContainsAny(h.Value, "\r\n\x00") {
			add(FieldResponse, "response header %s has a line break in its value: put it on one line", h.Name)
		}
	}
	if r.Delay < 0 || r.Delay > MaxResponseDelay {
		add(FieldResponse, "delay %s is out of range: use 0 to %s", FormatDuration(r.Delay), FormatDuration(MaxResponseDelay))
	}
	if ep.ForwardTo != "" {
		if err := CheckURL(ep.ForwardTo); err != nil {
			add(FieldForward, "forward-to: %v", err)
		}
	} else if ep.ForwardReply {
		add(FieldForward, "answering with the forward target's response needs a forward-to URL")
	}
	return out
}

// Validate is Problems as one error (nil when there are none).
func (ep Endpoint) Validate() error {
	ps := ep.Problems()
	if len(ps) == 0 {
		return nil
	}
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Masked is a copy of ep safe to show or send to another process: every
// secret masked with Mask (the public key is public and kept).
func (ep Endpoint) Masked() Endpoint {
	if len(ep.Secrets) > 0 {
		s := make([]string, len(ep.Secrets))
		for i, x := range ep.Secrets {
			s[i] = Mask(x)
		}
		ep.Secrets = s
	}
	ep.ForwardTo = RedactURL(ep.ForwardTo)
	return ep
}
