package ui

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	hltheme "github.com/hooklens/hooklens/ui/theme"
	"github.com/hooklens/hooklens/ui/widgets"
)

// testPayload is what "Send test event" posts: small, valid JSON that says
// where it came from.
const testPayload = `{"hello":"hooklens","sent_by":"Send test event button","items":[1,2,3]}`

// curlLine is the command the welcome screen offers to paste in a terminal.
func curlLine(base string) string {
	return fmt.Sprintf(`curl -X POST -H 'Content-Type: application/json' -d '{"hello":"hooklens"}' %s/test`,
		strings.TrimSuffix(base, "/"))
}

// welcome is shown while no event has been captured: it teaches a new user
// the one thing to do.
type welcome struct {
	w        *Window
	root     fyne.CanvasObject
	url      *widget.Label
	curl     *widget.Label
	send     *widget.Button
	status   *widget.Label
	progress *widget.ProgressBarInfinite
}

func newWelcome(w *Window) *welcome {
	we := &welcome{w: w}
	title := widget.NewLabelWithStyle("Waiting for the first request", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	sub := widget.NewLabel("Send any HTTP request to this URL — any method, any path — and it appears here instantly.")
	sub.Alignment = fyne.TextAlignCenter
	sub.Wrapping = fyne.TextWrapWord

	we.url = widgets.Mono(w.d.Listener.URL())
	we.curl = widgets.Mono(curlLine(w.d.Listener.URL()))
	we.curl.Wrapping = fyne.TextWrapWord // break between arguments, not inside the URL
	urlBox := codeBox(we.url, w.newCopyButton("Copy URL", func() string { return w.d.Listener.URL() }))
	curlBox := codeBox(we.curl, w.newCopyButton("Copy", func() string { return curlLine(w.d.Listener.URL()) }))

	we.send = widget.NewButtonWithIcon("Send test event", theme.MailSendIcon(), we.sendTest)
	we.send.Importance = widget.HighImportance
	we.status = widget.NewLabel("")
	we.status.Wrapping = fyne.TextWrapWord
	we.status.Alignment = fyne.TextAlignCenter
	we.status.Hide()
	we.progress = widget.NewProgressBarInfinite()
	we.progress.Stop()
	we.progress.Hide()

	icon := widget.NewIcon(theme.NewPrimaryThemedResource(theme.DownloadIcon()))
	card := container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(56), icon)),
		title, sub,
		layout.NewSpacer(),
		widgets.Caption("Listening on"), urlBox,
		widgets.Caption("Or from a terminal"), curlBox,
		container.New(layout.NewCustomPaddedLayout(theme.Padding()*3, 0, 0, 0), container.NewCenter(we.send)),
		we.progress, we.status,
	)
	we.root = container.NewCenter(widgets.MinWidth(880, card))
	return we
}

// refresh follows a listener URL change.
func (we *welcome) refresh() {
	we.url.SetText(we.w.d.Listener.URL())
	we.curl.SetText(curlLine(we.w.d.Listener.URL()))
}

// sendTest posts the sample payload to the listener with a real HTTP client,
// off the UI goroutine.
func (we *welcome) sendTest() {
	url := strings.TrimSuffix(we.w.d.Listener.URL(), "/") + "/test"
	we.send.Disable()
	we.status.Hide()
	we.progress.Show()
	we.progress.Start()
	go func() {
		msg, ok := postTest(url)
		we.w.do(func() {
			we.progress.Stop()
			we.progress.Hide()
			we.send.Enable()
			we.status.SetText(strings.ToUpper(msg[:1]) + msg[1:]) // a sentence on screen
			we.status.Importance = widget.SuccessImportance
			if !ok {
				we.status.Importance = widget.DangerImportance
			}
			we.status.Show()
			we.status.Refresh()
		})
	}()
}

func postTest(url string) (string, bool) {
	c := &http.Client{Timeout: 10 * time.Second}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(testPayload)))
	if err != nil {
		return fmt.Sprintf("could not build the test request: %v", err), false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Hooklens test event")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Sprintf("could not reach the listener at %s: %v", url, err), false
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return "the listener answered 503: capture is paused — press Resume at the top", false
	}
	if resp.StatusCode >= 300 {
		return fmt.Sprintf("sent, but the listener answered %s", resp.Status), false
	}
	return fmt.Sprintf("sent — the listener answered %s", resp.Status), true
}

// codeBox frames a monospace line with its copy button on a tinted panel.
func codeBox(text fyne.CanvasObject, btn *widget.Button) fyne.CanvasObject {
	bg := widgets.NewThemedRect(hltheme.Panel, 6)
	bg.Stroke = theme.ColorNameSeparator
	return container.NewStack(bg,
		container.NewBorder(nil, nil, nil, container.NewPadded(btn), container.NewPadded(text)))
}

// noMatch is the list's state when the filter matches nothing.
type noMatch struct {
	root  fyne.CanvasObject
	label *widget.Label
}

func newNoMatch(clear func()) *noMatch {
	n := &noMatch{}
	n.label = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	n.label.Wrapping = fyne.TextWrapWord
	hint := widgets.Caption("Words match text in the path, query or body; key:value terms match fields (status:5xx, verdict:invalid, endpoint:github, type:push); -term leaves matches out.")
	hint.Alignment = fyne.TextAlignCenter
	hint.Wrapping = fyne.TextWrapWord
	btn := widget.NewButtonWithIcon("Clear filter", theme.ContentClearIcon(), clear)
	icon := widget.NewIcon(theme.NewDisabledResource(theme.SearchIcon()))
	n.root = container.NewCenter(widgets.MinWidth(300, container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(40), icon)),
		n.label, hint, container.NewCenter(btn))))
	return n
}

func (n *noMatch) set(filter string) {
	n.label.SetText(fmt.Sprintf("No events match '%s'", filter))
}
