package exchange

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// curlDefaults are the headers curl adds on its own: when the event did
// not carry one, the command removes it ("-H 'Name:'") so that the request
// curl sends is the one captured.
var curlDefaults = []string{"User-Agent", "Accept", "Content-Type", "Expect"}

// Curl is a curl command that sends e again, exactly: method, URL (baseURL,
// such as http://127.0.0.1:8790, joined with the raw path and query; "" uses
// http and the Host header), every header in wire order with its spelling,
// and the body. A body that is not text is fed through printf, so the
// command stands alone ("Copy as curl").
func Curl(e *app.Event, baseURL string) string {
	cmd, _ := curlCommand(e, baseURL, "")
	return cmd
}

// CurlFile is Curl for an exported file: a binary body is written to
// bodyPath (beside the script) and sent with --data-binary @bodyPath.
// bodyPath "" keeps the printf form. It reports whether the body file is needed.
func CurlFile(e *app.Event, baseURL, bodyPath string) (cmd string, needsFile bool) {
	return curlCommand(e, baseURL, bodyPath)
}

func curlCommand(e *app.Event, baseURL, bodyPath string) (string, bool) {
	var b strings.Builder
	needsFile := false
	text := utf8.Valid(e.Body) && !bytes.ContainsRune(e.Body, 0)
	if len(e.Body) > 0 && !text && bodyPath == "" {
		b.WriteString("printf '")
		for _, c := range e.Body {
			fmt.Fprintf(&b, "\\%03o", c)
		}
		b.WriteString("' | ")
	}
	b.WriteString("curl --silent --show-error --path-as-is --globoff")
	switch e.Proto {
	case "HTTP/1.0":
		b.WriteString(" --http1.0")
	default:
		b.WriteString(" --http1.1")
	}
	b.WriteString(" -X " + shellQuote(e.Method))
	for _, h := range e.Headers {
		if h.Value == "" {
			// "-H 'Name;'" is curl's way to send a header with an empty value.
			b.WriteString(" \\\n  -H " + shellQuote(h.Name+";"))
			continue
		}
		b.WriteString(" \\\n  -H " + shellQuote(h.Name+": "+h.Value))
	}
	for _, d := range curlDefaults {
		if e.Headers.Get(d) == "" && !hasHeader(e.Headers, d) {
			b.WriteString(" \\\n  -H " + shellQuote(d+":"))
		}
	}
	if len(e.Body) > 0 {
		switch {
		case text:
			b.WriteString(" \\\n  --data-raw " + shellQuote(string(e.Body)))
		case bodyPath != "":
			b.WriteString(" \\\n  --data-binary " + shellQuote("@"+bodyPath))
			needsFile = true
		default:
			b.WriteString(" \\\n  --data-binary @-")
		}
	}
	b.WriteString(" \\\n  " + shellQuote(e.URL(baseURL)))
	return b.String(), needsFile
}

func hasHeader(h app.Headers, name string) bool {
	for _, x := range h {
		if strings.EqualFold(x.Name, name) {
			return true
		}
	}
	return false
}

// shellQuote quotes s for sh: single quotes, or $'...' when s holds bytes
// that do not survive a paste (control characters, invalid UTF-8).
func shellQuote(s string) string {
	plain := utf8.ValidString(s)
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			plain = false
		}
	}
	if plain {
		if s != "" && strings.IndexFunc(s, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
		}) < 0 {
			return s
		}
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// CurlOptions say how ParseCurl reads files named with @ (--data-binary
// @file, -F name=@file): relative to Dir. ReadFile nil refuses them.
type CurlOptions struct {
	Dir      string
	ReadFile func(name string) ([]byte, error)
}

