//go:build ci

package ui

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// bodyIn selects path, opens the Body tab and waits until it shows mode.
func (h *harness) bodyIn(path, mode string) *bodyPane {
	h.t.Helper()
	h.selectPath(path)
	d := h.w.detail
	d.tabs.Select(d.bodyTab)
	b := d.body
	h.pumpUntil("the body in "+mode, func() bool { return b.bi != nil && b.mode == mode })
	return b
}

// clipboardsOf taps every copy button under o and returns what each put on
// the clipboard.
func (h *harness) clipboardsOf(o fyne.CanvasObject) map[string]bool {
	got := map[string]bool{}
	for _, b := range copyButtons(o) {
		if b.Disabled() {
			continue
		}
		h.app.Clipboard().SetContent("")
		test.Tap(b)
		got[h.app.Clipboard().Content()] = true
	}
	return got
}

// A Twilio SMS webhook: form fields, decoded, in the order sent.
const twilioBody = "ToCountry=US&SmsMessageSid=SM1f0e8ae6ade43cb3c0ce4525424e404f&NumMedia=0&FromCity=SAN+FRANCISCO" +
	"&Body=Hello+from+Twilio%21+%F0%9F%91%8B&To=%2B15005550006&From=%2B14158675309&ApiVersion=2010-04-01"

func TestFormBodyShowsDecodedFieldTable(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/twilio/sms", "application/x-www-form-urlencoded", []byte(twilioBody),
		"X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
	b := h.bodyIn("/twilio/sms", modeFields)
	want := [][2]string{
		{"ToCountry", "US"}, {"SmsMessageSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"}, {"NumMedia", "0"},
		{"FromCity", "SAN FRANCISCO"}, {"Body", "Hello from Twilio! 👋"}, {"To", "+15005550006"},
		{"From", "+14158675309"}, {"ApiVersion", "2010-04-01"},
	}
	if len(b.fields.rows) != len(want) {
		t.Fatalf("field table has %d rows, want %d: %q", len(b.fields.rows), len(want), b.fields.rows)
	}
	for i := range want {
		if b.fields.rows[i] != want[i] {
			t.Errorf("row %d = %q, want %q", i, b.fields.rows[i], want[i])
		}
	}
	if !b.fields.root.Visible() || b.view.Visible() {
		t.Error("the field table is not what the Body tab shows")
	}
	if b.fields.count.Text != "8 form fields in the order sent, decoded" || b.info.Text != "form · "+app.HumanSize(int64(len(twilioBody))) {
		t.Errorf("count %q, info %q", b.fields.count.Text, b.info.Text)
	}
	// Each row's copy button copies the decoded value.
	copied := h.clipboardsOf(b.fields.root)
	for _, v := range []string{"Hello from Twilio! 👋", "+15005550006", "SAN FRANCISCO"} {
		if !copied[v] {
			t.Errorf("no copy button copies %q (copied %v)", v, copied)
		}
	}
	// Text still shows the body as sent.
	test.Tap(b.modes[modeText])
	h.pumpUntil("the text view", func() bool { return b.mode == modeText && b.view.Visible() })
	if b.view.Text() != twilioBody || b.fields.root.Visible() {
		t.Errorf("Text shows %q", b.view.Text())
	}

	// A Slack slash command is a form too; a JSON body is not offered Fields.
	h.send("POST", "/slack/cmd", "application/x-www-form-urlencoded; charset=utf-8",
		[]byte("token=gIkuvaNzQIHg97ATvDxqgjtO&team_domain=example&command=%2Fweather&text=94070&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678"))
	b = h.bodyIn("/slack/cmd", modeFields)
	if len(b.fields.rows) != 5 || b.fields.rows[2] != [2]string{"command", "/weather"} || b.fields.rows[4][1] != "https://hooks.slack.com/commands/1234/5678" {
		t.Errorf("Slack fields %q", b.fields.rows)
	}
	h.send("POST", "/json", "application/json", []byte(`{"a":1}`))
	b = h.bodyIn("/json", modePretty)
	if b.modes[modeFields].Visible() || b.modes[modeParts].Visible() {
		t.Error("Fields or Parts offered for a JSON body")
	}
}

