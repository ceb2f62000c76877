package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// Formats that export and import both speak.
const (
	FormatHAR   = "har"
	FormatJSONL = "jsonl"
	FormatCurl  = "curl"
	FormatRaw   = "raw"
)

// Formats lists them, for usage messages.
var Formats = []string{FormatHAR, FormatJSONL, FormatCurl, FormatRaw}

// Detect says which format data is in: a JSON object with "log" is HAR, JSON
// objects one a line are JSON lines, a command starting with curl (or a
// printf piped into curl) is curl, and a request line is raw HTTP.
func Detect(data []byte) (string, error) {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	t = bytes.TrimPrefix(t, []byte("\xef\xbb\xbf"))
	for bytes.HasPrefix(t, []byte("#")) { // a script's comments
		_, rest, _ := bytes.Cut(t, []byte("\n"))
		t = bytes.TrimLeft(rest, " \t\r\n")
	}
	switch {
	case len(t) == 0:
		return "", errors.New("the input is empty: paste a curl command, a raw HTTP request, a HAR file or JSON lines")
	case t[0] == '{':
		first, _, _ := bytes.Cut(t, []byte("\n"))
		var probe map[string]json.RawMessage
		if json.Unmarshal(first, &probe) == nil {
			if _, ok := probe["log"]; !ok {
				return FormatJSONL, nil
			}
		}
		return FormatHAR, nil
	case bytes.HasPrefix(t, []byte("curl ")) || bytes.HasPrefix(t, []byte("curl.exe ")) || bytes.HasPrefix(t, []byte("printf ")) ||
		bytes.HasPrefix(t, []byte("curl\t")) || bytes.HasPrefix(t, []byte("$ curl ")):
		return FormatCurl, nil
	}
	line, _, _ := bytes.Cut(t, []byte("\n"))
	if _, _, _, err := parseRequestLine(strings.TrimRight(string(line), "\r")); err == nil {
		return FormatRaw, nil
	}
	return "", fmt.Errorf("line 1: %q is not the start of a HAR file, JSON lines, a curl command or a raw HTTP request: pass --format", clip(string(line)))
}

// ParseOptions say how to read an input.
type ParseOptions struct {
	Format string // "" detects
	// Dir is where files named in curl commands (@file) are read from;
	// "" refuses them (a paste).
	Dir string
}

// Parse reads every event of data in format o.Format (detected when ""). A
// malformed input gives no events and an error naming the line (or JSON
// path) and the reason.
func Parse(data []byte, o ParseOptions) (format string, events []*app.Event, err error) {
	format = o.Format
	if format == "" {
		if format, err = Detect(data); err != nil {
			return "", nil, err
		}
	}
	switch format {
	case FormatHAR:
		events, err = ParseHAR(data)
	case FormatJSONL:
		events, err = ParseLines(data)
	case FormatCurl:
		events, err = ParseCurls(data, o)
	case FormatRaw:
		events, err = ParseRawRequests(data)
	default:
		return "", nil, fmt.Errorf("format %q is not one of %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return format, nil, err
	}
	if len(events) == 0 {
		return format, nil, fmt.Errorf("the %s input holds no events", format)
	}
	return format, events, nil
}

// ParseLines reads JSON lines (the `events --json` form) into events.
func ParseLines(data []byte) ([]*app.Event, error) {
	var out []*app.Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 512<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var l EventLine
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, jsonError(line, err))
		}
		if dec.More() {
			return nil, fmt.Errorf("line %d: more than one JSON value on the line", n)
		}
		if l.Method == "" {
			return nil, fmt.Errorf("line %d: $.method is missing: each line must be an event as 'hooklens events --json' prints it", n)
		}
		if l.Headers == nil && l.HeadersBase64 == nil {
			return nil, fmt.Errorf("line %d: $.headers is missing: export with 'hooklens events --json' or 'export --format jsonl', which include headers and body", n)
		}
		e, err := l.Event()
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading JSON lines: %w", err)
	}
	return out, nil
}

