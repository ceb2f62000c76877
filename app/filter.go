package app

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the filter language shared by the window's filter box,
// `hooklens events --filter`, export and bulk resend: free text (path,
// query, body) plus key:value terms, -term to negate, quotes for phrases.
//
//	method:POST  status:5xx  status:404  verdict:invalid  endpoint:github
//	type:conversation.rated  header:X-GitHub-Event=push  header:Stripe-Signature
//	from:10.0.0.7  after:2026-11-30  before:-1h  size:>1MB  imported:yes  is:failure
//	"order paid"  -health

// FilterKey is one key of the language: its name, what it takes (for
// completion and help) and the values it offers, when they are a fixed set.
type FilterKey struct {
	Name   string
	Hint   string   // what the value is, e.g. "a status or class: 404, 5xx"
	Values []string // fixed values offered after the colon; nil for free values
}

// EventFilterKeys is the one table of the event keys, in the order help and
// completion list them. ParseFilter knows exactly these.
var EventFilterKeys = []FilterKey{
	{"method", "an HTTP method: POST", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}},
	{"status", "the status answered or its class: 404, 5xx", []string{"2xx", "3xx", "4xx", "5xx"}},
	{"verdict", "the signature verdict", []string{VerdictValid, VerdictInvalid, VerdictUnsigned, VerdictUnverified}},
	{"endpoint", "an endpoint slug (_ for none)", nil},
	{"type", "the provider's event type: push, conversation.rated", nil},
	{"header", "Name=value, or Name for presence", nil},
	{"from", "the sender's IP, prefix (10.0.) or network (10.0.0.0/8)", nil},
	{"after", "a date, a time or -1h", nil},
	{"before", "a date, a time or -1h", nil},
	{"size", "the body size: >1MB, <10KB, 512", nil},
	{"imported", "yes for imported events, no for captured ones", []string{"yes", "no"}},
	{"is", "failure: an invalid signature or a 4xx/5xx answer", []string{"failure"}},
}

// FilterKeys are the names of EventFilterKeys.
var FilterKeys = keyNames(EventFilterKeys)

func keyNames(keys []FilterKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return out
}

// FilterTerm is one term of a filter.
type FilterTerm struct {
	Key   string // "" for free text
	Value string // as written, without quotes
	Neg   bool

	text       []byte // free text, lower-cased
	ascii      bool
	statusLo   int
	statusHi   int
	at         time.Time
	size       int64
	sizeOp     byte // '<', '>', '='
	headerName string
	headerVal  string
	hasVal     bool
}

// ParseFilter reads a filter expression. An unknown key or a bad value is an
// error saying which term and what to write instead. now anchors relative
// times (-1h).
func ParseFilter(expr string, now time.Time) (Filter, error) {
	f := Filter{Expr: strings.TrimSpace(expr)}
	var terms []FilterTerm
	words, err := splitFilter(expr)
	if err != nil {
		return Filter{}, err
	}
	for _, w := range words {
		t := FilterTerm{}
		if strings.HasPrefix(w.s, "-") && len(w.s) > 1 && !w.quoted {
			t.Neg, w.s = true, w.s[1:]
		}
		key, val, hasKey := strings.Cut(w.s, ":")
		if w.quoted || !hasKey || key == "" || strings.ContainsAny(key, " /") {
			t.Value = w.s
			t.text = []byte(strings.ToLower(w.s))
			t.ascii = isASCIIBytes(t.text)
			terms = append(terms, t)
			continue
		}
		key = strings.ToLower(key)
		t.Key, t.Value = key, val
		if err := t.compile(now); err != nil {
			return Filter{}, err
		}
		terms = append(terms, t)
	}
	if len(terms) > 0 {
		f.terms = &terms
	}
	return f, nil
}

type filterWord struct {
	s      string
	quoted bool
}

// splitFilter splits on spaces, keeping "quoted phrases" (also after key:)
// whole.
func splitFilter(s string) ([]filterWord, error) {
	var out []filterWord
	var cur strings.Builder
	quoted, inQuote, any := false, false, false
	flush := func() {
		if any {
			out = append(out, filterWord{cur.String(), quoted})
		}
		cur.Reset()
		quoted, any = false, false
	}
	for _, r := range s {
		switch {
		case r == '"':
			inQuote = !inQuote
			any = true
			if cur.Len() == 0 || strings.HasSuffix(cur.String(), ":") || cur.String() == "-" {
				quoted = quoted || !strings.Contains(cur.String(), ":")
			}
		case (r == ' ' || r == '\t') && !inQuote:
			flush()
		default:
			cur.WriteRune(r)
			any = true
		}
	}
	if inQuote {
		return nil, errors.New(`a quote is not closed: end the phrase with "`)
	}
	flush()
	return out, nil
}

