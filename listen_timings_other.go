//go:build !unix

package main

import (
	"io"

	"github.com/hooklens/hooklens/app"
)

// watchTimings prints the stage timings to w when stop is called (there is
// no SIGUSR1 here).
func watchTimings(w io.Writer) (stop func()) {
	return func() { app.WriteStageTimes(w) }
}
