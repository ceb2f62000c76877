package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/hooklens/hooklens/app"
)

// BenchmarkCaptureDurable drives the whole assembly in this process (the
// listener, judging, the group-committed store, publishing) with 50 keep-
// alive clients: the figure `make bench` compares, without process overhead,
// and the one to profile (-cpuprofile) for where a request's time goes.
func BenchmarkCaptureDurable(b *testing.B) {
	dir, err := os.MkdirTemp("", "hlb")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	h, err := OpenHooklens(Config{Data: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	h.Store.Subscribe(func(*app.Event) {})
	body := bytes.Repeat([]byte("x"), 1000)
	url := h.Listener.URL() + "/bench/x"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 50}}
	jobs := make(chan struct{}, 1024)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range jobs {
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	b.ResetTimer()
	for range b.N {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
