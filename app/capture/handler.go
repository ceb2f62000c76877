package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// idMark stands for the event id in response bodies.
const idMark = "{{id}}"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	if s.cfg.Intercept != nil && s.cfg.Intercept(w, r) {
		if rc := connFrom(r.Context()); rc != nil {
			rc.head(r) // keep the connection's head search in step
		}
		return
	}
	headers, ok := app.Headers(nil), false
	rc := connFrom(r.Context())
	var wh *wireHead
	stage := app.StageStart()
	if rc != nil && !stage.IsZero() {
		app.StageEnd(app.StageParse, rc.parsedSince(), 1)
	}
	if rc != nil {
		// Claim the head even while paused, so the next request on this
		// connection gets its own.
		if wh, ok = rc.head(r); ok {
			headers = wh.headers
		} else {
			wh = nil
			s.cfg.Logf("hooklens: could not find the header block of %s %s from %s among the bytes read; recording its headers sorted by name instead of in wire order",
				r.Method, r.RequestURI, r.RemoteAddr)
		}
	}
	if !ok {
		headers = fallbackHeaders(r)
	}
	app.StageEnd(app.StageHead, stage, 1)
	s.capture(w, r, arrival{received: received, headers: headers, rc: rc, wh: wh})
}

// arrival is what the reader of a request (the lane, or net/http with the
// head tracker) learnt of it before capture.
type arrival struct {
	received time.Time
	headers  app.Headers // as sent
	// rc and wh are the connection and head net/http's requests are
	// followed by (nil for the lane's and outside Start).
	rc *recConn
	wh *wireHead
	// ep is the endpoint the path names when epRead says the reader
	// looked it up already (the lane does, as it reads the head).
	ep     *app.Endpoint
	epRead bool
}

