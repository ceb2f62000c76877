package signal

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
)

// The built-in variables. now, now_ms and now_unix read the clock once per
// render; random_name and random_email are one made-up person per render
// (the email is the name's); uuid is a new version 4 UUID at each use.
const (
	VarNow         = "now"          // RFC 3339 in UTC with milliseconds
	VarNowMS       = "now_ms"       // Unix time in milliseconds
	VarNowUnix     = "now_unix"     // Unix time in seconds
	VarUUID        = "uuid"         // a random version 4 UUID
	VarSeq         = "seq"          // the number Render is given, 1 by default
	VarRandomEmail = "random_email" // e.g. lena.fischer@example.net
	VarRandomName  = "random_name"  // e.g. Lena Fischer
)

// nowFormat is how {{now}} writes the time: RFC 3339, UTC, milliseconds.
const nowFormat = "2006-01-02T15:04:05.000Z07:00"

var builtins = []string{VarNow, VarNowMS, VarNowUnix, VarUUID, VarSeq, VarRandomEmail, VarRandomName}

// IsBuiltin reports whether name is one of the built-in variables.
func IsBuiltin(name string) bool { return slices.Contains(builtins, name) }

// Variable is one variable a template uses, for its form.
type Variable struct {
	Name    string
	Builtin bool   // filled in by Render unless given a value
	Default string // a user variable's starting value ("" for none)
	// Number says the variable stands for a whole JSON number
	// ("{{name|number}}"), so its value must be a number.
	Number bool
}

// Variables lists the variables t uses, in the order they first appear:
// headers first, then the body.
func (t Template) Variables() []Variable {
	var out []Variable
	seen := map[string]int{}
	add := func(p placeholder) {
		if i, ok := seen[p.name]; ok {
			out[i].Number = out[i].Number || p.number
			return
		}
		seen[p.name] = len(out)
		out = append(out, Variable{Name: p.name, Builtin: IsBuiltin(p.name), Default: t.Defaults[p.name], Number: p.number})
	}
	for _, h := range t.Headers {
		for _, p := range findPlaceholders(h.Value) {
			add(p)
		}
	}
	for _, p := range t.bodyPlaceholders() {
		add(p)
	}
	return out
}

// bodyPlaceholders are the placeholders of the body: in a JSON body those
// in its strings, escapes undone, as Render fills them.
func (t Template) bodyPlaceholders() []placeholder {
	if !t.IsJSON() {
		return findPlaceholders(string(t.Body))
	}
	var out []placeholder
	walkStrings(t.Body, func(start, end int) error {
		out = append(out, findPlaceholders(jsonUnquote(t.Body[start-1:end+1]))...)
		return nil
	})
	return out
}

// jsonUnquote is the text of a JSON string literal q (quotes included).
func jsonUnquote(q []byte) string {
	if !bytes.ContainsRune(q, '\\') {
		return string(q[1 : len(q)-1])
	}
	var s string
	json.Unmarshal(q, &s) // q is a string of a valid document
	return s
}

// checkVariables reports placeholders Render could not fill the same way
// every time: a malformed one, an unknown filter, |number inside a longer
// string, or a default given for a built-in variable.
func (t Template) checkVariables() error {
	for name := range t.Defaults {
		if IsBuiltin(name) {
			return fmt.Errorf("variable %q is built in: remove its default from \"variables\"", name)
		}
		if !validVarName(name) {
			return fmt.Errorf("variable name %q may hold only letters, digits and _", name)
		}
	}
	check := func(where, s string) error {
		for _, p := range findPlaceholders(s) {
			if p.err != "" {
				return fmt.Errorf("%s: placeholder %q %s", where, p.raw, p.err)
			}
		}
		return nil
	}
	for _, h := range t.Headers {
		if err := check("header "+h.Name, h.Value); err != nil {
			return err
		}
		for _, p := range findPlaceholders(h.Value) {
			if p.number {
				return fmt.Errorf("header %s: %q: |number is for JSON bodies only", h.Name, p.raw)
			}
		}
	}
	for _, p := range t.bodyPlaceholders() {
		if p.err != "" {
			return fmt.Errorf("body: placeholder %q %s", p.raw, p.err)
		}
	}
	if !t.IsJSON() {
		for _, p := range findPlaceholders(string(t.Body)) {
			if p.number {
				return fmt.Errorf("body: %q: |number is for JSON bodies only", p.raw)
			}
		}
		return nil
	}
	return walkStrings(t.Body, func(start, end int) error {
		s := jsonUnquote(t.Body[start-1 : end+1])
		for _, p := range findPlaceholders(s) {
			if p.number && s != p.raw {
				return fmt.Errorf("body: %q must be the whole string (\"%s\"), as it becomes a JSON number", p.raw, p.raw)
			}
		}
		return nil
	})
}

