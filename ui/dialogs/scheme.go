package dialogs

import "strings"

// DetectScheme is the scheme choice that stores no scheme: each request's
// scheme is then detected from its headers.
const DetectScheme = "any (detected from each request's headers)"

// SplitScheme parts a stored scheme setting into its name and options.
func SplitScheme(s string) (name, opts string) {
	name, opts, _ = strings.Cut(s, ";")
	return strings.TrimSpace(name), strings.TrimSpace(opts)
}

// joinScheme is a scheme setting from a name and the options typed for it.
func joinScheme(name, opts string) string {
	if opts = strings.Trim(strings.TrimSpace(opts), ";"); name != "" && opts != "" {
		return name + ";" + opts
	}
	return name
}

// optionHints say which options each scheme takes, as placeholders.
var optionHints = map[string]string{
	"standard-webhooks": "none needed; e.g. tolerance=10m (default 5m)",
	"stripe":            "none needed; e.g. tolerance=10m (default 5m)",
	"slack":             "none needed; e.g. tolerance=10m (default 5m)",
	"discord":           "none needed; e.g. tolerance=10m (default 5m)",
	"signalzen":         "none needed; e.g. header=X-Custom-Signature",
	"hmac":              "e.g. header=X-Signature;algorithm=sha256;encoding=hex;prefix=sha256=;content={timestamp}.{body};timestamp-header=X-Timestamp",
}