// capture records r, as a says it arrived, and answers it.
func (s *Server) capture(w http.ResponseWriter, r *http.Request, a arrival) {
	stage := app.StageStart()
	if a.rc == nil && !stage.IsZero() {
		app.StageEnd(app.StageParse, a.received, 1) // the lane's: from the bytes read
	}
	if !s.Capturing() {
		writeResponse(w, errorPlan(http.StatusServiceUnavailable, "capture paused in Hooklens", false).response(r, ""))
		return
	}

	e := &app.Event{
		ReceivedAt: a.received,
		Method:     r.Method,
		Proto:      r.Proto,
		Host:       r.Host,
		Headers:    a.headers,
		RemoteAddr: r.RemoteAddr,
	}
	e.Path, e.Query = splitURI(r.RequestURI)
	for _, h := range a.headers {
		if strings.EqualFold(h.Name, "Host") {
			e.Host = h.Value
			break
		}
	}
	if r.Method == "PRI" && r.ProtoMajor == 2 {
		// The HTTP/2 connection preface (h2c with prior knowledge): recorded
		// as it came (it has no headers), answered in HTTP/1.1 and closed.
		s.answerUnsupported(w, r, e)
		return
	}
	tk := s.flight.ticket(r.Context())
	defer tk.done()
	if err := s.readBody(r, e, tk); errors.Is(err, errBusy) {
		s.cfg.Logf("hooklens: %s %s from %s answered 503 and not recorded: more than %s of request bodies in flight", r.Method, r.RequestURI, r.RemoteAddr, sizeText(s.flight.limit))
		p := errorPlan(http.StatusServiceUnavailable, "Hooklens is busy receiving other requests: send this one again in a moment", false)
		p.headers = app.Headers{{Name: "Retry-After", Value: "1"}}
		p.close = true // the body was not read
		writeResponse(w, p.response(r, ""))
		return
	} else if err != nil {
		s.cfg.Logf("hooklens: %s %s from %s not recorded: %v", r.Method, r.RequestURI, r.RemoteAddr, err)
		p := errorPlan(http.StatusBadRequest, err.Error(), false)
		p.close = true
		writeResponse(w, p.response(r, ""))
		return
	}

	if a.wh != nil && !e.Truncated {
		e.Trailers = a.rc.trailers(a.wh) // read with the body's last chunk
	}
	stage = app.StageEnd(app.StageBody, stage, 1)

	// The endpoint is read once per request: the verdict, the answer and
	// the forward all use this copy.
	ep := a.ep
	if !a.epRead {
		ep = s.endpoint(e.Path)
	}
	if ep != nil {
		e.Endpoint = ep.Slug
	}
	publicURL := ""
	if s.cfg.PublicURL != nil {
		publicURL = s.cfg.PublicURL()
	}
	e.Verdict = verify.JudgeQuick(e, ep, publicURL).Verdict
	e.Type = app.EventType(e)

	p := okPlan()
	var link func(id uint64) // ties a relayed forward to the stored event
	var forwards []*app.Delivery
	hops := app.Hops(e.Headers)
	switch {
	case e.Truncated:
		p = errorPlan(http.StatusRequestEntityTooLarge, "body larger than "+sizeText(s.cfg.MaxBody), true)
		// The rest of the body is still on the wire; don't read it.
		p.close = true
	case hops > app.MaxHops:
		p = errorPlan(http.StatusLoopDetected, fmt.Sprintf("this request has been through %d Hooklens forwards (%s): a forward points back at a Hooklens, so it is recorded but not forwarded again", hops, app.HopHeader), true)
	case ep != nil && ep.ForwardReply && ep.ForwardTo != "" && s.cfg.Forward != nil:
		p, link = s.relayPlan(r.Context(), e, ep)
	case ep != nil:
		p = s.rulePlan(ep.Response, p)
		if s.cfg.Forward != nil && ep.ForwardTo != "" {
			d, err := s.cfg.Forward.Plan(e, ep)
			if err != nil {
				s.cfg.Logf("hooklens: %s %s: not forwarded: %v", r.Method, r.RequestURI, err)
			} else if d != nil {
				forwards = append(forwards, d)
			}
		}
	}

	// All of the answer but the id is built here, outside the store's
	// writer, which calls finish for a whole group in turn.
	ans := p.prepare(r)
	var resp app.Response
	finish := func(ev *app.Event) {
		resp = ans.response(ev.IDString())
		ev.Response = resp
	}
	// The request has fully arrived: store it even if the sender hangs up now.
	ctx := context.WithoutCancel(r.Context())
	stage = app.StageEnd(app.StageJudge, stage, 1)
	err := s.rec.Record(ctx, e, finish, forwards...)
	stage = app.StageEnd(app.StageRecord, stage, 1)
	if err != nil {
		s.cfg.Logf("hooklens: %s %s from %s not recorded: %v", r.Method, r.RequestURI, r.RemoteAddr, err)
		writeResponse(w, errorPlan(http.StatusInternalServerError, "could not store the request: "+err.Error(), false).response(r, ""))
		return
	}
	if resp.Status == 0 { // a Recorder that did not call finish
		resp = ans.response(e.IDString())
	}
	if link != nil {
		link(e.ID)
	}
	if len(forwards) > 0 {
		s.cfg.Forward.Queued()
	}
	if !p.wait(w, r, s.cfg.WriteTimeout) {
		return
	}
	writeResponse(w, resp)
	app.StageEnd(app.StageAnswer, stage, 1)
	s.diagnoseLater(w, e, ep, tk)
}

// VerdictSetter replaces the stored verdict of one event; the store
// implements it. See Config.Diagnose.
type VerdictSetter interface {
	SetVerdict(id uint64, v app.Verdict) error
}

// diagnoseLater sends the answer on its way, then runs Config.Diagnose and
// stores the verdict it gives, so the search for a mistake never delays the
// sender.
func (s *Server) diagnoseLater(w http.ResponseWriter, e *app.Event, ep *app.Endpoint, tk *ticket) {
	if e.Verdict.Result == app.VerdictValid || e.Verdict.Result == app.VerdictUnsigned {
		return
	}
	_ = http.NewResponseController(w).Flush() // a client that left: nothing to do
	if !tk.extend(int64(diagnoseCharge+bodyCharge)*int64(len(e.Body)), s.cfg.InFlightWait) {
		s.cfg.Logf("hooklens: event %s keeps its first verdict: no room among the request bodies in flight to look for the likely mistake", e.IDString())
		return
	}
	var v app.Verdict
	if s.cfg.Diagnose != nil {
		v = s.cfg.Diagnose(e, ep)
	} else {
		publicURL := ""
		if s.cfg.PublicURL != nil {
			publicURL = s.cfg.PublicURL()
		}
		v = verify.Judge(e, ep, s.eps, publicURL).Verdict
	}
	if v == e.Verdict {
		return
	}
	vs, ok := s.rec.(VerdictSetter)
	if !ok {
		return
	}
	// e itself is left alone: subscribers may be reading it.
	if err := vs.SetVerdict(e.ID, v); err != nil {
		s.cfg.Logf("hooklens: saving the diagnosis of event %s: %v", e.IDString(), err)
	}
}