func (t *FilterTerm) compile(now time.Time) error {
	v := t.Value
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s:%s — %s", t.Key, v, fmt.Sprintf(format, a...))
	}
	if v == "" && t.Key != "header" {
		return bad("give a value after the colon")
	}
	switch t.Key {
	case "method":
		if !IsHeaderName(v) {
			return bad("not an HTTP method: write it like method:POST")
		}
	case "status":
		lo, hi, ok := parseStatusTerm(v)
		if !ok {
			return bad("write a status such as 404 or a class such as 5xx")
		}
		t.statusLo, t.statusHi = lo, hi
	case "verdict":
		switch strings.ToLower(v) {
		case VerdictValid, VerdictInvalid, VerdictUnsigned, VerdictUnverified:
			t.Value = strings.ToLower(v)
		default:
			return bad("use valid, invalid, unsigned or unverified")
		}
	case "endpoint":
		if v != "_" && ValidateSlug(v) != nil {
			return bad("not an endpoint slug (lower-case letters, digits, - and _; _ means no endpoint)")
		}
	case "type":
	case "header":
		name, val, has := strings.Cut(v, "=")
		if !IsHeaderName(name) {
			return bad("write header:Name=value, or header:Name for any value")
		}
		t.headerName, t.headerVal, t.hasVal = name, strings.ToLower(val), has
	case "from":
		if net.ParseIP(v) == nil && !strings.HasSuffix(v, ".") && !strings.HasSuffix(v, ":") {
			if _, _, err := net.ParseCIDR(v); err != nil {
				return bad("write an IP address (10.0.0.7), a prefix (10.0.) or a network (10.0.0.0/8)")
			}
		}
	case "after", "before":
		at, err := parseWhen(v, now)
		if err != nil {
			return bad("%v", err)
		}
		t.at = at
	case "imported":
		switch strings.ToLower(v) {
		case "yes", "true":
			t.Value = "yes"
		case "no", "false":
			t.Value = "no"
		default:
			return bad("write imported:yes or imported:no")
		}
	case "is":
		if strings.ToLower(v) != "failure" {
			return bad("write is:failure (an invalid signature or a 4xx/5xx answer)")
		}
		t.Value = "failure"
	case "size":
		op := byte('=')
		s := v
		if s != "" && (s[0] == '<' || s[0] == '>' || s[0] == '=') {
			op, s = s[0], s[1:]
		}
		n, err := ParseSize(s)
		if err != nil {
			return bad("write a size such as >1MB, <10KB or 512")
		}
		t.size, t.sizeOp = n, op
	default:
		return unknownKey(t.Key, FilterKeys)
	}
	return nil
}

// unknownKey says key is not one of keys and what to write instead.
func unknownKey(key string, keys []string) error {
	return fmt.Errorf("%s: is not a filter key: use %s (or quote the text to search for it)", key, strings.Join(keys, ", "))
}

// parseStatusTerm reads a status (404) or a class (5xx) as a range.
func parseStatusTerm(v string) (lo, hi int, ok bool) {
	lv := strings.ToLower(v)
	if len(lv) == 3 && lv[1:] == "xx" && lv[0] >= '1' && lv[0] <= '5' {
		lo = int(lv[0]-'0') * 100
		return lo, lo + 99, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 100 || n > 599 {
		return 0, 0, false
	}
	return n, n, true
}

// parseWhen reads a date (2026-11-30), a date and time (2026-11-30T10:00,
// RFC 3339), a time today (14:30) or a time relative to now (-1h, -30m, -2d).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if rel, ok := strings.CutPrefix(s, "-"); ok {
		d, err := ParseDuration("time", rel)
		if err != nil {
			return time.Time{}, errors.New("write a relative time such as -1h, -30m or -2d")
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			y, m, d := now.Date()
			return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, now.Location()), nil
		}
	}
	return time.Time{}, errors.New("write a date (2026-11-30), a time (14:30) or a relative time (-1h)")
}