// ParseCurls reads one or more curl commands, one after another (a blank
// line or a new line starting with curl begins the next).
func ParseCurls(data []byte, o ParseOptions) ([]*app.Event, error) {
	var out []*app.Event
	co := CurlOptions{Dir: o.Dir}
	if o.Dir != "" {
		co.ReadFile = osReadFile
	}
	for _, c := range splitCommands(string(data)) {
		e, err := ParseCurl(c.text, co)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", c.line, err)
		}
		out = append(out, e)
	}
	return out, nil
}

type command struct {
	text string
	line int
}

// splitCommands cuts a script into commands: lines that continue with \ or ^
// belong to the one before; comments and "#!" lines are skipped.
func splitCommands(s string) []command {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []command
	var cur strings.Builder
	start := 0
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if cur.Len() == 0 {
			t := strings.TrimSpace(l)
			if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "set ") {
				continue
			}
			start = i + 1
			l = strings.TrimPrefix(strings.TrimLeft(l, " \t"), "$ ")
		}
		cur.WriteString(l)
		if strings.HasSuffix(l, "\\") || strings.HasSuffix(l, "^") || openQuote(cur.String()) {
			cur.WriteByte('\n')
			continue
		}
		out = append(out, command{cur.String(), start})
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, command{cur.String(), start})
	}
	return out
}

// openQuote reports whether s ends inside a quote (a body spanning lines).
func openQuote(s string) bool {
	_, err := shellWords(s)
	return err != nil && strings.Contains(err.Error(), "never closed")
}

// ParseRawRequests reads one or more raw HTTP/1.x requests one after
// another (each framed by its Content-Length or chunked encoding; the last
// may run to the end).
func ParseRawRequests(data []byte) ([]*app.Event, error) {
	var out []*app.Event
	line := 1
	for {
		trimmed := bytes.TrimLeft(data, "\r\n")
		line += bytes.Count(data[:len(data)-len(trimmed)], []byte("\n"))
		data = trimmed
		if len(data) == 0 {
			return out, nil
		}
		e, n, err := parseRaw(data)
		if err != nil {
			return nil, fmt.Errorf("request at line %d: %w", line, err)
		}
		out = append(out, e)
		line += bytes.Count(data[:n], []byte("\n"))
		data = data[n:]
	}
}

// Options say how Import judges and stores events.
type Options struct {
	// Source names the file (or "paste"); events are marked imported from it.
	Source string
	// PublicURL is the address senders were given, for schemes that sign
	// the URL (see verify.Judge); "" rebuilds it from the request.
	PublicURL string
	// Now is the import time, for events whose source carries none; zero is time.Now.
	Now time.Time
	// Progress, when set, is told how many of total events are done, from
	// the import's goroutine (a window forwards it with fyne.Do).
	Progress func(done, total int)
}

// Sink is where Import stores: all events in one transaction or none
// (*store.Store's ImportAll).
type Sink interface {
	verify.Endpoints
	Endpoint(slug string) (app.Endpoint, error)
	ImportAll(ctx context.Context, events []*app.Event) error
}

// Result says what Import did.
type Result struct {
	Imported int            // events stored
	IDs      []uint64       // their new ids, in input order
	Verdicts map[string]int // how many of each verdict result, judged now
}

// Prepare marks parsed events imported from o.Source, gives each a verdict
// judged now with verify.Judge against the endpoint its path names (the
// verdict the source carried is kept as OriginVerdict) and clears ids so
// the store assigns new ones. It stops when ctx ends.
func Prepare(ctx context.Context, events []*app.Event, st Sink, o Options) error {
	eps, err := st.Endpoints()
	if err != nil {
		return fmt.Errorf("reading endpoints to judge the imported events: %w", err)
	}
	bySlug := map[string]*app.Endpoint{}
	for i := range eps {
		bySlug[eps[i].Slug] = &eps[i]
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	source := o.Source
	if source == "" {
		source = "paste"
	}
	all := verify.EndpointList(eps)
	for i, e := range events {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("import cancelled after judging %d of %d events; nothing was stored: %w", i, len(events), err)
			}
			if o.Progress != nil {
				o.Progress(i, len(events))
			}
		}
		e.ID = 0
		if e.ReceivedAt.IsZero() {
			e.ReceivedAt = now
		}
		if e.Verdict.Result != "" {
			v := e.Verdict
			e.OriginVerdict = &v
		}
		e.Origin = app.ImportOrigin(source, i+1)
		slug := e.Endpoint
		if slug == "" {
			slug = app.PathSlug(e.Path)
		}
		ep := bySlug[slug]
		if ep != nil {
			e.Endpoint = slug
		}
		e.Verdict = verify.Judge(e, ep, all, o.PublicURL).Verdict
		if e.Type == "" {
			e.Type = app.EventType(e)
		}
	}
	return nil
}