func TestMultipartBodyListsItsParts(t *testing.T) {
	h := newHarness(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("event", "invoice.paid")
	png := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'}
	fw, _ := mw.CreateFormFile("receipt", "receipt 42.png")
	fw.Write(png)
	mw.Close()
	h.send("POST", "/upload", mw.FormDataContentType(), buf.Bytes())
	b := h.bodyIn("/upload", modeParts)
	if len(b.parts.parts) != 2 || !b.parts.root.Visible() {
		t.Fatalf("%d parts shown (visible %v)", len(b.parts.parts), b.parts.root.Visible())
	}
	texts := labels(b.parts.root)
	for _, want := range []string{"2 parts in the order sent", "event", "no content type  ·  12 B (12 bytes)", "receipt",
		"file receipt 42.png  ·  application/octet-stream  ·  16 B (16 bytes)", "invoice.paid"} {
		if !contains(texts, want) {
			t.Errorf("Parts view lacks %q; it shows %q", want, texts)
		}
	}
	// The text part copies its bytes; the binary one can only be saved.
	cps := copyButtons(b.parts.root)
	if len(cps) != 2 || cps[0].Disabled() || !cps[1].Disabled() {
		t.Fatalf("copy buttons %d, enabled %v/%v", len(cps), len(cps) > 0 && !cps[0].Disabled(), len(cps) > 1 && !cps[1].Disabled())
	}
	test.Tap(cps[0])
	if got := h.app.Clipboard().Content(); got != "invoice.paid" {
		t.Errorf("part copied as %q", got)
	}
	if saves := iconButtons(b.parts.root, "document-save"); len(saves) != 2 {
		t.Errorf("%d save buttons, want one per part", len(saves))
	}
	if got := partFileName(h.w.detail.ev, 1, b.parts.parts[1]); got != "receipt 42.png" {
		t.Errorf("the file part saves as %q", got)
	}
	if got := partFileName(h.w.detail.ev, 0, b.parts.parts[0]); got != "event-"+h.w.detail.ev.IDString()+"-part-1.txt" {
		t.Errorf("the field part saves as %q", got)
	}
	path := filepath.Join(t.TempDir(), "receipt.png")
	wc, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	b.writeTo(wc, "the part", b.parts.parts[1].Body)
	h.pumpUntil("the part to be written", func() bool {
		got, err := os.ReadFile(path)
		return err == nil && bytes.Equal(got, png)
	})

	// A body cut short lists what it could read and says what went wrong.
	h.send("POST", "/upload-cut", mw.FormDataContentType(), buf.Bytes()[:buf.Len()-40])
	b = h.bodyIn("/upload-cut", modeParts)
	if len(b.parts.parts) == 0 || b.parts.parts[0].Name != "event" || !contains(labels(b.notes), "multipart body") {
		t.Errorf("cut body: %d parts, notes %q", len(b.parts.parts), labels(b.notes))
	}
}

func TestTextViewWrapToggle(t *testing.T) {
	h := newHarness(t)
	line := strings.Repeat("webhook payload ", 60) // 960 characters on one line
	h.send("POST", "/long", "text/plain", []byte(line+"\nshort"))
	b := h.bodyIn("/long", modeText)
	if !b.wrap.Visible() || b.view.Rows() != 2 {
		t.Fatalf("wrap offered %v, %d rows before wrapping", b.wrap.Visible(), b.view.Rows())
	}
	test.Tap(b.wrap)
	if !b.view.Wrapped() || b.view.Rows() < 5 {
		t.Fatalf("wrapped %v into %d rows", b.view.Wrapped(), b.view.Rows())
	}
	var joined strings.Builder
	for i := 0; i < b.view.Rows()-1; i++ {
		joined.WriteString(b.view.RowText(i))
	}
	if joined.String() != line || b.view.RowText(b.view.Rows()-1) != "short" {
		t.Errorf("wrapped rows do not rebuild the line")
	}
	if b.view.Text() != line+"\nshort" {
		t.Error("wrapping changed the text")
	}
	test.Tap(b.wrap)
	if b.view.Wrapped() || b.view.Rows() != 2 {
		t.Errorf("unwrapped into %d rows", b.view.Rows())
	}
	// Hex has fixed-width lines: no wrap offered.
	test.Tap(b.modes[modeHex])
	h.pumpUntil("hex", func() bool { return b.mode == modeHex && b.view.Visible() })
	if b.wrap.Visible() {
		t.Error("wrap offered in Hex")
	}
}

func TestPrettyJSONHasLineNumbersAndFolds(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/fold", "application/json", []byte(`{"a":{"b":[1,2,3]},"c":true}`))
	b := h.bodyIn("/fold", modePretty)
	v := b.view
	if !v.LineNumbers || v.Rows() != 10 {
		t.Fatalf("line numbers %v, %d rows", v.LineNumbers, v.Rows())
	}
	// The gutter shows the numbers 1 to 10.
	nums := map[string]bool{}
	walk(v, func(o fyne.CanvasObject) {
		if tx, ok := o.(*canvas.Text); ok {
			nums[tx.Text] = true
		}
	})
	if !nums["1"] || !nums["10"] {
		t.Errorf("no line numbers drawn: %v", nums)
	}
	if !v.Foldable(0) || !v.Foldable(1) || !v.Foldable(2) || v.Foldable(3) {
		t.Error("the objects and the array should fold, a number not")
	}
	surface := v.Focusable().(fyne.Tappable)
	test.TapAt(surface, v.MarkerPos(1)) // `"a": {`
	if !v.Folded(1) || v.Rows() != 4 || v.RowText(1) != `  "a": {` || v.RowText(2) != `  "c": true` {
		t.Fatalf("after folding line 2: folded %v, %d rows", v.Folded(1), v.Rows())
	}
	test.TapAt(surface, v.MarkerPos(1))
	if v.Folded(1) || v.Rows() != 10 {
		t.Errorf("unfolding left %d rows", v.Rows())
	}
	test.Tap(b.foldAll)
	if !v.Folded(1) || !v.Folded(2) || v.Folded(0) || v.Rows() != 4 {
		t.Errorf("Fold all: %d rows", v.Rows())
	}
	test.Tap(b.unfoldAll)
	if v.Rows() != 10 {
		t.Errorf("Unfold all: %d rows", v.Rows())
	}
	// Copy all copies the whole pretty text, folded or not.
	if v.Text() != "{\n  \"a\": {\n    \"b\": [\n      1,\n      2,\n      3\n    ]\n  },\n  \"c\": true\n}" {
		t.Errorf("text %q", v.Text())
	}
}

func TestLongBodyIsPagedInTheWindow(t *testing.T) {
	h := newHarness(t)
	var sb strings.Builder
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&sb, "line %03d %s\n", i, strings.Repeat("x", 40)) // 50 bytes a line
	}
	body := sb.String()
	h.w.detail.body.pageLimit = 1000
	h.send("POST", "/paged", "text/plain", []byte(body))
	b := h.bodyIn("/paged", modeText)
	if !b.pageBar.Visible() || b.pageInfo.Text != "bytes 1–1,000 of 5,000" || b.view.Lines() != 20 {
		t.Fatalf("page 1: bar %v %q, %d lines", b.pageBar.Visible(), b.pageInfo.Text, b.view.Lines())
	}
	test.Tap(b.nextPage)
	if b.pageInfo.Text != "bytes 1,001–2,000 of 5,000" || !strings.HasPrefix(b.view.Line(0), "line 021 ") {
		t.Errorf("page 2: %q starts %q", b.pageInfo.Text, b.view.Line(0))
	}
	for !b.nextPage.Disabled() {
		test.Tap(b.nextPage)
	}
	if b.pageInfo.Text != "bytes 4,001–5,000 of 5,000" || b.view.Line(b.view.Lines()-1) != "line 100 "+strings.Repeat("x", 40) {
		t.Errorf("last page: %q ends %q", b.pageInfo.Text, b.view.Line(b.view.Lines()-1))
	}
	test.Tap(b.prevPage)
	if b.pageInfo.Text != "bytes 3,001–4,000 of 5,000" {
		t.Errorf("back one page: %q", b.pageInfo.Text)
	}

	// Pretty JSON pages count lines on from the pages before.
	var js strings.Builder
	js.WriteString("[")
	for i := 0; i < 200; i++ {
		if i > 0 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, `{"n":%d}`, i)
	}
	js.WriteString("]")
	h.send("POST", "/paged-json", "application/json", []byte(js.String()))
	b = h.bodyIn("/paged-json", modePretty)
	if !b.pageBar.Visible() || !strings.HasSuffix(b.pageInfo.Text, " pretty-printed") || b.view.FirstLine != 1 {
		t.Fatalf("pretty page 1: %q, first line %d", b.pageInfo.Text, b.view.FirstLine)
	}
	lines := b.view.Lines()
	test.Tap(b.nextPage)
	if b.view.FirstLine != lines+1 {
		t.Errorf("page 2 numbers from %d, want %d", b.view.FirstLine, lines+1)
	}
}

