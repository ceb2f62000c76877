package signal

import "github.com/hooklens/hooklens/assets"

// Builtin is the template library shipped in the binary (assets/templates).
func Builtin() ([]Template, error) { return LoadTemplates(assets.Templates) }
