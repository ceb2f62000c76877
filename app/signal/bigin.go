package signal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// The Zoho Signals API limits.
const (
	MaxSubject = 100  // characters
	MaxMessage = 1000 // characters
)

// Signal is a Bigin custom signal as zoho.bigin.raiseSignals and the
// Signals API take it: the namespace <topping namespace>_<signal name>, the
// contact (email, or record id), subject, message and link actions.
type Signal struct {
	Namespace string
	Email     string
	RecordID  string // the contact's record id, instead of Email
	Subject   string
	Message   string
	Actions   []Action
}

// Action is a link shown under the signal.
type Action struct {
	DisplayName string
	URL         string
	OpenIn      string // "tab" (the default when empty) or "popup"
}

// FieldError is one problem with one field of a signal.
type FieldError struct {
	// Field is namespace, email, record_id, subject, message, actions, or
	// actions[i].display_name, actions[i].url, actions[i].open_in.
	Field   string
	Message string // what is wrong and what to do
	// Fix is the corrected value to offer, when there is an obvious one
	// (an action URL without its https://).
	Fix string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

var (
	namespaceRE = regexp.MustCompile(`^[a-z][a-z0-9]*_[a-z0-9]+(_[a-z0-9]+)*$`)
	recordIDRE  = regexp.MustCompile(`^[0-9]{1,30}$`)
)

// Validate checks s as Bigin would, with one message per field at fault;
// none means s can be sent.
func (s Signal) Validate() []FieldError {
	var errs []FieldError
	add := func(field, msg, fix string) { errs = append(errs, FieldError{field, msg, fix}) }

	switch ns := s.Namespace; {
	case strings.TrimSpace(ns) == "":
		add("namespace", "the signal namespace is missing: give <topping namespace>_<signal name>, as the Developer Console shows it, like zylkersurveys_survey_viewed", "")
	case !namespaceRE.MatchString(ns):
		fix := strings.ToLower(strings.TrimSpace(ns))
		if !namespaceRE.MatchString(fix) {
			fix = ""
		}
		add("namespace", fmt.Sprintf("%q is not a signal namespace: it is <topping namespace>_<signal name> in lower-case letters and digits joined by _, like zylkersurveys_survey_viewed", ns), fix)
	}

	email, id := strings.TrimSpace(s.Email), strings.TrimSpace(s.RecordID)
	switch {
	case email == "" && id == "":
		add("email", "the contact is missing: give the contact's email (or its record id)", "")
	case email != "" && id != "":
		add("record_id", "give the contact's email or its record id, not both", "")
	case email != "":
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
			add("email", fmt.Sprintf("%q is not an email address: write it like lena.fischer@example.com", s.Email), "")
		}
	default:
		if !recordIDRE.MatchString(id) {
			add("record_id", fmt.Sprintf("%q is not a record id: Bigin record ids are digits, like 7183000000412055", s.RecordID), "")
		}
	}

	checkText := func(field, what, v string, max int) {
		n := utf8.RuneCountInString(v)
		switch {
		case strings.TrimSpace(v) == "":
			add(field, "the "+what+" is missing", "")
		case !utf8.ValidString(v):
			add(field, "the "+what+" is not valid UTF-8 text", "")
		case n > max:
			add(field, fmt.Sprintf("the %s is %d characters; Bigin takes at most %d: shorten it by %d", what, n, max, n-max), "")
		}
	}
	checkText("subject", "subject", s.Subject, MaxSubject)
	checkText("message", "message", s.Message, MaxMessage)

	if len(s.Actions) == 0 {
		add("actions", "add at least one link action (a display name and an http or https URL): the Signals API requires one", "")
	}
	for i, a := range s.Actions {
		f := fmt.Sprintf("actions[%d]", i)
		n := i + 1
		if strings.TrimSpace(a.DisplayName) == "" {
			add(f+".display_name", fmt.Sprintf("action %d has no display name: give the text of its link", n), "")
		}
		if msg, fix := checkActionURL(a.URL); msg != "" {
			add(f+".url", fmt.Sprintf("action %d: %s", n, msg), fix)
		}
		if a.OpenIn != "" && a.OpenIn != "tab" && a.OpenIn != "popup" {
			add(f+".open_in", fmt.Sprintf("action %d opens in %q: choose tab or popup", n, a.OpenIn), "")
		}
	}
	return errs
}