func TestRawHeadersShowRequestLineAndHexNoteOnlyWhenCut(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/hooks/github?x=1", "application/octet-stream", []byte("ab\x00cdef"), "X-GitHub-Event", "push")
	b := h.bodyIn("/hooks/github", modeHex)
	// 7 bytes: nothing is cut, so no note and no pages.
	if len(b.notes.Objects) != 0 || b.pageBar.Visible() {
		t.Errorf("a 7-byte body says %q (pages shown %v)", labels(b.notes), b.pageBar.Visible())
	}
	if b.view.Lines() != 1 || !strings.HasPrefix(b.view.Line(0), "00000000: 6162 0063 6465 66") {
		t.Errorf("hex %q", b.view.Text())
	}
	d := h.w.detail
	d.tabs.Select(d.headersTab)
	test.Tap(d.headers.toggle)
	if got := d.headers.raw.Line(0); got != "POST /hooks/github?x=1 HTTP/1.1" {
		t.Errorf("raw headers start %q", got)
	}
	if got := d.headers.raw.Line(1); !strings.HasPrefix(got, "Host: ") {
		t.Errorf("second raw line %q", got)
	}
	test.Tap(button(d.headers.root, "Copy all"))
	if got := h.app.Clipboard().Content(); !strings.HasPrefix(got, "POST /hooks/github?x=1 HTTP/1.1\nHost: ") || !strings.Contains(got, "X-Github-Event: push\n") {
		t.Errorf("Copy all in the raw view copied %q", got)
	}
	test.Tap(d.headers.toggle)
	test.Tap(button(d.headers.root, "Copy all"))
	if got := h.app.Clipboard().Content(); strings.HasPrefix(got, "POST ") {
		t.Errorf("Copy all in the table copied the request line: %q", got)
	}
}