// answerUnsupported records a request this listener cannot serve (the
// HTTP/2 preface) with the 505 it is answered.
func (s *Server) answerUnsupported(w http.ResponseWriter, r *http.Request, e *app.Event) {
	p := errorPlan(http.StatusHTTPVersionNotSupported, "this listener speaks HTTP/1.1 only: HTTP/2 with prior knowledge (h2c) is not supported; send the webhook over HTTP/1.1", true)
	p.close = true
	e.Verdict = app.Verdict{Scheme: "none", Result: app.VerdictUnsigned, Reason: "HTTP/2 connection preface, answered 505: not a webhook"}
	var resp app.Response
	err := s.rec.Record(context.WithoutCancel(r.Context()), e, func(ev *app.Event) {
		resp = p.response(r, ev.IDString())
		ev.Response = resp
	})
	if err != nil {
		s.cfg.Logf("hooklens: %s %s from %s not recorded: %v", r.Method, r.RequestURI, r.RemoteAddr, err)
		resp = p.response(r, "")
	} else if resp.Status == 0 {
		resp = p.response(r, e.IDString())
	}
	writeResponse(w, resp)
}

// errBusy says the bodies in flight are at their cap.
var errBusy = errors.New("too many request bodies in flight")

// readBody reads the body into e, keeping at most MaxBody bytes, or the first
// TruncatedKeep bytes of a body larger than that. The body is read once into
// a buffer of its declared size (or one that doubles, for a chunked body);
// tk is grown before each allocation, and errBusy returned when the bytes in
// flight leave no room.
func (s *Server) readBody(r *http.Request, e *app.Event, tk *ticket) error {
	keep, limit := s.cfg.TruncatedKeep, s.cfg.MaxBody
	if r.ContentLength > limit {
		// Declared too large: read only what is kept, then answer 413.
		if !tk.grow(keep) {
			return errBusy
		}
		b := make([]byte, keep)
		n, err := io.ReadFull(r.Body, b)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			s.cfg.Logf("hooklens: reading the first %d bytes of a %d-byte body from %s: %v", keep, r.ContentLength, r.RemoteAddr, err)
		}
		e.Body, e.Size, e.Truncated = b[:n], r.ContentLength, true
		return nil
	}
	if r.ContentLength >= 0 {
		if !tk.grow(r.ContentLength) {
			return errBusy
		}
		b := make([]byte, r.ContentLength)
		n, err := io.ReadFull(r.Body, b)
		if err != nil && !(err == io.EOF && n == 0) {
			return fmt.Errorf("could not read the request body after %d bytes: %w", n, err)
		}
		e.Body, e.Size = b, int64(n)
		return nil
	}
	// Length unknown (chunked): grow by doubling, up to the cap plus one byte.
	b := make([]byte, 0)
	for {
		if len(b) == cap(b) {
			if int64(len(b)) > limit {
				break
			}
			n := min(max(int64(2*cap(b)), 64<<10), limit+1)
			if !tk.grow(n) {
				return errBusy
			}
			b = append(make([]byte, 0, n), b...)
		}
		m, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("could not read the request body after %d bytes: %w", len(b), err)
		}
	}
	e.Size = int64(len(b))
	if e.Size <= limit {
		e.Body = b
		return nil
	}
	// Chunked and over the cap.
	e.Body = bytes.Clone(b[:keep])
	e.Truncated = true
	return nil
}

// endpoint returns the endpoint named by the first path segment, or nil.
func (s *Server) endpoint(path string) *app.Endpoint {
	if s.eps == nil {
		return nil
	}
	slug := app.PathSlug(path)
	if slug == "" {
		return nil
	}
	ep, err := s.eps.Endpoint(slug)
	if err != nil {
		if !errors.Is(err, app.ErrNotFound) {
			s.cfg.Logf("hooklens: looking up endpoint %q: %v; answering with the default response", slug, err)
		}
		return nil
	}
	if ep.Slug == "" {
		ep.Slug = slug
	}
	return &ep
}

// plan is an answer before the event id is known.
type plan struct {
	status      int
	body        string // idMark is replaced by the id when withID
	withID      bool
	contentType string
	headers     app.Headers // extra headers; they replace defaults of the same name
	close       bool        // close the connection after answering
	delay       time.Duration
}

func okPlan() plan {
	return plan{status: http.StatusOK, body: `{"ok":true,"id":"` + idMark + `"}`, withID: true, contentType: "application/json"}
}

