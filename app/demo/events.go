package demo

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/signal"
)

// Host is the listener address the demo requests were sent to.
const Host = "127.0.0.1:8790"

// Window is how far back the demo history reaches from now.
const Window = 2 * time.Hour

// SignalZenSecret is the secret the demo SignalZen deliveries are signed with
// (HMAC-SHA256 of the body, hex, in X-Signalzen-Signature), so an endpoint
// given this secret can show them as valid.
const SignalZenSecret = "hooklens-demo-signalzen"

// Events builds a believable capture history of about forty requests spread
// over the two hours ending at now, oldest first: SalesIQ chats from start to
// rating, Ziwo calls and agent sessions, SignalZen chats, Bigin signals, plus
// a health check, a form post, a gzip body, a PNG upload, a failed delivery
// with its retry and a request to a mistyped path. Templates missing from tpls
// are skipped. The same now always gives the same events. IDs are left for
// the store; 2xx responses get their body from FinishResponse.
func Events(tpls []signal.Template, now time.Time) []app.Event {
	b := &builder{
		rng:  rand.New(rand.NewPCG(uint64(now.UnixNano()), 0x686f6f6b6c656e73)),
		tpls: make(map[string]signal.Template, len(tpls)),
	}
	for _, t := range tpls {
		b.tpls[t.Name] = t
	}
	b.script()
	return b.run(now)
}

// FinishResponse completes e's response once the store has given it an id:
// a 2xx answer quotes the id, as the listener's default answer does.
func FinishResponse(e *app.Event) {
	if e.Response.Status >= 200 && e.Response.Status < 300 {
		e.Response.Body = []byte(`{"ok":true,"id":"` + e.IDString() + `"}`)
	}
}

// step is one request of the script: gap is the time since the previous
// request (stretched to fill the window unless fixed), make builds it.
type step struct {
	gap   time.Duration
	fixed bool
	build func(at time.Time) *app.Event
}

type builder struct {
	rng   *rand.Rand
	tpls  map[string]signal.Template
	steps []step
}

func (b *builder) add(gap time.Duration, build func(at time.Time) *app.Event) {
	b.steps = append(b.steps, step{gap: gap, build: build})
}

// run places the steps in time, the last one a few seconds before now and the
// first within Window, then builds them in order.
func (b *builder) run(now time.Time) []app.Event {
	gaps := make([]time.Duration, len(b.steps))
	var stretchable, fixed time.Duration
	for i, s := range b.steps {
		if i == 0 {
			continue
		}
		if s.fixed {
			gaps[i] = s.gap
			fixed += s.gap
			continue
		}
		gaps[i] = time.Duration(float64(s.gap) * (0.75 + 0.5*b.rng.Float64()))
		stretchable += gaps[i]
	}
	tail := time.Duration(5+b.rng.IntN(40)) * time.Second
	span := Window - 8*time.Minute - tail - fixed
	if stretchable > 0 {
		k := float64(span) / float64(stretchable)
		for i, s := range b.steps {
			if i > 0 && !s.fixed {
				// Never below a millisecond, so times stay strictly increasing.
				gaps[i] = max(time.Millisecond, time.Duration(float64(gaps[i])*k))
			}
		}
	}
	at := make([]time.Time, len(b.steps))
	at[len(at)-1] = now.Add(-tail)
	for i := len(at) - 1; i > 0; i-- {
		at[i-1] = at[i].Add(-gaps[i])
	}
	out := make([]app.Event, 0, len(b.steps))
	for i, s := range b.steps {
		if e := s.build(at[i]); e != nil {
			out = append(out, *e)
		}
	}
	return out
}

// The people and ids in the demo are fictional.
type siqOwner struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	EmailID string `json:"email_id"`
}

