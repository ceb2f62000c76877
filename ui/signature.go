package ui

import (
	"fmt"
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/app/verify"
	"github.com/hooklens/hooklens/ui/dialogs"
	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// sigTab is the detail's Signature tab: the verdict in plain words, the
// likely cause of a failure and what to change, every value the check used,
// and a box to check the request against a secret the user pastes.
type sigTab struct {
	d    *detail
	root *container.Scroll
	gen  uint64

	ev    *app.Event
	view  sigView
	ready bool // view was recomputed with the current endpoint settings

	badge    *widgets.Badge
	headline *widget.Label
	reason   *widget.Label

	// "Try another secret": the typed secret lives only in the entry; it is
	// never stored, logged or kept once another event is shown.
	secret  *widget.Entry
	scheme  *widget.Select
	check   *widget.Button
	result  *fyne.Container
	tryGen  uint64
	tryBase verify.Config // the scheme (with the endpoint's options) the box starts with
	tryBox  fyne.CanvasObject
	tryText string // the verdict line shown, for tests
}

// sigView is what the tab shows: a live report or, without an endpoint
// store, the stored verdict read back from its Details text.
type sigView struct {
	app.Verdict
	live     bool
	stored   app.Verdict   // the verdict stored when the event arrived (or last re-checked)
	detected bool          // the scheme came from the headers
	slug     string        // the endpoint whose settings were used, "" for none
	ep       *app.Endpoint // that endpoint, nil when none exists
	adopted  bool          // the endpoint was created after the event arrived (matched by path)
	gone     bool          // the event's endpoint no longer exists
	readErr  string        // why the endpoints could not be read

	key, expected, received, content, skew string
	diagnosis                              []string
	// The whole values, when judged live: shown in full and copied exactly.
	expectedFull, receivedFull string
	signedBytes                []byte
}

func newSigTab(d *detail) *sigTab {
	s := &sigTab{d: d}
	s.badge = widgets.NewBadge("unverified")
	s.badge.Big = true
	s.headline = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.headline.Wrapping = fyne.TextWrapWord
	s.reason = widget.NewLabel("")
	s.reason.Wrapping = fyne.TextWrapWord
	s.reason.Selectable = true

	s.secret = widget.NewPasswordEntry()
	s.secret.SetPlaceHolder("Paste a secret to check this request with")
	s.secret.OnSubmitted = func(string) { s.tryCheck() }
	s.scheme = widget.NewSelect(verify.Schemes(), func(name string) { s.schemeChosen(name) })
	s.scheme.PlaceHolder = "Scheme"
	s.check = widget.NewButtonWithIcon("Check", theme.SearchIcon(), s.tryCheck)
	s.check.Importance = widget.HighImportance
	s.result = container.NewVBox()
	intro := widgets.Caption("Checks this request against a secret (or public key) you paste. Nothing you type here is saved.")
	intro.Wrapping = fyne.TextWrapWord
	row := container.NewBorder(nil, nil, nil, container.NewHBox(widgets.FixedWidth(170, s.scheme), s.check), s.secret)
	s.tryBox = widgets.Card(hltheme.Panel, widgets.Heading("Try another secret"), intro, row, s.result)

	s.root = widgets.NewVScroll(container.NewVBox())
	return s
}

// load shows e's stored verdict at once, then the verdict recomputed with
// the endpoint's current secrets when it is ready.
func (s *sigTab) load(e *app.Event) {
	s.gen++
	gen := s.gen
	s.ev = e
	s.ready = false
	s.resetTry()
	s.show(storedView(e))
	eps := s.d.w.d.Endpoints
	if eps == nil {
		return
	}
	go func() {
		v := liveView(eps, e)
		s.d.w.do(func() {
			if gen != s.gen {
				return
			}
			s.ready = true
			if v.ep != nil && v.ep.Scheme != "" {
				s.setTryBase(v.ep.Scheme)
			}
			s.show(v)
		})
	}()
}

// liveView judges e with the settings its endpoint has now, with
// verify.Judge (the one verdict policy: the listener, the command line and
// the demo judge with it too). It runs off the UI goroutine: it reads the
// store and may try many mistakes.
func liveView(st app.EndpointStore, e *app.Event) sigView {
	all, err := st.Endpoints()
	if err != nil {
		v := storedView(e)
		v.readErr = fmt.Sprintf("could not read the endpoints (%v), so this is the verdict stored when the event arrived", err)
		return v
	}
	slug, adopted := e.Endpoint, false
	if slug == "" {
		slug, adopted = app.PathSlug(e.Path), true
	}
	ep := findEndpoint(all, slug)
	rep := verify.Judge(e, ep, verify.EndpointList(all), "")
	v := sigView{Verdict: rep.Verdict, live: true, stored: e.Verdict, detected: rep.Detected,
		key: rep.Key, expected: rep.Expected, received: rep.Received, content: rep.SignedContent,
		diagnosis: rep.Diagnosis, expectedFull: rep.ExpectedFull, receivedFull: rep.ReceivedFull, signedBytes: rep.SignedBytes}
	if rep.Skew != 0 {
		v.skew = verify.DescribeSkew(rep.Skew)
	}
	if ep != nil {
		v.slug, v.ep, v.adopted = ep.Slug, ep, adopted
	} else if e.Endpoint != "" {
		v.slug, v.gone = e.Endpoint, true
	}
	return v
}

func findEndpoint(all []app.Endpoint, slug string) *app.Endpoint {
	if slug == "" {
		return nil
	}
	for i := range all {
		if all[i].Slug == slug {
			ep := all[i]
			return &ep
		}
	}
	return nil
}

// storedView reads the stored verdict's Details text back into fields.
func storedView(e *app.Event) sigView {
	v := sigView{Verdict: e.Verdict, stored: e.Verdict, slug: e.Endpoint}
	var last *string
	for _, line := range strings.Split(e.Verdict.Details, "\n") {
		k, val, ok := strings.Cut(line, ": ")
		var dst *string
		if ok {
			switch k {
			case "key":
				dst = &v.key
			case "expected":
				dst = &v.expected
			case "received":
				dst = &v.received
			case "signed content":
				dst = &v.content
			case "clock skew":
				dst = &v.skew
			case "diagnosis":
				v.diagnosis = append(v.diagnosis, val)
				last = &v.diagnosis[len(v.diagnosis)-1]
				continue
			}
		}
		switch {
		case dst != nil:
			*dst, last = val, dst
		case last != nil && line != "":
			*last += "\n" + line // a value that spans lines
		}
	}
	return v
}

// headlines say in plain words what each verdict means for the receiver.
var headlines = map[string]string{
	app.VerdictValid:      "The signature is genuine: the sender holds this secret and the body arrived unchanged.",
	app.VerdictInvalid:    "The signature does not match: an app checking it would reject this request.",
	app.VerdictUnverified: "The request is signed, but Hooklens has nothing to check the signature with.",
	app.VerdictUnsigned:   "The request carries no signature, so anyone could have sent it.",
}

// headline says in one sentence what v means for whoever receives the request.
func headline(v sigView) string {
	if v.Result == app.VerdictInvalid {
		switch {
		case strings.HasPrefix(v.Reason, "timestamp outside tolerance"):
			return "The signature is right, but its timestamp is too far from the arrival time: an app checking it would reject this request as a possible replay."
		case strings.HasPrefix(v.Reason, "missing header"), strings.HasPrefix(v.Reason, "malformed"):
			return "The signature headers cannot be read: an app checking them would reject this request."
		case !strings.HasPrefix(v.Reason, "signature "):
			return "The signature cannot be accepted: an app checking it would reject this request."
		}
	}
	if h, ok := headlines[v.Result]; ok {
		return h
	}
	return "No signature check was recorded for this event."
}

// statement is what the tab says about v: a headline, and the rest of the
// reason that neither the headline nor the cause card already says.
func statement(v sigView) (head, rest string) {
	reason := v.Reason
	if v.Result != app.VerdictInvalid {
		return headline(v), reason
	}
	if _, _, ok := clockCause(reason); ok {
		return headline(v), "" // the cause card says how far off and whose clock
	}
	first, more, _ := strings.Cut(reason, "; ")
	if !strings.HasPrefix(first, "signature ") {
		return headline(v), reason
	}
	head = "The " + first + ": an app checking it would reject this request."
	var left []string
	for c := range strings.SplitSeq(more, "; ") {
		switch {
		case c == "":
		case strings.HasPrefix(c, "it matches with") && len(v.diagnosis) > 0:
		case strings.HasPrefix(c, "none of the common mistakes"):
			// the cause card explains it
		default:
			left = append(left, c)
		}
	}
	return head, strings.Join(left, "; ")
}

// clockCause splits a "timestamp outside tolerance" reason into how far
// off the timestamp is and whose clock looks wrong.
func clockCause(reason string) (what, whose string, ok bool) {
	rest, ok := strings.CutPrefix(reason, "timestamp outside tolerance: ")
	if !ok {
		return "", "", false
	}
	if i := strings.LastIndex(rest, " (the signature itself matches"); i >= 0 {
		rest = rest[:i]
	}
	what, whose, ok = strings.Cut(rest, ": ")
	return what, whose, ok
}

// show lays the tab out for v.
func (s *sigTab) show(v sigView) {
	s.view = v
	d := s.d
	box := container.NewVBox()

	result := v.Result
	if result == "" {
		result = "not checked"
	}
	c, icon := hltheme.VerdictStyle(v.Result)
	s.badge.Icon = icon
	s.badge.Set(result, c)
	s.badge.Refresh()
	scheme := widgets.Caption(schemeLine(v))
	box.Add(container.NewHBox(container.NewCenter(s.badge), container.NewCenter(scheme)))

	// The failure is said once: the headline, then only what neither it
	// nor the cause card below says. The copy button copies the verdict
	// as stored and exported ("invalid: signature does not match …").
	h, rest := statement(v)
	s.headline.SetText(h)
	line := v.Result
	if v.Reason != "" {
		line += ": " + v.Reason
	}
	cp := d.w.newCopyButton("", func() string { return line })
	box.Add(container.NewBorder(nil, nil, nil, container.NewVBox(cp), s.headline))
	if rest != "" {
		s.reason.SetText(widgets.UpperFirst(rest) + ".")
		s.reason.Importance = hltheme.Importance(c)
		s.reason.Refresh()
		box.Add(s.reason)
	}
	for _, n := range s.notes(v) {
		l := widgets.Caption(n)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}

	if cause := s.causeCard(v); cause != nil {
		box.Add(cause)
	}
	if act := s.actions(v); act != nil {
		box.Add(act)
	}

	box.Add(widgets.Heading("Details"))
	var rows []fyne.CanvasObject
	add := func(key, value string, monospace bool) {
		if value != "" {
			rows = append(rows, d.field(key, value, monospace)...)
		}
	}
	sch := v.Scheme
	if v.detected && sch != "" {
		sch += " (detected from the headers)"
	}
	add("Scheme", sch, true)
	switch {
	case v.slug == "":
		add("Endpoint", "none (no endpoint matches this path)", false)
	case v.gone:
		add("Endpoint", v.slug+" (deleted since)", true)
	default:
		add("Endpoint", v.slug, true)
	}
	keyName := "Key"
	if v.Result == app.VerdictValid {
		keyName = "Key matched"
	}
	add(keyName, v.key, true)
	full := v.expectedFull != "" || v.receivedFull != ""
	if full {
		// Whole signatures, wrapped, the first character where they part
		// marked; the copy buttons copy the signatures themselves.
		if v.expectedFull != "" {
			rows = append(rows, s.sigField("Expected", v.expectedFull, v.receivedFull)...)
		}
		if v.receivedFull != "" {
			rows = append(rows, s.sigField("Received", v.receivedFull, v.expectedFull)...)
		}
	} else {
		add("Expected", v.expected, true)
		add("Received", v.received, true)
	}
	add("Clock skew", v.skew, false)
	if v.signedBytes != nil {
		// Shown elided when long; copied exactly, byte for byte.
		rows = append(rows, s.contentField(v.content, v.signedBytes)...)
	} else {
		add("Signed content", v.content, true)
	}
	if len(rows) > 0 {
		box.Add(container.New(layout.NewFormLayout(), rows...))
	}
	if !full && (v.expected != "" || v.received != "") {
		l := widgets.Caption("As stored, signatures keep their first characters only; the live check (endpoints readable) shows them whole.")
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	box.Add(widget.NewSeparator())
	box.Add(s.tryBox)

	widgets.SetScrollContent(s.root, container.NewPadded(box))
}

// notes are small lines about where the verdict came from.
func (s *sigTab) notes(v sigView) []string {
	var out []string
	if v.readErr != "" {
		out = append(out, v.readErr)
	}
	if v.live && v.stored.Result != "" && v.stored.Result != v.Result {
		out = append(out, fmt.Sprintf("When it was stored this event was judged %s; with the endpoint settings Hooklens has now it is %s.", v.stored.Result, v.Result))
	}
	if v.adopted {
		out = append(out, fmt.Sprintf("Checked with endpoint %s, created after this event arrived.", v.slug))
	}
	if v.gone {
		out = append(out, fmt.Sprintf("Endpoint %s was deleted after this event arrived: the scheme is detected from the headers.", v.slug))
	}
	return out
}

// diagnosisPattern splits a diagnosis line from package verify into the
// mistake, the key it was made with and the advice.
var diagnosisPattern = regexp.MustCompile(`^matches with (.+?), using ((?:.*? )?\(?sha256:[0-9a-f]{8}\)?): (.+)$`)

// causeCard explains a failure: each mistake that reproduces the received
// signature with what to change, or, when none does, what is left.
func (s *sigTab) causeCard(v sigView) fyne.CanvasObject {
	var items []fyne.CanvasObject
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	for _, dg := range v.diagnosis {
		if m := diagnosisPattern.FindStringSubmatch(dg); m != nil {
			what := wrap(widget.NewLabelWithStyle("The received signature matches when it is computed with "+m[1]+".", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
			fix := advice(widgets.UpperFirst(m[3]) + ".")
			key := widgets.Caption("Key: " + m[2])
			items = append(items, container.NewBorder(nil, nil, nil,
				container.NewVBox(s.d.w.newCopyButton("", func() string { return dg })),
				container.New(layout.NewCustomPaddedVBoxLayout(0), what, fix, key)))
			continue
		}
		text := dg
		if rest, ok := strings.CutPrefix(dg, "clock: "); ok {
			text = "Clock: " + rest
		}
		items = append(items, container.NewBorder(nil, nil, nil,
			container.NewVBox(s.d.w.newCopyButton("", func() string { return dg })), wrap(widget.NewLabel(widgets.UpperFirst(text)))))
	}
	if what, whose, ok := clockCause(v.Reason); ok && v.Result == app.VerdictInvalid {
		items = append([]fyne.CanvasObject{
			wrap(widget.NewLabelWithStyle(widgets.UpperFirst(what)+".", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
			wrap(widget.NewLabel(widgets.UpperFirst(whose) + ".")),
		}, items...)
	}
	title := "Likely cause"
	colour := hltheme.Red
	switch v.Result {
	case app.VerdictInvalid:
		if len(items) == 0 && strings.Contains(v.Reason, "none of the common mistakes") {
			if verify.UsesPublicKey(v.Scheme) {
				items = append(items, wrap(widget.NewLabel(
					"Hooklens tried the usual mistakes (a re-serialised body, a stray newline, another padding) and none reproduces the signature. "+
						"So the sender signs with another key pair than the one whose public key this endpoint has, or something between the sender and here changed the body.")),
					advice("Copy the public key again from the sender (for SalesIQ, its keys API; for Discord, the developer portal) into the endpoint; if it is already the same, look for a proxy or framework that re-encodes the body."))
			} else {
				items = append(items, wrap(widget.NewLabel(
					"Hooklens tried the usual mistakes (a re-serialised body, a stray newline, the secret's prefix or encoding, another hash, another endpoint's secret) and none reproduces the signature. "+
						"So the sender signs with a different secret than the one this endpoint has, or something between the sender and here changed the body.")),
					advice("Copy the signing secret again from the sender's webhook settings for this URL and add it to the endpoint; if it is already the same, look for a proxy or framework that re-encodes the body."))
			}
		}
	case app.VerdictValid:
		title, colour = "Notes", hltheme.Grey
	case app.VerdictUnverified:
		title, colour = "What to do", hltheme.Orange
	default:
		title, colour = "Notes", hltheme.Grey
	}
	if len(items) == 0 {
		return nil
	}
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Importance = hltheme.Importance(colour)
	return widgets.Card(colour, append([]fyne.CanvasObject{t}, items...)...)
}

// advice is text under a dim "What to do" lead.
func advice(text string) fyne.CanvasObject {
	lead := widget.NewLabelWithStyle("What to do", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lead.Importance = widget.LowImportance
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, container.NewVBox(lead), nil, l)
}

// actions offer the endpoint editor where it fixes what the tab shows.
func (s *sigTab) actions(v sigView) fyne.CanvasObject {
	w := s.d.w
	if w.d.Endpoints == nil || !v.live || s.ev == nil {
		return nil
	}
	e := s.ev
	needKey := v.Result == app.VerdictUnverified && (v.ep == nil || len(verify.Keys(*v.ep)) == 0)
	var b *widget.Button
	switch {
	case needKey && v.ep != nil:
		ep := *v.ep
		if ep.Scheme == "" && v.Scheme != "" {
			ep.Scheme = detectedScheme(e)
		}
		what := "secret"
		if name, _ := dialogs.SplitScheme(ep.Scheme); verify.UsesPublicKey(name) {
			what = "public key"
		}
		b = widget.NewButtonWithIcon("Add "+what+" for endpoint "+ep.Slug, theme.ContentAddIcon(), func() {
			w.ctl.editEndpoint(ep, false)
		})
	case needKey:
		slug := app.PathSlug(e.Path)
		label := "Create endpoint"
		if slug != "" {
			label += " " + slug
		}
		b = widget.NewButtonWithIcon(label, theme.ContentAddIcon(), func() {
			w.ctl.editEndpoint(app.Endpoint{Slug: slug, Scheme: detectedScheme(e)}, true)
		})
	case v.ep != nil && v.Result != app.VerdictValid:
		ep := *v.ep
		b = widget.NewButtonWithIcon("Edit endpoint "+ep.Slug, theme.DocumentCreateIcon(), func() {
			w.ctl.editEndpoint(ep, false)
		})
		b.Importance = widget.MediumImportance
		return container.NewHBox(b)
	}
	if b == nil {
		return nil
	}
	b.Importance = widget.HighImportance
	return container.NewHBox(b)
}

// detectedScheme is the scheme (with options) e's headers are signed with, or "".
func detectedScheme(e *app.Event) string {
	if c, ok := verify.Detect(e.Headers); ok {
		return c.String()
	}
	return ""
}

func schemeLine(v sigView) string {
	var parts []string
	if v.Scheme != "" {
		parts = append(parts, v.Scheme)
	}
	if v.slug != "" && !v.gone {
		parts = append(parts, "endpoint "+v.slug)
	}
	if !v.live && v.Result != "" {
		parts = append(parts, "as stored")
	}
	return strings.Join(parts, " · ")
}

// --- try another secret ---------------------------------------------------

// resetTry empties the box for a newly shown event and picks its scheme.
func (s *sigTab) resetTry() {
	s.tryGen++
	s.secret.SetText("")
	s.secret.Password = true
	s.secret.Refresh()
	s.result.Objects = nil
	s.result.Refresh()
	s.tryText = ""
	s.tryBase = verify.Config{}
	e := s.ev
	if e != nil {
		if c, ok := verify.Detect(e.Headers); ok {
			s.tryBase = c
		}
		// The verdict names the scheme without options; the detected config
		// keeps them (the header of a generic hmac, say), so it wins when
		// both name the same scheme.
		if e.Verdict.Scheme != "" && e.Verdict.Scheme != s.tryBase.Scheme {
			if c, err := verify.ParseConfig(e.Verdict.Scheme); err == nil {
				s.tryBase = c
			}
		}
	}
	if name := s.tryBase.Scheme; name == "" {
		s.scheme.ClearSelected()
	} else {
		s.scheme.SetSelected(name)
	}
}

// setTryBase takes the endpoint's scheme setting (with its options) as the
// box's default once it is known.
func (s *sigTab) setTryBase(spec string) {
	c, err := verify.ParseConfig(spec)
	if err != nil {
		return
	}
	s.tryBase = c
	s.scheme.SetSelected(c.Scheme)
}

func (s *sigTab) schemeChosen(name string) {
	if verify.UsesPublicKey(name) {
		s.secret.SetPlaceHolder("Paste a public key to check this request with")
	} else {
		s.secret.SetPlaceHolder("Paste a secret to check this request with")
	}
}

// tryConfig is the chosen scheme, with the endpoint's options when it is
// the endpoint's own scheme.
func (s *sigTab) tryConfig() (verify.Config, error) {
	name := s.scheme.Selected
	if name == "" {
		return verify.Config{}, fmt.Errorf("pick the scheme the sender signs with")
	}
	if name == s.tryBase.Scheme {
		return s.tryBase, nil
	}
	return verify.ParseConfig(name)
}

func (s *sigTab) tryCheck() {
	if s.ev == nil {
		return
	}
	typed := strings.TrimSpace(s.secret.Text)
	if typed == "" {
		s.tryShow(hltheme.Orange, theme.WarningIcon(), "Paste a secret first.", nil)
		return
	}
	c, err := s.tryConfig()
	if err != nil {
		s.tryShow(hltheme.Orange, theme.WarningIcon(), widgets.UpperFirst(err.Error())+".", nil)
		return
	}
	k := verify.Key{Label: "the typed secret", Secret: typed}
	if verify.UsesPublicKey(c.Scheme) {
		k = verify.Key{Label: "the typed public key", PublicKey: typed}
	}
	s.tryGen++
	gen := s.tryGen
	e := s.ev
	s.check.Disable()
	go func() {
		rep := verify.Check(verify.FromEvent(e, ""), c, []verify.Key{k})
		s.d.w.do(func() {
			if gen != s.tryGen {
				return
			}
			s.check.Enable()
			col, icon := hltheme.VerdictStyle(rep.Result)
			s.tryShow(col, icon, rep.Result+" — "+rep.Reason, rep.Diagnosis)
		})
	}()
}

func (s *sigTab) tryShow(c fyne.ThemeColorName, icon fyne.Resource, text string, more []string) {
	s.check.Enable()
	objs := []fyne.CanvasObject{widgets.Notice(icon, c, text)}
	for _, m := range more {
		l := widget.NewLabel("• " + m)
		l.Wrapping = fyne.TextWrapWord
		objs = append(objs, l)
	}
	s.result.Objects = objs
	s.result.Refresh()
	s.tryText = text
	// The result may appear below the fold: bring the whole box into view.
	s.root.Refresh()
	widgets.ScrollIntoView(s.root, s.tryBox)
}

// firstDiff is the index of the first byte where a and b differ, or -1.
func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// sigField is a whole signature with the character where it parts from
// other marked in red; its copy button copies the signature itself.
func (s *sigTab) sigField(key, sig, other string) []fyne.CanvasObject {
	mono := widget.RichTextStyleCodeInline
	mono.Inline = true
	var segs []widget.RichTextSegment
	i := -1
	if other != "" {
		i = firstDiff(sig, other)
	}
	if i < 0 || i >= len(sig) {
		segs = []widget.RichTextSegment{&widget.TextSegment{Text: sig, Style: mono}}
	} else {
		mark := mono
		mark.ColorName = hltheme.Red
		mark.TextStyle.Bold = true
		segs = []widget.RichTextSegment{
			&widget.TextSegment{Text: sig[:i], Style: mono},
			&widget.TextSegment{Text: sig[i : i+1], Style: mark},
			&widget.TextSegment{Text: sig[i+1:], Style: mono},
		}
	}
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapBreak
	cp := s.d.w.newCopyButton("", func() string { return sig })
	return []fyne.CanvasObject{s.d.keyLabel(key), container.NewBorder(nil, nil, nil, container.NewVBox(cp), rt)}
}

// contentField shows the signed content (elided when long) and copies it
// exactly.
func (s *sigTab) contentField(shown string, exact []byte) []fyne.CanvasObject {
	v := widget.NewLabelWithStyle(shown, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.Selectable = true
	v.Wrapping = fyne.TextWrapBreak
	cp := s.d.w.newCopyButton("", func() string { return string(exact) })
	return []fyne.CanvasObject{s.d.keyLabel("Signed content"), container.NewBorder(nil, nil, nil, container.NewVBox(cp), v)}
}