// errorPlan answers {"ok":false,"error":msg}, with the event id when withID.
func errorPlan(status int, msg string, withID bool) plan {
	body := `{"ok":false,"error":` + jsonString(msg)
	if withID {
		body += `,"id":"` + idMark + `"`
	}
	return plan{status: status, body: body + "}", withID: withID, contentType: "application/json"}
}

// relayPlan forwards e to url and answers with the app's response: status,
// headers (hop-by-hop and length ones aside: this server writes its own) and
// body. A forward that fails is answered 502 with the reason.
func (s *Server) relayPlan(ctx context.Context, e *app.Event, ep *app.Endpoint) (plan, func(uint64)) {
	url := app.RedactURL(ep.ForwardTo)
	resp, link, err := s.cfg.Forward.Relay(ctx, e, ep)
	if err != nil {
		return errorPlan(http.StatusBadGateway, "forwarding to "+url+" failed: "+err.Error(), true), link
	}
	if resp.Status < 200 || resp.Status > 599 {
		return errorPlan(http.StatusBadGateway, fmt.Sprintf("%s answered status %d, which cannot be passed on", url, resp.Status), true), link
	}
	p := plan{status: resp.Status, body: string(resp.Body), contentType: resp.Headers.Get("Content-Type")}
	for _, h := range resp.Headers {
		switch http.CanonicalHeaderKey(h.Name) {
		case "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date", "Content-Type",
			"Proxy-Connection", "Te", "Trailer", "Upgrade":
			continue
		}
		p.headers = append(p.headers, h)
	}
	return p, link
}

// rulePlan applies an endpoint's response rule over the default answer.
func (s *Server) rulePlan(rule app.ResponseRule, p plan) plan {
	if rule.Status != 0 {
		// 1xx would be sent as an interim response followed by a 200, and
		// net/http panics on codes outside 100-999.
		if rule.Status >= 200 && rule.Status <= 599 {
			p.status = rule.Status
		} else {
			s.cfg.Logf("hooklens: response rule status %d is not a final HTTP status (200-599); answering %d", rule.Status, p.status)
		}
	}
	if rule.Body != "" {
		p.body = rule.Body
		p.withID = true
		if !json.Valid([]byte(strings.ReplaceAll(rule.Body, idMark, "1"))) {
			p.contentType = "text/plain; charset=utf-8"
		}
	}
	for _, h := range rule.Headers {
		switch {
		case !app.IsHeaderName(h.Name):
			s.cfg.Logf("hooklens: response rule header name %q is not valid; left out", h.Name)
		case strings.EqualFold(h.Name, "Content-Length"), strings.EqualFold(h.Name, "Transfer-Encoding"):
			// The listener frames the body itself.
		default:
			p.headers = append(p.headers, h)
		}
	}
	p.delay = rule.Delay
	return p
}

// response builds the exact answer: headers in the order net/http writes
// them (sorted by name) with the ones it would add itself, so the stored
// response is what the client receives.
func (p plan) response(r *http.Request, id string) app.Response {
	return p.prepare(r).response(id)
}

// answer is a response complete but for the event id: its body (with
// idMark where the id goes) and its Content-Length.
type answer struct {
	status  int
	headers app.Headers // sorted by name; Content-Length at cl, unless cl < 0
	cl      int
	body    string
	withID  bool
	noBody  bool // 204, 304 and HEAD: nothing is sent after the headers
}

