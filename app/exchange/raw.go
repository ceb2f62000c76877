package exchange

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http/httputil"
	"strconv"
	"strings"

	"github.com/hooklens/hooklens/app"
)

// ParseRawRequest reads one HTTP/1.x request as it travels on the wire, such
// as a file saved from a proxy or written by hand, into an event. Header order,
// repeats and spelling are kept. Lines may end in CRLF or a bare LF. The body
// is what follows the blank line: Content-Length bytes when given, chunked
// bodies decoded, otherwise the rest of the input.
func ParseRawRequest(data []byte) (*app.Event, error) {
	// Editors and shells add blank lines before a request; HTTP ignores them too.
	e, _, err := parseRaw(bytes.TrimLeft(data, "\r\n"))
	return e, err
}

// parseRaw reads one request from the start of data and says how many
// bytes it took.
func parseRaw(data []byte) (*app.Event, int, error) {
	e, used, err := parseRawHead(data)
	if err != nil {
		return nil, 0, err
	}
	return e, used, nil
}

func parseRawHead(data []byte) (*app.Event, int, error) {
	head, body, found := cutHead(data)
	if !found {
		return nil, 0, errors.New("the request has no blank line after its headers: end the header block with an empty line")
	}
	bodyAt := len(data) - len(body)
	lines := strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")
	method, target, proto, err := parseRequestLine(lines[0])
	if err != nil {
		return nil, 0, err
	}
	e := &app.Event{Method: method, Proto: proto}
	e.Path, e.Query = splitTarget(target)
	for i, line := range lines[1:] {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' { // obsolete line folding
			if len(e.Headers) == 0 {
				return nil, 0, fmt.Errorf("header line %d starts with a space but follows no header", i+2)
			}
			last := &e.Headers[len(e.Headers)-1]
			last.Value = strings.TrimSpace(last.Value + " " + strings.TrimSpace(line))
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, 0, fmt.Errorf("header line %d %q is not 'Name: value'", i+2, clip(line))
		}
		e.Headers = append(e.Headers, app.Header{Name: name, Value: strings.Trim(value, " \t")})
	}
	e.Host = e.Headers.Get("Host")
	var used int
	if e.Body, used, err = readBody(e.Headers, body); err != nil {
		return nil, 0, err
	}
	if len(e.Body) == 0 {
		e.Body = nil
	}
	e.Size = int64(len(e.Body))
	return e, bodyAt + used, nil
}

// cutHead splits at the first empty line, which may be CRLF CRLF or LF LF.
func cutHead(data []byte) (head, body []byte, found bool) {
	crlf := bytes.Index(data, []byte("\r\n\r\n"))
	lf := bytes.Index(data, []byte("\n\n"))
	switch {
	case crlf >= 0 && (lf < 0 || crlf < lf):
		return data[:crlf], data[crlf+4:], true
	case lf >= 0:
		head = bytes.TrimSuffix(data[:lf], []byte("\r"))
		return head, data[lf+2:], true
	}
	// Headers only, no body: a request line and headers ending the file.
	if len(data) > 0 && (bytes.HasSuffix(data, []byte("\n"))) {
		return bytes.TrimRight(data, "\r\n"), nil, true
	}
	return nil, nil, false
}

func parseRequestLine(line string) (method, target, proto string, err error) {
	parts := strings.Fields(line)
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/") {
		return "", "", "", fmt.Errorf("the first line %q is not a request line like 'POST /path HTTP/1.1'", clip(line))
	}
	for _, c := range parts[0] {
		if c < '!' || c > '~' {
			return "", "", "", fmt.Errorf("the method %q has characters a method cannot have", clip(parts[0]))
		}
	}
	return parts[0], parts[1], parts[2], nil
}

// splitTarget returns the raw path and query of an origin-form or
// absolute-form request target.
func splitTarget(target string) (path, query string) {
	if i := strings.Index(target, "://"); i > 0 && !strings.HasPrefix(target, "/") {
		rest := target[i+3:]
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			target = rest[j:]
		} else {
			target = "/"
		}
	}
	path, query, _ = strings.Cut(target, "?")
	if path == "" {
		path = "/"
	}
	return path, query
}

// readBody returns the body and how many bytes of the input it took.
func readBody(h app.Headers, body []byte) ([]byte, int, error) {
	if strings.Contains(strings.ToLower(h.Get("Transfer-Encoding")), "chunked") {
		r := bytes.NewReader(body) // a ByteReader: the chunked reader reads no further than it needs
		out, err := io.ReadAll(httputil.NewChunkedReader(r))
		if err != nil {
			return nil, 0, fmt.Errorf("the body says Transfer-Encoding: chunked but its chunks are damaged: %w", err)
		}
		used := len(body) - r.Len()
		// The last chunk is followed by (trailers and) an empty line.
		rest := body[used:]
		if i := bytes.Index(rest, []byte("\r\n")); i == 0 {
			used += 2
		} else if len(rest) > 0 && rest[0] == '\n' {
			used++
		}
		return out, used, nil
	}
	cl := h.Get("Content-Length")
	if cl == "" {
		return body, len(body), nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64)
	if err != nil || n < 0 {
		return nil, 0, fmt.Errorf("Content-Length %q is not a byte count", clip(cl))
	}
	if n > int64(len(body)) {
		return nil, 0, fmt.Errorf("Content-Length says %d bytes but the body has %d: the file may be cut short", n, len(body))
	}
	// Anything after Content-Length bytes (often a newline an editor added) is not body.
	return body[:n], int(n), nil
}

// WriteRaw writes events as HTTP/1.1 requests as they were on the wire,
// one after another. A chunked body is written as one chunk (and its
// trailers). A body with neither Content-Length nor chunked framing can
// only be the last request of a file: export such an event on its own.
func WriteRaw(w io.Writer, events []*app.Event) error {
	bw := bufio.NewWriter(w)
	for i, e := range events {
		chunked := strings.Contains(strings.ToLower(e.Headers.Get("Transfer-Encoding")), "chunked")
		if len(e.Body) > 0 && !chunked && e.Headers.Get("Content-Length") == "" && i < len(events)-1 {
			return fmt.Errorf("event %s has a body without Content-Length, so it cannot be followed by another request in one raw file: export it alone with --id %s", e.IDString(), e.IDString())
		}
		proto := e.Proto
		if proto == "" {
			proto = "HTTP/1.1"
		}
		fmt.Fprintf(bw, "%s %s %s\r\n", e.Method, e.RequestURI(), proto)
		for _, h := range e.Headers {
			fmt.Fprintf(bw, "%s: %s\r\n", h.Name, h.Value)
		}
		bw.WriteString("\r\n")
		if chunked {
			if len(e.Body) > 0 {
				fmt.Fprintf(bw, "%x\r\n", len(e.Body))
				bw.Write(e.Body)
				bw.WriteString("\r\n")
			}
			bw.WriteString("0\r\n")
			for _, h := range e.Trailers {
				fmt.Fprintf(bw, "%s: %s\r\n", h.Name, h.Value)
			}
			bw.WriteString("\r\n")
		} else {
			bw.Write(e.Body)
		}
	}
	return bw.Flush()
}

// clip keeps error messages short when input is long.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
