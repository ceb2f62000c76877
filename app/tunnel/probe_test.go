package tunnel

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProbeReachesThisListener(t *testing.T) {
	l := newLocal(t)
	res := l.prober.Check(context.Background(), "http://"+l.addr)
	if !res.Reachable || res.RTT <= 0 || res.Status != 200 || res.Reason != "" {
		t.Fatalf("probe = %+v, want reachable with a round-trip time", res)
	}
	select {
	case b := <-l.hooks:
		t.Fatalf("the probe was passed on to the capture handler: %q", b)
	default:
	}
}

func TestProbeWithPathPrefixKeptByProxy(t *testing.T) {
	l := newLocal(t)
	res := l.prober.Check(context.Background(), "http://"+l.addr+"/behind/proxy/")
	if !res.Reachable {
		t.Fatalf("probe under a path = %+v, want reachable", res)
	}
}

func TestProbeToAnotherServerFailsAndSaysSo(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from somebody else")
	}))
	defer other.Close()
	p := NewProber()
	res := p.Check(context.Background(), other.URL)
	if res.Reachable {
		t.Fatalf("a probe to another server counted as reachable: %+v", res)
	}
	for _, want := range []string{"200 OK", "never arrived at this Hooklens", "some other server"} {
		if !strings.Contains(res.Reason, want) {
			t.Errorf("reason %q does not say %q", res.Reason, want)
		}
	}
}

func TestProbeToAnotherHooklensFailsAndSaysSo(t *testing.T) {
	theirs := newLocal(t)
	mine := NewProber()
	res := mine.Check(context.Background(), "http://"+theirs.addr)
	if res.Reachable {
		t.Fatalf("a probe answered by another Hooklens counted as reachable: %+v", res)
	}
	if !strings.Contains(res.Reason, "another Hooklens answered") || !strings.Contains(res.Reason, "404") {
		t.Errorf("reason %q does not name the other Hooklens", res.Reason)
	}
	select {
	case b := <-theirs.hooks:
		t.Fatalf("the other Hooklens stored the probe: %q", b)
	default:
	}
}

func TestProbeThatComesBackChangedFails(t *testing.T) {
	l := newLocal(t)
	// A proxy that passes the request on but answers by itself.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get("http://" + l.addr + r.URL.Path)
		if err == nil {
			resp.Body.Close()
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, "queued")
	}))
	defer proxy.Close()
	res := l.prober.Check(context.Background(), proxy.URL)
	if res.Reachable || !strings.Contains(res.Reason, "reached this Hooklens but the answer") {
		t.Fatalf("probe = %+v, want unreachable because the answer was changed", res)
	}
}

func TestProbeWithNoServerSaysNoAnswer(t *testing.T) {
	addr := freeAddr(t)
	res := NewProber().Check(context.Background(), "http://"+addr)
	if res.Reachable || !strings.Contains(res.Reason, "got no answer") || !strings.Contains(res.Reason, "refused") {
		t.Fatalf("probe = %+v, want no answer (connection refused)", res)
	}
}

func TestProbeRedirectIsNotFollowed(t *testing.T) {
	l := newLocal(t)
	redir := httptest.NewServer(http.RedirectHandler("http://"+l.addr+"/x", http.StatusFound))
	defer redir.Close()
	res := l.prober.Check(context.Background(), redir.URL)
	if res.Reachable || !strings.Contains(res.Reason, "redirects to http://"+l.addr) {
		t.Fatalf("probe = %+v, want unreachable naming the redirect", res)
	}
}

func TestProbeTimesOut(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hang.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := NewProber().Check(ctx, hang.URL)
	if res.Reachable || !strings.Contains(res.Reason, "timed out") {
		t.Fatalf("probe = %+v, want timed out", res)
	}
}

func TestIntercept(t *testing.T) {
	p := NewProber()
	for path, want := range map[string]bool{
		"/.hooklens/probe/0123456789abcdef0123456789abcdef":        true,
		"/prefix/.hooklens/probe/0123456789abcdef0123456789abcdef": true,
		"/.hooklens/probe/short":                                   false,
		"/.hooklens/probe/0123456789abcdef0123456789abcdeg":        false,
		"/github/push": false,
		"/.hooklens/probe/0123456789abcdef0123456789abcdef/trailer": false,
	} {
		rec := httptest.NewRecorder()
		got := p.Intercept(rec, httptest.NewRequest("POST", path, strings.NewReader("x")))
		if got != want {
			t.Errorf("Intercept(%s) = %v, want %v", path, got, want)
		}
		if got && rec.Code != http.StatusNotFound {
			t.Errorf("an unknown probe %s was answered %d, want 404", path, rec.Code)
		}
	}
}

func TestParsePublicURL(t *testing.T) {
	good := map[string]string{
		"https://hooks.example.com":          "https://hooks.example.com",
		"https://hooks.example.com/":         "https://hooks.example.com",
		"http://10.0.0.5:8080/hooklens/":     "http://10.0.0.5:8080/hooklens",
		"  https://a-b.trycloudflare.com  ":  "https://a-b.trycloudflare.com",
		"https://[2001:db8::1]:8443/in":      "https://[2001:db8::1]:8443/in",
		"HTTPS://Hooks.Example.com/Path/Kep": "https://Hooks.Example.com/Path/Kep",
	}
	for in, want := range good {
		u, err := ParsePublicURL(in)
		if err != nil || u.String() != want {
			t.Errorf("ParsePublicURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	bad := map[string]string{
		"":                                  "empty",
		"ftp://example.com":                 "http:// or https://",
		"hooks.example.com":                 "http:// or https://",
		"https://":                          "no host",
		"https://user:hunter2@example.com":  "user name or password",
		"https://example.com/?token=abc":    "query",
		"https://example.com/#frag":         "fragment",
		"https://example.com:99999/":        "bad port",
		"https://example.com:0/":            "bad port",
		"mailto:someone@example.com":        "http:// or https://",
		"https://exa mple.com":              "cannot be read",
		"https://user:hunter2@exa mple.com": "cannot be read",
	}
	for in, want := range bad {
		_, err := ParsePublicURL(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePublicURL(%q) error = %v, want one saying %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParsePublicURL(%q) error shows the password: %v", in, err)
		}
	}
}

func TestCheckAtListensForTheProbeItself(t *testing.T) {
	addr := freeAddr(t)
	res, err := CheckAt(context.Background(), addr, "http://"+addr)
	if err != nil || !res.Reachable {
		t.Fatalf("CheckAt = %+v, %v", res, err)
	}
	l := newLocal(t) // holds its address
	if _, err := CheckAt(context.Background(), l.addr, "http://"+l.addr); err == nil || !strings.Contains(err.Error(), "cannot listen on "+l.addr) {
		t.Fatalf("CheckAt on a taken address = %v", err)
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	res, err = CheckAt(context.Background(), freeAddr(t), other.URL)
	if err != nil || res.Reachable || !strings.Contains(res.Reason, "some other server") {
		t.Fatalf("CheckAt to another server = %+v, %v", res, err)
	}
}
