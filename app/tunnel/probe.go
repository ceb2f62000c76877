package tunnel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ProbeMarker is the path segment that marks a probe request: a probe asks
// for <public URL>/.hooklens/probe/<nonce>. The listener answers such
// requests itself (Intercept) and never stores them as events.
const ProbeMarker = "/.hooklens/probe/"

// ProbeHeader carries the nonce too, for logs and proxies that show headers.
const ProbeHeader = "Hooklens-Probe"

const probeAnswerPrefix = "hooklens probe "

// Result is the outcome of one probe.
type Result struct {
	URL       string        // the public URL probed (passwords redacted)
	Reachable bool          // the nonce arrived at this listener and its answer came back
	RTT       time.Duration // from sending the probe to reading its answer
	Status    int           // HTTP status that came back, 0 when none did
	Reason    string        // why not reachable; "" when reachable
}

// Prober proves that a public URL leads to this listener: it sends a request
// carrying a random nonce and reports reachable only when that nonce arrives
// here. Put Intercept (or Wrap) in front of the capture handler.
type Prober struct {
	// Client sends the probes; default: 15 s timeout, no redirects followed.
	Client *http.Client

	mu      sync.Mutex
	waiting map[string]chan struct{}
}

// NewProber returns a Prober with the default client.
func NewProber() *Prober { return &Prober{} }

func (p *Prober) client() *http.Client {
	if p.Client != nil {
		return p.Client
	}
	return &http.Client{
		Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// ProbeNonce returns the nonce when path is a probe request's path (with
// or without a prefix a reverse proxy kept), else "".
func ProbeNonce(path string) string {
	i := strings.LastIndex(path, ProbeMarker)
	if i < 0 {
		return ""
	}
	n := path[i+len(ProbeMarker):]
	if len(n) != 32 {
		return ""
	}
	if _, err := hex.DecodeString(n); err != nil {
		return ""
	}
	return n
}

// IsProbe reports whether r is a probe request (ours or another Hooklens's).
func IsProbe(r *http.Request) bool { return ProbeNonce(r.URL.Path) != "" }

// Intercept answers r when it is a probe request and reports whether it did;
// when it returns false the request is an ordinary one for the capture
// handler. A probe this Prober is waiting for is signalled; any other probe
// is answered 404 so it is still never stored.
func (p *Prober) Intercept(w http.ResponseWriter, r *http.Request) bool {
	n := ProbeNonce(r.URL.Path)
	if n == "" {
		return false
	}
	p.mu.Lock()
	ch := p.waiting[n]
	if ch != nil {
		delete(p.waiting, n)
	}
	p.mu.Unlock()
	io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if ch == nil {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "unknown hooklens probe\n")
		return true
	}
	close(ch) // before answering: the prober sees the arrival once the answer is back
	io.WriteString(w, probeAnswerPrefix+n+"\n")
	return true
}

// Wrap returns a handler that answers probe requests and passes every
// other request to next.
func (p *Prober) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.Intercept(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

func newNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cannot make a probe nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ProbeURL is the URL a probe with nonce asks for under publicURL.
func ProbeURL(publicURL, nonce string) string {
	return strings.TrimRight(publicURL, "/") + ProbeMarker + nonce
}

// Check probes publicURL once.
func (p *Prober) Check(ctx context.Context, publicURL string) Result {
	u, err := ParsePublicURL(publicURL)
	if err != nil {
		return Result{URL: redact(publicURL), Reason: err.Error()}
	}
	res := Result{URL: u.Redacted()}
	nonce, err := newNonce()
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	arrived := make(chan struct{})
	p.mu.Lock()
	if p.waiting == nil {
		p.waiting = map[string]chan struct{}{}
	}
	p.waiting[nonce] = arrived
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.waiting, nonce)
		p.mu.Unlock()
	}()

	target := ProbeURL(u.String(), nonce)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		res.Reason = fmt.Sprintf("cannot build the probe for %s: %v", res.URL, err)
		return res
	}
	req.Header.Set(ProbeHeader, nonce)
	req.Header.Set("User-Agent", "Hooklens-Probe/1")
	start := time.Now()
	resp, err := p.client().Do(req)
	if err != nil {
		res.Reason = fmt.Sprintf("the probe to %s got no answer: %s", res.URL, transportReason(err))
		return res
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	res.RTT = time.Since(start)
	res.Status = resp.StatusCode

	select {
	case <-arrived:
	default:
		res.RTT = 0
		res.Reason = fmt.Sprintf("%s answered %s but the probe never arrived at this Hooklens: the URL leads to some other server%s",
			res.URL, statusText(resp.StatusCode), otherServerHint(resp, body))
		return res
	}
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != probeAnswerPrefix+nonce {
		res.RTT = 0
		res.Reason = fmt.Sprintf("the probe reached this Hooklens but the answer that came back through %s was changed (%s): something between the public URL and Hooklens rewrites answers",
			res.URL, statusText(resp.StatusCode))
		return res
	}
	res.Reachable = true
	return res
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("status %d", code)
}

