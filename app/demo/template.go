// Package demo turns the provider template library into a believable
// history of captured events for demo mode, so the window can be shown to
// customers without any provider pointing at it.
package demo

import (
	"io/fs"

	"github.com/hooklens/hooklens/app/signal"
)

// Template is a parsed template; the library lives in package signal.
//
// Deprecated: use signal.Template.
type Template = signal.Template

// Dir is the directory of template files inside the file system given to
// LoadTemplates.
//
// Deprecated: use signal.Dir.
const Dir = signal.Dir

// LoadTemplates reads every templates/*.json file of fsys, in file name order.
//
// Deprecated: use signal.LoadTemplates.
func LoadTemplates(fsys fs.FS) ([]Template, error) { return signal.LoadTemplates(fsys) }
