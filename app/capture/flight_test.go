package capture

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
)

// pattern is an endless reader of a fixed byte pattern, so clients send
// big bodies without holding them.
type pattern struct{ n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte('a' + (p.n+int64(i))%26)
	}
	p.n += int64(len(b))
	return len(b), nil
}

// heapPeak samples HeapInuse until stop is closed and returns the peak.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var m runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// 50 concurrent 10 MiB uploads: with the default 128 MiB cap on bodies in
// flight (each counted twice, with its signed content), the heap in use
// stays under 2 x 128 MiB + 64 MiB = 320 MiB (it
// was about 4 x the 500 MiB sent, 2.2 GB, before the cap), unsigned or
// with invalid signatures on JSON bodies, whose mistake search runs after
// the answer and is charged to the cap. Uploads over the cap wait, or are
// answered 503 with Retry-After and sent again; every one is recorded
// exactly once and whole.
func TestBytesInFlightAreCapped(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 1 GiB")
	}
	const (
		uploads = 50
		size    = 10 << 20
		bound   = 2*DefaultMaxInFlight + 64<<20
	)
	item := `{"id":"evt_1","name":"Zoë <b>","n":[1,2,3]},`
	jsonBody := []byte("[" + strings.Repeat(item, size/len(item)-1) + `{"id":"last"}`)
	jsonBody = append(jsonBody, bytes.Repeat([]byte(" "), size-len(jsonBody)-1)...)
	jsonBody = append(jsonBody, ']')
	judge := func(e *app.Event, ep *app.Endpoint, full bool) app.Verdict {
		r := verify.FromEvent(e, "")
		r.SkipDiagnosis = !full
		return verify.Endpoint(r, ep).Verdict
	}
	for _, tc := range []struct {
		name string
		path string
		body func() io.Reader
		sign bool
	}{
		{"unsigned", "/big", func() io.Reader { return io.LimitReader(&pattern{}, size) }, false},
		{"invalid signature", "/shop/big", func() io.Reader { return bytes.NewReader(jsonBody) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := app.Endpoint{Slug: "shop", Scheme: "stripe", Secrets: []string{"whsec_c2VjcmV0IGZvciB0ZXN0cw=="}}
			h := start(t, endpointMap{"shop": ep}, Config{
				Diagnose: func(e *app.Event, ep *app.Endpoint) app.Verdict { return judge(e, ep, true) },
			})
			var sums sync.Map // id -> sha256 of the body, checked instead of kept
			h.rec.keep = false
			h.rec.onRecord = func(id uint64, body []byte) { sums.Store(id, sha256.Sum256(body)) }
			want := sha256.Sum256(mustRead(t, tc.body()))

			runtime.GC()
			stop := make(chan struct{})
			peak := heapPeak(stop)
			var busy, cut atomic.Int64
			var wg sync.WaitGroup
			for range uploads {
				wg.Go(func() {
					for {
						req, _ := http.NewRequest("POST", h.url+tc.path, tc.body())
						req.ContentLength = size
						if tc.sign {
							req.Header.Set("Stripe-Signature", "t=1700000000,v1="+strings.Repeat("0", 64))
						}
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							// A 503 sent before the body is read closes the
							// connection; a client still writing sees the close.
							cut.Add(1)
							time.Sleep(50 * time.Millisecond)
							continue
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusServiceUnavailable {
							busy.Add(1)
							if s, _ := strconv.Atoi(resp.Header.Get("Retry-After")); s < 1 {
								t.Errorf("503 without a Retry-After: %q", resp.Header.Get("Retry-After"))
							}
							time.Sleep(50 * time.Millisecond)
							continue
						}
						if resp.StatusCode != 200 {
							t.Errorf("status %d", resp.StatusCode)
						}
						return
					}
				})
			}
			wg.Wait()
			close(stop)
			p := <-peak
			t.Logf("peak heap in use %d MiB (bound %d MiB), %d answers 503, %d sends cut by one", p>>20, bound>>20, busy.Load(), cut.Load())

			n := 0
			sums.Range(func(_, v any) bool {
				n++
				if v.([32]byte) != want {
					t.Error("a body was recorded damaged")
				}
				return true
			})
			if n != uploads {
				t.Fatalf("recorded %d uploads, want %d", n, uploads)
			}
			if p > bound {
				t.Fatalf("peak heap in use %d MiB, over the bound of %d MiB", p>>20, bound>>20)
			}
		})
	}
}

func mustRead(t *testing.T, r io.Reader) []byte {
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Over the cap a request waits briefly, then is answered 503 with
// Retry-After, and nothing of it is recorded.
func TestOverTheCapIsAnswered503(t *testing.T) {
	h := start(t, nil, Config{MaxInFlight: 1 << 20, InFlightWait: 100 * time.Millisecond})
	hold := h.dial(t)
	// A 1 MiB body that arrives slowly holds the whole cap.
	io.WriteString(hold, "POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\nstart")
	time.Sleep(100 * time.Millisecond)

	req, _ := http.NewRequest("POST", h.url+"/small", strings.NewReader("hello"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r := replyOf(t, resp)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" || !strings.Contains(string(r.body), "again") {
		t.Fatalf("answered %d %q %q", r.status, r.header, r.body)
	}
	h.events(t, 0)

	io.WriteString(hold, strings.Repeat("x", 1<<20-len("start")))
	readReply(t, bufio.NewReader(hold), "POST")
	if e := h.events(t, 1)[0]; e.Path != "/slow" || e.Size != 1<<20 {
		t.Fatalf("recorded %s of %d bytes", e.Path, e.Size)
	}
	if got := post(t, h.url+"/small", "text/plain", []byte("hello")); got.status != 200 {
		t.Fatalf("after the slow one finished: %d", got.status)
	}
}
