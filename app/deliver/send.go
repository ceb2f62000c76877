package deliver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// idHeader is the header that carries a scheme's message id, or "".
func idHeader(c verify.Config, h app.Headers) string {
	switch c.Scheme {
	case "standard-webhooks":
		if h.Get("svix-id") != "" || h.Get("svix-signature") != "" {
			return "svix-id"
		}
		return "webhook-id"
	case "hmac":
		return c.IDHeader
	}
	return ""
}

// newMessageID is shaped like the ids verify.Sign makes.
func newMessageID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "msg_" + strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "=")
}

// prepare gives a new delivery what it keeps for all its attempts: a
// fresh message id when it is re-signed (see app.Signing.KeepID).
func prepare(d *app.Delivery) error {
	if d.Request.Method == "" {
		d.Request.Method = http.MethodPost
	}
	if err := app.CheckURL(d.Request.URL); err != nil {
		return err
	}
	if d.Sign.Scheme == "" || d.Sign.KeepOriginal {
		return nil
	}
	c, err := verify.ParseConfig(d.Sign.Scheme)
	if err != nil {
		return err
	}
	if d.Sign.Secret == "" {
		return fmt.Errorf("signing as %s needs a secret or private key: give one, or send unsigned", c.Scheme)
	}
	if name := idHeader(c, d.Request.Headers); name != "" {
		if id := d.Request.Headers.Get(name); id == "" || !d.Sign.KeepID {
			d.Request.Headers = d.Request.Headers.With(app.Headers{{Name: name, Value: newMessageID()}})
		}
	}
	return nil
}

// build is the request an attempt sends at time at: stamped with its
// attempt number where the sender does that, signed afresh (new timestamp)
// and carrying the connection's credentials.
func build(d *app.Delivery, conn *app.Connection, at time.Time, stamp func(*app.Delivery, int, []byte) []byte) (app.Request, error) {
	r := d.Request
	r.Headers = slices.Clone(r.Headers)
	if stamp != nil {
		r.Body = stamp(d, len(d.Attempts)+1, r.Body)
	}
	if conn != nil {
		var err error
		if r, err = authorize(r, *conn); err != nil {
			return r, err
		}
	}
	if d.Sign.Scheme != "" && !d.Sign.KeepOriginal {
		c, err := verify.ParseConfig(d.Sign.Scheme)
		if err != nil {
			return r, err
		}
		h, err := verify.Sign(c, verify.Key{Label: "the delivery's key", Secret: d.Sign.Secret},
			verify.Request{Method: r.Method, URL: r.URL, Headers: r.Headers, Body: r.Body, Time: at})
		if err != nil {
			return r, err
		}
		r.Headers = r.Headers.With(h)
	}
	return r, nil
}

// authorize adds a connection's credentials to r.
func authorize(r app.Request, c app.Connection) (app.Request, error) {
	if err := c.Validate(); err != nil {
		return r, err
	}
	switch c.Kind {
	case app.AuthBasic:
		v := base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password))
		r.Headers = r.Headers.With(app.Headers{{Name: "Authorization", Value: "Basic " + v}})
	case app.AuthBearer:
		r.Headers = r.Headers.With(app.Headers{{Name: "Authorization", Value: c.TokenPrefix() + " " + c.Token}})
	case app.AuthAPIKeyHeader:
		r.Headers = r.Headers.With(app.Headers{{Name: c.KeyName, Value: c.KeyValue}})
	case app.AuthAPIKeyQuery:
		u, err := url.Parse(r.URL)
		if err != nil {
			return r, fmt.Errorf("URL %q is not valid: %w", r.URL, err)
		}
		q := u.Query()
		q.Set(c.KeyName, c.KeyValue)
		u.RawQuery = q.Encode()
		r.URL = u.String()
	}
	return r, nil
}

// newClient is an HTTP client that reports what the receiver did, not what
// a browser would make of it: no redirects followed (a 3xx is the answer;
// webhook senders such as Stripe treat it as a failure), no transparent
// gzip (the body is recorded as sent), timeouts per attempt by context.
func newClient() *http.Client {
	return &http.Client{
		// Headers go out in the request's order and spelling (see wire.go);
		// bodies stay as they came (no Accept-Encoding is added).
		Transport:     newOrderedTransport(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends one attempt and fills in everything but At. keep bounds how much
// of the response body is read into full; the attempt records the first
// app.MaxResponseBody bytes of it.
func do(ctx context.Context, client *http.Client, r app.Request, timeout time.Duration, keep int64) (a app.Attempt, full []byte) {
	if timeout <= 0 {
		timeout = app.DefaultTimeout
	}
	a.Request = r
	start := time.Now()
	defer func() { a.Duration = time.Since(start) }()

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(withOrder(ctx, r.Headers), r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		a.Error = fmt.Sprintf("cannot make the request: %v", err)
		return a, nil
	}
	for _, h := range r.Headers {
		// Set the map directly: Header.Add would rewrite "webhook-id" as
		// "Webhook-Id", and some receivers compare names exactly. Go writes
		// User-Agent itself, under that key only.
		name := h.Name
		if strings.EqualFold(name, "User-Agent") {
			name = "User-Agent"
		}
		req.Header[name] = append(req.Header[name], h.Value)
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		// Go would add its own; relay what was (not) there.
		req.Header["User-Agent"] = []string{""}
	}
	resp, err := client.Do(req)
	if err != nil {
		a.Error = explain(ctx, err, r.URL, timeout)
		return a, nil
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	a.ResponseHeaders = sortedHeaders(resp.Header)
	full, err = io.ReadAll(io.LimitReader(resp.Body, max(keep, app.MaxResponseBody)))
	a.ResponseSize = int64(len(full))
	a.ResponseBody = bytes.Clone(full[:min(len(full), app.MaxResponseBody)])
	if err != nil {
		a.Error = "the response body was cut off: " + explain(ctx, err, r.URL, timeout)
		return a, full
	}
	// Read on (and count) so the connection can be reused, within reason.
	n, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	a.ResponseSize += n
	return a, full
}

func sortedHeaders(h http.Header) app.Headers {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	var out app.Headers
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, app.Header{Name: k, Value: v})
		}
	}
	return out
}

// explain turns a transport error into a sentence a user can act on.
func explain(ctx context.Context, err error, rawURL string, timeout time.Duration) string {
	host := rawURL
	if u, perr := url.Parse(rawURL); perr == nil {
		host = u.Host
	}
	var dns *net.DNSError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("timeout: no complete response from %s within %s (%v)", host, timeout, err)
	case errors.Is(err, context.Canceled):
		return "cancelled before a response came"
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused by %s: nothing is listening there; is the app running? (%v)", host, err)
	case errors.As(err, &dns):
		return fmt.Sprintf("cannot find host %s: check the URL's spelling (%v)", host, err)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%s closed the connection without a complete response (%v)", host, err)
	}
	return err.Error()
}

// retryAfter reads a Retry-After header (seconds or an HTTP date) as a
// delay; 0 when absent or unreadable.
func retryAfter(h app.Headers, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}
