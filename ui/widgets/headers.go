package widgets

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hooklens/hooklens/app"
)

// HeaderEditor edits headers as rows of name and value, in order, repeats
// allowed: what a resend or a target sends.
type HeaderEditor struct {
	// Root holds the rows; Add is the button that adds one (placed by the
	// caller).
	Root fyne.CanvasObject
	Add  *widget.Button
	// OnChange, when set, runs after any row changes, is added or removed.
	OnChange func()

	rows []*headerRow
	box  *fyne.Container
}

type headerRow struct {
	name, value *Entry
	remove      *widget.Button
	root        fyne.CanvasObject
}

// NewHeaderEditor shows h; addLabel names the add button.
func NewHeaderEditor(h app.Headers, addLabel string) *HeaderEditor {
	he := &HeaderEditor{box: container.NewVBox()}
	he.Add = widget.NewButtonWithIcon(addLabel, theme.ContentAddIcon(), func() {
		r := he.addRow("", "")
		if c := fyne.CurrentApp().Driver().CanvasForObject(he.box); c != nil {
			c.Focus(r.name)
		}
		he.changed()
	})
	he.Add.Importance = widget.LowImportance
	he.Set(h)
	he.Root = he.box
	return he
}

// Set replaces every row.
func (he *HeaderEditor) Set(h app.Headers) {
	he.rows = nil
	he.box.Objects = nil
	for _, x := range h {
		he.addRow(x.Name, x.Value)
	}
	he.box.Refresh()
}

// Len is the number of rows, empty ones included.
func (he *HeaderEditor) Len() int { return len(he.rows) }

// Value is the value of the first row named name (any case), or "".
func (he *HeaderEditor) Value(name string) string {
	for _, r := range he.rows {
		if strings.EqualFold(strings.TrimSpace(r.name.Text), name) {
			return r.value.Text
		}
	}
	return ""
}

// SetValue sets the first row named name (any case) or adds one.
func (he *HeaderEditor) SetValue(name, value string) {
	for _, r := range he.rows {
		if strings.EqualFold(strings.TrimSpace(r.name.Text), name) {
			r.value.SetText(value)
			return
		}
	}
	he.addRow(name, value)
	he.changed()
}

func (he *HeaderEditor) addRow(name, value string) *headerRow {
	r := &headerRow{name: NewEntry(), value: NewEntry()}
	r.name.TextStyle = fyne.TextStyle{Monospace: true}
	r.value.TextStyle = fyne.TextStyle{Monospace: true}
	r.name.SetPlaceHolder("Name")
	r.value.SetPlaceHolder("Value")
	r.name.SetText(name)
	r.value.SetText(value)
	r.name.OnChanged = func(string) { he.changed() }
	r.value.OnChanged = func(string) { he.changed() }
	r.remove = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { he.removeRow(r) })
	r.remove.Importance = widget.LowImportance
	r.root = container.NewBorder(nil, nil, FixedWidth(230, r.name), r.remove, r.value)
	he.rows = append(he.rows, r)
	he.box.Add(r.root)
	return r
}

func (he *HeaderEditor) removeRow(r *headerRow) {
	he.rows = slices.DeleteFunc(he.rows, func(x *headerRow) bool { return x == r })
	he.box.Remove(r.root)
	he.changed()
}

func (he *HeaderEditor) changed() {
	if he.OnChange != nil {
		he.OnChange()
	}
}

// Headers returns the rows with a name, in order, and what is wrong with
// any of them.
func (he *HeaderEditor) Headers() (app.Headers, error) {
	var out app.Headers
	var problems []string
	for i, r := range he.rows {
		name := strings.TrimSpace(r.name.Text)
		if name == "" {
			if strings.TrimSpace(r.value.Text) != "" {
				problems = append(problems, fmt.Sprintf("header row %d has a value but no name", i+1))
			}
			continue
		}
		if !app.IsHeaderName(name) {
			problems = append(problems, fmt.Sprintf("header name %q is not valid: use letters, digits and - (like X-Request-Id)", name))
		}
		if strings.ContainsAny(r.value.Text, "\r\n") {
			problems = append(problems, fmt.Sprintf("header %s: a value cannot contain a line break", name))
		}
		out = append(out, app.Header{Name: name, Value: r.value.Text})
	}
	if len(problems) > 0 {
		return out, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return out, nil
}
