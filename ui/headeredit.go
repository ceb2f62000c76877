package ui

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

// headerEditor edits headers as rows of name and value, in order, repeats
// allowed: what a resend or a target sends.
type headerEditor struct {
	rows     []*headerRow
	box      *fyne.Container
	root     fyne.CanvasObject
	add      *widget.Button
	onChange func() // optional
}

type headerRow struct {
	name, value *widget.Entry
	remove      *widget.Button
	root        fyne.CanvasObject
}

func newHeaderEditor(h app.Headers, addLabel string) *headerEditor {
	he := &headerEditor{box: container.NewVBox()}
	he.add = widget.NewButtonWithIcon(addLabel, theme.ContentAddIcon(), func() {
		r := he.addRow("", "")
		if c := fyne.CurrentApp().Driver().CanvasForObject(he.box); c != nil {
			c.Focus(r.name)
		}
		he.changed()
	})
	he.add.Importance = widget.LowImportance
	he.set(h)
	he.root = he.box
	return he
}

// set replaces every row.
func (he *headerEditor) set(h app.Headers) {
	he.rows = nil
	he.box.Objects = nil
	for _, x := range h {
		he.addRow(x.Name, x.Value)
	}
	he.box.Refresh()
}

func (he *headerEditor) addRow(name, value string) *headerRow {
	r := &headerRow{name: widget.NewEntry(), value: widget.NewEntry()}
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
	r.root = container.NewBorder(nil, nil, fixedWidth(230, r.name), r.remove, r.value)
	he.rows = append(he.rows, r)
	he.box.Add(r.root)
	return r
}

func (he *headerEditor) removeRow(r *headerRow) {
	he.rows = slices.DeleteFunc(he.rows, func(x *headerRow) bool { return x == r })
	he.box.Remove(r.root)
	he.changed()
}

func (he *headerEditor) changed() {
	if he.onChange != nil {
		he.onChange()
	}
}

// headers returns the rows with a name, in order, and what is wrong with
// any of them.
func (he *headerEditor) headers() (app.Headers, error) {
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
		if err := checkHeaderName(name); err != nil {
			problems = append(problems, err.Error())
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

// checkHeaderName accepts an HTTP token (RFC 9110 section 5.6.2).
func checkHeaderName(name string) error {
	for _, c := range name {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return fmt.Errorf("header name %q has %q, which HTTP does not allow in names", name, c)
		}
	}
	return nil
}
