package ui

import (
	"errors"
	"fmt"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/ui/widgets"
)

// --- saving -----------------------------------------------------------------

// saveEndpoint stores ep and re-checks the stored events it applies to:
// those filed under it, and those that arrived on its path before it
// existed (the Signature tab judges those with it too). It runs off the UI
// goroutine and says how many were re-checked and how many changed result.
func saveEndpoint(eps app.EndpointStore, vs app.VerdictStore, ep app.Endpoint, isNew bool) (recheck, error) {
	if isNew {
		_, err := eps.Endpoint(ep.Slug)
		if err == nil {
			return recheck{}, fmt.Errorf("an endpoint named %s already exists: edit it from the list, or pick another name", ep.Slug)
		}
		if !errors.Is(err, app.ErrNotFound) {
			return recheck{}, fmt.Errorf("checking whether endpoint %s exists: %w", ep.Slug, err)
		}
	}
	if err := eps.PutEndpoint(ep); err != nil {
		return recheck{}, fmt.Errorf("could not save endpoint %s: %w", ep.Slug, err)
	}
	return reverify(eps, vs, ep.Slug, &ep)
}

// deleteEndpoint removes endpoint slug and re-checks its events without it.
func deleteEndpoint(eps app.EndpointStore, vs app.VerdictStore, slug string) (recheck, error) {
	if err := eps.DeleteEndpoint(slug); err != nil && !errors.Is(err, app.ErrNotFound) {
		return recheck{}, fmt.Errorf("could not delete endpoint %s: %w", slug, err)
	}
	return reverify(eps, vs, slug, nil)
}

// recheck counts what a re-check did: events judged again, and those
// whose result (not only its wording) changed.
type recheck struct{ checked, flipped int }

func (r recheck) String() string {
	switch {
	case r.checked == 0:
		return "no stored event to re-check"
	case r.flipped == 0:
		return fmt.Sprintf("re-checked %s, no result changed", widgets.Plural(r.checked, "event"))
	}
	return fmt.Sprintf("re-checked %s, %s now %s a different result", widgets.Plural(r.checked, "event"),
		app.GroupDigits(r.flipped), map[bool]string{true: "has", false: "have"}[r.flipped == 1])
}

// reverify judges again the stored events of endpoint slug with ep (nil:
// the endpoint is gone, so the scheme is detected), with verify.Rejudge: the
// same events whichever door the endpoint changed through.
func reverify(eps app.EndpointStore, vs app.VerdictStore, slug string, ep *app.Endpoint) (recheck, error) {
	if vs == nil {
		return recheck{}, nil
	}
	rj, err := verify.Rejudge(rejudgeStore{eps, vs}, slug, ep, "")
	if err != nil {
		return recheck{}, fmt.Errorf("endpoint %s is saved, but re-checking its events failed: %w", slug, err)
	}
	return recheck{checked: rj.Checked, flipped: rj.Changed}, nil
}

// rejudgeStore joins the window's two stores into what verify.Rejudge needs.
type rejudgeStore struct {
	app.EndpointStore
	app.VerdictStore
}