// checkActionURL says what is wrong with an action's URL, and the fixed URL
// when adding https:// fixes it.
func checkActionURL(raw string) (msg, fix string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "the URL is missing: give an http or https address", ""
	}
	u, err := url.Parse(s)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if u.Host == "" {
			return fmt.Sprintf("URL %q has no host: write it like https://www.bigin.com", raw), ""
		}
		return "", ""
	}
	if f := FixURL(s); f != s {
		if fu, err := url.Parse(f); err == nil && strings.Contains(fu.Hostname(), ".") {
			return fmt.Sprintf("URL %q has no scheme: Bigin opens only http and https links; use %s", raw, f), f
		}
	}
	if err == nil && u.Scheme != "" {
		return fmt.Sprintf("URL %q is not http or https: Bigin opens only web links", raw), ""
	}
	return fmt.Sprintf("%q is not a web address: write it like https://www.bigin.com", raw), ""
}

// FixURL adds https:// to an address written without a scheme, such as the
// seed's www.bigin.com; any other value is returned trimmed but unchanged.
func FixURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, "://") || strings.HasPrefix(s, "/") {
		return s
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		// host:port keeps going; mailto:, javascript: and the like do not.
		rest := s[i+1:]
		port, _, _ := strings.Cut(rest, "/")
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return s
		}
	}
	return "https://" + s
}

// signalJSON is the Signals API shape of one signal; field order as the
// seed and the API docs write it.
type signalJSON struct {
	Namespace string       `json:"signal_namespace"`
	Email     string       `json:"email,omitempty"`
	ID        string       `json:"id,omitempty"`
	Subject   string       `json:"subject"`
	Message   string       `json:"message"`
	Actions   []actionJSON `json:"actions"`
}

