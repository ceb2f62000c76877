package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/assets"
)

// Demo secrets of the GitHub and Stripe endpoints a bulk fill defines.
const (
	GitHubSecret = "hooklens-demo-github"
	StripeSecret = "whsec_hooklensdemostripe"
)

// bulkVariants is how many differently seeded demo histories make the pool
// a bulk fill draws from (each about forty requests, signed and judged once).
const bulkVariants = 24

// Bulk makes any number of varied, realistic events for filling a data
// directory (`hooklens demo --events N`): the demo's SalesIQ, SignalZen,
// Ziwo and Bigin requests plus GitHub pushes and Stripe payments, signed as
// their providers sign (some with a wrong secret), judged with verify.Judge
// against Endpoints, spread evenly over a span of time. Signing and judging
// happen once per pooled request, so a million events take seconds.
type Bulk struct {
	Endpoints []app.Endpoint
	pool      []app.Event
	start     time.Time
	step      time.Duration
	n         int
}

// NewBulk prepares n events received over the span ending at now.
func NewBulk(signing *Signing, n int, now time.Time, span time.Duration) (*Bulk, error) {
	tpls, err := signal.LoadTemplates(assets.Templates)
	if err != nil {
		return nil, err
	}
	eps, err := signing.Endpoints()
	if err != nil {
		return nil, err
	}
	eps = append(eps,
		app.Endpoint{Slug: "github", Scheme: "github", Secrets: []string{GitHubSecret}},
		app.Endpoint{Slug: "stripe", Scheme: "stripe", Secrets: []string{StripeSecret}},
	)
	byName := map[string]signal.Template{}
	for _, t := range tpls {
		byName[t.Name] = t
	}
	var pool []app.Event
	for v := range bulkVariants {
		at := now.Add(-time.Duration(v) * Window)
		evs := Events(tpls, at)
		if err := signing.Sign(evs); err != nil {
			return nil, err
		}
		pool = append(pool, evs...)
		for j := range 6 {
			e, err := providerEvent(byName["github.push"], v*6+j, at.Add(-time.Duration(j)*7*time.Minute), GitHubSecret, j == 5)
			if err != nil {
				return nil, err
			}
			pool = append(pool, *e)
			e, err = providerEvent(byName["stripe.payment_intent.succeeded"], v*6+j, at.Add(-time.Duration(j)*11*time.Minute), StripeSecret, j == 4)
			if err != nil {
				return nil, err
			}
			pool = append(pool, *e)
		}
	}
	RouteTo(pool, eps)
	bySlug := map[string]*app.Endpoint{}
	for i := range eps {
		bySlug[eps[i].Slug] = &eps[i]
	}
	all := verify.EndpointList(eps)
	for i := range pool {
		e := &pool[i]
		e.Verdict = verify.Judge(e, bySlug[e.Endpoint], all, "").Verdict
		e.Type = app.EventType(e)
		if e.Response.Status >= 200 && e.Response.Status < 300 {
			e.Response.Body = []byte(`{"ok":true}`)
		}
	}
	step := time.Duration(0)
	if n > 1 {
		step = span / time.Duration(n-1)
	}
	return &Bulk{Endpoints: eps, pool: pool, start: now.Add(-span), step: step, n: n}, nil
}

// Event returns event i (0 is the oldest) of the n. Its headers and body
// are shared with other events: the caller must not change them.
func (b *Bulk) Event(i int) *app.Event {
	e := b.pool[(i*7919)%len(b.pool)] // a stride prime to any pool size keeps neighbours varied
	e.ReceivedAt = b.start.Add(time.Duration(i) * b.step)
	return &e
}

// providerEvent renders template t (GitHub or Stripe) as received at at,
// signed with secret, or with a wrong one when broken.
func providerEvent(t signal.Template, seq int, at time.Time, secret string, broken bool) (*app.Event, error) {
	if t.Name == "" {
		return nil, fmt.Errorf("a provider template of the bulk fill is missing from the library")
	}
	body, hs, err := t.Render(nil, seq+1)
	if err != nil {
		return nil, err
	}
	key := secret
	if broken {
		key += "-rotated"
	}
	sig, err := verify.Sign(verify.Config{Scheme: t.Scheme}, verify.Key{Secret: key}, verify.Request{Method: t.Method, Headers: hs, Body: body, Time: at})
	if err != nil {
		return nil, err
	}
	hs = append(hs, sig...)
	path, query, _ := strings.Cut(t.Path, "?")
	all := app.Headers{{Name: "Host", Value: Host}, {Name: "Content-Length", Value: strconv.Itoa(len(body))}}
	all = append(all, hs...)
	status := 200
	if seq%9 == 8 {
		status = 500 // the app under development failed this one
	}
	return &app.Event{
		ReceivedAt: at, Method: t.Method, Path: path, Query: query, Proto: "HTTP/1.1", Host: Host,
		Headers: all, Body: body, Size: int64(len(body)),
		RemoteAddr: "140.82.115." + strconv.Itoa(10+seq%200) + ":443",
		Response:   app.Response{Status: status, Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}},
	}, nil
}
