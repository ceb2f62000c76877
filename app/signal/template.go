// Package signal is Hooklens' template library and what fires from it: the
// provider templates embedded from assets/templates, their variables, user
// templates saved from captured events, the Bigin signal composer, Hooklens'
// own SalesIQ and SignalZen keys, SalesIQ's attempt counter and demo runs.
package signal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// Template is one named, parameterised request: a provider event as the
// provider sends it, or a user's own saved from a captured event.
type Template struct {
	Name        string // unique, source.event, e.g. salesiq.conversation.created
	Provider    string // for grouping, e.g. Zoho SalesIQ
	Event       string // the provider's event name
	Description string
	Method      string
	// Path is the request target as sent: the path, and a query after '?'
	// when the provider puts one in the URL (Bigin's zapikey does).
	Path string
	// Scheme is the provider's signing scheme as a verify.Config string
	// ("salesiq", "signalzen", "stripe", ...), "" when it does not sign.
	Scheme string
	// SignatureHeader names the header the provider signs with, "" for none.
	SignatureHeader string
	Headers         app.Headers
	// Body is the body with its {{variable}} placeholders: compact JSON for
	// JSON bodies, else the bytes as saved.
	Body []byte
	// Defaults are the values of user variables the form starts with. A
	// default may use the built-in variables ("{{now_ms}}"). Variables
	// without a default must be given a value to render.
	Defaults map[string]string
}

// Source is the first part of the name: salesiq, signalzen, ziwo, bigin...
func (t Template) Source() string {
	s, _, _ := strings.Cut(t.Name, ".")
	return s
}

// IsJSON reports whether the body is JSON (so Render escapes values in it).
func (t Template) IsJSON() bool { return len(t.Body) > 0 && json.Valid(t.Body) }

// file is a template file as written in assets/templates and as user
// templates are saved. A JSON body is written as JSON in "body"; any other
// body as "body_text" (UTF-8 text) or "body_base64".
type file struct {
	Name            string            `json:"name"`
	Provider        string            `json:"provider"`
	Event           string            `json:"event"`
	Description     string            `json:"description"`
	Method          string            `json:"method"`
	Path            string            `json:"path"`
	Scheme          string            `json:"scheme,omitempty"`
	SignatureHeader string            `json:"signature_header,omitempty"`
	Headers         [][]string        `json:"headers"`
	Variables       map[string]string `json:"variables,omitempty"`
	Body            json.RawMessage   `json:"body,omitempty"`
	BodyText        *string           `json:"body_text,omitempty"`
	BodyBase64      string            `json:"body_base64,omitempty"`
}

// Dir is the directory of template files inside the file system given to
// LoadTemplates.
const Dir = "templates"

// LoadTemplates reads every templates/*.json file of fsys, in file name order.
func LoadTemplates(fsys fs.FS) ([]Template, error) {
	names, err := fs.Glob(fsys, Dir+"/*.json")
	if err != nil {
		return nil, fmt.Errorf("listing template files: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no %s/*.json template files found: the template library is missing from this build", Dir)
	}
	out := make([]Template, 0, len(names))
	seen := make(map[string]string, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading template %s: %w", name, err)
		}
		t, err := Decode(b)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		if other, ok := seen[t.Name]; ok {
			return nil, fmt.Errorf("template %s: name %q is already used by %s; give each template its own name", name, t.Name, path.Base(other))
		}
		seen[t.Name] = name
		out = append(out, t)
	}
	return out, nil
}

// Find returns the template called name.
func Find(tpls []Template, name string) (Template, bool) {
	for _, t := range tpls {
		if t.Name == name {
			return t, true
		}
	}
	return Template{}, false
}

