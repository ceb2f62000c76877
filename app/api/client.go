package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
	"github.com/hooklens/hooklens/app/tunnel"
	"github.com/hooklens/hooklens/app/verify"
)

// Client is a Backend over a running instance's socket.
type Client struct {
	http *http.Client
	path string
}

var _ Backend = (*Client)(nil)

// Dial connects to the instance serving dir, or returns an error wrapping
// ErrNoInstance when none does (no socket, or a stale one).
func Dial(dir string) (*Client, error) {
	path := filepath.Join(dir, SocketName)
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoInstance, err)
	}
	conn.Close()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}
	return &Client{http: &http.Client{Transport: tr}, path: path}, nil
}

// UsageError is an error the instance refused the request with because of
// the caller's input (the command line exits 2 for it).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Unwrap lets errors.Is(err, ErrInvalid) find it.
func (e *UsageError) Unwrap() error { return ErrInvalid }

func (c *Client) do(ctx context.Context, method, path string, q url.Values, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(json.NewEncoder(pw).Encode(in)) }()
		body = pr
	}
	u := "http://hooklens" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the running Hooklens did not answer on %s: %w", c.path, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var eb errorBody
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&eb) != nil || eb.Error == "" {
			eb.Error = "the running Hooklens answered " + resp.Status
		}
		switch resp.StatusCode {
		case http.StatusNotFound:
			return nil, fmt.Errorf("%s: %w", eb.Error, app.ErrNotFound)
		case http.StatusBadRequest:
			return nil, &UsageError{Msg: eb.Error}
		case http.StatusRequestTimeout:
			return nil, fmt.Errorf("%s: %w", eb.Error, context.DeadlineExceeded)
		}
		return nil, errors.New(eb.Error)
	}
	return resp, nil
}

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	resp, err := c.do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *Client) post(ctx context.Context, path string, in, out any) error {
	resp, err := c.do(ctx, http.MethodPost, path, nil, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func pageQuery(offset, limit int) url.Values {
	return url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}
}

// Events implements Backend. The events come whole; their summaries are
// taken from them.
func (c *Client) Events(p app.Page) ([]app.EventSummary, error) {
	evs, err := c.EventsFull(p)
	if err != nil {
		return nil, err
	}
	out := make([]app.EventSummary, len(evs))
	for i, e := range evs {
		out[i] = e.Summary()
	}
	return out, nil
}

// EventsFull is a page of whole events, newest first.
func (c *Client) EventsFull(p app.Page) ([]*app.Event, error) {
	if p.Limit == 0 {
		p.Limit = 100
	}
	q := pageQuery(p.Offset, p.Limit)
	if p.Before > 0 {
		q.Set("before", strconv.FormatUint(p.Before, 10))
	}
	if !p.Filter.IsZero() {
		if p.Filter.Expr == "" {
			return nil, errors.New("the local API takes filters written in the filter language (app.ParseFilter)")
		}
		q.Set("filter", p.Filter.Expr)
	}
	resp, err := c.do(context.Background(), http.MethodGet, "/v1/events", q, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []*app.Event
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 256<<20)
	for sc.Scan() {
		e, err := lineEvent(sc.Bytes())
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

func lineEvent(b []byte) (*app.Event, error) {
	var l exchange.EventLine
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("the running Hooklens sent an event line that is not JSON: %w", err)
	}
	return l.Event()
}

// Event implements Backend.
func (c *Client) Event(id uint64) (*app.Event, error) {
	var l exchange.EventLine
	if err := c.get(context.Background(), "/v1/events/"+app.FormatID(id), nil, &l); err != nil {
		return nil, err
	}
	return l.Event()
}

// Endpoints implements Backend; secrets come masked.
func (c *Client) Endpoints() ([]app.Endpoint, error) {
	var eps []app.Endpoint
	err := c.get(context.Background(), "/v1/endpoints", nil, &eps)
	return eps, err
}

// SaveEndpoint implements Backend.
func (c *Client) SaveEndpoint(ep app.Endpoint) (verify.Rejudged, error) {
	var rj verify.Rejudged
	err := c.post(context.Background(), "/v1/endpoints", ep, &rj)
	return rj, err
}

// Deliveries implements Backend.
func (c *Client) Deliveries(p app.DeliveryPage) ([]app.DeliverySummary, error) {
	if p.Limit == 0 {
		p.Limit = 100
	}
	var out []app.DeliverySummary
	err := c.get(context.Background(), "/v1/deliveries", pageQuery(p.Offset, p.Limit), &out)
	return out, err
}

// Delivery implements Backend.
func (c *Client) Delivery(id uint64) (*app.Delivery, error) {
	var d app.Delivery
	if err := c.get(context.Background(), "/v1/deliveries/"+strconv.FormatUint(id, 10), nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Send implements Backend: the running instance sends d and answers when
// it has ended.
func (c *Client) Send(ctx context.Context, d *app.Delivery) error {
	return c.post(ctx, "/v1/send", d, d)
}

// Wait implements Backend; the instance ends the wait at m.Timeout.
func (c *Client) Wait(ctx context.Context, m Match) (*app.Event, error) {
	q := url.Values{}
	for k, v := range map[string]string{"path": m.Path, "endpoint": m.Endpoint, "verdict": m.Verdict} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if m.Timeout > 0 {
		q.Set("timeout", m.Timeout.String())
	}
	var l exchange.EventLine
	if err := c.get(ctx, "/v1/wait", q, &l); err != nil {
		return nil, err
	}
	return l.Event()
}

// Judge implements Backend.
func (c *Client) Judge(id uint64) (verify.Report, error) {
	var rep verify.Report
	err := c.get(context.Background(), "/v1/events/"+app.FormatID(id)+"/verdict", nil, &rep)
	return rep, err
}

// Import implements Backend: the events travel as full JSON lines.
func (c *Client) Import(ctx context.Context, source string, events []*app.Event) (exchange.Result, error) {
	var buf bytes.Buffer
	lw := exchange.NewLineWriter(&buf, true)
	for _, e := range events {
		if err := lw.Write(e); err != nil {
			return exchange.Result{}, err
		}
	}
	u := "http://hooklens/v1/import?" + url.Values{"source": {source}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, &buf)
	if err != nil {
		return exchange.Result{}, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := c.http.Do(req)
	if err != nil {
		return exchange.Result{}, fmt.Errorf("the running Hooklens did not answer on %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var eb errorBody
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&eb) != nil || eb.Error == "" {
			eb.Error = "the running Hooklens answered " + resp.Status
		}
		if resp.StatusCode == http.StatusBadRequest {
			return exchange.Result{}, &UsageError{Msg: eb.Error}
		}
		return exchange.Result{}, errors.New(eb.Error)
	}
	var res exchange.Result
	err = json.NewDecoder(resp.Body).Decode(&res)
	return res, err
}

// Status implements Backend.
func (c *Client) Status() (Status, error) {
	var st Status
	err := c.get(context.Background(), "/v1/status", nil, &st)
	return st, err
}

// CheckTunnel implements Backend.
func (c *Client) CheckTunnel(ctx context.Context, publicURL string) (tunnel.Result, error) {
	var res tunnel.Result
	err := c.post(ctx, "/v1/tunnel/check", map[string]string{"url": publicURL}, &res)
	return res, err
}
