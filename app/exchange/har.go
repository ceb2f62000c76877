package exchange

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/). Hooklens adds
// custom fields, which HAR allows when they start with "_":
//
//   - postData "_encoding": "base64" when the request body is not text: text
//     then holds the body in base64 (HAR has no such field for requests).
//   - header "_nameBase64"/"_valueBase64" when a name or value is not UTF-8.
//   - entry "_hooklens": the event's id, endpoint, verdict (and the verdict
//     of its origin), remote address, size, truncation, raw path and query.
//
// Other tools ignore them; Hooklens reads them back byte for byte.

type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Pages   []any      `json:"pages,omitempty"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string       `json:"startedDateTime"`
	Time            float64      `json:"time"`
	Request         harRequest   `json:"request"`
	Response        harResponse  `json:"response"`
	Cache           struct{}     `json:"cache"`
	Timings         harTimings   `json:"timings"`
	ServerIPAddress string       `json:"serverIPAddress,omitempty"`
	Hooklens        *harHooklens `json:"_hooklens,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

type harNV struct {
	Name        string `json:"name"`
	Value       string `json:"value"`
	NameBase64  string `json:"_nameBase64,omitempty"`
	ValueBase64 string `json:"_valueBase64,omitempty"`
}

type harRequest struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []harNV     `json:"cookies"`
	Headers     []harNV     `json:"headers"`
	QueryString []harNV     `json:"queryString"`
	PostData    *harPost    `json:"postData,omitempty"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
	Comment     string      `json:"comment,omitempty"`
	Extra       interface{} `json:"-"`
}

type harPost struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params,omitempty"`
	Text     string  `json:"text"`
	Encoding string  `json:"_encoding,omitempty"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int64      `json:"bodySize"`
}

type harContent struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

type harHooklens struct {
	ID            string       `json:"id,omitempty"`
	ReceivedAt    string       `json:"received_at,omitempty"` // ns precision; startedDateTime has it too
	Endpoint      string       `json:"endpoint,omitempty"`
	Verdict       *VerdictLine `json:"verdict,omitempty"`
	OriginVerdict *VerdictLine `json:"origin_verdict,omitempty"`
	Origin        string       `json:"origin,omitempty"`
	RemoteAddr    string       `json:"remote_addr,omitempty"`
	Size          int64        `json:"size"`
	Truncated     bool         `json:"truncated,omitempty"`
	Path          string       `json:"path"`
	PathBase64    string       `json:"path_base64,omitempty"`
	Query         string       `json:"query"`
	QueryBase64   string       `json:"query_base64,omitempty"`
	Proto         string       `json:"proto,omitempty"`
}

func harHeaders(h app.Headers) []harNV {
	out := make([]harNV, 0, len(h))
	for _, x := range h {
		nv := harNV{Name: strings.ToValidUTF8(x.Name, "\uFFFD"), Value: strings.ToValidUTF8(x.Value, "\uFFFD")}
		if !utf8.ValidString(x.Name) || !utf8.ValidString(x.Value) {
			nv.NameBase64, nv.ValueBase64 = b64.EncodeToString([]byte(x.Name)), b64.EncodeToString([]byte(x.Value))
		}
		out = append(out, nv)
	}
	return out
}

func fromHarHeaders(nvs []harNV, where string) (app.Headers, error) {
	var h app.Headers
	for i, nv := range nvs {
		x := app.Header{Name: nv.Name, Value: nv.Value}
		if nv.NameBase64 != "" || nv.ValueBase64 != "" {
			n, err1 := b64.DecodeString(nv.NameBase64)
			v, err2 := b64.DecodeString(nv.ValueBase64)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s[%d]: _nameBase64/_valueBase64 is not base64", where, i)
			}
			x = app.Header{Name: string(n), Value: string(v)}
		}
		if x.Name == "" {
			return nil, fmt.Errorf("%s[%d]: header has no name", where, i)
		}
		h = append(h, x)
	}
	return h, nil
}

func httpVersion(p string) string {
	if p == "" {
		return "HTTP/1.1"
	}
	return p
}

// HAR writes events as one HAR 1.2 log. version names the Hooklens that wrote it.
func HAR(w io.Writer, events []*app.Event, version string) error {
	f := harFile{Log: harLog{Version: "1.2", Creator: harCreator{Name: "Hooklens", Version: version}, Entries: []harEntry{}}}
	for _, e := range events {
		f.Log.Entries = append(f.Log.Entries, harOf(e))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

func harOf(e *app.Event) harEntry {
	u := strings.ToValidUTF8(e.URL(""), "\uFFFD")
	req := harRequest{
		Method: e.Method, URL: u, HTTPVersion: httpVersion(e.Proto),
		Cookies: []harNV{}, Headers: harHeaders(e.Headers), QueryString: []harNV{},
		HeadersSize: -1, BodySize: int64(len(e.Body)),
	}
	if q, err := url.ParseQuery(e.Query); err == nil {
		for _, kv := range strings.Split(e.Query, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			req.QueryString = append(req.QueryString, harNV{Name: strings.ToValidUTF8(k, "\uFFFD"), Value: strings.ToValidUTF8(v, "\uFFFD")})
		}
		_ = q
	}
	if len(e.Body) > 0 || e.Method == http.MethodPost || e.Method == http.MethodPut || e.Method == http.MethodPatch {
		p := &harPost{MimeType: e.Headers.Get("Content-Type"), Text: string(e.Body)}
		if !utf8.Valid(e.Body) {
			p.Text, p.Encoding = b64.EncodeToString(e.Body), "base64"
		}
		req.PostData = p
	}
	resp := harResponse{
		Status: e.Response.Status, StatusText: http.StatusText(e.Response.Status), HTTPVersion: httpVersion(e.Proto),
		Cookies: []harNV{}, Headers: harHeaders(e.Response.Headers), HeadersSize: -1, BodySize: int64(len(e.Response.Body)),
		Content: harContent{Size: int64(len(e.Response.Body)), MimeType: e.Response.Headers.Get("Content-Type")},
	}
	if len(e.Response.Body) > 0 {
		if utf8.Valid(e.Response.Body) {
			resp.Content.Text = string(e.Response.Body)
		} else {
			resp.Content.Text, resp.Content.Encoding = b64.EncodeToString(e.Response.Body), "base64"
		}
	}
	if resp.Content.MimeType == "" {
		resp.Content.MimeType = "x-unknown"
	}
	v := verdictLine(e.Verdict, true)
	hk := &harHooklens{
		ID: e.IDString(), ReceivedAt: e.ReceivedAt.UTC().Format(time.RFC3339Nano), Endpoint: e.Endpoint,
		Verdict: &v, Origin: e.Origin, RemoteAddr: e.RemoteAddr, Size: e.Size, Truncated: e.Truncated,
		Path: strings.ToValidUTF8(e.Path, "\uFFFD"), PathBase64: inBase64(e.Path),
		Query: strings.ToValidUTF8(e.Query, "\uFFFD"), QueryBase64: inBase64(e.Query), Proto: e.Proto,
	}
	if e.OriginVerdict != nil {
		ov := verdictLine(*e.OriginVerdict, true)
		hk.OriginVerdict = &ov
	}
	if e.ID == 0 {
		hk.ID = ""
	}
	t := e.ReceivedAt
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return harEntry{
		StartedDateTime: t.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Request:         req, Response: resp, Hooklens: hk,
		Timings: harTimings{Send: 0, Wait: 0, Receive: 0},
	}
}

// ParseHAR reads a HAR 1.2 log (Hooklens's own, or one saved by a browser or
// a proxy) into events, one per entry, in file order. Errors name the JSON
// path of what is wrong.
func ParseHAR(data []byte) ([]*app.Event, error) {
	var f harFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError(data, err)
	}
	if f.Log.Version == "" && f.Log.Entries == nil {
		return nil, fmt.Errorf("$.log: missing: a HAR file is {\"log\":{\"version\":\"1.2\",\"entries\":[...]}}")
	}
	out := make([]*app.Event, 0, len(f.Log.Entries))
	for i, en := range f.Log.Entries {
		e, err := harEvent(en)
		if err != nil {
			return nil, fmt.Errorf("$.log.entries[%d].%w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

func harEvent(en harEntry) (*app.Event, error) {
	r := en.Request
	if r.Method == "" {
		return nil, fmt.Errorf("request.method: missing")
	}
	if strings.ContainsAny(r.Method, " \t\r\n") {
		return nil, fmt.Errorf("request.method: %q is not an HTTP method", clip(r.Method))
	}
	e := &app.Event{Method: r.Method, Proto: r.HTTPVersion}
	var err error
	if e.Headers, err = fromHarHeaders(r.Headers, "request.headers"); err != nil {
		return nil, err
	}
	hk := en.Hooklens
	if hk != nil {
		e.Path, e.Query = hk.Path, hk.Query
		for _, x := range []struct {
			b, what string
			to      *string
		}{{hk.PathBase64, "path_base64", &e.Path}, {hk.QueryBase64, "query_base64", &e.Query}} {
			if x.b != "" {
				v, err := b64.DecodeString(x.b)
				if err != nil {
					return nil, fmt.Errorf("_hooklens.%s: not base64", x.what)
				}
				*x.to = string(v)
			}
		}
		if hk.Proto != "" {
			e.Proto = hk.Proto
		}
	}
	if hk == nil || e.Path == "" {
		target, _, _ := strings.Cut(r.URL, "#")
		if !strings.Contains(target, "://") && !strings.HasPrefix(target, "/") {
			return nil, fmt.Errorf("request.url: %q is not an absolute URL", clip(r.URL))
		}
		e.Path, e.Query = splitTarget(target)
	}
	if e.Headers.Get("Host") == "" && hk == nil {
		if u, err := url.Parse(r.URL); err == nil && u.Host != "" {
			// Browsers record HTTP/2 requests without Host (:authority instead).
			e.Host = u.Host
		}
	}
	if e.Host == "" {
		e.Host = e.Headers.Get("Host")
	}
	if p := r.PostData; p != nil {
		switch p.Encoding {
		case "":
			e.Body = []byte(p.Text)
			if p.Text == "" && len(p.Params) > 0 {
				v := url.Values{}
				for _, kv := range p.Params {
					v.Add(kv.Name, kv.Value)
				}
				e.Body = []byte(v.Encode())
			}
		case "base64":
			b, err := b64.DecodeString(p.Text)
			if err != nil {
				return nil, fmt.Errorf("request.postData.text: _encoding says base64 but it is not")
			}
			e.Body = b
		default:
			return nil, fmt.Errorf("request.postData._encoding: %q is not base64", clip(p.Encoding))
		}
		if len(e.Body) == 0 {
			e.Body = nil
		}
	}
	e.Size = int64(len(e.Body))
	if en.StartedDateTime != "" {
		t, err := time.Parse(time.RFC3339Nano, en.StartedDateTime)
		if err != nil {
			return nil, fmt.Errorf("startedDateTime: %q is not an ISO 8601 date", clip(en.StartedDateTime))
		}
		e.ReceivedAt = t
	}
	resp := en.Response
	e.Response.Status = resp.Status
	if e.Response.Headers, err = fromHarHeaders(resp.Headers, "response.headers"); err != nil {
		return nil, err
	}
	if resp.Content.Text != "" {
		if resp.Content.Encoding == "base64" {
			b, err := b64.DecodeString(resp.Content.Text)
			if err != nil {
				return nil, fmt.Errorf("response.content.text: encoding says base64 but it is not")
			}
			e.Response.Body = b
		} else {
			e.Response.Body = []byte(resp.Content.Text)
		}
	}
	if hk != nil {
		if hk.ReceivedAt != "" {
			t, err := time.Parse(time.RFC3339Nano, hk.ReceivedAt)
			if err != nil {
				return nil, fmt.Errorf("_hooklens.received_at: %q is not RFC 3339", clip(hk.ReceivedAt))
			}
			e.ReceivedAt = t
		}
		e.Endpoint, e.RemoteAddr, e.Truncated, e.Origin = hk.Endpoint, hk.RemoteAddr, hk.Truncated, hk.Origin
		if hk.Size > e.Size {
			e.Size = hk.Size
		}
		if hk.Verdict != nil {
			e.Verdict = hk.Verdict.verdict()
		}
		if hk.OriginVerdict != nil {
			v := hk.OriginVerdict.verdict()
			e.OriginVerdict = &v
		}
	} else if en.ServerIPAddress != "" {
		e.RemoteAddr = ""
	}
	return e, nil
}

// jsonError turns a decoding error into one that says where.
func jsonError(data []byte, err error) error {
	switch x := err.(type) {
	case *json.SyntaxError:
		line, col := lineCol(data, x.Offset)
		return fmt.Errorf("line %d, column %d: not valid JSON: %w", line, col, err)
	case *json.UnmarshalTypeError:
		return fmt.Errorf("$.%s: %s is not the %s expected", x.Field, x.Value, x.Type)
	}
	return fmt.Errorf("not a HAR file: %w", err)
}

func lineCol(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
