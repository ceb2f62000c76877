package capture

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

// responseWithMaps is plan.response as first written, with http.Header
// maps: the answer built in a slice must be the same.
func responseWithMaps(p plan, r *http.Request, id string) app.Response {
	body := p.body
	if p.withID {
		body = strings.ReplaceAll(body, idMark, id)
	}
	h := http.Header{}
	if p.contentType != "" {
		h.Set("Content-Type", p.contentType)
	}
	h.Set("Access-Control-Allow-Origin", "*")
	replaced := map[string]bool{}
	for _, x := range p.headers {
		k := http.CanonicalHeaderKey(x.Name)
		if !replaced[k] {
			h.Del(k)
			replaced[k] = true
		}
		h.Add(k, strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(x.Value))
	}
	switch {
	case p.close:
		h.Set("Connection", "close")
	case r.ProtoMajor == 1 && r.ProtoMinor == 0 && !r.Close && h.Get("Connection") == "":
		h.Set("Connection", "keep-alive")
	case r.Close && r.ProtoAtLeast(1, 1):
		h.Set("Connection", "close")
	}
	if h.Get("Date") == "" {
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	out := []byte(body)
	switch {
	case p.status == http.StatusNotModified:
		h.Del("Content-Type")
		fallthrough
	case p.status == http.StatusNoContent:
		h.Del("Content-Length")
		h.Del("Transfer-Encoding")
		out = nil
	default:
		h.Set("Content-Length", strconv.Itoa(len(out)))
	}
	if r.Method == http.MethodHead {
		out = nil
	}
	resp := app.Response{Status: p.status, Body: out}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			resp.Headers = append(resp.Headers, app.Header{Name: k, Value: v})
		}
	}
	return resp
}

func TestAnswerMatchesMapVersion(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	names := []string{"x-a", "X-A", "content-type", "Connection", "Date", "Access-Control-Allow-Origin", "X-Line", "Cache-Control", "Content-Length"}
	statuses := []int{200, 201, 204, 304, 413, 502}
	for i := range 3000 {
		p := okPlan()
		if i%3 == 1 {
			p = errorPlan(statuses[rng.IntN(len(statuses))], "went wrong", rng.IntN(2) == 0)
		}
		p.status = statuses[rng.IntN(len(statuses))]
		p.close = rng.IntN(4) == 0
		if rng.IntN(5) == 0 {
			p.contentType = ""
		}
		for range rng.IntN(6) {
			v := fmt.Sprint("v", rng.IntN(3))
			if rng.IntN(4) == 0 {
				v = "a\r\nb\nc\rd"
			}
			p.headers = append(p.headers, app.Header{Name: names[rng.IntN(len(names))], Value: v})
		}
		r := httptest.NewRequest([]string{"POST", "HEAD", "GET"}[rng.IntN(3)], "/x", nil)
		switch rng.IntN(3) {
		case 1:
			r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.0", 1, 0
		case 2:
			r.Close = true
		}
		id := strconv.Itoa(rng.IntN(100000))
		for try := 0; ; try++ {
			got, want := p.response(r, id), responseWithMaps(p, r, id)
			if reflect.DeepEqual(got, want) {
				break
			}
			if try < 3 { // the Date may have turned a second in between
				continue
			}
			t.Fatalf("plan %+v to %s %s (close %v):\n got %q %q\nwant %q %q", p, r.Method, r.Proto, r.Close, got.Headers, got.Body, want.Headers, want.Body)
		}
	}
}