// Candidate is an event as a filter sees it. Summaries answer most keys;
// the body, headers and remote address are read only when a term needs
// them, so a filter on structured keys never loads bodies.
type Candidate interface {
	Summary() *EventSummary
	Body() []byte
	Headers() Headers
	RemoteAddr() string
	EventType() string
}

// EventCandidate is a whole event as a Candidate.
type EventCandidate struct{ E *Event }

func (c EventCandidate) Summary() *EventSummary { s := c.E.Summary(); return &s }
func (c EventCandidate) Body() []byte           { return c.E.Body }
func (c EventCandidate) Headers() Headers       { return c.E.Headers }
func (c EventCandidate) RemoteAddr() string     { return c.E.RemoteAddr }
func (c EventCandidate) EventType() string {
	if c.E.Type != "" {
		return c.E.Type
	}
	return EventType(c.E)
}

// Match reports whether c passes every term of f (and the legacy Method and
// Text fields).
func (f Filter) Match(c Candidate) bool {
	s := c.Summary()
	if f.Method != "" && !strings.EqualFold(s.Method, f.Method) {
		return false
	}
	if f.Text != "" {
		t := FilterTerm{text: []byte(strings.ToLower(f.Text))}
		t.ascii = isASCIIBytes(t.text)
		if !t.matchText(s, c) {
			return false
		}
	}
	terms := f.Terms()
	for i := range terms {
		if terms[i].match(s, c) == terms[i].Neg {
			return false
		}
	}
	return true
}

// NeedsBody reports whether matching may read more than the summary (the
// body, headers or remote address).
func (f Filter) NeedsBody() bool {
	if f.Text != "" {
		return true
	}
	for _, t := range f.Terms() {
		if t.Key == "" || t.Key == "header" || t.Key == "from" {
			return true
		}
	}
	return false
}

func (t *FilterTerm) match(s *EventSummary, c Candidate) bool {
	switch t.Key {
	case "":
		return t.matchText(s, c)
	case "method":
		return strings.EqualFold(s.Method, t.Value)
	case "status":
		return s.Status >= t.statusLo && s.Status <= t.statusHi
	case "verdict":
		return s.Verdict.Result == t.Value
	case "endpoint":
		if t.Value == "_" {
			return s.Endpoint == ""
		}
		return s.Endpoint == t.Value
	case "type":
		return strings.EqualFold(c.EventType(), t.Value)
	case "header":
		for _, h := range c.Headers() {
			if strings.EqualFold(h.Name, t.headerName) && (!t.hasVal || strings.EqualFold(h.Value, t.headerVal)) {
				return true
			}
		}
		return false
	case "from":
		host := c.RemoteAddr()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if _, n, err := net.ParseCIDR(t.Value); err == nil {
			ip := net.ParseIP(host)
			return ip != nil && n.Contains(ip)
		}
		if strings.HasSuffix(t.Value, ".") || strings.HasSuffix(t.Value, ":") {
			return strings.HasPrefix(host, t.Value)
		}
		return host == t.Value
	case "after":
		return s.ReceivedAt.After(t.at)
	case "before":
		return s.ReceivedAt.Before(t.at)
	case "is":
		return s.Verdict.Result == VerdictInvalid || s.Status >= 400
	case "imported":
		_, imported := importedFrom(s.Origin)
		return imported == (t.Value == "yes")
	case "size":
		switch t.sizeOp {
		case '<':
			return s.Size < t.size
		case '>':
			return s.Size > t.size
		}
		return s.Size == t.size
	}
	return false
}

func (t *FilterTerm) matchText(s *EventSummary, c Candidate) bool {
	return containsFold([]byte(s.Path), t.text, t.ascii) || containsFold([]byte(s.Query), t.text, t.ascii) ||
		containsFold(c.Body(), t.text, t.ascii)
}

// containsFold reports whether hay holds the lower-cased needle, ignoring
// case. ASCII needles (the usual search) are matched without copying hay,
// which matters when a filter scans every stored body.
func containsFold(hay, needle []byte, ascii bool) bool {
	if !ascii {
		return bytes.Contains(bytes.ToLower(hay), needle)
	}
	if len(needle) == 0 {
		return true
	}
	first, firstUp := needle[0], upperASCII(needle[0])
	for i := 0; i+len(needle) <= len(hay); i++ {
		c := hay[i]
		if c != first && c != firstUp {
			continue
		}
		j := 1
		for ; j < len(needle); j++ {
			if lowerASCII(hay[i+j]) != needle[j] {
				break
			}
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
