package deliver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hooklens/hooklens/app"
)

// Go's HTTP client writes headers sorted by name, from a map: a replay
// would lose the order, repeats and spelling it promises. orderedTransport
// writes each request itself, HTTP/1.1 on a connection of its own, with
// the headers exactly in the order and spelling of app.Request, and reads
// the answer with net/http.

type orderKey struct{}

// withOrder carries a request's headers, in order, to orderedTransport.
func withOrder(ctx context.Context, h app.Headers) context.Context {
	return context.WithValue(ctx, orderKey{}, h)
}

type orderedTransport struct {
	dialer net.Dialer
	tls    *tls.Config
}

func newOrderedTransport() *orderedTransport {
	return &orderedTransport{dialer: net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		tls: &tls.Config{NextProtos: []string{"http/1.1"}}}
}

// RoundTrip sends req; its headers come from the context (withOrder) when
// there, else from req.Header, sorted.
func (t *orderedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	host := req.URL.Host
	port := req.URL.Port()
	if port == "" {
		port = "80"
		if req.URL.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(req.URL.Hostname(), port)
	}
	conn, err := t.dialer.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme == "https" {
		cfg := t.tls.Clone()
		cfg.ServerName = req.URL.Hostname()
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	// The connection dies with the context: a timeout or shutdown cuts it.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	var head bytes.Buffer
	writeHead(&head, req, headersOf(req))
	if _, err := conn.Write(head.Bytes()); err != nil {
		stop()
		conn.Close()
		return nil, ctxErr(ctx, err)
	}
	if req.Body != nil {
		if _, err := io.Copy(conn, req.Body); err != nil {
			stop()
			conn.Close()
			return nil, ctxErr(ctx, err)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		stop()
		conn.Close()
		return nil, ctxErr(ctx, err)
	}
	resp.Body = &connBody{ReadCloser: resp.Body, close: func() { stop(); conn.Close() }}
	return resp, nil
}

func headersOf(req *http.Request) app.Headers {
	if h, ok := req.Context().Value(orderKey{}).(app.Headers); ok {
		return h
	}
	var out app.Headers
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[k] {
			out = append(out, app.Header{Name: k, Value: v})
		}
	}
	return out
}

// writeHead writes the request line, Host, the headers in order (the
// framing ones aside: this writer sets Content-Length itself) and the blank
// line. The connection is closed after the answer, never reused. Header values cannot break the head: CR and LF are dropped.
func writeHead(w *bytes.Buffer, req *http.Request, h app.Headers) {
	uri := req.URL.RequestURI()
	fmt.Fprintf(w, "%s %s HTTP/1.1\r\n", req.Method, uri)
	w.WriteString("Host: " + req.URL.Host + "\r\n")
	clean := strings.NewReplacer("\r", "", "\n", "")
	for _, x := range h {
		switch strings.ToLower(x.Name) {
		case "host", "content-length", "transfer-encoding", "connection":
			continue
		}
		w.WriteString(clean.Replace(x.Name) + ": " + clean.Replace(x.Value) + "\r\n")
	}
	if req.ContentLength > 0 || (req.Method != http.MethodGet && req.Method != http.MethodHead) {
		w.WriteString("Content-Length: " + strconv.FormatInt(max(req.ContentLength, 0), 10) + "\r\n")
	}
	w.WriteString("\r\n")
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

type connBody struct {
	io.ReadCloser
	once  sync.Once
	close func()
}

func (b *connBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.close)
	return err
}
