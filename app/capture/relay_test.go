package capture

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hooklens/hooklens/app"
)

// An endpoint with ForwardReply answers the sender with the app's response,
// stores that as the response sent, and links the forward to the event.
func TestRelayAnswersWithTheAppsResponse(t *testing.T) {
	var relayed *app.Event
	var linked uint64
	cfg := Config{Forward: relayOnly(func(ctx context.Context, e *app.Event, url string) (app.Response, func(uint64), error) {
		relayed = e
		if url != "http://127.0.0.1:3000/hooks" {
			t.Errorf("relayed to %q", url)
		}
		return app.Response{Status: 422, Headers: app.Headers{
			{Name: "Content-Type", Value: "application/problem+json"},
			{Name: "X-App", Value: "dev"},
			{Name: "Transfer-Encoding", Value: "chunked"},
		}, Body: []byte(`{"error":"missing field"}`)}, func(id uint64) { linked = id }, nil
	})}
	eps := endpointMap{"dev": {Slug: "dev", ForwardTo: "http://127.0.0.1:3000/hooks", ForwardReply: true}}
	h := start(t, eps, cfg)
	got := post(t, h.url+"/dev/x", "application/json", []byte(`{"a":1}`))
	if got.status != 422 || string(got.body) != `{"error":"missing field"}` || got.header.Get("X-App") != "dev" ||
		got.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("sender got %d %q %v", got.status, got.body, got.header)
	}
	ev := h.events(t, 1)[0]
	sameResponse(t, ev.Response, got)
	if relayed == nil || string(relayed.Body) != `{"a":1}` || linked != ev.ID || linked == 0 {
		t.Errorf("relayed %+v, linked to %d, event %d", relayed, linked, ev.ID)
	}
}

func TestRelayFailureIsA502WithTheReason(t *testing.T) {
	cfg := Config{Forward: relayOnly(func(context.Context, *app.Event, string) (app.Response, func(uint64), error) {
		return app.Response{}, nil, errors.New("connection refused")
	})}
	eps := endpointMap{"dev": {Slug: "dev", ForwardTo: "http://127.0.0.1:1/", ForwardReply: true}}
	h := start(t, eps, cfg)
	got := post(t, h.url+"/dev", "text/plain", []byte("x"))
	if got.status != 502 || !strings.Contains(string(got.body), "connection refused") {
		t.Fatalf("sender got %d %s", got.status, got.body)
	}
	h.events(t, 1) // the request itself is still captured
}

// Without ForwardReply the endpoint's rule answers; the forward happens later.
func TestForwardWithoutReplyUsesTheRule(t *testing.T) {
	cfg := Config{Forward: relayOnly(func(context.Context, *app.Event, string) (app.Response, func(uint64), error) {
		t.Error("relayed although the endpoint did not ask for the app's response")
		return app.Response{}, nil, nil
	})}
	eps := endpointMap{"dev": {Slug: "dev", ForwardTo: "http://127.0.0.1:3000/", Response: app.ResponseRule{Status: 202}}}
	h := start(t, eps, cfg)
	if got := post(t, h.url+"/dev", "text/plain", []byte("x")); got.status != 202 {
		t.Fatalf("status %d", got.status)
	}
}
