module github.com/hooklens/hooklens

go 1.26

require (
	fyne.io/fyne/v2 v2.8.1
	github.com/skratchdot/open-golang v0.0.0-20200116055534-eef842397966
	go.etcd.io/bbolt v1.5.0
)