// ParseCurl reads a curl command as people paste it (from a browser's "Copy
// as cURL", a ticket, a shell history) into an event: -X, -H, -d,
// --data-raw, --data-binary (@file), --data-urlencode, -F (multipart), -u,
// --compressed, --url, -G, -I; single, double and $'...' quotes;
// backslash-newline and Windows cmd's ^ continuations. Options it does not
// need (-s, -v, -k, ...) are skipped.
func ParseCurl(cmd string, o CurlOptions) (*app.Event, error) {
	words, err := shellWords(cmd)
	if err != nil {
		return nil, err
	}
	// A printf pipe in front (Copy as curl for a binary body) feeds @-.
	var stdin []byte
	if len(words) >= 3 && words[0] == "printf" {
		i := indexOf(words, "|")
		if i < 0 {
			return nil, errors.New("the command starts with printf but pipes into nothing: paste the whole line")
		}
		if stdin, err = printfBytes(words[1]); err != nil {
			return nil, err
		}
		words = words[i+1:]
	}
	if len(words) == 0 || (words[0] != "curl" && words[0] != "curl.exe" && !strings.HasSuffix(words[0], "/curl")) {
		return nil, errors.New("not a curl command: it must start with curl")
	}
	e := &app.Event{Proto: "HTTP/1.1"}
	var (
		method, rawURL string
		data           [][]byte
		form           [][2]string
		user           string
		get, head      bool
		removed        []string
	)
	readAt := func(name string) ([]byte, error) {
		if name == "-" {
			if stdin == nil {
				return nil, errors.New("the body is read from standard input (@-), which a pasted command does not have")
			}
			return stdin, nil
		}
		if o.ReadFile == nil {
			return nil, fmt.Errorf("the body is in the file %q, which is not available here: import the command from a file beside it", name)
		}
		if !filepath.IsAbs(name) && o.Dir != "" {
			name = filepath.Join(o.Dir, name)
		}
		b, err := o.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading the body file: %w", err)
		}
		return b, nil
	}
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() (string, error) {
			if j := strings.IndexByte(w, '='); strings.HasPrefix(w, "--") && j > 0 {
				return w[j+1:], nil
			}
			if i+1 >= len(words) {
				return "", fmt.Errorf("option %s needs a value", w)
			}
			i++
			return words[i], nil
		}
		name := w
		if strings.HasPrefix(w, "--") {
			name, _, _ = strings.Cut(w, "=")
		} else if len(w) > 2 && w[0] == '-' && w[1] != '-' && strings.ContainsRune("XHdFuA", rune(w[1])) {
			// -XPOST, -H'X: y': the value attached to a short option
			words = append(words[:i+1], append([]string{w[2:]}, words[i+1:]...)...)
			name, w = w[:2], w[:2]
		}
		var v string
		switch name {
		case "-X", "--request", "-H", "--header", "-d", "--data", "--data-ascii", "--data-raw", "--data-binary",
			"--data-urlencode", "-F", "--form", "--form-string", "-u", "--user", "--url", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie":
			if v, err = arg(); err != nil {
				return nil, err
			}
		}
		switch name {
		case "-X", "--request":
			method = v
		case "-H", "--header":
			hn, hv, ok := strings.Cut(v, ":")
			if !ok {
				if n, semi := strings.CutSuffix(v, ";"); semi {
					e.Headers = append(e.Headers, app.Header{Name: strings.TrimSpace(n)})
					continue
				}
				return nil, fmt.Errorf("-H %q is not 'Name: value'", clip(v))
			}
			hn, hv = strings.TrimSpace(hn), strings.TrimLeft(hv, " \t")
			if hv == "" {
				removed = append(removed, hn)
				continue
			}
			e.Headers = append(e.Headers, app.Header{Name: hn, Value: hv})
		case "-A", "--user-agent":
			e.Headers = append(e.Headers, app.Header{Name: "User-Agent", Value: v})
		case "-e", "--referer":
			e.Headers = append(e.Headers, app.Header{Name: "Referer", Value: v})
		case "-b", "--cookie":
			e.Headers = append(e.Headers, app.Header{Name: "Cookie", Value: v})
		case "-d", "--data", "--data-ascii":
			if strings.HasPrefix(v, "@") {
				b, err := readAt(v[1:])
				if err != nil {
					return nil, err
				}
				v = strings.NewReplacer("\r", "", "\n", "").Replace(string(b))
			}
			data = append(data, []byte(v))
		case "--data-raw":
			data = append(data, []byte(v))
		case "--data-binary":
			if strings.HasPrefix(v, "@") {
				b, err := readAt(v[1:])
				if err != nil {
					return nil, err
				}
				data = append(data, b)
			} else {
				data = append(data, []byte(v))
			}
		case "--data-urlencode":
			k, val, hasEq := strings.Cut(v, "=")
			switch {
			case !hasEq:
				data = append(data, []byte(url.QueryEscape(v)))
			case strings.HasPrefix(val, "@") && k != "":
				b, err := readAt(val[1:])
				if err != nil {
					return nil, err
				}
				data = append(data, []byte(k+"="+url.QueryEscape(string(b))))
			case k == "":
				data = append(data, []byte(url.QueryEscape(val)))
			default:
				data = append(data, []byte(k+"="+url.QueryEscape(val)))
			}
		case "-F", "--form", "--form-string":
			k, val, ok := strings.Cut(v, "=")
			if !ok {
				return nil, fmt.Errorf("-F %q is not name=value", clip(v))
			}
			form = append(form, [2]string{k, val})
		case "-u", "--user":
			user = v
		case "--url":
			rawURL = v
		case "-G", "--get":
			get = true
		case "-I", "--head":
			head = true
		case "--compressed":
			if !hasHeader(e.Headers, "Accept-Encoding") {
				e.Headers = append(e.Headers, app.Header{Name: "Accept-Encoding", Value: "deflate, gzip, br, zstd"})
			}
		case "--http1.0", "-0":
			e.Proto = "HTTP/1.0"
		case "--http1.1", "--http2", "--http2-prior-knowledge", "--http3":
		case "-o", "--output", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "--retry", "-x", "--proxy",
			"--cacert", "--cert", "--key", "--resolve", "--connect-to", "-T", "--upload-file", "--unix-socket", "-c", "--cookie-jar", "-K", "--config":
			if name == "-T" || name == "--upload-file" || name == "-K" || name == "--config" {
				return nil, fmt.Errorf("curl option %s is not supported in an import: send the body with --data-binary", name)
			}
			if !strings.Contains(w, "=") {
				i++
			}
		default:
			if strings.HasPrefix(w, "-") && w != "-" {
				continue // -s, -v, -k, -L, --silent, ... change nothing in the request
			}
			if rawURL == "" {
				rawURL = w
			}
		}
	}
	if rawURL == "" {
		return nil, errors.New("the curl command has no URL")
	}
	if !strings.Contains(rawURL, "://") {
		rawURL = "http://" + rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the URL %q is not valid: write it like https://example.com/path", clip(rawURL))
	}
	e.Path, e.Query = splitTarget(strings.SplitN(rawURL, "#", 2)[0])
	body := bytes.Join(data, []byte("&"))
	ctype := ""
	switch {
	case len(form) > 0:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, kv := range form {
			if strings.HasPrefix(kv[1], "@") || strings.HasPrefix(kv[1], "<") {
				fname, _, _ := strings.Cut(kv[1][1:], ";")
				b, err := readAt(fname)
				if err != nil {
					return nil, err
				}
				if kv[1][0] == '@' {
					fw, _ := mw.CreateFormFile(kv[0], filepath.Base(fname))
					fw.Write(b)
				} else {
					mw.WriteField(kv[0], string(b))
				}
				continue
			}
			mw.WriteField(kv[0], kv[1])
		}
		mw.Close()
		body, ctype = buf.Bytes(), mw.FormDataContentType()
	case len(data) > 0 && get:
		if e.Query != "" {
			e.Query += "&"
		}
		e.Query += string(body)
		body = nil
	case len(data) > 0:
		ctype = "application/x-www-form-urlencoded"
	}
	switch {
	case method != "":
		e.Method = method
	case head:
		e.Method = "HEAD"
	case len(body) > 0:
		e.Method = "POST"
	default:
		e.Method = "GET"
	}
	// curl's own headers, unless the command set or removed them.
	var own app.Headers
	if !hasHeader(e.Headers, "Host") && !contains(removed, "Host") {
		own = append(own, app.Header{Name: "Host", Value: u.Host})
	}
	if user != "" && !hasHeader(e.Headers, "Authorization") {
		own = append(own, app.Header{Name: "Authorization", Value: "Basic " + base64.StdEncoding.EncodeToString([]byte(user))})
	}
	e.Headers = append(own, e.Headers...)
	if ctype != "" && !hasHeader(e.Headers, "Content-Type") && !contains(removed, "Content-Type") {
		e.Headers = append(e.Headers, app.Header{Name: "Content-Type", Value: ctype})
	}
	if len(body) > 0 && !hasHeader(e.Headers, "Content-Length") && !hasHeader(e.Headers, "Transfer-Encoding") {
		e.Headers = append(e.Headers, app.Header{Name: "Content-Length", Value: fmt.Sprint(len(body))})
	}
	e.Host = e.Headers.Get("Host")
	if len(body) > 0 {
		e.Body = body
	}
	e.Size = int64(len(e.Body))
	return e, nil
}

