package dialogs

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
	"github.com/hooklens/hooklens/ui/widgets"
)

// ConnectionList is the Connections dialog: credentials saved once and used
// by name from targets (Bigin's connections). The caller fills it with Set
// and acts on the callbacks.
type ConnectionList struct {
	listBody[app.Connection]
	OnAdd    func()
	OnEdit   func(app.Connection)
	OnDelete func(name string)
}

// NewConnectionList builds the dialog over parent.
func NewConnectionList(parent fyne.Window) *ConnectionList {
	c := &ConnectionList{}
	intro := "A connection keeps credentials once — basic auth, a bearer or OAuth token with its prefix " +
		"(Zoho-oauthtoken), or an API key in a header or the query (zapikey) — for any number of targets."
	add := widget.NewButtonWithIcon("Add connection", theme.ContentAddIcon(), func() { call(c.OnAdd) })
	add.Importance = widget.HighImportance
	c.init("Connections", intro, "No connections yet.", []fyne.CanvasObject{add}, fyne.NewSize(720, 480), c.row, parent)
	return c
}

func (c *ConnectionList) row(x app.Connection) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(x.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	desc := widgets.Caption(kindLabel(x.Kind) + " · " + x.Describe())
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() {
		if c.OnEdit != nil {
			c.OnEdit(x)
		}
	})
	del := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() {
		if c.OnDelete != nil {
			c.OnDelete(x.Name)
		}
	})
	del.Importance = widget.LowImportance
	return listRow([]fyne.CanvasObject{name, desc}, edit, del)
}

// kindLabel names a connection kind for people.
func kindLabel(kind string) string {
	switch kind {
	case app.AuthBasic:
		return "Basic auth"
	case app.AuthBearer:
		return "Bearer / OAuth token"
	case app.AuthAPIKeyHeader:
		return "API key in a header"
	case app.AuthAPIKeyQuery:
		return "API key in the query"
	}
	return "None"
}

// ConnectionEditor adds or edits one connection. Save checks it with
// app.Connection.Validate and hands it to OnSave; the caller stores it and
// answers with Saved or Failed.
type ConnectionEditor struct {
	OnSave func(x app.Connection, isNew bool)

	Name, Username, Prefix, KeyName *widgets.Entry
	Kind                            *widget.Select
	Password, Token, KeyValue       *widgets.Secret
	SaveErr                         *widget.Label

	isNew                          bool
	dlg                            *formDialog
	preview                        *widget.Label
	basicRows, bearerRows, keyRows []fyne.CanvasObject
}

// NewConnectionEditor builds the editor on x over parent.
func NewConnectionEditor(x app.Connection, isNew bool, parent fyne.Window, do func(func())) *ConnectionEditor {
	ed := &ConnectionEditor{isNew: isNew}
	label := widgets.FormLabel
	ed.Name = widgets.NewEntry()
	ed.Name.SetText(x.Name)
	ed.Name.SetPlaceHolder("e.g. zoho-crm")
	if !isNew {
		ed.Name.Disable()
	}
	ed.Username = widgets.NewEntry()
	ed.Username.SetText(x.Username)
	ed.Password = widgets.NewSecretInput(x.Password, "Paste the password to replace it", do)
	ed.Prefix = widgets.NewEntry()
	ed.Prefix.SetText(x.Prefix)
	ed.Prefix.SetPlaceHolder("Bearer (e.g. Zoho-oauthtoken)")
	ed.Token = widgets.NewSecretInput(x.Token, "Paste the token to replace it", do)
	ed.KeyName = widgets.NewEntry()
	ed.KeyName.SetText(x.KeyName)
	ed.KeyName.SetPlaceHolder("e.g. zapikey or X-API-Key")
	ed.KeyValue = widgets.NewSecretInput(x.KeyValue, "Paste the key to replace it", do)
	ed.preview = widgets.Caption("")
	ed.SaveErr = widgets.ErrorLabel()
	labels := make([]string, len(app.AuthKinds))
	for i, k := range app.AuthKinds {
		labels[i] = kindLabel(k)
	}
	ed.basicRows = []fyne.CanvasObject{label("Username"), ed.Username, label("Password"), ed.Password.Root}
	ed.bearerRows = []fyne.CanvasObject{label("Prefix"), ed.Prefix, label("Token"), ed.Token.Root}
	ed.keyRows = []fyne.CanvasObject{label("Key name"), ed.KeyName, label("Key value"), ed.KeyValue.Root}
	ed.Kind = widget.NewSelect(labels, func(string) { ed.kindChanged() })
	kind := x.Kind
	if kind == "" {
		kind = app.AuthNone
	}
	ed.Kind.SetSelected(kindLabel(kind))
	objs := []fyne.CanvasObject{label("Name"), ed.Name, label("Kind"), ed.Kind}
	objs = append(objs, ed.basicRows...)
	objs = append(objs, ed.bearerRows...)
	objs = append(objs, ed.keyRows...)
	objs = append(objs, label("Adds"), ed.preview)
	form := container.New(layout.NewFormLayout(), objs...)
	title := "Edit connection " + x.Name
	if isNew {
		title = "New connection"
	}
	ed.dlg, _ = editorDialog(title, container.NewBorder(nil, ed.SaveErr, nil, nil, container.NewPadded(form)), ed.doSave,
		fyne.NewSize(640, 420), parent)
	return ed
}

// Show opens the editor.
func (ed *ConnectionEditor) Show() { ed.dlg.Show() }

// Saved closes the editor after the caller stored the connection.
func (ed *ConnectionEditor) Saved() { ed.dlg.Hide() }

// Failed says why the connection could not be stored.
func (ed *ConnectionEditor) Failed(err error) { showFailure(ed.SaveErr, nil, err) }

func (ed *ConnectionEditor) kindValue() string {
	for _, k := range app.AuthKinds {
		if kindLabel(k) == ed.Kind.Selected {
			return k
		}
	}
	return app.AuthNone
}

func (ed *ConnectionEditor) kindChanged() {
	k := ed.kindValue()
	widgets.ShowRow(k == app.AuthBasic, ed.basicRows...)
	widgets.ShowRow(k == app.AuthBearer, ed.bearerRows...)
	widgets.ShowRow(k == app.AuthAPIKeyHeader || k == app.AuthAPIKeyQuery, ed.keyRows...)
	ed.preview.SetText(ed.collect().Describe())
}

func (ed *ConnectionEditor) collect() app.Connection {
	x := app.Connection{Name: strings.TrimSpace(ed.Name.Text), Kind: ed.kindValue()}
	switch x.Kind {
	case app.AuthBasic:
		x.Username, x.Password = strings.TrimSpace(ed.Username.Text), ed.Password.Value()
	case app.AuthBearer:
		x.Prefix, x.Token = strings.TrimSpace(ed.Prefix.Text), ed.Token.Value()
	case app.AuthAPIKeyHeader, app.AuthAPIKeyQuery:
		x.KeyName, x.KeyValue = strings.TrimSpace(ed.KeyName.Text), ed.KeyValue.Value()
	}
	return x
}

func (ed *ConnectionEditor) doSave() {
	x := ed.collect()
	if err := x.Validate(); err != nil {
		showFailure(ed.SaveErr, nil, err)
		return
	}
	if ed.OnSave != nil {
		ed.OnSave(x, ed.isNew)
	}
}
