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
	intro := widgets.Caption("Follow the events a team's Hooklens publishes (hooklens listen --publish) into this window: each follower keeps its place, so nothing is missed or shown twice. Followed events show team in their row.")
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("NATS URL", url), widget.NewFormItem("Follower name", name))
	body := container.NewVBox(intro, form, errLbl, container.NewHBox(follow, stop), status)
	d := dialog.NewCustom("Team", "Close", body, c.w.win)
	d.SetOnClosed(func() { c.teamLabel = nil })
	d.Resize(dialogs.FitSize(c.w.win, fyne.NewSize(560, 340)))
	d.Show()
	dialogs.Answer(c.w.win, nil, d.Hide)
}

// watchTeam keeps the latest follower status for the Team control.
func (c *controller) watchTeam() {
	if c.d.Team == nil {
		return
	}
	c.teamStatus = "not following"
	c.d.Team.OnStatus(func(s string) {
		c.w.do(func() {
			c.teamStatus = s
			if c.teamLabel != nil {
				c.teamLabel.SetText(s)
			}
		})
	})
}