// Render fills t's variables and returns the body and headers to send.
// vars are user values; they also override the built-ins (a fixed "now"
// for a test, say). seq is the value of {{seq}}, 1 when not given. In a
// JSON body each value is JSON-escaped inside its string, and a string that
// is exactly "{{name|number}}" becomes the bare number, so the body stays
// valid JSON; in a form body values are URL-encoded.
func (t Template) Render(vars map[string]string, seq ...int) ([]byte, app.Headers, error) {
	n := 1
	if len(seq) > 0 {
		n = seq[0]
	}
	r := newRenderer(t, vars, n, time.Now())
	return r.render()
}

type renderer struct {
	t      Template
	vars   map[string]string
	now    time.Time
	seq    int
	person person
}

func newRenderer(t Template, vars map[string]string, seq int, now time.Time) *renderer {
	return &renderer{t: t, vars: vars, now: now.UTC(), seq: seq, person: randomPerson()}
}

func (r *renderer) render() ([]byte, app.Headers, error) {
	var hs app.Headers
	for _, h := range r.t.Headers {
		v, err := r.expand(h.Value, func(s string) string { return s })
		if err != nil {
			return nil, nil, fmt.Errorf("template %s, header %s: %w", r.t.Name, h.Name, err)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, nil, fmt.Errorf("template %s, header %s: the value would hold a line break or NUL: remove it from the variable", r.t.Name, h.Name)
		}
		hs = append(hs, app.Header{Name: h.Name, Value: v})
	}
	var body []byte
	var err error
	switch {
	case len(r.t.Body) == 0:
	case r.t.IsJSON():
		body, err = r.renderJSON()
	case strings.HasPrefix(strings.ToLower(r.t.Headers.Get("Content-Type")), "application/x-www-form-urlencoded"):
		var s string
		s, err = r.expand(string(r.t.Body), url.QueryEscape)
		body = []byte(s)
	default:
		var s string
		s, err = r.expand(string(r.t.Body), func(s string) string { return s })
		body = []byte(s)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("template %s: %w", r.t.Name, err)
	}
	return body, hs, nil
}

