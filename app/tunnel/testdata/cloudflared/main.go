// A stand-in for cloudflared in tests: it takes cloudflared's quick-tunnel
// arguments, prints the lines cloudflared prints and serves /quicktunnel
// and /ready on the --metrics address. STANDIN_MODE picks the behaviour:
// "ok" (default), "exit" (fails like a rate-limited quick-tunnel request),
// "stubborn" (ok, but ignores SIGTERM). STANDIN_PIDFILE, when set, gets
// its pid.
package main

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

func logf(level, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s %s\n", time.Now().UTC().Format(time.RFC3339), level, fmt.Sprintf(format, args...))
}

func main() {
	var metrics, target string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--metrics":
			i++
			metrics = args[i]
		case "--url":
			i++
			target = args[i]
		}
	}
	if f := os.Getenv("STANDIN_PIDFILE"); f != "" {
		os.WriteFile(f, []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	mode := os.Getenv("STANDIN_MODE")
	if mode == "stubborn" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		go func() {
			s := <-sig
			logf("INF", "Initiating graceful shutdown due to signal %s ...", map[os.Signal]string{syscall.SIGTERM: "terminated", syscall.SIGINT: "interrupt"}[s])
			os.Exit(0)
		}()
	}

	logf("INF", "Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee, are subject to the Cloudflare Online Services Terms of Use (https://www.cloudflare.com/website-terms/), and Cloudflare reserves the right to investigate your use of Tunnels for violations of such terms. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps")
	logf("INF", "Requesting new quick Tunnel on trycloudflare.com...")
	if mode == "exit" {
		time.Sleep(50 * time.Millisecond)
		logf("ERR", `Error unmarshaling QuickTunnel response: error code: 1015 error="invalid character 'e' looking for beginning of value" status_code="429 Too Many Requests"`)
		fmt.Fprintln(os.Stderr, "failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value")
		os.Exit(1)
	}
	host := "seasonal-deck-organisms-sf.trycloudflare.com"
	var ready atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/quicktunnel", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"hostname":"%s"}`, host)
	})
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if ready.Load() {
			w.WriteHeader(200)
			fmt.Fprint(w, `{"status":200,"readyConnections":1,"connectorId":"7c8e1f5a-52b2-4a4e-9a3d-1a0c7e0a4b11"}`)
			return
		}
		w.WriteHeader(503)
		fmt.Fprint(w, `{"status":503,"readyConnections":0,"connectorId":"7c8e1f5a-52b2-4a4e-9a3d-1a0c7e0a4b11"}`)
	})
	go http.ListenAndServe(metrics, mux)

	time.Sleep(100 * time.Millisecond)
	for _, l := range []string{
		"+--------------------------------------------------------------------------------------------+",
		"|  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |",
		"|  https://" + host + "                                      |",
		"+--------------------------------------------------------------------------------------------+",
	} {
		logf("INF", "%s", l)
	}
	logf("INF", "Cannot determine default configuration path. No file [config.yml config.yaml] in [~/.cloudflared ~/.cloudflare-warp ~/cloudflare-warp /etc/cloudflared /usr/local/etc/cloudflared]")
	logf("INF", "Version 2024.8.2 (Checksum 3d2a5d1e0b)")
	logf("INF", "GOOS: linux, GOVersion: go1.22.5, GoArch: amd64")
	logf("INF", "Settings: map[ha-connections:1 metrics:%s no-autoupdate:true protocol:quic url:%s]", metrics, target)
	logf("INF", "Generated Connector ID: 7c8e1f5a-52b2-4a4e-9a3d-1a0c7e0a4b11")
	logf("INF", "Initial protocol quic")
	logf("INF", "ICMP proxy will use 192.168.1.20 as source for IPv4")
	logf("INF", "Starting metrics server on %s/metrics", metrics)
	time.Sleep(100 * time.Millisecond)
	ready.Store(true)
	logf("INF", "Registered tunnel connection connIndex=0 connection=2f9d3c1e-8a0b-4c55-9d2e-6b7f1a2c3d4e event=0 ip=198.41.200.43 location=ams08 protocol=quic")
	select {}
}