// Import prepares events (see Prepare) and stores them all in one
// transaction: on any error, or when ctx ends, nothing is stored.
func Import(ctx context.Context, st Sink, events []*app.Event, o Options) (Result, error) {
	if err := Prepare(ctx, events, st, o); err != nil {
		return Result{}, err
	}
	if err := st.ImportAll(ctx, events); err != nil {
		return Result{}, fmt.Errorf("nothing was imported: %w", err)
	}
	if o.Progress != nil {
		o.Progress(len(events), len(events))
	}
	return Summarize(events), nil
}

// Summarize counts stored events by verdict.
func Summarize(events []*app.Event) Result {
	r := Result{Imported: len(events), Verdicts: map[string]int{}}
	for _, e := range events {
		r.IDs = append(r.IDs, e.ID)
		r.Verdicts[e.Verdict.Result]++
	}
	return r
}

// String is the counts as the command line prints them.
func (r Result) String() string {
	var parts []string
	for _, k := range []string{app.VerdictValid, app.VerdictInvalid, app.VerdictUnsigned, app.VerdictUnverified} {
		if n := r.Verdicts[k]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+k)
		}
	}
	s := fmt.Sprintf("imported %d events", r.Imported)
	switch n := len(r.IDs); {
	case n == 1:
		s = "imported 1 event, id " + app.FormatID(r.IDs[0])
	case n > 1:
		s += fmt.Sprintf(", ids %s to %s", app.FormatID(r.IDs[0]), app.FormatID(r.IDs[n-1]))
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// Export writes events in format (har, jsonl, raw; curl with no body files:
// see WriteCurl).
func Export(w io.Writer, format string, events []*app.Event, version string) error {
	switch format {
	case FormatHAR:
		return HAR(w, events, version)
	case FormatJSONL:
		lw := NewLineWriter(w, true)
		for _, e := range events {
			if err := lw.Write(e); err != nil {
				return err
			}
		}
		return nil
	case FormatRaw:
		return WriteRaw(w, events)
	case FormatCurl:
		return WriteCurl(w, events, "", nil)
	}
	return fmt.Errorf("format %q is not one of %s", format, strings.Join(Formats, ", "))
}

// WriteCurl writes a shell script with one curl command per event, sending
// to baseURL ("" keeps each event's Host). A body that is not text goes to a
// file: writeBody(name, body) stores it beside the script and the command
// reads it with --data-binary @name; writeBody nil pipes it through printf.
func WriteCurl(w io.Writer, events []*app.Event, baseURL string, writeBody func(name string, body []byte) error) error {
	// bash, not sh: headers with control bytes are quoted $'...'.
	head := "#!/usr/bin/env bash\n# Requests exported by Hooklens: one curl command each.\n"
	if writeBody != nil {
		// Bodies that are not text sit beside the script: read them from there
		// wherever the script is started.
		head += "cd \"$(dirname \"$0\")\" || exit 1\n"
	}
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	for i, e := range events {
		name := ""
		if writeBody != nil {
			name = fmt.Sprintf("event-%s-%d.body", e.IDString(), i+1)
		}
		cmd, needs := CurlFile(e, baseURL, name)
		if needs {
			if err := writeBody(name, e.Body); err != nil {
				return fmt.Errorf("writing the body of event %s: %w", e.IDString(), err)
			}
		}
		if _, err := fmt.Fprintf(w, "\n# event %s\n%s\n", e.IDString(), cmd); err != nil {
			return err
		}
	}
	return nil
}
