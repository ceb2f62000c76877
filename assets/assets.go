// Package assets embeds the files Hooklens ships inside its binary: the
// application icon and the provider template library.
package assets

import "embed"

//go:generate go run gen_icon.go -o icon.png

// Icon is the 512x512 PNG application icon.
//
//go:embed icon.png
var Icon []byte

// Templates holds templates/*.json, one provider event per file.
//
//go:embed templates
var Templates embed.FS

// Resource is a named blob. It has the method set of fyne.Resource, so the
// window can use it while this package stays free of Fyne (and of cgo).
type Resource struct {
	name    string
	content []byte
}

// Name is the file name the resource was made from.
func (r *Resource) Name() string { return r.name }

// Content is the resource's bytes; callers must not change them.
func (r *Resource) Content() []byte { return r.content }

// IconResource is Icon ready for fyne.App.SetIcon.
func IconResource() *Resource { return &Resource{name: "icon.png", content: Icon} }
