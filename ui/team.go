package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/ui/dialogs"
	"github.com/hooklens/hooklens/ui/widgets"
)

// Team follows a team stream into this window's store (package main's
// windowTeam over app/team).
type Team interface {
	Follow(url, name string) error
	Stop()
	OnStatus(fn func(string))

	// Publish sends this window's captures to the team stream at url (and
	// keeps doing so on the next start) until StopPublishing.
	Publish(url string) error
	StopPublishing() error
	// Publishing is the URL published to (passwords masked), "" when not.
	Publishing() string
	// OnPublishStatus hears "team: N waiting to publish" and why ("" when
	// publishing stops) and whether something keeps events waiting (NATS
	// unreachable ...), at once with the latest.
	OnPublishStatus(fn func(line string, trouble bool))
}

// Settings keys of the Team control.
const (
	keyTeamURL  = "team.follow_url"
	keyTeamName = "team.follow_name"
)

// showTeam opens the Team control: the NATS URL and follower name, Follow
// and Stop, and what the follower says.
func (c *controller) showTeam() {
	t := c.d.Team
	url := widget.NewEntry()
	url.SetPlaceHolder("e.g. nats://team-server:4222")
	name := widget.NewEntry()
	name.SetPlaceHolder("(this computer's name)")
	if v, err := c.d.Settings.Setting(keyTeamURL); err == nil {
		url.SetText(v)
	}
	if v, err := c.d.Settings.Setting(keyTeamName); err == nil {
		name.SetText(v)
	}
	status := widgets.Caption(c.teamStatus)
	status.Wrapping = fyne.TextWrapWord
	errLbl := widgets.ErrorLabel()
	follow := widget.NewButtonWithIcon("Follow", theme.MediaPlayIcon(), nil)
	follow.Importance = widget.HighImportance
	stop := widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), func() { go t.Stop() })
	follow.OnTapped = func() {
		errLbl.Hide()
		u, n := url.Text, name.Text
		run(c, func() error {
			if err := t.Follow(u, n); err != nil {
				return err
			}
			c.d.Settings.SetSetting(keyTeamURL, u)
			return c.d.Settings.SetSetting(keyTeamName, n)
		}, func(err error) {
			if err != nil {
				errLbl.SetText(err.Error())
				errLbl.Show()
			}
		})
	}
	c.teamLabel = status

	// Publishing: this window's captures to the same kind of stream.
	pubURL := widget.NewEntry()
	pubURL.SetPlaceHolder("e.g. nats://team-server:4222")
	if v := t.Publishing(); v != "" {
		pubURL.SetText(v)
	} else if v, err := c.d.Settings.Setting(keyTeamURL); err == nil {
		pubURL.SetText(v)
	}
	pubStatus := widgets.Caption(c.publishText())
	pubStatus.Wrapping = fyne.TextWrapWord
	pubErr := widgets.ErrorLabel()
	publish := widget.NewButtonWithIcon("Publish", theme.UploadIcon(), nil)
	stopPub := widget.NewButtonWithIcon("Stop publishing", theme.MediaStopIcon(), nil)
	setPublishing := func(on bool) {
		if on {
			publish.Disable()
			stopPub.Enable()
		} else {
			publish.Enable()
			stopPub.Disable()
		}
	}
	setPublishing(t.Publishing() != "")
	publish.OnTapped = func() {
		pubErr.Hide()
		u := pubURL.Text
		publish.Disable()
		run(c, func() error { return t.Publish(u) }, func(err error) {
			if err != nil {
				pubErr.SetText(err.Error())
				pubErr.Show()
			}
			setPublishing(err == nil)
		})
	}
	stopPub.OnTapped = func() {
		stopPub.Disable()
		run(c, t.StopPublishing, func(err error) {
			if err != nil {
				pubErr.SetText(err.Error())
				pubErr.Show()
			}
			setPublishing(false)
		})
	}
	c.pubLabel = pubStatus

	intro := widgets.Caption("Follow the events a team's Hooklens publishes (hooklens listen --publish) into this window: each follower keeps its place, so nothing is missed or shown twice. Followed events show team in their row.")
	intro.Wrapping = fyne.TextWrapWord
	pubIntro := widgets.Caption("Publish the requests this window captures to a team stream, for others to follow. While NATS is unreachable capture goes on and events wait in the outbox. Secrets are never published.")
	pubIntro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("NATS URL", url), widget.NewFormItem("Follower name", name))
	pubForm := widget.NewForm(widget.NewFormItem("NATS URL", pubURL))
	body := container.NewVBox(
		widgets.Heading("Follow"), intro, form, errLbl, container.NewHBox(follow, stop), status,
		widget.NewSeparator(),
		widgets.Heading("Publish"), pubIntro, pubForm, pubErr, container.NewHBox(publish, stopPub), pubStatus)
	d := dialog.NewCustom("Team", "Close", body, c.w.win)
	d.SetOnClosed(func() { c.teamLabel, c.pubLabel = nil, nil })
	d.Resize(dialogs.FitSize(c.w.win, fyne.NewSize(600, 560)))
	d.Show()
	dialogs.Answer(c.w.win, nil, d.Hide)
}

// publishText is the publisher's latest status, or why there is none.
func (c *controller) publishText() string {
	if c.pubStatus == "" {
		return "not publishing"
	}
	return c.pubStatus
}

// watchTeam keeps the latest follower status for the Team control.
func (c *controller) watchTeam() {
	if c.d.Team == nil {
		return
	}
	c.teamStatus = "not following"
	c.d.Team.OnPublishStatus(func(s string, trouble bool) {
		c.w.do(func() {
			c.pubStatus, c.pubTrouble = s, trouble
			if c.pubLabel != nil {
				c.pubLabel.SetText(c.publishText())
			}
			c.w.top.setTeam(s, trouble)
		})
	})
	c.d.Team.OnStatus(func(s string) {
		c.w.do(func() {
			c.teamStatus = s
			if c.teamLabel != nil {
				c.teamLabel.SetText(s)
			}
		})
	})
}
