package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"
	"strings"
)

// Form bodies: application/x-www-form-urlencoded (Twilio, Slack slash
// commands and interactions) and multipart/form-data, decoded for reading.
// Query strings use the same decoding.

// FormField is one decoded name=value pair, in the order sent.
type FormField struct{ Name, Value string }

// ParseForm decodes a urlencoded form body or query string, keeping order
// and repeated names. A name or value that is not valid percent-encoding is
// kept as sent rather than dropped; a pair without "=" has an empty value.
func ParseForm(raw string) []FormField {
	var out []FormField
	for part := range strings.SplitSeq(raw, "&") {
		part = strings.TrimRight(part, "\r\n")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		out = append(out, FormField{name, value})
	}
	return out
}

// Form kinds, as FormKind names them.
const (
	FormURLEncoded = "urlencoded"
	FormMultipart  = "multipart"
)

// FormKind says whether headers announce a form body: FormURLEncoded,
// FormMultipart or "".
func FormKind(h Headers) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		return FormURLEncoded
	case strings.HasPrefix(mt, "multipart/"):
		return FormMultipart
	}
	return ""
}

// Part is one part of a multipart body.
type Part struct {
	Name        string  // the form field name (Content-Disposition name)
	Filename    string  // the file name, "" for a plain field
	ContentType string  // the part's Content-Type, "" when it has none
	Headers     Headers // the part's headers, sorted by name
	Body        []byte  // the part's bytes as sent (no transfer decoding)
}

// MaxParts is how many parts ParseMultipart reads; a body with more says so.
const MaxParts = 1000

// ParseMultipart splits a multipart body into its parts. contentType is the
// request's Content-Type, which names the boundary. A damaged body returns
// the parts read before the damage and an error saying where it is.
func ParseMultipart(contentType string, body []byte) ([]Part, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("content type %q cannot be read: %w", contentType, err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		return nil, fmt.Errorf("content type %s is not multipart", mt)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, errors.New("the multipart content type names no boundary, so its parts cannot be found")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []Part
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return parts, fmt.Errorf("the multipart body is damaged after %d %s: %w", len(parts), plural(len(parts), "part", "parts"), err)
		}
		if len(parts) == MaxParts {
			return parts, fmt.Errorf("the multipart body has more than %d parts; showing the first %d", MaxParts, MaxParts)
		}
		data, err := io.ReadAll(p)
		part := Part{Name: p.FormName(), Filename: p.FileName(), ContentType: p.Header.Get("Content-Type"), Body: data}
		for _, k := range slices.Sorted(maps.Keys(p.Header)) {
			for _, v := range p.Header[k] {
				part.Headers = append(part.Headers, Header{Name: k, Value: v})
			}
		}
		if err != nil {
			return append(parts, part), fmt.Errorf("part %d of the multipart body is cut short: %w", len(parts)+1, err)
		}
		parts = append(parts, part)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
