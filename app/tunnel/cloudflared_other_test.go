//go:build !unix

package tunnel

import "os"

// The cloudflared tests need process groups and signals (unix).
func runCloudflaredProvider() { os.Exit(2) }
