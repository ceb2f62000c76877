package signal

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hooklens/hooklens/app"
)

type fired struct {
	name    string
	body    map[string]any
	headers app.Headers
}

func runAll(t *testing.T, seq Sequence) ([]fired, [][2]int) {
	t.Helper()
	var got []fired
	var prog [][2]int
	err := Run(context.Background(), seq, 0, func(ctx context.Context, name string, body []byte, hs app.Headers) error {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s: fired body is not JSON: %v", name, err)
		}
		got = append(got, fired{name, m, hs})
		return nil
	}, func(i, n int) { prog = append(prog, [2]int{i, n}) })
	if err != nil {
		t.Fatal(err)
	}
	return got, prog
}

func TestSequencesFromTheLibrary(t *testing.T) {
	seqs := Sequences(library(t))
	want := map[string][]string{
		"salesiq.conversation": {"salesiq.conversation.created", "salesiq.conversation.visitor.replied",
			"salesiq.conversation.operator.replied", "salesiq.conversation.completed", "salesiq.conversation.rated"},
		"ziwo.call":      {"ziwo.call.created", "ziwo.call.ringing", "ziwo.call.answered", "ziwo.call.ended"},
		"signalzen.chat": {"signalzen.user.created", "signalzen.message.created", "signalzen.user.closed", "signalzen.user.rated"},
	}
	if len(seqs) != len(want) {
		t.Fatalf("%d sequences", len(seqs))
	}
	for _, s := range seqs {
		var names []string
		for _, st := range s.Steps {
			names = append(names, st.Name)
		}
		if !slices.Equal(names, want[s.Name]) || s.Description == "" {
			t.Errorf("%s: steps %v", s.Name, names)
		}
	}
	// A library missing a step leaves that run out.
	tpls := slices.DeleteFunc(library(t), func(tp Template) bool { return tp.Name == "ziwo.call.ringing" })
	if _, ok := FindSequence(Sequences(tpls), "ziwo.call"); ok {
		t.Error("ziwo.call offered without its ringing template")
	}
}

func TestSalesIQRunIsOneConversation(t *testing.T) {
	seq, ok := FindSequence(Sequences(library(t)), "salesiq.conversation")
	if !ok {
		t.Fatal("no salesiq.conversation")
	}
	got, prog := runAll(t, seq)
	if len(got) != 5 || !slices.Equal(prog, [][2]int{{1, 5}, {2, 5}, {3, 5}, {4, 5}, {5, 5}}) {
		t.Fatalf("fired %d, progress %v", len(got), prog)
	}
	first := got[0].body
	visitor := obj(obj(first, "entity"), "visitor")
	var events []string
	for _, f := range got {
		e := obj(f.body, "entity")
		events = append(events, f.body["event"].(string))
		if f.body["entity_id"] != first["entity_id"] || e["id"] != first["entity_id"] {
			t.Errorf("%s: conversation %v, the run's is %v", f.name, f.body["entity_id"], first["entity_id"])
		}
		if v := obj(e, "visitor"); v["email_id"] != visitor["email_id"] || v["name"] != visitor["name"] || v["id"] != visitor["id"] {
			t.Errorf("%s: visitor %v, the run's is %v", f.name, v, visitor)
		}
		if f.body["attempt"] != 1.0 || f.headers.Get("Content-Type") == "" {
			t.Errorf("%s: attempt %v headers %v", f.name, f.body["attempt"], f.headers)
		}
	}
	if strings.Join(events, " ") != "conversation.created conversation.visitor.replied conversation.operator.replied conversation.completed conversation.rated" {
		t.Errorf("events %v", events)
	}
	if m := obj(obj(got[1].body, "entity"), "message"); obj(m, "sender")["name"] != visitor["name"] {
		t.Errorf("the visitor's reply is sent by %v, not %v", obj(m, "sender")["name"], visitor["name"])
	}
	// Each run is a new chat.
	again, _ := runAll(t, seq)
	if again[0].body["entity_id"] == first["entity_id"] {
		t.Errorf("two runs share conversation %v", first["entity_id"])
	}
}

func TestZiwoAndSignalZenRunsKeepTheirIDs(t *testing.T) {
	seqs := Sequences(library(t))
	call, _ := FindSequence(seqs, "ziwo.call")
	got, _ := runAll(t, call)
	var types []string
	for _, f := range got {
		types = append(types, f.body["type"].(string))
		for _, k := range []string{"callID", "coreUUID", "otherLegCallID", "callerIdNumber"} {
			if f.body[k] != got[0].body[k] {
				t.Errorf("%s: %s %v, the call's is %v", f.name, k, f.body[k], got[0].body[k])
			}
		}
	}
	if strings.Join(types, " ") != "created ringing answered ended" {
		t.Errorf("call went %v", types)
	}
	chat, _ := FindSequence(seqs, "signalzen.chat")
	got, _ = runAll(t, chat)
	for _, f := range got {
		if u := obj(f.body, "user"); u["id"] != obj(got[0].body, "user")["id"] || u["email"] != obj(got[0].body, "user")["email"] {
			t.Errorf("%s: user %v", f.name, u)
		}
	}
}

func TestRunStopsOnErrorAndCancel(t *testing.T) {
	seq, _ := FindSequence(Sequences(library(t)), "ziwo.call")
	refused := errors.New("connection refused")
	calls := 0
	err := Run(context.Background(), seq, 0, func(context.Context, string, []byte, app.Headers) error {
		calls++
		if calls == 2 {
			return refused
		}
		return nil
	}, nil)
	if !errors.Is(err, refused) || calls != 2 || !strings.Contains(err.Error(), "step 2 of 4 (ziwo.call.ringing)") {
		t.Errorf("fire error: %v after %d calls", err, calls)
	}
	// Cancelled while waiting for the next step: no further step fires.
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = Run(ctx, seq, time.Hour, func(context.Context, string, []byte, app.Headers) error {
		calls++
		cancel()
		return nil
	}, nil)
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("cancel: %v after %d calls", err, calls)
	}
	if err := Run(context.Background(), Sequence{Name: "empty"}, 0, nil, nil); err == nil {
		t.Error("an empty run gave no error")
	}
	// Values given to the run win over the fresh ones.
	seq.Vars = map[string]string{"call_id": "fixed-call"}
	got, _ := runAll(t, seq)
	if got[0].body["callID"] != "fixed-call" || got[3].body["callID"] != "fixed-call" {
		t.Errorf("callID %v", got[0].body["callID"])
	}
}