type actionJSON struct {
	Type        string `json:"type"`
	OpenIn      string `json:"open_in"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
}

func (s Signal) wire() signalJSON {
	w := signalJSON{Namespace: strings.TrimSpace(s.Namespace), Email: strings.TrimSpace(s.Email), ID: strings.TrimSpace(s.RecordID),
		Subject: s.Subject, Message: s.Message, Actions: []actionJSON{}}
	for _, a := range s.Actions {
		open := a.OpenIn
		if open == "" {
			open = "tab"
		}
		w.Actions = append(w.Actions, actionJSON{Type: "link", OpenIn: open, DisplayName: strings.TrimSpace(a.DisplayName), URL: strings.TrimSpace(a.URL)})
	}
	return w
}

// Payload is s in the Signals notification API's shape,
// {"signals":[{"signal_namespace","email","subject","message","actions"}]}
// (with "id" in place of "email" for a record id), to POST with an
// "Authorization: Zoho-oauthtoken ..." connection. Validate s first.
func (s Signal) Payload() []byte {
	return encodeJSON(struct {
		Signals []signalJSON `json:"signals"`
	}{[]signalJSON{s.wire()}})
}

// Body is s as one signal object, the shape the Bigin signal templates and
// a topping's custom function receive.
func (s Signal) Body() []byte { return encodeJSON(s.wire()) }

func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v) // plain strings and slices always encode
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// DataCentre is a Zoho data centre: the domain ending of its API host
// www.zohoapis.<Domain>.
type DataCentre struct {
	Domain string // com, eu, in, com.au, ...
	Name   string // United States, Europe, ...
}

// DataCentres are Zoho's data centres, the default (com) first.
var DataCentres = []DataCentre{
	{"com", "United States"},
	{"eu", "Europe"},
	{"in", "India"},
	{"com.au", "Australia"},
	{"jp", "Japan"},
	{"ca", "Canada"},
	{"sa", "Saudi Arabia"},
	{"ae", "United Arab Emirates"},
	{"com.cn", "China"},
}

// FunctionURL is a topping's custom function invoked as a REST API, the
// webhook URL a third-party service is given:
// https://www.zohoapis.<dc>/bigin/v1/functions/<topping>_<function>/actions/execute?auth_type=apikey&zapikey=<zapikey>
type FunctionURL struct {
	DC       string // a DataCentres domain; "" means com
	Topping  string // the topping namespace, e.g. zylkersurveys
	Function string // the function's name, e.g. relaysignal
	ZAPIKey  string // secret: show it through Masked
}

var (
	toppingRE  = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	functionRE = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
)

func (f FunctionURL) dc() string {
	if f.DC == "" {
		return "com"
	}
	return f.DC
}

// Validate reports the first thing wrong with f, in words for the form.
func (f FunctionURL) Validate() error {
	known := false
	var names []string
	for _, d := range DataCentres {
		names = append(names, d.Domain)
		known = known || d.Domain == f.dc()
	}
	switch {
	case !known:
		return fmt.Errorf("data centre %q is not one of Zoho's: choose %s", f.DC, strings.Join(names, ", "))
	case !toppingRE.MatchString(f.Topping):
		return fmt.Errorf("topping namespace %q must be lower-case letters and digits, as the Developer Console shows it (like zylkersurveys)", f.Topping)
	case !functionRE.MatchString(f.Function):
		return fmt.Errorf("function name %q must be lower-case letters, digits and _, as in the function's REST API URL (like relaysignal)", f.Function)
	case strings.TrimSpace(f.ZAPIKey) == "":
		return fmt.Errorf("the zapikey is missing: copy the function's REST API URL from Bigin's Invoke as REST API dialog, or get the key with the Get ZApikey function")
	case strings.ContainsAny(f.ZAPIKey, " \t\r\n"):
		return fmt.Errorf("the zapikey holds spaces or line breaks: copy it again without them")
	}
	return nil
}

// URL is the function's REST API URL, zapikey included: a secret, for
// sending only. Validate f first.
func (f FunctionURL) URL() string { return f.build(url.QueryEscape(strings.TrimSpace(f.ZAPIKey))) }

// Masked is URL with the zapikey hidden, for showing.
func (f FunctionURL) Masked() string { return f.build(app.Mask(strings.TrimSpace(f.ZAPIKey))) }

// String is Masked, so a FunctionURL printed by mistake shows no secret.
func (f FunctionURL) String() string { return f.Masked() }

func (f FunctionURL) build(key string) string {
	return "https://www.zohoapis." + f.dc() + "/bigin/v1/functions/" + f.Topping + "_" + f.Function +
		"/actions/execute?auth_type=apikey&zapikey=" + key
}

// ParseFunctionURL reads a function URL as Bigin's Invoke as REST API dialog
// shows it.
func ParseFunctionURL(raw string) (FunctionURL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url's error quotes the URL, zapikey and all: say it without.
		return FunctionURL{}, errors.New("the function URL cannot be read: copy it again from Bigin's Invoke as REST API dialog")
	}
	host, ok := strings.CutPrefix(u.Host, "www.zohoapis.")
	if u.Scheme != "https" || !ok {
		return FunctionURL{}, fmt.Errorf("a function URL starts with https://www.zohoapis.<data centre>/, not %s://%s", u.Scheme, u.Host)
	}
	name, ok := strings.CutPrefix(u.Path, "/bigin/v1/functions/")
	name, ok2 := strings.CutSuffix(name, "/actions/execute")
	topping, function, ok3 := strings.Cut(name, "_")
	if !ok || !ok2 || !ok3 {
		return FunctionURL{}, fmt.Errorf("path %q is not /bigin/v1/functions/<topping>_<function>/actions/execute", u.Path)
	}
	q := u.Query()
	if q.Get("auth_type") != "apikey" {
		return FunctionURL{}, fmt.Errorf("the URL has no auth_type=apikey: copy the production URL from the Invoke as REST API dialog")
	}
	f := FunctionURL{DC: host, Topping: topping, Function: function, ZAPIKey: q.Get("zapikey")}
	return f, f.Validate()
}