func contains(list []string, name string) bool {
	for _, x := range list {
		if strings.EqualFold(x, name) {
			return true
		}
	}
	return false
}

func indexOf(words []string, w string) int {
	for i, x := range words {
		if x == w {
			return i
		}
	}
	return -1
}

// printfBytes undoes printf's escapes (\ooo octal, \xHH, \n, \\).
func printfBytes(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			out = append(out, c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case '\\':
			out = append(out, '\\')
		case '0', '1', '2', '3':
			v, n := 0, 0
			for n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
				v = v*8 + int(s[i]-'0')
				i, n = i+1, n+1
			}
			i--
			out = append(out, byte(v))
		default:
			out = append(out, '\\', s[i])
		}
	}
	return out, nil
}

// shellWords splits a command line as sh would for the quoting people
// paste: '...', "..." (with \" \\ \$ \` escapes), $'...' (ANSI-C escapes),
// backslash escapes, backslash-newline and cmd's ^-newline continuations.
// A lone | is its own word.
func shellWords(s string) ([]string, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var words []string
	var cur []byte
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, string(cur))
		}
		cur, inWord = cur[:0:0], false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++
		case c == '^' && i+1 < len(s) && s[i+1] == '\n':
			i++
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '|' && !inWord:
			words = append(words, "|")
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("a single quote at byte %d is never closed", i+1)
			}
			cur, inWord = append(cur, s[i+1:i+1+j]...), true
			i += j + 1
		case c == '$' && i+1 < len(s) && s[i+1] == '\'':
			j := i + 2
			for ; j < len(s) && s[j] != '\''; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						cur = append(cur, '\n')
					case 't':
						cur = append(cur, '\t')
					case 'r':
						cur = append(cur, '\r')
					case 'x':
						v, n := 0, 0
						for n < 2 && j+1 < len(s) && isHex(s[j+1]) {
							j++
							v = v*16 + hexVal(s[j])
							n++
						}
						cur = append(cur, byte(v))
					case '0', '1', '2', '3', '4', '5', '6', '7':
						v, n := int(s[j]-'0'), 1
						for n < 3 && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '7' {
							j++
							v = v*8 + int(s[j]-'0')
							n++
						}
						cur = append(cur, byte(v))
					default:
						cur = append(cur, s[j])
					}
					continue
				}
				cur = append(cur, s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("a $' quote at byte %d is never closed", i+1)
			}
			inWord = true
			i = j
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte("\"\\$`\n", s[j+1]) >= 0 {
					j++
					if s[j] == '\n' {
						continue
					}
				}
				cur = append(cur, s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("a double quote at byte %d is never closed", i+1)
			}
			inWord = true
			i = j
		case c == '\\' && i+1 < len(s):
			i++
			cur, inWord = append(cur, s[i]), true
		default:
			cur, inWord = append(cur, c), true
		}
	}
	flush()
	return words, nil
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// osReadFile is the ReadFile an import from disk uses.
var osReadFile = os.ReadFile
