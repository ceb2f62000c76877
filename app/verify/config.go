package verify

import "github.com/hooklens/hooklens/app"

// Config is a scheme with its options; its grammar lives in package app
// (app.ParseScheme), the one home every door checks a scheme setting with.
type Config = app.SchemeConfig

// Options tune a scheme; see app.SchemeOptions.
type Options = app.SchemeOptions

// ParseConfig reads a scheme setting (see app.ParseScheme).
func ParseConfig(s string) (Config, error) { return app.ParseScheme(s) }