// otherServerHint names what answered instead, when it says so.
func otherServerHint(resp *http.Response, body []byte) string {
	var hints []string
	if strings.HasPrefix(string(body), "unknown hooklens probe") {
		hints = append(hints, "another Hooklens answered")
	}
	if c := resp.Header.Get("Ngrok-Error-Code"); c != "" {
		hints = append(hints, "ngrok error "+c)
	}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		hints = append(hints, "it redirects to "+redact(loc))
	}
	if s := resp.Header.Get("Server"); s != "" && len(hints) == 0 {
		hints = append(hints, "server "+s)
	}
	if len(hints) == 0 {
		return ""
	}
	out := " (" + strings.Join(hints, "; ") + ")"
	if !utf8.ValidString(out) {
		out = strings.ToValidUTF8(out, "?")
	}
	return out
}

// transportReason is err without the URL net/http puts in front of it.
func transportReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "the host name does not resolve (" + dns.Err + ")"
	}
	return err.Error()
}

// redact hides a password in a URL string, as url.URL.Redacted does.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if strings.Contains(s, "@") {
			return "(unreadable URL)"
		}
		return s
	}
	return u.Redacted()
}

// ParsePublicURL accepts only http(s)://host[:port][/path]: no user
// information, query or fragment.
func ParsePublicURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("the public URL is empty: give one such as https://hooks.example.com")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("the public URL %q cannot be read: give one such as https://hooks.example.com", redact(s))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("the public URL %s must start with http:// or https://", u.Redacted())
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("the public URL %s has no host name", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("the public URL %s must not carry a user name or password", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("the public URL %s must not have a query (?...): give only scheme, host, port and path", u.Redacted())
	case u.Fragment != "":
		return nil, fmt.Errorf("the public URL %s must not have a fragment (#...)", u.Redacted())
	case u.Opaque != "":
		return nil, fmt.Errorf("the public URL %s must be of the form https://host[:port][/path]", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := parsePort(p); err != nil || n == 0 {
			return nil, fmt.Errorf("the public URL %s has a bad port %q: use 1-65535", u.Redacted(), p)
		}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func parsePort(p string) (int, error) {
	n := 0
	if p == "" || len(p) > 5 {
		return 0, errors.New("bad port")
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, errors.New("bad port")
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, errors.New("bad port")
	}
	return n, nil
}

// CheckAt probes publicURL once while listening on addr itself, answering
// only probes: for 'hooklens tunnel check URL' when no Hooklens holds the
// listener address. When one does, run the check in that process (its
// Prober) instead.
func CheckAt(ctx context.Context, addr, publicURL string) (Result, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return Result{}, fmt.Errorf("cannot listen on %s for the probe (%v): if Hooklens is running there, check through it", addr, err)
	}
	p := NewProber()
	srv := &http.Server{
		Handler: p.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "hooklens is only checking its tunnel", http.StatusServiceUnavailable)
		})),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	defer srv.Close()
	return p.Check(ctx, publicURL), nil
}
