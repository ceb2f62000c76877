package exchange

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// Bundle is what a support bundle holds: the chosen events, their verdicts
// judged now with explanations, their deliveries with every attempt, and the
// settings they were judged and sent with.
type Bundle struct {
	Version     string // Hooklens's version
	Events      []*app.Event
	Reports     map[uint64]verify.Report   // by event id: judged now
	Deliveries  map[uint64][]*app.Delivery // by event id
	Endpoints   []app.Endpoint
	Targets     []app.Target
	Connections []app.Connection
	// Secrets includes every secret as stored. Off (the default), secrets
	// are replaced by their app.Mask form and verify.Fingerprint, and every
	// occurrence of a configured secret anywhere in the bundle (headers,
	// bodies, URLs) is replaced by "[redacted sha256:...]".
	Secrets bool
	Now     time.Time
}

// redactedKey is a secret as a bundle shows it.
type redactedKey struct {
	Masked      string `json:"masked"`
	Fingerprint string `json:"fingerprint"`
}

func redactKey(s string) *redactedKey {
	if s == "" {
		return nil
	}
	return &redactedKey{Masked: app.Mask(s), Fingerprint: verify.Fingerprint(s)}
}

// secretsOf lists every secret of the settings, longest first.
func (b *Bundle) secretsOf() []string {
	var out []string
	add := func(ss ...string) {
		for _, s := range ss {
			if len(s) >= 4 {
				out = append(out, s)
			}
		}
	}
	for _, ep := range b.Endpoints {
		add(ep.Secrets...)
		add(urlPassword(ep.ForwardTo))
	}
	for _, t := range b.Targets {
		add(t.Secret, t.PrivateKey, urlPassword(t.URL), urlPassword(t.SandboxURL))
		for _, h := range t.Headers {
			add(h.Value)
		}
	}
	for _, c := range b.Connections {
		add(c.Password, c.Token, c.KeyValue)
		if c.Kind == app.AuthBasic && c.Password != "" {
			add(basicB64(c.Username, c.Password))
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func basicB64(user, pass string) string { return b64.EncodeToString([]byte(user + ":" + pass)) }

func urlPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// scrubber replaces known secrets in text and bytes (also percent-encoded
// and base64 forms).
type scrubber struct{ r *strings.Replacer }

func newScrubber(secrets []string) *scrubber {
	var pairs []string
	for _, s := range secrets {
		rep := "[redacted " + verify.Fingerprint(s) + "]"
		pairs = append(pairs, s, rep)
		if q := url.QueryEscape(s); q != s {
			pairs = append(pairs, q, rep)
		}
		if p := url.PathEscape(s); p != s {
			pairs = append(pairs, p, rep)
		}
	}
	return &scrubber{r: strings.NewReplacer(pairs...)}
}

func (s *scrubber) str(v string) string { return s.r.Replace(v) }
func (s *scrubber) bytes(v []byte) []byte {
	if len(v) == 0 {
		return v
	}
	return []byte(s.r.Replace(string(v)))
}
func (s *scrubber) headers(h app.Headers) app.Headers {
	out := make(app.Headers, len(h))
	for i, x := range h {
		out[i] = app.Header{Name: x.Name, Value: s.str(x.Value)}
	}
	return out
}

func (s *scrubber) event(e *app.Event) *app.Event {
	c := *e
	c.Path, c.Query, c.Host = s.str(e.Path), s.str(e.Query), s.str(e.Host)
	c.Headers, c.Trailers = s.headers(e.Headers), s.headers(e.Trailers)
	c.Body = s.bytes(e.Body)
	c.Response.Headers, c.Response.Body = s.headers(e.Response.Headers), s.bytes(e.Response.Body)
	c.Verdict.Reason, c.Verdict.Details = s.str(e.Verdict.Reason), s.str(e.Verdict.Details)
	return &c
}

func (s *scrubber) request(r app.Request) app.Request {
	r.URL = app.RedactURL(s.str(r.URL))
	r.Headers = s.headers(r.Headers)
	r.Body = s.bytes(r.Body)
	return r
}

// Write writes the bundle as one zip: README.txt, events.har,
// events.jsonl, verdicts.json, deliveries.json, settings.json, about.json.
func (b *Bundle) Write(w io.Writer) error {
	now := b.Now
	if now.IsZero() {
		now = time.Now()
	}
	sc := newScrubber(nil)
	if !b.Secrets {
		sc = newScrubber(b.secretsOf())
	}
	events := make([]*app.Event, len(b.Events))
	for i, e := range b.Events {
		events[i] = sc.event(e)
	}
	files := map[string][]byte{}
	var buf bytes.Buffer
	if err := HAR(&buf, events, b.Version); err != nil {
		return err
	}
	files["events.har"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := Export(&buf, FormatJSONL, events, b.Version); err != nil {
		return err
	}
	files["events.jsonl"] = bytes.Clone(buf.Bytes())

	type verdictEntry struct {
		Event    string         `json:"event"`
		Stored   app.Verdict    `json:"stored"`
		Original *app.Verdict   `json:"original,omitempty"`
		Now      *verify.Report `json:"judged_now,omitempty"`
	}
	var verdicts []verdictEntry
	type deliveryEntry struct {
		Event      string          `json:"event"`
		Deliveries []*app.Delivery `json:"deliveries"`
	}
	var deliveries []deliveryEntry
	for _, e := range events {
		ve := verdictEntry{Event: e.IDString(), Stored: e.Verdict, Original: e.OriginVerdict}
		if r, ok := b.Reports[e.ID]; ok {
			r.Reason, r.Details, r.SignedContent = sc.str(r.Reason), sc.str(r.Details), sc.str(r.SignedContent)
			ve.Now = &r
		}
		verdicts = append(verdicts, ve)
		var ds []*app.Delivery
		for _, d := range b.Deliveries[e.ID] {
			c := *d
			c.Request = sc.request(d.Request)
			c.Sign.Secret = ""
			if b.Secrets {
				c.Sign.Secret = d.Sign.Secret
			}
			c.Reason = sc.str(d.Reason)
			c.Attempts = make([]app.Attempt, len(d.Attempts))
			for i, a := range d.Attempts {
				a.Request = sc.request(a.Request)
				a.ResponseHeaders, a.ResponseBody, a.Error = sc.headers(a.ResponseHeaders), sc.bytes(a.ResponseBody), sc.str(a.Error)
				c.Attempts[i] = a
			}
			ds = append(ds, &c)
		}
		if len(ds) > 0 {
			deliveries = append(deliveries, deliveryEntry{Event: e.IDString(), Deliveries: ds})
		}
	}
	if err := putJSON(files, "verdicts.json", verdicts); err != nil {
		return err
	}
	if err := putJSON(files, "deliveries.json", deliveries); err != nil {
		return err
	}
	if err := putJSON(files, "settings.json", b.settings(sc)); err != nil {
		return err
	}
	if err := putJSON(files, "about.json", map[string]any{
		"hooklens": b.Version, "os": runtime.GOOS, "arch": runtime.GOARCH, "go": runtime.Version(),
		"created_at": now.UTC().Format(time.RFC3339), "events": len(events), "secrets_included": b.Secrets,
	}); err != nil {
		return err
	}
	files["README.txt"] = []byte(b.readme(len(events), len(deliveries), now))

	zw := zip.NewWriter(w)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		if _, err := fw.Write(files[n]); err != nil {
			return err
		}
	}
	return zw.Close()
}

func putJSON(files map[string][]byte, name string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	files[name] = buf.Bytes()
	return nil
}

// settings are the endpoints, targets and connections, secrets redacted
// unless b.Secrets.
func (b *Bundle) settings(sc *scrubber) any {
	if b.Secrets {
		return map[string]any{"endpoints": b.Endpoints, "targets": b.Targets, "connections": b.Connections}
	}
	type endpoint struct {
		Slug      string            `json:"slug"`
		Scheme    string            `json:"scheme,omitempty"`
		Secrets   []*redactedKey    `json:"secrets,omitempty"`
		PublicKey string            `json:"public_key,omitempty"`
		Response  app.ResponseRule  `json:"response"`
		ForwardTo string            `json:"forward_to,omitempty"`
		Reply     bool              `json:"forward_reply,omitempty"`
		CreatedAt time.Time         `json:"created_at"`
		Extra     map[string]string `json:"-"`
	}
	type target struct {
		ID, Name, URL, SandboxURL, Scheme, Environment, Connection string
		UseSandbox, Enabled                                        bool
		Secret, PrivateKey                                         *redactedKey
		Headers                                                    []map[string]any
		Retry                                                      app.RetryPolicy
		Timeout                                                    string
	}
	type connection struct {
		Name, Kind, Username, Prefix, KeyName, Describe string
		Password, Token, KeyValue                       *redactedKey
	}
	var eps []endpoint
	for _, ep := range b.Endpoints {
		x := endpoint{Slug: ep.Slug, Scheme: ep.Scheme, PublicKey: ep.PublicKey, Response: ep.Response,
			ForwardTo: app.RedactURL(ep.ForwardTo), Reply: ep.ForwardReply, CreatedAt: ep.CreatedAt}
		x.Response.Headers = sc.headers(ep.Response.Headers)
		x.Response.Body = sc.str(ep.Response.Body)
		for _, s := range ep.Secrets {
			x.Secrets = append(x.Secrets, redactKey(s))
		}
		eps = append(eps, x)
	}
	var ts []target
	for _, t := range b.Targets {
		x := target{ID: t.ID, Name: t.Name, URL: app.RedactURL(t.URL), SandboxURL: app.RedactURL(t.SandboxURL), Scheme: t.Scheme,
			Environment: t.Environment(), Connection: t.Connection, UseSandbox: t.UseSandbox, Enabled: t.Enabled,
			Secret: redactKey(t.Secret), PrivateKey: redactKey(t.PrivateKey), Retry: t.Retry, Timeout: app.FormatDuration(t.Timeout)}
		for _, h := range t.Headers {
			x.Headers = append(x.Headers, map[string]any{"name": h.Name, "value": redactKey(h.Value)})
		}
		ts = append(ts, x)
	}
	var cs []connection
	for _, c := range b.Connections {
		cs = append(cs, connection{Name: c.Name, Kind: c.Kind, Username: c.Username, Prefix: c.Prefix, KeyName: c.KeyName,
			Describe: c.Describe(), Password: redactKey(c.Password), Token: redactKey(c.Token), KeyValue: redactKey(c.KeyValue)})
	}
	return map[string]any{"endpoints": eps, "targets": ts, "connections": cs}
}

func (b *Bundle) readme(events, withDeliveries int, now time.Time) string {
	secrets := `Secrets are NOT included. Every endpoint secret, target secret and
private key, extra header value and connection password, token or API key is
shown only masked (its last characters) with its fingerprint (sha256:, the
first 8 hex digits of its SHA-256), so you can tell which key was used
without seeing it. Wherever a configured secret appeared in an event, a
delivery or a verdict, it is replaced by "[redacted sha256:...]"; URL
passwords are shown as xxxxx.`
	if b.Secrets {
		secrets = `SECRETS ARE INCLUDED: this bundle was made with the option that includes
every secret as stored. Share it only with people who may hold them.`
	}
	return fmt.Sprintf(`Hooklens support bundle
Made by Hooklens %s on %s/%s at %s.

What is inside:
  events.har        the %d chosen event(s) as HAR 1.2 (opens in browser
                    devtools, HTTP Toolkit, Charles). The response is what
                    Hooklens answered. A request body that is not text is in
                    postData.text in base64, marked "_encoding": "base64";
                    Hooklens's own fields are under "_hooklens".
  events.jsonl      the same events, one JSON line each, as
                    'hooklens events --json' prints them (import either file
                    with 'hooklens import').
  verdicts.json     per event: the verdict stored, the verdict its source
                    carried (imported events) and the verdict judged again
                    when the bundle was made, with its explanation.
  deliveries.json   the deliveries (resends, forwards, fired signals) of
                    %d event(s), with every attempt: request, response or
                    error, duration.
  settings.json     the endpoints, targets and connections.
  about.json        Hooklens version, operating system, when this was made.

%s
`, b.Version, runtime.GOOS, runtime.GOARCH, now.UTC().Format(time.RFC3339), events, withDeliveries, secrets)
}