func TestOverviewShowsResponseFirstAndCopiesOnlyValues(t *testing.T) {
	h := newHarness(t)
	body := `{"event":"order.created","id":7}`
	h.send("POST", "/shop/orders", "application/json", []byte(body))
	h.selectPath("/shop/orders")
	d := h.w.detail
	texts := labels(d.overview)
	idx := func(s string) int {
		for i, t := range texts {
			if t == s {
				return i
			}
		}
		return -1
	}
	if r, q := idx("Response sent"), idx("Request"); r < 0 || q < 0 || r > q {
		t.Errorf("Response sent at %d, Request at %d: the response should come first (%q)", r, q, texts)
	}
	if contains(texts, "Explain in the Signature tab") || idx("Signature") >= 0 {
		t.Errorf("the Overview repeats the verdict in a section: %q", texts)
	}
	copied := h.clipboardsOf(d.overview)
	e := d.ev
	for _, want := range []string{h.srv.URL() + "/shop/orders", e.RemoteAddr, e.IDString(), body} {
		if !copied[want] {
			t.Errorf("no copy button copies %q (copied %v)", want, copied)
		}
	}
	for _, unwanted := range []string{"POST", widgets.FullTime(e.ReceivedAt), "application/json"} {
		if copied[unwanted] {
			t.Errorf("a copy button copies %q, not worth a button", unwanted)
		}
	}
}

func TestWheelScrollsThreeTimesTheDriverStep(t *testing.T) {
	h := newHarness(t)
	h.w.win.Resize(fyne.NewSize(1280, 520))
	h.send("POST", "/wheel", "text/plain", []byte(strings.Repeat("a line of text\n", 200)))
	h.selectPath("/wheel")
	s := h.w.detail.overview
	if s.Content.MinSize().Height <= s.Size().Height {
		t.Fatalf("the Overview fits (%v in %v): nothing to scroll", s.Content.MinSize(), s.Size())
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s).AddXY(40, 40)
	test.Scroll(h.w.win.Canvas(), pos, 0, -25)
	if s.Offset.Y != 25*widgets.WheelSpeed {
		t.Errorf("one wheel notch (25 px) scrolled %v px, want %v", s.Offset.Y, 25*widgets.WheelSpeed)
	}
}

