package tunnel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"golang.ngrok.com/ngrok/v2"
)

// Ngrok is an ngrok endpoint through ngrok's Go SDK. Connections come from
// the SDK's listener and are copied to the listener unchanged (the SDK's
// own forwarder re-sends requests through httputil.ReverseProxy, which
// would not keep them byte-exact).
type Ngrok struct {
	// Authtoken is the user's ngrok authtoken (a secret).
	Authtoken string
	// Domain is a reserved domain such as hooks.example.ngrok.app; empty:
	// ngrok picks one.
	Domain string
	// ConnectTimeout bounds Start when ctx has no deadline; default 30 s.
	// Offline, the SDK would keep retrying.
	ConnectTimeout time.Duration

	// open is the seam tests replace; nil: the SDK.
	open func(ctx context.Context, n *Ngrok, log *slog.Logger) (ngrokSession, error)
	// connectURL, when set, is where the SDK connects instead of ngrok's
	// service (tests).
	connectURL string
}

// Name is "ngrok".
func (n *Ngrok) Name() string { return "ngrok" }

type ngrokSession struct {
	ln    net.Listener
	url   string
	close func() error
}

func openNgrok(ctx context.Context, n *Ngrok, log *slog.Logger) (ngrokSession, error) {
	opts := []ngrok.AgentOption{
		ngrok.WithAuthtoken(n.Authtoken),
		ngrok.WithLogger(log),
		ngrok.WithClientInfo("hooklens", "1"),
	}
	if n.connectURL != "" {
		opts = append(opts, ngrok.WithAgentConnectURL(n.connectURL))
	}
	agent, err := ngrok.NewAgent(opts...)
	if err != nil {
		return ngrokSession{}, err
	}
	var eopts []ngrok.EndpointOption
	if n.Domain != "" {
		d := n.Domain
		if !strings.Contains(d, "://") {
			d = "https://" + d
		}
		eopts = append(eopts, ngrok.WithURL(d))
	}
	ln, err := agent.Listen(ctx, eopts...)
	if err != nil {
		agent.Disconnect()
		return ngrokSession{}, err
	}
	return ngrokSession{ln: ln, url: ln.URL().String(), close: func() error {
		ln.Close()
		return agent.Disconnect()
	}}, nil
}

// Start connects to ngrok and returns once the endpoint's URL is known,
// within ctx's deadline (or ConnectTimeout).
func (n *Ngrok) Start(ctx context.Context, local Local) (Tunnel, error) {
	token := strings.TrimSpace(n.Authtoken)
	if token == "" {
		return nil, permanent(errors.New("ngrok needs an authtoken: copy yours from https://dashboard.ngrok.com/get-started/your-authtoken into the tunnel settings (or set NGROK_AUTHTOKEN)"))
	}
	limit := n.ConnectTimeout
	if limit <= 0 {
		limit = 30 * time.Second
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	log := slog.New(&redactHandler{logf: local.logf, secrets: []string{token}, level: slog.LevelInfo})
	open := n.open
	if open == nil {
		open = openNgrok
	}
	// The session lives past Start, so it gets its own context; Start's
	// deadline is kept here, whether or not the SDK honours it.
	runCtx, stopRun := context.WithCancel(context.Background())
	type result struct {
		s   ngrokSession
		err error
	}
	done := make(chan result, 1)
	nc := *n
	nc.Authtoken = token
	go func() {
		s, err := open(runCtx, &nc, log)
		done <- result{s, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		stopRun()
		go func() { // whatever comes back late is closed
			if r := <-done; r.err == nil {
				r.s.close()
			}
		}()
		return nil, fmt.Errorf("ngrok did not connect in time (%v): check the network and that the authtoken is valid", ctx.Err())
	}
	if r.err != nil {
		stopRun()
		msg := strings.ReplaceAll(r.err.Error(), token, "[redacted]")
		var ne ngrok.Error
		if errors.As(r.err, &ne) && isNgrokAuthError(ne.Code()) {
			return nil, permanent(fmt.Errorf("ngrok refused the authtoken or domain: %s", msg))
		}
		return nil, fmt.Errorf("ngrok did not connect: %s", msg)
	}
	u, err := ParsePublicURL(r.s.url)
	if err != nil {
		r.s.close()
		stopRun()
		return nil, fmt.Errorf("ngrok gave an unusable URL: %w", err)
	}
	s := r.s
	tun := newBase(u.String(), func() error {
		err := s.close()
		stopRun()
		return ignoreClosed(err)
	})
	go func() {
		err := serveOrForward(s.ln, local)
		tun.end(fmt.Errorf("the ngrok endpoint %s closed: %v", u, err))
	}()
	local.logf("ngrok: endpoint %s is online", u)
	return tun, nil
}

// isNgrokAuthError: the codes for a bad or missing authtoken.
func isNgrokAuthError(code string) bool {
	switch code {
	case "ERR_NGROK_105", "ERR_NGROK_107", "ERR_NGROK_4018":
		return true
	}
	return false
}

// redactHandler passes the SDK's log records to logf as one line each,
// with every secret replaced.
type redactHandler struct {
	logf    func(string, ...any)
	secrets []string
	level   slog.Level
	attrs   []slog.Attr
	group   string
}

func (h *redactHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *redactHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	add := func(a slog.Attr) {
		if a.Equal(slog.Attr{}) {
			return
		}
		k := a.Key
		if h.group != "" {
			k = h.group + "." + k
		}
		fmt.Fprintf(&b, " %s=%v", k, a.Value.Resolve())
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool { add(a); return true })
	line := b.String()
	for _, s := range h.secrets {
		if s != "" {
			line = strings.ReplaceAll(line, s, "[redacted]")
		}
	}
	h.logf("ngrok: %s %s", strings.ToLower(r.Level.String()), line)
	return nil
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}
