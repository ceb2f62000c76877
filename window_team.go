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
	subs   []func(string)
}

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
func (t *windowTeam) OnStatus(fn func(string)) {
	t.mu.Lock()
	t.subs = append(t.subs, fn)
	t.mu.Unlock()
}

func (t *windowTeam) say(s string) {
	t.mu.Lock()
	subs := append([]func(string){}, t.subs...)
	t.mu.Unlock()
	for _, fn := range subs {
		fn(s)
	}
}