func TestTryAnotherSecretResultScrollsIntoView(t *testing.T) {
	h := newHarness(t)
	h.w.win.Resize(fyne.NewSize(1280, 560))
	h.sendStripe("/hooks/stripe", rightSecret, orderBody)
	s := h.signature("/hooks/stripe")
	if s.root.Offset.Y != 0 {
		t.Fatalf("the tab opens scrolled to %v", s.root.Offset.Y)
	}
	test.Type(s.secret, rightSecret)
	test.Tap(s.check)
	h.pumpUntil("the try result", func() bool { return strings.HasPrefix(s.tryText, "valid") })
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(s.result).Y - d.AbsolutePositionForObject(s.root).Y
	if bottom := top + s.result.Size().Height; top < 0 || bottom > s.root.Size().Height+1 {
		t.Errorf("the result is at %v–%v, outside the %v-high view (offset %v)", top, bottom, s.root.Size().Height, s.root.Offset.Y)
	}
	if s.root.Offset.Y == 0 {
		t.Error("the tab did not scroll to the result")
	}
}

func TestEditedResendShowsChangesAgainstTheEvent(t *testing.T) {
	h := newDeliveryHarness(t)
	rcv := newReceiver(t)
	ed := h.openEditor("/hooks/orders", `{"order":17,"amount":4200}`)
	test.Type(ed.URL, rcv.URL+"/webhooks")
	replaceBody(ed, `{"order":17,"amount":9900,"note":"edited"}`)
	test.Tap(ed.SendButton)
	h.pumpUntil("the send to finish", func() bool { return !ed.Sending() })
	c := ed.Pane.Changes
	h.pumpUntil("the changes", func() bool { return strings.HasPrefix(c.Summary.Text, "Against event") })
	if !strings.Contains(c.Summary.Text, "body: 1 line removed, 2 lines added") {
		t.Errorf("summary %q", c.Summary.Text)
	}
	diff := c.Body.Text()
	// Each row: old number, new number, the operation and the line.
	var rows []string
	for _, l := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
		r := []rune(l)
		rows = append(rows, strings.TrimSpace(string(r[:5]))+"|"+strings.TrimSpace(string(r[6:11]))+"|"+string(r[12])+"|"+string(r[14:]))
	}
	want := []string{
		"1|1| |{",
		`2|2| |  "order": 17,`,
		`3||-|  "amount": 4200`,
		`|3|+|  "amount": 9900,`,
		`|4|+|  "note": "edited"`,
		"4|5| |}",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("body diff rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	// The headers compared are the event's against the request as sent.
	e := h.w.detail.ev
	sent := ed.Pane.Delivery().Last().Request
	if want := app.DiffHeaders(e.Headers.Relayable(), sent.Headers.Relayable()); len(c.HeaderRows) != len(want) {
		t.Errorf("header rows %+v, want %+v", c.HeaderRows, want)
	}

	// A plain resend of the same event, seen in the Deliveries window.
	test.Tap(h.w.top.deliveriesBtn)
	v := h.w.ctl.delivView
	h.pumpUntil("the delivery in the list", func() bool { return v.model.Len() == 1 && v.model.cachedRows() == 1 })
	v.list.Select(0)
	h.pumpUntil("the delivery's changes", func() bool {
		return v.pane.Delivery() != nil && strings.HasPrefix(v.pane.Changes.Summary.Text, "Against event")
	})
	if got := v.pane.Changes.Body.Text(); got != diff {
		t.Errorf("the Deliveries window shows another diff:\n%s", got)
	}
}

func TestBodyViewWheelMovesThreeLinesANotch(t *testing.T) {
	h := newHarness(t)
	h.send("POST", "/wheel-body", "text/plain", []byte(strings.Repeat("a line of text\n", 400)))
	b := h.bodyIn("/wheel-body", modeText)
	s := b.view.Focusable().(fyne.Scrollable)
	s.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -25)})
	if got := b.view.Offset().Y; got != 25*widgets.WheelSpeed {
		t.Errorf("one notch scrolled the body %v px, want %v", got, 25*widgets.WheelSpeed)
	}
}
