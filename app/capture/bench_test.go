package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// drive sends n POSTs of body to url from workers goroutines over keep-alive
// connections and returns how long they took.
func drive(b *testing.B, url string, body []byte, n, workers int) time.Duration {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	defer client.CloseIdleConnections()
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var (
		wg      sync.WaitGroup
		errOnce sync.Once
		failure error
	)
	began := time.Now()
	for range workers {
		wg.Go(func() {
			for range jobs {
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					errOnce.Do(func() { failure = err })
				}
			}
		})
	}
	wg.Wait()
	if failure != nil {
		b.Fatal(failure)
	}
	return time.Since(began)
}

// BenchmarkListener compares requests per second through the capture
// listener (wire-order headers, recording, JSON answer) with a plain net/http
// server that only reads the body and answers 200, in the same run.
func BenchmarkListener(b *testing.B) {
	body := bytes.Repeat([]byte(`{"event":"ping","n":12345}`), 40) // about 1 KiB
	const workers = 8

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	plain := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(200)
	})}
	go func() {
		if err := plain.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			b.Error(err)
		}
	}()
	defer plain.Shutdown(context.Background())

	h := start(b, nil, Config{})
	h.rec.keep = false // count events, do not hold b.N bodies

	drive(b, "http://"+ln.Addr().String()+"/", body, 200, workers) // warm up both
	drive(b, h.url+"/bench", body, 200, workers)
	b.ResetTimer()
	base := drive(b, "http://"+ln.Addr().String()+"/", body, b.N, workers)
	capt := drive(b, h.url+"/bench", body, b.N, workers)
	b.StopTimer()

	baseRate := float64(b.N) / base.Seconds()
	captRate := float64(b.N) / capt.Seconds()
	b.ReportMetric(baseRate, "baseline-req/s")
	b.ReportMetric(captRate, "capture-req/s")
	b.ReportMetric(captRate/baseRate, "ratio")
}
