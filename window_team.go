package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/hooklens/hooklens/app/team"
	"github.com/hooklens/hooklens/ui"
)

// windowTeam follows a team stream from the window into the assembly's
// store (the window's Team control), as `hooklens follow` does.
type windowTeam struct {
	h *Hooklens

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	status feed[string] // the follower's status lines

	// The window's publisher (Team → Publish), nil when not publishing.
	pubMu     sync.Mutex
	pub       *team.Publisher
	pubURL    string
	unsub     func()
	pubStatus feed[publishLine]
}

// publishLine is a "team: N waiting to publish" line and whether something
// keeps events waiting.
type publishLine struct {
	text    string
	trouble bool
}

// keyPublishURL is the setting that keeps the window publishing: the NATS
// URL it publishes to, "" when it does not.
const keyPublishURL = "team.publish_url"

var _ ui.Team = (*windowTeam)(nil)

// Follow starts following url as name, replacing a follow that runs.
func (t *windowTeam) Follow(url, name string) error {
	cfg := team.Config{URL: url}
	if err := cfg.Validate(); err != nil {
		return err
	}
	inst, err := team.InstanceName(t.h.Store)
	if err != nil {
		return err
	}
	if name == "" {
		name = inst
	}
	cfg.Instance = inst
	cfg.Logf = func(f string, a ...any) { t.say(fmt.Sprintf(f, a...)) }
	fol, err := team.NewFollower(t.h.Store, team.FollowConfig{Config: cfg, Name: name})
	if err != nil {
		return err
	}
	t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.mu.Lock()
	t.cancel, t.done = cancel, done
	t.mu.Unlock()
	t.say(fmt.Sprintf("team: connecting to %s as %s…", cfg.Redacted(), name))
	go func() {
		defer close(done)
		if err := fol.Run(ctx); err != nil {
			t.say("team: stopped: " + err.Error())
			return
		}
		t.say("team: not following")
	}()
	return nil
}

// Stop stops following and waits until the last acknowledgements are sent.
func (t *windowTeam) Stop() {
	t.mu.Lock()
	cancel, done := t.cancel, t.done
	t.cancel, t.done = nil, nil
	t.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// OnStatus hears each status line.
func (t *windowTeam) OnStatus(fn func(string)) { t.status.listen(fn, false) }

func (t *windowTeam) say(s string) { t.status.set(s) }

// resume starts publishing when the last window did (the setting is kept),
// before the listener starts so that no captured event misses the outbox.
func (t *windowTeam) resume() error {
	url, err := t.h.Store.Setting(keyPublishURL)
	if err != nil || url == "" {
		return nil
	}
	if err := t.start(url); err != nil {
		// A saved URL that no longer works must not stop the window opening.
		t.sayPublish(fmt.Sprintf("team: not publishing: %v", err), true)
	}
	return nil
}

// Publish starts publishing this window's captures to url and keeps the
// choice for the next start; a publisher already running is replaced.
func (t *windowTeam) Publish(url string) error {
	if err := t.start(url); err != nil {
		return err
	}
	return t.h.Store.SetSetting(keyPublishURL, url)
}

func (t *windowTeam) start(url string) error {
	cfg := TeamConfig{URL: url}
	if err := cfg.Validate(); err != nil {
		return err
	}
	t.stopPublisher()
	t.h.Store.SetOutbox(true)
	p, unsub, err := startPublisherWith(t.h.Store, cfg, t.h.cfg.Logf)
	if err != nil {
		t.h.Store.SetOutbox(false)
		return err
	}
	p.OnStatus(func(s team.Status) { t.sayPublish(s.String(), s.Err != nil) })
	t.pubMu.Lock()
	t.pub, t.pubURL, t.unsub = p, cfg.Redacted(), unsub
	t.pubMu.Unlock()
	st := p.Status()
	t.sayPublish(st.String(), st.Err != nil)
	return nil
}

// StopPublishing stops the publisher; what it had not sent stays in the
// outbox for the next Publish. The window starts without publishing.
func (t *windowTeam) StopPublishing() error {
	t.stopPublisher()
	t.sayPublish("", false)
	return t.h.Store.SetSetting(keyPublishURL, "")
}

func (t *windowTeam) stopPublisher() {
	t.pubMu.Lock()
	p, unsub := t.pub, t.unsub
	t.pub, t.pubURL, t.unsub = nil, "", nil
	t.pubMu.Unlock()
	if p == nil {
		return
	}
	t.h.Store.SetOutbox(false)
	unsub()
	p.Close()
}

// Publishing is the (redacted) URL published to, "" when not publishing.
func (t *windowTeam) Publishing() string {
	t.pubMu.Lock()
	defer t.pubMu.Unlock()
	return t.pubURL
}

// OnPublishStatus hears "team: N waiting to publish" lines ("" when
// publishing stops) and whether something keeps events waiting; fn is
// called at once with the latest.
func (t *windowTeam) OnPublishStatus(fn func(line string, trouble bool)) {
	t.pubStatus.listen(func(l publishLine) { fn(l.text, l.trouble) }, true)
}

func (t *windowTeam) sayPublish(s string, trouble bool) { t.pubStatus.set(publishLine{s, trouble}) }
