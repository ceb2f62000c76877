//go:build ci

package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// fakeTeam records what the Team control asks and lets the test say what
// the publisher reports (package main's windowTeam is tested against a
// real NATS server in team_test.go).
type fakeTeam struct {
	mu        sync.Mutex
	published []string
	stopped   int
	url       string
	pubSubs   []func(string, bool)
}

func (f *fakeTeam) Follow(url, name string) error { return nil }
func (f *fakeTeam) Stop()                         {}
func (f *fakeTeam) OnStatus(fn func(string))      {}
func (f *fakeTeam) Publish(url string) error {
	if !strings.HasPrefix(url, "nats://") {
		return errors.New("the team URL must start with nats://")
	}
	f.mu.Lock()
	f.published = append(f.published, url)
	f.url = url
	f.mu.Unlock()
	return nil
}
func (f *fakeTeam) StopPublishing() error {
	f.mu.Lock()
	f.stopped++
	f.url = ""
	f.mu.Unlock()
	f.say("")
	return nil
}
func (f *fakeTeam) Publishing() string { f.mu.Lock(); defer f.mu.Unlock(); return f.url }
func (f *fakeTeam) OnPublishStatus(fn func(string, bool)) {
	f.mu.Lock()
	f.pubSubs = append(f.pubSubs, fn)
	f.mu.Unlock()
	fn("", false)
}
func (f *fakeTeam) say(s string) {
	f.mu.Lock()
	subs := append([]func(string, bool){}, f.pubSubs...)
	f.mu.Unlock()
	for _, fn := range subs {
		fn(s, strings.Contains(s, "unreachable"))
	}
}

// dialogEntries finds the entries of the topmost dialog, top to bottom.
func dialogEntries(h *harness) []*widget.Entry {
	var out []*widget.Entry
	walk(h.w.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok {
			out = append(out, e)
		}
	})
	return out
}

func TestTeamControlPublishesAndTheTopBarSaysWhatWaits(t *testing.T) {
	ft := &fakeTeam{}
	h := newHarnessWith(t, false, func(h *harness) { h.team = ft })
	if h.w.top.team.Visible() {
		t.Fatal("the team line shows while not publishing")
	}
	h.w.ctl.showTeam()
	entries := dialogEntries(h)
	if len(entries) != 3 {
		t.Fatalf("Team control has %d entries, want follow URL, follower name, publish URL", len(entries))
	}
	pubURL := entries[2]
	stop := h.dialogButton("Stop publishing")
	if !stop.Disabled() {
		t.Error("Stop publishing is enabled while not publishing")
	}
	test.Type(pubURL, "http://wrong")
	test.Tap(h.dialogButton("Publish"))
	h.pumpUntil("the refusal", func() bool { return contains(labels(h.w.win.Canvas().Overlays().Top()), "must start with nats://") })

	pubURL.SetText("nats://team:4222")
	test.Tap(h.dialogButton("Publish"))
	h.pumpUntil("publishing", func() bool { return ft.Publishing() == "nats://team:4222" && !stop.Disabled() })

	ft.say("team: 1,204 waiting to publish: NATS at nats://team:4222 is unreachable")
	h.pumpUntil("the team line", func() bool { return h.w.top.team.Visible() })
	if got := h.w.top.teamText.Text; !strings.Contains(got, "1,204 waiting to publish") || !strings.Contains(got, "unreachable") {
		t.Errorf("team line %q", got)
	}
	if h.w.top.teamText.Importance != widget.WarningImportance {
		t.Error("the team line is not a warning while NATS is unreachable")
	}
	if !contains(labels(h.w.win.Canvas().Overlays().Top()), "1,204 waiting to publish") {
		t.Error("the Team control does not show what waits")
	}
	test.Tap(stop)
	h.pumpUntil("publishing to stop", func() bool { return ft.Publishing() == "" && !h.w.top.team.Visible() })
}

// A followed event shows the URL it was sent to on the publishing
// Hooklens, not this window's listener.
func TestFollowedEventShowsItsSendersURL(t *testing.T) {
	h := newHarness(t)
	e := &app.Event{Method: "POST", Path: "/gh/push", Query: "a=1", Host: "staging.example.com:8790",
		Headers: app.Headers{{Name: "Host", Value: "staging.example.com:8790"}}, Body: []byte("{}"),
		ReceivedAt: time.Now(), Origin: "team:staging:41", Response: app.Response{Status: 200}}
	if err := h.st.ImportAll(context.Background(), []*app.Event{e}); err != nil {
		t.Fatal(err)
	}
	h.selectPath("/gh/push")
	if want := "http://staging.example.com:8790/gh/push?a=1"; h.w.detail.url.Text != want {
		t.Errorf("followed event's URL %q, want %q", h.w.detail.url.Text, want)
	}
}