// prepare builds everything of p's answer to r that does not depend on the
// id, so that what is left once the id is known (answer.response) is cheap.
// Headers are gathered in a slice (a request's answer has a handful): set
// replaces every value of a name, add appends one.
func (p plan) prepare(r *http.Request) answer {
	hs := make(app.Headers, 0, 6+len(p.headers))
	del := func(k string) {
		hs = slices.DeleteFunc(hs, func(x app.Header) bool { return x.Name == k })
	}
	get := func(k string) string {
		for _, x := range hs {
			if x.Name == k {
				return x.Value
			}
		}
		return ""
	}
	set := func(k, v string) {
		for i, x := range hs {
			if x.Name == k {
				hs[i].Value = v
				hs = append(hs[:i+1], slices.DeleteFunc(hs[i+1:], func(x app.Header) bool { return x.Name == k })...)
				return
			}
		}
		hs = append(hs, app.Header{Name: k, Value: v})
	}
	if p.contentType != "" { // a relayed answer may have none
		set("Content-Type", p.contentType)
	}
	set("Access-Control-Allow-Origin", "*")
	var replaced []string
	for _, x := range p.headers {
		k := http.CanonicalHeaderKey(x.Name)
		if !slices.Contains(replaced, k) {
			del(k)
			replaced = append(replaced, k)
		}
		v := x.Value
		if strings.ContainsAny(v, "\r\n") {
			// net/http turns line breaks in values into spaces when writing.
			v = lineBreaks.Replace(v)
		}
		hs = append(hs, app.Header{Name: k, Value: v})
	}
	if p.close {
		set("Connection", "close")
	} else if v := connectionFor(r, get("Connection")); v != "" {
		set("Connection", v)
	}
	if get("Date") == "" {
		set("Date", httpDate())
	}
	a := answer{status: p.status, body: p.body, withID: p.withID, cl: -1}
	switch {
	case p.status == http.StatusNotModified:
		del("Content-Type")
		fallthrough
	case p.status == http.StatusNoContent:
		del("Content-Length")
		del("Transfer-Encoding")
		a.noBody = true
	default:
		set("Content-Length", "")
	}
	if r.Method == http.MethodHead {
		a.noBody = true // the length is still announced
	}
	// Sorted by name, values of one name in the order added: what
	// net/http writes.
	slices.SortStableFunc(hs, func(x, y app.Header) int { return strings.Compare(x.Name, y.Name) })
	for i, x := range hs {
		if x.Name == "Content-Length" {
			a.cl = i
		}
	}
	a.headers = hs
	return a
}

// connectionFor is the Connection header net/http adds to an answer to r
// that has none or has had: keep-alive for HTTP/1.0 keep-alive, close when
// an HTTP/1.1 client asked for it; "" for none.
func connectionFor(r *http.Request, has string) string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 0 && !r.Close && has == "":
		return "keep-alive"
	case r.Close && r.ProtoAtLeast(1, 1):
		return "close"
	}
	return ""
}

// response is the answer with the event's id in it.
func (a answer) response(id string) app.Response {
	body := a.body
	if a.withID {
		body = strings.ReplaceAll(body, idMark, id)
	}
	resp := app.Response{Status: a.status, Headers: slices.Clone(a.headers)}
	if a.cl >= 0 {
		resp.Headers[a.cl].Value = strconv.Itoa(len(body))
	}
	if !a.noBody {
		resp.Body = []byte(body)
	}
	return resp
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")

// httpDate is the Date header's value now, formatted once a second.
func httpDate() string {
	now := time.Now()
	sec := now.Unix()
	if d := lastDate.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateText{sec: sec, text: now.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.text
}

type dateText struct {
	sec  int64
	text string
}

var lastDate atomic.Pointer[dateText]

// wait sleeps the rule's delay, giving the write deadline that much more
// time. It reports false when the client went away meanwhile.
func (p plan) wait(w http.ResponseWriter, r *http.Request, writeTimeout time.Duration) bool {
	if p.delay <= 0 {
		return true
	}
	// Not every ResponseWriter supports deadlines (httptest's does not).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(p.delay + writeTimeout))
	t := time.NewTimer(p.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func writeResponse(w http.ResponseWriter, resp app.Response) {
	if lw, ok := w.(*laneWriter); ok {
		lw.send(resp) // resp's headers are those to send
		return
	}
	h := w.Header()
	// The values of the names not set yet share one backing array.
	vals := make([]string, len(resp.Headers))
	for i, x := range resp.Headers {
		if old, ok := h[x.Name]; ok {
			h[x.Name] = append(old, x.Value)
			continue
		}
		vals[i] = x.Value
		h[x.Name] = vals[i : i+1 : i+1]
	}
	w.WriteHeader(resp.Status)
	if len(resp.Body) > 0 {
		// A write error means the client left; there is no one to tell.
		_, _ = w.Write(resp.Body)
	}
}

// splitURI splits a request target as sent into its raw path and query. An
// absolute-form target (http://host/path) keeps only its path.
func splitURI(uri string) (path, query string) {
	if !strings.HasPrefix(uri, "/") {
		if i := strings.Index(uri, "://"); i > 0 {
			rest := uri[i+3:]
			if j := strings.IndexAny(rest, "/?"); j >= 0 {
				uri = rest[j:]
			} else {
				uri = ""
			}
			if !strings.HasPrefix(uri, "/") {
				uri = "/" + uri
			}
		}
	}
	path, query, _ = strings.Cut(uri, "?")
	return path, query
}

// sizeText renders a byte count the way people say it: 10 MiB, 64 KiB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