type siqVisitor struct {
	EmailID string `json:"email_id"`
	Phone   string `json:"phone"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	ID      string `json:"id"`
}

type chat struct {
	id, vcid, ref    string
	dept             string
	wmsID            string    // the visitor's sender id in messages
	owner            *siqOwner // nil for a chat no operator took
	last             time.Time // when the last delivered event happened, for retries
	visitor          siqVisitor
	question         string
	opened, attended time.Time
}

type call struct {
	core, id, other          string
	callerName, callerNumber string
	agent                    string // extension
	ringing, answered        time.Time
}

type szUser struct {
	id          int
	name, email string
	created     time.Time
}

var (
	priya = &siqOwner{ID: "7183000000005", Name: "Priya Raman", EmailID: "priya.raman@zylker.com"}
	omar  = &siqOwner{ID: "7183000000009", Name: "Omar Haddad", EmailID: "omar.haddad@zylker.com"}
)

// script is the demo's story, in the order the requests arrive.
func (b *builder) script() {
	const sec, mins = time.Second, time.Minute
	lena := &chat{id: "7183000004021", ref: "1041", dept: "7183000000704", owner: priya, question: "Hi, I need some help choosing a dining set for six.",
		visitor: siqVisitor{"lena.fischer@example.net", "+971 4 555 0142", "Lena Fischer", "contact", "7183000090034"}}
	karim := &chat{id: "7183000004187", ref: "1046", dept: "7183000000711", question: "Is the warehouse sale still on this weekend?",
		visitor: siqVisitor{"karim.n@example.org", "+971 4 555 0187", "Karim Nasser", "contact", "7183000090051"}}
	ana := &chat{id: "7183000004230", ref: "1049", dept: "7183000000704", owner: omar, question: "Can I change the delivery address on order ZY-20931?",
		visitor: siqVisitor{"ana.souza@example.com", "+971 4 555 0119", "Ana Souza", "contact", "7183000090062"}}
	for _, c := range []*chat{lena, karim, ana} {
		c.vcid = b.hex(16)
		c.wmsID = "$" + strconv.FormatUint(1e18+b.rng.Uint64N(8e18), 10)
	}
	jon := &szUser{id: 58214, name: "Jon Park", email: "jon.park@example.org"}
	maya := &szUser{id: 58219, name: "Maya Collins", email: "maya.collins@example.com"}
	c1 := &call{callerName: "Hessa Al Mansoori", callerNumber: "+97145550164", agent: "33301"}
	c2 := &call{callerName: "Daniel Okafor", callerNumber: "+97145550198", agent: "33302"}
	for _, c := range []*call{c1, c2} {
		c.core, c.id, c.other = b.uuid(), b.uuid(), b.uuid()
	}
	agent1, agent2 := b.uuid(), b.uuid()

	b.add(0, b.health)
	b.add(2*mins, b.agent("ziwo.agent.login", agent1, "33301", "/ziwo/agents", 200))
	b.add(40*sec, b.agent("ziwo.agent.login", agent2, "33302", "/ziwo/agents", 200))
	b.add(3*mins, b.salesiq("salesiq.conversation.created", lena, "", 1, 200))
	b.add(18*sec, b.salesiq("salesiq.conversation.attender.updated", lena, "", 1, 200))
	b.add(45*sec, b.salesiq("salesiq.conversation.visitor.replied", lena, "The oak one from your catalogue, does it come in walnut?", 1, 200))
	b.add(30*sec, b.salesiq("salesiq.conversation.operator.replied", lena, "It does! Walnut ships in 3 weeks. Shall I reserve one?", 1, 200))
	b.add(4*mins, b.signalzen("signalzen.user.created", jon, "", ""))
	b.add(10*sec, b.signalzen("signalzen.message.created", jon, "user", "Hello, my invoice shows two charges for May."))
	b.add(5*mins, b.ziwo("ziwo.call.created", c1, false))
	b.add(1*sec, b.ziwo("ziwo.call.ringing", c1, false))
	b.add(8*sec, b.ziwo("ziwo.call.answered", c1, false))
	b.add(40*sec, b.signalzen("signalzen.message.created", jon, "agent", "Sorry about that, Jon. I have refunded the duplicate charge."))
	// A delivery the endpoint failed, and SalesIQ's retry a minute later.
	retry := "Yes please, reserve the walnut set for me."
	b.add(20*sec, b.salesiq("salesiq.conversation.visitor.replied", lena, retry, 1, 500))
	b.steps = append(b.steps, step{gap: time.Minute, fixed: true,
		build: b.salesiq("salesiq.conversation.visitor.replied", lena, retry, 2, 200)})
	b.add(3*mins+40*sec, b.ziwo("ziwo.call.ended", c1, true))
	b.add(6*mins, b.plain("bigin.signal.zylkersurveys_survey_viewed", nil))
	b.add(4*mins, b.salesiq("salesiq.conversation.completed", lena, "", 1, 200))
	b.add(30*sec, b.salesiq("salesiq.conversation.rated", lena, "", 1, 200))
	b.add(7*mins, b.booksForm)
	b.add(2*mins, b.signalzen("signalzen.user.closed", jon, "", ""))
	b.add(25*sec, b.signalzen("signalzen.user.rated", jon, "", ""))
	b.add(3*mins, b.agent("ziwo.agent.login", agent2, "33302", "/ziwo/agent", 404))
	b.add(6*mins, b.salesiq("salesiq.conversation.created", karim, "", 1, 200))
	b.add(3*mins, b.salesiq("salesiq.conversation.missed", karim, "", 1, 200))
	b.add(4*mins, b.plain("bigin.function.webhook", func(at time.Time) map[string]any {
		return map[string]any{"viewed_at": at.Add(-2 * time.Second).UTC().Format(time.RFC3339)}
	}))
	b.add(5*sec, b.plain("bigin.signal.zylkersurveys_link_clicked", nil))
	b.add(5*mins, b.pngUpload)
	b.add(6*mins, b.ziwo("ziwo.call.created", c2, false))
	b.add(1*sec, b.ziwo("ziwo.call.ringing", c2, false))
	b.add(12*sec, b.ziwo("ziwo.call.answered", c2, false))
	b.add(2*mins, b.salesiq("salesiq.conversation.created", ana, "", 1, 200))
	b.add(25*sec, b.salesiq("salesiq.conversation.attender.updated", ana, "", 1, 200))
	b.add(30*sec, b.salesiq("salesiq.conversation.visitor.replied", ana, "The new address is Villa 12, Al Wasl Road, Dubai.", 1, 200))
	b.add(35*sec, b.salesiq("salesiq.conversation.operator.replied", ana, "Done, Ana. ZY-20931 now ships to Al Wasl Road.", 1, 200))
	b.add(2*mins, b.ziwo("ziwo.call.ended", c2, false))
	b.add(3*mins, b.signalzen("signalzen.user.created", maya, "", ""))
	b.add(20*sec, b.signalzen("signalzen.message.created", maya, "user", "Do you deliver to Sharjah?"))
	b.add(4*mins, b.signalzen("signalzen.user.blocked", &szUser{id: 58231, name: "anonymous"}, "", ""))
	b.add(6*mins, b.plain("bigin.signal.zylkerdesk_ticket_escalated", nil))
	b.add(3*mins, b.plain("salesiq.visitor.updated", func(at time.Time) map[string]any {
		return map[string]any{"event_time": ms(at.Add(-150 * time.Millisecond))}
	}))
	b.add(2*mins, b.signalzen("signalzen.user.sent_transcript", maya, "", ""))
	b.add(5*mins, b.health)
	b.add(3*mins, b.agent("ziwo.agent.logout", agent2, "33302", "/ziwo/agents", 200))
	b.add(1*mins, b.salesiq("salesiq.conversation.completed", ana, "", 1, 200))
	b.add(20*sec, b.salesiq("salesiq.conversation.rated", ana, "", 1, 200))
}

// salesiq builds a SalesIQ delivery about chat c; text is the message for
// the replied events, attempt counts SalesIQ's retries.
func (b *builder) salesiq(name string, c *chat, text string, attempt, status int) func(time.Time) *app.Event {
	return func(at time.Time) *app.Event {
		t, ok := b.tpls[name]
		if !ok {
			return nil
		}
		happened := at.Add(-time.Duration(80+b.rng.IntN(300)) * time.Millisecond)
		if attempt > 1 {
			// A retry repeats the same event; only attempt changes.
			happened = c.last
		}
		c.last = happened
		if strings.HasSuffix(name, ".created") {
			c.opened = happened
		}
		if strings.HasSuffix(name, ".attender.updated") {
			c.attended = happened
		}
		set := map[string]any{
			"event_time": ms(happened), "attempt": attempt,
			"entity_id": c.id, "entity.id": c.id,
			"entity.visitor_conversation_id": c.vcid, "entity.reference_id": c.ref, "entity.department_id": c.dept,
			"entity.visitor": c.visitor, "entity.question": c.question,
			"entity.opened_time": msString(c.opened), "entity.attended_time": msString(c.attended),
			"entity.end_time": msString(happened), "entity.missed_time": msString(happened),
		}
		if c.owner != nil {
			set["entity.owner"] = c.owner
			set["entity.participants"] = []string{c.owner.ID}
		} else {
			set["entity.owner"] = omit
			set["entity.participants"] = []string{}
		}
		if text != "" {
			set["entity.message.text"] = text
			set["entity.message.msgid"] = msString(happened.Add(-12 * time.Millisecond))
			if strings.Contains(name, ".visitor.") {
				set["entity.message.sender.name"] = c.visitor.Name
				set["entity.message.sender.id"] = c.wmsID
			} else if c.owner != nil {
				set["entity.message.sender.name"] = c.owner.Name
				set["entity.message.sender.id"] = c.owner.ID
			}
		}
		if strings.HasSuffix(name, ".rated") {
			set["entity.rating"] = 3 + b.rng.IntN(3)
			set["entity.feedback"] = []string{"Quick and friendly, thanks!", "Solved on the first reply.", "Helpful, but the wait was long."}[b.rng.IntN(3)]
		}
		e := b.fromTemplate(at, t, set)
		if status != 200 {
			e.Response.Status = status
			e.Response.Body = []byte(`{"error":"simulated failure: the endpoint's response rule answers 500"}`)
		}
		return e
	}
}

// signalzen builds a SignalZen delivery about user u; author and text fill
// the message of message.created.
func (b *builder) signalzen(name string, u *szUser, author, text string) func(time.Time) *app.Event {
	return func(at time.Time) *app.Event {
		t, ok := b.tpls[name]
		if !ok {
			return nil
		}
		if u.created.IsZero() {
			u.created = at.Add(-time.Second)
		}
		stamp := at.Add(-time.Second).UTC().Format(time.RFC3339)
		set := map[string]any{
			"created_at": stamp, "user.id": u.id, "user.name": u.name, "user.email": u.email,
			"user.chat_url":   fmt.Sprintf("https://app.signalzen.com/console/chats/%d", u.id),
			"user.created_at": u.created.UTC().Format(time.RFC3339), "user.updated_at": stamp,
			"user.transcript_sent_to": u.email,
		}
		if text != "" {
			set["message.id"] = 904400 + b.rng.IntN(9000)
			set["message.user_id"] = u.id
			set["message.author_type"] = author
			set["message.author_name"] = u.name
			if author == "agent" {
				set["message.author_name"] = priya.Name
			}
			set["message.body"] = text
			set["message.created_at"] = stamp
		}
		return b.fromTemplate(at, t, set)
	}
}

// ziwo builds a Ziwo call event for c; compressed sends the body gzipped.
func (b *builder) ziwo(name string, c *call, compressed bool) func(time.Time) *app.Event {
	return func(at time.Time) *app.Event {
		t, ok := b.tpls[name]
		if !ok {
			return nil
		}
		happened := at.Add(-time.Duration(20+b.rng.IntN(200)) * time.Millisecond)
		started := happened
		switch {
		case strings.HasSuffix(name, ".ringing"):
			c.ringing = happened
		case strings.HasSuffix(name, ".answered"):
			c.answered = happened
		case strings.HasSuffix(name, ".ended"):
			started = c.answered
		}
		set := map[string]any{
			"coreUUID": c.core, "callID": c.id, "otherLegCallID": c.other,
			"data": c.callerNumber, "callerIdName": c.callerName, "callerIdNumber": c.callerNumber,
			"calleeIdName": c.agent, "calleeIdNumber": c.agent,
			"startedAt": ziwoTime(started), "startedAtEpoch": micros(started),
			"endedAt": ziwoTime(happened), "endedAtEpoch": micros(happened),
			"duration": strconv.Itoa(int(happened.Sub(c.answered).Seconds())),
		}
		e := b.fromTemplate(at, t, set)
		if compressed {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(e.Body)
			zw.Close()
			e.Body = buf.Bytes()
			e.Size = int64(len(e.Body))
			var hs app.Headers
			for _, h := range e.Headers {
				switch {
				case strings.EqualFold(h.Name, "Content-Length"):
					h.Value = strconv.Itoa(len(e.Body))
				case strings.EqualFold(h.Name, "Content-Type"):
					hs = append(hs, h)
					h = app.Header{Name: "Content-Encoding", Value: "gzip"}
				}
				hs = append(hs, h)
			}
			e.Headers = hs
		}
		return e
	}
}

// agent builds a Ziwo agent event sent to path; a status other than 200 is
// what the listener answered (a mistyped path gets 404).
func (b *builder) agent(name, core, ext, path string, status int) func(time.Time) *app.Event {
	return func(at time.Time) *app.Event {
		t, ok := b.tpls[name]
		if !ok {
			return nil
		}
		happened := at.Add(-time.Duration(20+b.rng.IntN(200)) * time.Millisecond)
		t.Path = path
		e := b.fromTemplate(at, t, map[string]any{
			"coreUUID": core, "data": ext, "startedAt": ziwoTime(happened), "startedAtEpoch": micros(happened),
		})
		if status != 200 {
			e.Response.Status = status
			e.Response.Body = []byte(`{"error":"no endpoint at ` + path + `: check the webhook URL"}`)
		}
		return e
	}
}

// plain sends template name with the values set returns (if any).
func (b *builder) plain(name string, set func(time.Time) map[string]any) func(time.Time) *app.Event {
	return func(at time.Time) *app.Event {
		t, ok := b.tpls[name]
		if !ok {
			return nil
		}
		var m map[string]any
		if set != nil {
			m = set(at)
		}
		return b.fromTemplate(at, t, m)
	}
}

// fromTemplate sends t's body with set applied, headers in the order Go's
// HTTP client writes them, signed as the provider signs.
func (b *builder) fromTemplate(at time.Time, t signal.Template, set map[string]any) *app.Event {
	body := t.Body
	if len(set) > 0 && len(body) > 0 {
		var err error
		if body, err = setFields(body, set); err != nil {
			// Templates are checked when loaded; keep the body as written.
			body = t.Body
		}
	}
	var extra app.Headers
	for _, h := range t.Headers {
		if !strings.EqualFold(h.Name, "User-Agent") && !strings.EqualFold(h.Name, "Content-Type") {
			extra = append(extra, h)
		}
	}
	switch {
	case strings.EqualFold(t.SignatureHeader, "x-siqsignature"):
		// SalesIQ signs with RSA SHA-256: a 2048-bit key gives 256 bytes.
		sig := make([]byte, 256)
		for i := range sig {
			sig[i] = byte(b.rng.Uint32())
		}
		extra = append(extra, app.Header{Name: t.SignatureHeader, Value: base64.StdEncoding.EncodeToString(sig)})
	case t.SignatureHeader != "":
		m := hmac.New(sha256.New, []byte(SignalZenSecret))
		m.Write(body)
		extra = append(extra, app.Header{Name: t.SignatureHeader, Value: hex.EncodeToString(m.Sum(nil))})
	}
	extra = append(extra, app.Header{Name: "Accept-Encoding", Value: "gzip"})
	return b.event(at, t.Method, t.Path, t.Headers.Get("User-Agent"), t.Headers.Get("Content-Type"), body, extra)
}

// event assembles a request with Host, User-Agent, Content-Length and
// Content-Type first, then extra, answered 200 with JSON.
func (b *builder) event(at time.Time, method, target, ua, ctype string, body []byte, extra app.Headers) *app.Event {
	path, query, _ := strings.Cut(target, "?")
	hs := app.Headers{{Name: "Host", Value: Host}}
	if ua != "" {
		hs = append(hs, app.Header{Name: "User-Agent", Value: ua})
	}
	if len(body) > 0 {
		hs = append(hs, app.Header{Name: "Content-Length", Value: strconv.Itoa(len(body))})
	}
	if ctype != "" {
		hs = append(hs, app.Header{Name: "Content-Type", Value: ctype})
	}
	hs = append(hs, extra...)
	return &app.Event{
		ReceivedAt: at, Method: method, Path: path, Query: query, Proto: "HTTP/1.1", Host: Host,
		Headers: hs, Body: body, Size: int64(len(body)),
		RemoteAddr: "127.0.0.1:" + strconv.Itoa(49152+b.rng.IntN(16383)),
		Response:   app.Response{Status: 200, Headers: app.Headers{{Name: "Content-Type", Value: "application/json"}}},
	}
}

// health is an uptime monitor's GET with a query string and no body.
func (b *builder) health(at time.Time) *app.Event {
	return b.event(at, "GET", "/health?source=uptime-kuma&interval=60", "Uptime-Kuma/1.23.16", "", nil, app.Headers{
		{Name: "Accept", Value: "application/json, text/plain, */*"},
		{Name: "Accept-Encoding", Value: "gzip, compress, deflate, br"},
		{Name: "Connection", Value: "keep-alive"},
	})
}

// booksForm is a Bigin topping's Deluge invokeurl with parameters, which
// posts a form with the contact as JSONString (the Zoho Books sync in the
// connections seed), pointed at Hooklens instead of Books.
func (b *builder) booksForm(at time.Time) *app.Event {
	type person struct {
		LastName  string `json:"last_name"`
		Mobile    string `json:"mobile"`
		Phone     string `json:"phone"`
		Email     string `json:"email"`
		IsPrimary bool   `json:"is_primary_contact"`
	}
	contact := struct {
		ContactName    string   `json:"contact_name"`
		Email          string   `json:"email"`
		Phone          string   `json:"phone"`
		Mobile         string   `json:"mobile"`
		ContactPersons []person `json:"contact_persons"`
	}{"Hessa Al Mansoori", "hessa.m@example.ae", "+971 4 555 0164", "+971 50 555 0164",
		[]person{{"Hessa Al Mansoori", "+971 50 555 0164", "+971 4 555 0164", "hessa.m@example.ae", true}}}
	js, _ := json.Marshal(contact)
	body := []byte(url.Values{"JSONString": {string(js)}}.Encode())
	return b.event(at, "POST", "/zoho-books/api/v3/contacts?organization_id=60012345678", "Zoho-Deluge/1.0",
		"application/x-www-form-urlencoded;charset=UTF-8", body, app.Headers{{Name: "Accept-Encoding", Value: "gzip"}})
}

// pngUpload is a small image posted with curl: a binary body.
func (b *builder) pngUpload(at time.Time) *app.Event {
	const n = 24
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			d := math.Hypot(float64(x)-11.5, float64(y)-11.5)
			if d > 11 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(40 + 4*x), G: uint8(60 + 5*y), B: 170, A: 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	body := buf.Bytes()
	// curl writes Accept before Content-Type and Content-Length last.
	e := b.event(at, "POST", "/uploads/avatar.png", "curl/8.5.0", "", nil, app.Headers{
		{Name: "Accept", Value: "*/*"},
		{Name: "Content-Type", Value: "image/png"},
		{Name: "Content-Length", Value: strconv.Itoa(len(body))},
	})
	e.Body, e.Size = body, int64(len(body))
	return e
}

func (b *builder) hex(n int) string {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(b.rng.Uint32())
	}
	return hex.EncodeToString(p)
}

// uuid is a version 4 UUID from the demo's generator.
func (b *builder) uuid() string {
	h := []byte(b.hex(16))
	h[12] = '4'
	h[16] = "89ab"[b.rng.IntN(4)]
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func msString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func ziwoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }
