package signal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
)

// Sequence is a named story of templates fired one after another, such as a
// whole SalesIQ chat, with the same values (ids, names) in every step.
type Sequence struct {
	Name        string // e.g. salesiq.conversation
	Description string
	Steps       []Template
	// Vars are set in every step. Sequences from Sequences make fresh ids
	// for each Run on top of these.
	Vars  map[string]string
	fresh func(start time.Time, pace time.Duration) map[string]string
}

// sequenceDefs are the demo runs: name, description, template names, and
// the values each run makes afresh so every run is a new chat or call.
var sequenceDefs = []struct {
	name, description string
	steps             []string
	fresh             func(start time.Time, pace time.Duration) map[string]string
}{
	{
		"salesiq.conversation", "A SalesIQ chat from start to rating: created, the visitor's and the operator's replies, completed, rated.",
		[]string{"salesiq.conversation.created", "salesiq.conversation.visitor.replied", "salesiq.conversation.operator.replied",
			"salesiq.conversation.completed", "salesiq.conversation.rated"},
		func(start time.Time, pace time.Duration) map[string]string {
			p := randomPerson()
			ms := strconv.FormatInt(start.UnixMilli(), 10)
			return map[string]string{
				"conversation_id":         "7183000" + digits(6),
				"visitor_conversation_id": randomHex(16),
				"reference_id":            strconv.Itoa(1000 + mrand.IntN(9000)),
				"visitor_id":              "7183000" + digits(6),
				"visitor_name":            p.name,
				"visitor_email":           p.email,
				"visitor_phone":           "+971 4 555 " + digits(4),
				"opened_time":             ms,
				"attended_time":           ms,
			}
		},
	},
	{
		"ziwo.call", "A Ziwo inbound call: created, ringing on the agent's phone, answered, ended.",
		[]string{"ziwo.call.created", "ziwo.call.ringing", "ziwo.call.answered", "ziwo.call.ended"},
		func(start time.Time, pace time.Duration) map[string]string {
			p := randomPerson()
			answered := start.Add(2 * pace).UTC() // the third step
			return map[string]string{
				"core_uuid": NewUUID(), "call_id": NewUUID(), "other_leg_call_id": NewUUID(),
				"caller_name": p.name, "caller_number": "+9714555" + digits(4),
				"answered_at":       answered.Format(nowFormat),
				"answered_at_epoch": strconv.FormatInt(answered.UnixMicro(), 10),
				"duration":          strconv.Itoa(int(pace.Round(time.Second).Seconds())),
			}
		},
	},
	{
		"signalzen.chat", "A SignalZen chat: the user arrives, writes, the chat is closed and rated.",
		[]string{"signalzen.user.created", "signalzen.message.created", "signalzen.user.closed", "signalzen.user.rated"},
		func(start time.Time, pace time.Duration) map[string]string {
			p := randomPerson()
			return map[string]string{
				"user_id": strconv.Itoa(58000 + mrand.IntN(9000)), "user_name": p.name, "user_email": p.email,
				"user_created_at": start.UTC().Format(nowFormat),
				"message_id":      strconv.Itoa(904000 + mrand.IntN(90000)),
			}
		},
	},
}

// Sequences are the demo runs the library supports, built from tpls; a run
// whose templates are missing from tpls is left out.
func Sequences(tpls []Template) []Sequence {
	var out []Sequence
next:
	for _, d := range sequenceDefs {
		s := Sequence{Name: d.name, Description: d.description, fresh: d.fresh}
		for _, n := range d.steps {
			t, ok := Find(tpls, n)
			if !ok {
				continue next
			}
			s.Steps = append(s.Steps, t)
		}
		out = append(out, s)
	}
	return out
}

// FindSequence returns the sequence called name.
func FindSequence(seqs []Sequence, name string) (Sequence, bool) {
	for _, s := range seqs {
		if s.Name == name {
			return s, true
		}
	}
	return Sequence{}, false
}

// Run fires seq's steps in order, pace apart, through fire (which the
// caller makes enqueue a delivery, signed). Every step gets the same
// values: seq.Vars, the run's fresh ids, and {{seq}} as its step number
// (1, 2, ...). progress, if not nil, is called after each step fired with
// (step, steps). Run stops at the first error, or when ctx ends.
func Run(ctx context.Context, seq Sequence, pace time.Duration,
	fire func(ctx context.Context, name string, body []byte, headers app.Headers) error,
	progress func(i, n int)) error {
	if len(seq.Steps) == 0 {
		return fmt.Errorf("demo run %q has no steps", seq.Name)
	}
	vars := map[string]string{}
	if seq.fresh != nil {
		for k, v := range seq.fresh(time.Now(), pace) {
			vars[k] = v
		}
	}
	for k, v := range seq.Vars {
		vars[k] = v
	}
	n := len(seq.Steps)
	for i, t := range seq.Steps {
		if i > 0 && pace > 0 {
			timer := time.NewTimer(pace)
			select {
			case <-ctx.Done():
				timer.Stop()
				return ctx.Err()
			case <-timer.C:
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		body, headers, err := t.Render(vars, i+1)
		if err != nil {
			return fmt.Errorf("demo run %s, step %d of %d: %w", seq.Name, i+1, n, err)
		}
		if err := fire(ctx, t.Name, body, headers); err != nil {
			return fmt.Errorf("demo run %s, step %d of %d (%s): %w", seq.Name, i+1, n, t.Name, err)
		}
		if progress != nil {
			progress(i+1, n)
		}
	}
	return nil
}

func digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + mrand.IntN(10)))
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return hex.EncodeToString(b)
}
