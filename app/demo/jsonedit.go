package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// setFields returns body with the values at the given paths replaced, keeping
// every key in its original order (a map round trip would sort them, and
// providers do not). A path is the object keys and array indexes joined by
// dots, such as "entity.visitor.name" or "actions.0.url". Paths that body
// does not have are ignored, so one set of values can serve payloads of
// different shapes. A path set to omit loses its key. The result is compact.
func setFields(body []byte, set map[string]any) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := &rewriter{dec: dec, set: set}
	if err := w.value(""); err != nil {
		return nil, fmt.Errorf("rewriting JSON body: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("rewriting JSON body: more than one value")
	}
	return w.out.Bytes(), nil
}

// omit, as a value for setFields, removes the key.
var omit = omitted{}

type omitted struct{}

type rewriter struct {
	dec *json.Decoder
	set map[string]any
	out bytes.Buffer
}

func (w *rewriter) value(path string) error {
	if v, ok := w.set[path]; ok && path != "" {
		var skip json.RawMessage
		if err := w.dec.Decode(&skip); err != nil {
			return err
		}
		return w.literal(v)
	}
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			w.out.WriteByte('{')
			first := true
			for w.dec.More() {
				k, err := w.dec.Token()
				if err != nil {
					return err
				}
				if w.set[join(path, k.(string))] == omit {
					var skip json.RawMessage
					if err := w.dec.Decode(&skip); err != nil {
						return err
					}
					continue
				}
				if !first {
					w.out.WriteByte(',')
				}
				first = false
				if err := w.literal(k); err != nil {
					return err
				}
				w.out.WriteByte(':')
				if err := w.value(join(path, k.(string))); err != nil {
					return err
				}
			}
			w.out.WriteByte('}')
		case '[':
			w.out.WriteByte('[')
			for i := 0; w.dec.More(); i++ {
				if i > 0 {
					w.out.WriteByte(',')
				}
				if err := w.value(join(path, strconv.Itoa(i))); err != nil {
					return err
				}
			}
			w.out.WriteByte(']')
		}
		_, err := w.dec.Token() // the closing delimiter
		return err
	case json.Number:
		w.out.WriteString(t.String())
		return nil
	default:
		return w.literal(t)
	}
}

// literal writes v as JSON without escaping <, > and &, as most senders do.
func (w *rewriter) literal(v any) error {
	enc := json.NewEncoder(&w.out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.out.Truncate(w.out.Len() - 1) // Encode's newline
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
