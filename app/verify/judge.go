package verify

import (
	"strings"

	"github.com/hooklens/hooklens/app"
)

// Endpoints lists every endpoint; *store.Store and EndpointList provide it.
type Endpoints interface {
	Endpoints() ([]app.Endpoint, error)
}

// EndpointList is a list of endpoints already in hand, as Endpoints.
type EndpointList []app.Endpoint

// Endpoints returns the list.
func (l EndpointList) Endpoints() ([]app.Endpoint, error) { return l, nil }

// Judge is Hooklens's one verdict policy, used by the listener, the command
// line, the window, the Signature tab, the demo and Rejudge: e is checked
// against ep (nil when its path names no endpoint: the scheme is then
// detected from the headers). On a mismatch, and only then, every other
// endpoint's keys are tried as well, to diagnose a request signed for
// another endpoint; a matching request costs no read of all. publicURL is
// the address senders were given (a tunnel's), for schemes that sign the
// URL; "" rebuilds it from the request.
func Judge(e *app.Event, ep *app.Endpoint, all Endpoints, publicURL string) Report {
	return judge(e, ep, all, publicURL, false)
}

// JudgeQuick is Judge without the search for the sender's mistake (and so
// without trying other endpoints' keys): the same result, a shorter
// explanation. The listener answers with it and runs Judge after the
// answer, so a failing signature never delays the sender.
func JudgeQuick(e *app.Event, ep *app.Endpoint, publicURL string) Report {
	return judge(e, ep, nil, publicURL, true)
}

func judge(e *app.Event, ep *app.Endpoint, all Endpoints, publicURL string, quick bool) Report {
	if ep == nil || strings.TrimSpace(ep.Scheme) == "" {
		// Most requests: no scheme set and no signature header. Endpoint
		// would say unsigned without looking at the request's URL, so it
		// is not built.
		if _, ok := Detect(e.Headers); !ok {
			return unsignedReport()
		}
	}
	r := FromEvent(e, publicURL)
	r.SkipDiagnosis = quick
	rep := Endpoint(r, ep)
	if rep.Result != app.VerdictInvalid || all == nil {
		return rep
	}
	eps, err := all.Endpoints()
	if err != nil {
		return rep
	}
	slug := ""
	if ep != nil {
		slug = ep.Slug
	}
	if others := OtherKeys(eps, slug); len(others) > 0 {
		rep = Endpoint(r, ep, others...)
	}
	return rep
}

// RejudgeStore is what Rejudge reads and changes: the endpoints, and the
// stored verdicts (app.VerdictStore).
type RejudgeStore interface {
	Endpoints
	app.VerdictStore
}

// Rejudged says what Rejudge did.
type Rejudged struct {
	Checked int // events judged again
	Changed int // of them, whose result changed
}

// Rejudge judges again, with Judge, every stored event that belongs to
// endpoint slug after it changed to ep (nil when it was deleted: the scheme
// is then detected): the events recorded for it and the earlier events on
// its path that arrived before it existed. Every door an endpoint
// changes through (the editor, `hooklens endpoint add`, the local API) calls
// it, so the same events are re-judged whichever was used.
func Rejudge(st RejudgeStore, slug string, ep *app.Endpoint, publicURL string) (Rejudged, error) {
	var rj Rejudged
	eps, err := st.Endpoints()
	if err != nil {
		return rj, err
	}
	all := EndpointList(eps)
	// Judges run inside the store's write transaction: they only compute.
	judge := func(e *app.Event) app.Verdict {
		v := Judge(e, ep, all, publicURL).Verdict
		rj.Checked++
		if v.Result != e.Verdict.Result {
			rj.Changed++
		}
		return v
	}
	if _, err := st.Rejudge(slug, judge); err != nil {
		return rj, err
	}
	_, err = st.Rejudge("", func(e *app.Event) app.Verdict {
		if app.PathSlug(e.Path) != slug {
			return e.Verdict
		}
		return judge(e)
	})
	return rj, err
}
