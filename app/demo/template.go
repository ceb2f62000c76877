// Package demo turns the provider template library into parsed templates and
// into a believable history of captured events for demo mode, so the window
// can be shown to customers without any provider pointing at it.
package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hooklens/hooklens/app"
)

// Template is one parsed template file.
type Template struct {
	Name        string // unique, e.g. salesiq.conversation.created
	Provider    string // e.g. Zoho SalesIQ
	Event       string // the provider's event name
	Description string
	Method      string
	// Path is the request target as sent: the path, and a query after '?'
	// when the provider puts one in the URL (Bigin's zapikey does).
	Path string
	// SignatureHeader names the header the provider signs with, "" for none.
	SignatureHeader string
	Headers         app.Headers
	Body            []byte // compact JSON exactly as it would be sent
}

// file is a template file as written in assets/templates.
type file struct {
	Name            string          `json:"name"`
	Provider        string          `json:"provider"`
	Event           string          `json:"event"`
	Description     string          `json:"description"`
	Method          string          `json:"method"`
	Path            string          `json:"path"`
	SignatureHeader string          `json:"signature_header"`
	Headers         [][]string      `json:"headers"`
	Body            json.RawMessage `json:"body"`
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
		t, err := parse(b)
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

func parse(b []byte) (Template, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Template{}, fmt.Errorf("not a valid template: %w", err)
	}
	switch {
	case f.Name == "":
		return Template{}, fmt.Errorf("\"name\" is missing")
	case f.Provider == "":
		return Template{}, fmt.Errorf("\"provider\" is missing")
	case f.Event == "":
		return Template{}, fmt.Errorf("\"event\" is missing")
	case !isToken(f.Method):
		return Template{}, fmt.Errorf("\"method\" %q is not an HTTP method", f.Method)
	case !strings.HasPrefix(f.Path, "/"):
		return Template{}, fmt.Errorf("\"path\" %q must start with /", f.Path)
	}
	t := Template{
		Name: f.Name, Provider: f.Provider, Event: f.Event, Description: f.Description,
		Method: f.Method, Path: f.Path, SignatureHeader: f.SignatureHeader,
	}
	for i, h := range f.Headers {
		if len(h) != 2 || !isToken(h[0]) {
			return Template{}, fmt.Errorf("header %d must be a [name, value] pair with a valid name, got %q", i+1, h)
		}
		t.Headers = append(t.Headers, app.Header{Name: h[0], Value: h[1]})
	}
	if len(f.Body) > 0 && string(f.Body) != "null" {
		var buf bytes.Buffer
		if err := json.Compact(&buf, f.Body); err != nil {
			return Template{}, fmt.Errorf("\"body\" is not valid JSON: %w", err)
		}
		t.Body = buf.Bytes()
	}
	return t, nil
}

// isToken reports whether s is an RFC 9110 token, as methods and header
// names must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
