package demo

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// Receiver is a small app that takes webhooks the way the demo's targets
// do, so a demo shows real deliveries: /crm/... and /crm-sandbox/... accept
// them, /desk/... is down for its first two attempts and then accepts, and
// /legacy/... answers 410 Gone, as a retired webhook URL does.
type Receiver struct {
	mu        sync.Mutex
	deskCalls int
}

// Paths of the Receiver, for the demo's targets.
const (
	CRMPath        = "/crm/webhooks"
	CRMSandboxPath = "/crm-sandbox/webhooks"
	DeskPath       = "/desk/hooks"
	LegacyPath     = "/legacy/hooks"
)

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	w.Header().Set("Content-Type", "application/json")
	reply := func(status int, v any) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case CRMPath, CRMSandboxPath:
		reply(http.StatusOK, map[string]any{"received": true, "bytes": len(body), "queued_jobs": []string{"sync_contact", "notify_owner"}})
	case DeskPath:
		rc.mu.Lock()
		rc.deskCalls++
		n := rc.deskCalls
		rc.mu.Unlock()
		if n <= 2 {
			reply(http.StatusServiceUnavailable, map[string]string{"error": "desk is deploying, try again shortly"})
			return
		}
		reply(http.StatusCreated, map[string]any{"ticket": "ZD-4412", "bytes": len(body)})
	case LegacyPath:
		reply(http.StatusGone, map[string]string{"error": "this webhook URL was retired; use /crm/webhooks"})
	default:
		reply(http.StatusNotFound, map[string]string{"error": "no such webhook route"})
	}
}
