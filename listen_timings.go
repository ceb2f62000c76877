//go:build unix

package main

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/hooklens/hooklens/app"
)

// watchTimings prints the stage timings to w on each SIGUSR1 until the
// returned stop is called, which prints them once more.
func watchTimings(w io.Writer) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				app.WriteStageTimes(w)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
		app.WriteStageTimes(w)
	}
}