// Decode reads a template in its file form, checking it as LoadTemplates
// does.
func Decode(b []byte) (Template, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Template{}, fmt.Errorf("not a valid template: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return Template{}, errors.New("not a valid template: more than one JSON value")
	}
	t := Template{
		Name: f.Name, Provider: f.Provider, Event: f.Event, Description: f.Description,
		Method: f.Method, Path: f.Path, Scheme: f.Scheme, SignatureHeader: f.SignatureHeader,
		Defaults: f.Variables,
	}
	for i, h := range f.Headers {
		if len(h) != 2 {
			return Template{}, fmt.Errorf("header %d must be a [name, value] pair, got %q", i+1, h)
		}
		t.Headers = append(t.Headers, app.Header{Name: h[0], Value: h[1]})
	}
	bodies := 0
	if len(f.Body) > 0 && string(f.Body) != "null" {
		bodies++
		var buf bytes.Buffer
		if err := json.Compact(&buf, f.Body); err != nil {
			return Template{}, fmt.Errorf("\"body\" is not valid JSON: %w", err)
		}
		t.Body = buf.Bytes()
	}
	if f.BodyText != nil {
		bodies++
		t.Body = []byte(*f.BodyText)
	}
	if f.BodyBase64 != "" {
		bodies++
		b, err := base64.StdEncoding.DecodeString(f.BodyBase64)
		if err != nil {
			return Template{}, fmt.Errorf("\"body_base64\" is not base64: %w", err)
		}
		t.Body = b
	}
	if bodies > 1 {
		return Template{}, errors.New("give one of \"body\", \"body_text\" and \"body_base64\", not several")
	}
	if err := t.Check(); err != nil {
		return Template{}, err
	}
	if t.Scheme != "" {
		c, _ := verify.ParseConfig(t.Scheme) // Check parsed it
		t.Scheme = c.String()
	}
	return t, nil
}

// Check reports what would keep t from loading or rendering, the way
// LoadTemplates reports it: call it before saving a user's template.
func (t Template) Check() error {
	switch {
	case t.Name == "":
		return fmt.Errorf("\"name\" is missing")
	case !validName(t.Name):
		return fmt.Errorf("\"name\" %q may hold only letters, digits, '.', '_' and '-', like salesiq.conversation.created", t.Name)
	case t.Provider == "":
		return fmt.Errorf("\"provider\" is missing")
	case t.Event == "":
		return fmt.Errorf("\"event\" is missing")
	case !app.IsHeaderName(t.Method):
		return fmt.Errorf("\"method\" %q is not an HTTP method", t.Method)
	case !strings.HasPrefix(t.Path, "/"):
		return fmt.Errorf("\"path\" %q must start with /", t.Path)
	case strings.ContainsAny(t.Path, " \r\n\t"):
		return fmt.Errorf("\"path\" %q may not hold spaces or line breaks: percent-encode them", t.Path)
	}
	if t.Scheme != "" {
		if _, err := verify.ParseConfig(t.Scheme); err != nil {
			return fmt.Errorf("\"scheme\": %w", err)
		}
	}
	for i, h := range t.Headers {
		if !app.IsHeaderName(h.Name) {
			return fmt.Errorf("header %d must be a [name, value] pair with a valid name, got %q", i+1, []string{h.Name, h.Value})
		}
		if strings.ContainsAny(h.Value, "\r\n\x00") {
			return fmt.Errorf("header %s: the value may not hold a line break", h.Name)
		}
	}
	return t.checkVariables()
}

// Encode writes t in its file form, indented, as LoadTemplates and Decode
// read it.
func (t Template) Encode() ([]byte, error) {
	b, err := t.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, fmt.Errorf("encoding template %s: %w", t.Name, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// MarshalJSON writes the file form.
func (t Template) MarshalJSON() ([]byte, error) {
	f := file{
		Name: t.Name, Provider: t.Provider, Event: t.Event, Description: t.Description,
		Method: t.Method, Path: t.Path, Scheme: t.Scheme, SignatureHeader: t.SignatureHeader,
		Headers: [][]string{}, Variables: t.Defaults,
	}
	for _, h := range t.Headers {
		f.Headers = append(f.Headers, []string{h.Name, h.Value})
	}
	switch {
	case len(t.Body) == 0:
	case json.Valid(t.Body):
		f.Body = t.Body
	case app.IsText(t.Body):
		s := string(t.Body)
		f.BodyText = &s
	default:
		f.BodyBase64 = base64.StdEncoding.EncodeToString(t.Body)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encoding template %s: %w", t.Name, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads the file form, checked as Decode checks it.
func (t *Template) UnmarshalJSON(b []byte) error {
	d, err := Decode(b)
	if err != nil {
		return err
	}
	*t = d
	return nil
}

func validName(s string) bool {
	for _, c := range []byte(s) {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return s != ""
}