// renderJSON copies the body, filling the placeholders inside its strings.
func (r *renderer) renderJSON() ([]byte, error) {
	var out bytes.Buffer
	b := r.t.Body
	last := 0
	err := walkStrings(b, func(start, end int) error {
		plain := jsonUnquote(b[start-1 : end+1])
		ps := findPlaceholders(plain)
		if len(ps) == 0 {
			return nil
		}
		out.Write(b[last : start-1]) // up to the opening quote
		if len(ps) == 1 && ps[0].number && ps[0].raw == plain {
			v, err := r.value(ps[0].name)
			if err != nil {
				return err
			}
			v = strings.TrimSpace(v)
			if !isJSONNumber(v) {
				return fmt.Errorf("variable %q must be a number here (it is sent as a JSON number), got %q", ps[0].name, v)
			}
			out.WriteString(v)
		} else {
			// Fill the unescaped string and write it escaped again, so
			// values with quotes, backslashes or newlines stay valid JSON.
			v, err := r.expand(plain, func(s string) string { return s })
			if err != nil {
				return err
			}
			out.Write(jsonString(v))
		}
		last = end + 1 // past the closing quote
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Write(b[last:])
	if !json.Valid(out.Bytes()) {
		return nil, errors.New("the filled body is not valid JSON")
	}
	return out.Bytes(), nil
}

// expand replaces every placeholder in s with its value passed through esc.
func (r *renderer) expand(s string, esc func(string) string) (string, error) {
	return r.expandWith(s, esc, r.value)
}

func (r *renderer) expandWith(s string, esc func(string) string, value func(string) (string, error)) (string, error) {
	ps := findPlaceholders(s)
	if len(ps) == 0 {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for _, p := range ps {
		if p.err != "" {
			return "", fmt.Errorf("placeholder %q %s", p.raw, p.err)
		}
		v, err := value(p.name)
		if err != nil {
			return "", err
		}
		b.WriteString(s[last:p.at])
		b.WriteString(esc(v))
		last = p.at + len(p.raw)
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// value is a variable's value: the user's, then the built-in, then the
// template's default (in which built-ins are filled).
func (r *renderer) value(name string) (string, error) {
	if v, ok := r.vars[name]; ok {
		return v, nil
	}
	if v, ok := r.builtin(name); ok {
		return v, nil
	}
	if d, ok := r.t.Defaults[name]; ok {
		return r.expandWith(d, func(s string) string { return s }, func(n string) (string, error) {
			if v, ok := r.builtin(n); ok {
				return v, nil
			}
			return "", fmt.Errorf("the default of %q uses {{%s}}: a default may use only the built-in variables", name, n)
		})
	}
	return "", fmt.Errorf("variable %q has no value: set one", name)
}

// builtin is a built-in variable's value for this render.
func (r *renderer) builtin(name string) (string, bool) {
	switch name {
	case VarNow:
		return r.now.Format(nowFormat), true
	case VarNowMS:
		return strconv.FormatInt(r.now.UnixMilli(), 10), true
	case VarNowUnix:
		return strconv.FormatInt(r.now.Unix(), 10), true
	case VarUUID:
		return NewUUID(), true
	case VarSeq:
		return strconv.Itoa(r.seq), true
	case VarRandomEmail:
		return r.person.email, true
	case VarRandomName:
		return r.person.name, true
	}
	return "", false
}

type placeholder struct {
	raw    string // as written, braces included
	at     int    // byte offset in the text
	name   string
	number bool
	err    string // why it cannot be filled, "" when it can
}

// findPlaceholders finds {{name}} and {{name|number}} in s; spaces inside
// the braces are allowed. Braces around anything else are left as text.
func findPlaceholders(s string) []placeholder {
	var out []placeholder
	for i := 0; ; {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			return out
		}
		j += i
		k := strings.Index(s[j+2:], "}}")
		if k < 0 {
			return out
		}
		k += j + 2
		p := placeholder{raw: s[j : k+2], at: j}
		inner := strings.TrimSpace(s[j+2 : k])
		name, filter, hasFilter := strings.Cut(inner, "|")
		p.name = strings.TrimSpace(name)
		f := strings.TrimSpace(filter)
		if !validVarName(p.name) || hasFilter && !validVarName(f) {
			// Not ours ({{#each}}, {{ }}): text that happens to have braces.
			i = j + 2
			continue
		}
		switch {
		case hasFilter && f != "number":
			p.err = fmt.Sprintf("has an unknown filter %q: the only one is |number", f)
		case hasFilter:
			p.number = true
		}
		out = append(out, p)
		i = k + 2
	}
}

func validVarName(s string) bool {
	for i, c := range []byte(s) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || i > 0 && '0' <= c && c <= '9'
		if !ok {
			return false
		}
	}
	return s != ""
}

// walkStrings calls fn with the start and end offsets of the content of
// every string (keys included) of the JSON document b: b[start-1] and
// b[end] are its quotes. Escapes are left as written.
func walkStrings(b []byte, fn func(start, end int) error) error {
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(b) {
			return errors.New("unterminated string")
		}
		if err := fn(i+1, j); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// jsonString is s as a JSON string, without escaping <, > and & (as most
// senders write them).
func jsonString(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func isJSONNumber(s string) bool {
	if s == "" {
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil && !strings.HasPrefix(s, "\"")
}

// NewUUID is a random version 4 UUID from crypto/rand.
func NewUUID() string {
	var u [16]byte
	rand.Read(u[:]) // never fails: crypto/rand panics rather than return short
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&0xf])
	}
	return string(out)
}

type person struct{ name, email string }

var (
	firstNames = []string{"Lena", "Karim", "Ana", "Tom", "Maya", "Jon", "Sara", "Omar", "Priya", "Daniel", "Hessa", "Yuki", "Lucas", "Amara", "Noah", "Ingrid"}
	lastNames  = []string{"Fischer", "Nasser", "Souza", "Becker", "Collins", "Park", "Ibrahim", "Haddad", "Raman", "Okafor", "Al Mansoori", "Tanaka", "Moreau", "Mensah", "Larsen", "Kowalski"}
	domains    = []string{"example.com", "example.net", "example.org"}
)

// randomPerson is a made-up person with a matching address on an example
// domain (RFC 2606), so a fired event never mails anyone real.
func randomPerson() person {
	first := firstNames[mrand.IntN(len(firstNames))]
	last := lastNames[mrand.IntN(len(lastNames))]
	local := strings.ToLower(first + "." + strings.ReplaceAll(last, " ", ""))
	return person{name: first + " " + last, email: local + "@" + domains[mrand.IntN(len(domains))]}
}
