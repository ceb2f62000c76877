package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/exchange"
)

// Server serves a Backend on the data dir's socket.
type Server struct {
	b    Backend
	path string
	srv  *http.Server
	done chan struct{}
}

// Listen starts serving b on dir's socket. The caller must hold the data
// dir's database (so no other instance serves it): a socket file left by a
// crashed instance is replaced. The socket is made 0600 before anyone can
// connect: it is created under a umask that leaves only the owner's bits.
func Listen(dir string, b Backend, logf func(string, ...any)) (*Server, error) {
	path := filepath.Join(dir, SocketName)
	if len(path) > 100 {
		return nil, fmt.Errorf("the local API socket path %s is too long for a Unix socket (over 100 bytes): use a shorter --data DIR to run commands beside this window", path)
	}
	_ = os.Remove(path)
	ln, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("cannot start the local API on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("cannot make the local API socket %s private: %w", path, err)
	}
	s := &Server{b: b, path: path, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("GET /v1/events", s.events)
	mux.HandleFunc("GET /v1/events/{id}", s.event)
	mux.HandleFunc("GET /v1/events/{id}/verdict", s.judge)
	mux.HandleFunc("GET /v1/endpoints", s.endpoints)
	mux.HandleFunc("POST /v1/endpoints", s.saveEndpoint)
	mux.HandleFunc("GET /v1/deliveries", s.deliveries)
	mux.HandleFunc("GET /v1/deliveries/{id}", s.delivery)
	mux.HandleFunc("POST /v1/send", s.send)
	mux.HandleFunc("GET /v1/wait", s.wait)
	mux.HandleFunc("POST /v1/tunnel/check", s.checkTunnel)
	mux.HandleFunc("POST /v1/import", s.importEvents)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && logf != nil {
			logf("hooklens: local API stopped: %v", err)
		}
	}()
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Close stops serving (waits, sends and requests in flight are cut) and
// removes the socket file.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	<-s.done
	os.Remove(s.path)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil // long waits were cut: that is what closing means
	}
	return err
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.b.Status()
	reply(w, st, err)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	f, err := app.ParseFilter(r.URL.Query().Get("filter"), time.Now())
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	sums, err := s.b.Events(app.Page{Offset: p.offset, Limit: p.limit, Filter: f, Before: p.before})
	if err != nil {
		fail(w, statusOf(err), err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	bw := bufio.NewWriter(w)
	lines := exchange.NewLineWriter(bw, true)
	for _, sum := range sums {
		e, err := s.b.Event(sum.ID)
		if errors.Is(err, app.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			break
		}
		if lines.Write(e) != nil {
			return
		}
	}
	bw.Flush()
}

func (s *Server) event(w http.ResponseWriter, r *http.Request) {
	id, err := app.ParseID(r.PathValue("id"))
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	e, err := s.b.Event(id)
	if err != nil {
		fail(w, statusOf(err), err)
		return
	}
	reply(w, exchange.NewEventLine(e, true), nil)
}

func (s *Server) judge(w http.ResponseWriter, r *http.Request) {
	id, err := app.ParseID(r.PathValue("id"))
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	rep, err := s.b.Judge(id)
	reply(w, rep, err)
}

func (s *Server) endpoints(w http.ResponseWriter, r *http.Request) {
	eps, err := s.b.Endpoints()
	if err == nil {
		for i := range eps {
			eps[i] = eps[i].Masked()
		}
	}
	reply(w, eps, err)
}

func (s *Server) saveEndpoint(w http.ResponseWriter, r *http.Request) {
	var ep app.Endpoint
	if err := decode(r, &ep); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	rj, err := s.b.SaveEndpoint(ep)
	reply(w, rj, err)
}

func (s *Server) deliveries(w http.ResponseWriter, r *http.Request) {
	p, err := pageOf(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	sums, err := s.b.Deliveries(app.DeliveryPage{Offset: p.offset, Limit: p.limit})
	reply(w, sums, err)
}

func (s *Server) delivery(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		fail(w, http.StatusBadRequest, errors.New("delivery id must be a positive number"))
		return
	}
	d, err := s.b.Delivery(id)
	reply(w, d, err)
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	var d app.Delivery
	if err := decode(r, &d); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	err := s.b.Send(r.Context(), &d)
	reply(w, &d, err)
}

func (s *Server) wait(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := Match{Path: q.Get("path"), Endpoint: q.Get("endpoint"), Verdict: q.Get("verdict")}
	if err := m.Validate(); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	m.Timeout = 30 * time.Second
	if t := q.Get("timeout"); t != "" {
		d, err := app.ParseDuration("timeout", t)
		if err != nil || d <= 0 || d > maxWait {
			fail(w, http.StatusBadRequest, fmt.Errorf("timeout %q must be a positive duration up to 24h", t))
			return
		}
		m.Timeout = d
	}
	e, err := s.b.Wait(r.Context(), m)
	if errors.Is(err, context.DeadlineExceeded) {
		fail(w, http.StatusRequestTimeout, fmt.Errorf("no matching event within %s", app.FormatDuration(m.Timeout)))
		return
	}
	if err != nil {
		fail(w, statusOf(err), err)
		return
	}
	reply(w, exchange.NewEventLine(e, true), nil)
}

func (s *Server) checkTunnel(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	if err := decode(r, &in); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	res, err := s.b.CheckTunnel(r.Context(), in.URL)
	reply(w, res, err)
}

func (s *Server) importEvents(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<30))
	if err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("reading the events to import: %w", err))
		return
	}
	evs, err := exchange.ParseLines(data)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	res, err := s.b.Import(r.Context(), r.URL.Query().Get("source"), evs)
	reply(w, res, err)
}

type page struct {
	offset, limit int
	before        uint64 // events only: below this id (app.Page.Before)
}

func pageOf(r *http.Request) (page, error) {
	p := page{limit: 100}
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return p, fmt.Errorf("before %q must be an event id", v)
		}
		p.before = n
	}
	for name, dst := range map[string]*int{"offset": &p.offset, "limit": &p.limit} {
		if v := r.URL.Query().Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 10000 {
				return p, fmt.Errorf("%s %q must be a number from 0 to 10000", name, v)
			}
			*dst = n
		}
	}
	return p, nil
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<20))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the request body is not the JSON expected: %w", err)
	}
	return nil
}

// errorBody is how the API answers a failure.
type errorBody struct {
	Error string `json:"error"`
	Usage bool   `json:"usage,omitempty"` // the request was wrong, not the server
}

// ErrInvalid marks a Backend error about the caller's input (400).
var ErrInvalid = errors.New("invalid")

func statusOf(err error) int {
	switch {
	case errors.Is(err, app.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func fail(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{Error: err.Error(), Usage: status == http.StatusBadRequest})
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		fail(w, statusOf(err), err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
