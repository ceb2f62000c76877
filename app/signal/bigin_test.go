package signal

import (
	"strings"
	"testing"
)

// seedSignal is the seed's raiseSignals sample with its namespace filled in.
func seedSignal() Signal {
	return Signal{
		Namespace: "zylkersurveys_survey_viewed",
		Email:     "support@bigin.com",
		Subject:   "Bigin Signals",
		Message:   "Detailed description of Signals in Bigin",
		Actions: []Action{
			{DisplayName: "Bigin Website Link", URL: "https://www.bigin.com", OpenIn: "tab"},
			{DisplayName: "Bigin Website Link2", URL: "https://bigin.zoho.com", OpenIn: "popup"},
		},
	}
}

func TestSignalPayloadIsTheSignalsAPIShape(t *testing.T) {
	s := seedSignal()
	if errs := s.Validate(); len(errs) > 0 {
		t.Fatalf("the seed's signal is refused: %v", errs)
	}
	want := `{"signals":[{"signal_namespace":"zylkersurveys_survey_viewed","email":"support@bigin.com","subject":"Bigin Signals",` +
		`"message":"Detailed description of Signals in Bigin","actions":[` +
		`{"type":"link","open_in":"tab","display_name":"Bigin Website Link","url":"https://www.bigin.com"},` +
		`{"type":"link","open_in":"popup","display_name":"Bigin Website Link2","url":"https://bigin.zoho.com"}]}]}`
	if got := string(s.Payload()); got != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
	// A record id goes as "id"; an action without open_in opens in a tab.
	s.Email, s.RecordID = "", "7183000000412055"
	s.Actions = []Action{{DisplayName: "Order <ZY-20931> & more", URL: "https://shop.zylker.com/o?id=1&x=2"}}
	if errs := s.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	got := string(s.Payload())
	if !strings.Contains(got, `"id":"7183000000412055","subject"`) || strings.Contains(got, `"email"`) ||
		!strings.Contains(got, `"open_in":"tab","display_name":"Order <ZY-20931> & more","url":"https://shop.zylker.com/o?id=1&x=2"`) {
		t.Errorf("record id payload %s", got)
	}
}

func TestSignalValidateRefusesEachBadField(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Signal)
		field  string
		says   string
		fix    string
	}{
		{"no namespace", func(s *Signal) { s.Namespace = " " }, "namespace", "namespace is missing", ""},
		{"namespace without signal name", func(s *Signal) { s.Namespace = "zylkersurveys" }, "namespace", "<topping namespace>_<signal name>", ""},
		{"namespace with spaces", func(s *Signal) { s.Namespace = "zylker surveys_viewed" }, "namespace", "lower-case letters and digits joined by _", ""},
		{"namespace upper case", func(s *Signal) { s.Namespace = "ZylkerSurveys_Survey_Viewed" }, "namespace", "lower-case", "zylkersurveys_survey_viewed"},
		{"namespace with a dash", func(s *Signal) { s.Namespace = "zylker-surveys_viewed" }, "namespace", "like zylkersurveys_survey_viewed", ""},
		{"namespace ends in _", func(s *Signal) { s.Namespace = "zylkersurveys_" }, "namespace", "<topping namespace>_<signal name>", ""},
		{"no contact", func(s *Signal) { s.Email = "" }, "email", "give the contact's email (or its record id)", ""},
		{"email without @", func(s *Signal) { s.Email = "support.bigin.com" }, "email", `"support.bigin.com" is not an email address`, ""},
		{"email with a name", func(s *Signal) { s.Email = "Support <support@bigin.com>" }, "email", "not an email address", ""},
		{"email without domain dot", func(s *Signal) { s.Email = "support@bigin" }, "email", "not an email address", ""},
		{"email and record id", func(s *Signal) { s.RecordID = "7183000000412055" }, "record_id", "not both", ""},
		{"record id not digits", func(s *Signal) { s.Email, s.RecordID = "", "abc-12" }, "record_id", "record ids are digits", ""},
		{"no subject", func(s *Signal) { s.Subject = "" }, "subject", "subject is missing", ""},
		{"subject too long", func(s *Signal) { s.Subject = strings.Repeat("s", 101) }, "subject", "101 characters; Bigin takes at most 100: shorten it by 1", ""},
		{"no message", func(s *Signal) { s.Message = "\n" }, "message", "message is missing", ""},
		{"message too long", func(s *Signal) { s.Message = strings.Repeat("m", 1001) }, "message", "1001 characters; Bigin takes at most 1000", ""},
		{"message not UTF-8", func(s *Signal) { s.Message = "caf\xe9" }, "message", "not valid UTF-8", ""},
		{"no actions", func(s *Signal) { s.Actions = nil }, "actions", "at least one link action", ""},
		{"action without name", func(s *Signal) { s.Actions[1].DisplayName = "" }, "actions[1].display_name", "action 2 has no display name", ""},
		{"the seed's URL without scheme", func(s *Signal) { s.Actions[0].URL = "www.bigin.com" }, "actions[0].url",
			`action 1: URL "www.bigin.com" has no scheme: Bigin opens only http and https links; use https://www.bigin.com`, "https://www.bigin.com"},
		{"path without scheme", func(s *Signal) { s.Actions[0].URL = "bigin.zoho.com/crm?x=1" }, "actions[0].url", "has no scheme", "https://bigin.zoho.com/crm?x=1"},
		{"ftp URL", func(s *Signal) { s.Actions[0].URL = "ftp://files.zylker.com/a" }, "actions[0].url", "is not http or https", ""},
		{"javascript URL", func(s *Signal) { s.Actions[0].URL = "javascript:alert(1)" }, "actions[0].url", "is not http or https", ""},
		{"mailto URL", func(s *Signal) { s.Actions[1].URL = "mailto:support@bigin.com" }, "actions[1].url", "is not http or https", ""},
		{"no URL", func(s *Signal) { s.Actions[0].URL = "" }, "actions[0].url", "URL is missing", ""},
		{"URL without host", func(s *Signal) { s.Actions[0].URL = "https:///path" }, "actions[0].url", "has no host", ""},
		{"not an address", func(s *Signal) { s.Actions[0].URL = "click here" }, "actions[0].url", "is not a web address", ""},
		{"opens in a window", func(s *Signal) { s.Actions[1].OpenIn = "window" }, "actions[1].open_in", `opens in "window": choose tab or popup`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := seedSignal()
			s.Actions = append([]Action(nil), s.Actions...)
			c.change(&s)
			errs := s.Validate()
			if len(errs) != 1 {
				t.Fatalf("got %d errors %v, want one for %s", len(errs), errs, c.field)
			}
			e := errs[0]
			if e.Field != c.field || !strings.Contains(e.Message, c.says) || e.Fix != c.fix {
				t.Errorf("got %s %q (fix %q), want %s saying %q (fix %q)", e.Field, e.Message, e.Fix, c.field, c.says, c.fix)
			}
			if e.Fix != "" {
				// Taking the offered fix makes the signal valid.
				fixed := seedSignal()
				fixed.Actions = append([]Action(nil), fixed.Actions...)
				c.change(&fixed)
				if strings.HasPrefix(e.Field, "actions[") {
					fixed.Actions[0].URL = e.Fix
				} else {
					fixed.Namespace = e.Fix
				}
				if errs := fixed.Validate(); len(errs) > 0 {
					t.Errorf("after the fix: %v", errs)
				}
			}
		})
	}
	// Limits count characters, not bytes.
	s := seedSignal()
	s.Subject = strings.Repeat("é", MaxSubject)
	s.Message = strings.Repeat("€", MaxMessage)
	if errs := s.Validate(); len(errs) > 0 {
		t.Errorf("100 and 1000 accented characters refused: %v", errs)
	}
	// Every error at once, one per field.
	if errs := (Signal{Actions: []Action{{}}}).Validate(); len(errs) != 6 {
		t.Errorf("empty signal: %d errors %v, want namespace, email, subject, message, display name and URL", len(errs), errs)
	}
}

func TestFixURL(t *testing.T) {
	for in, want := range map[string]string{
		"www.bigin.com":           "https://www.bigin.com",
		" www.bigin.com/a?b=1 ":   "https://www.bigin.com/a?b=1",
		"example.com:8443/x":      "https://example.com:8443/x",
		"https://bigin.zoho.com":  "https://bigin.zoho.com",
		"http://127.0.0.1:3000/":  "http://127.0.0.1:3000/",
		"mailto:support@bigin.io": "mailto:support@bigin.io",
		"javascript:alert(1)":     "javascript:alert(1)",
		"/relative/path":          "/relative/path",
		"":                        "",
	} {
		if got := FixURL(in); got != want {
			t.Errorf("FixURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFunctionURL(t *testing.T) {
	const key = "1001.3f9a7c2e5b8d4a61e0c7f2b9d8a5e3c1.6b2e9f4a7d1c8e3b5a0f9c2d7e4b1a86"
	f := FunctionURL{Topping: "zylkersurveys", Function: "relaysignal", ZAPIKey: key}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := f.URL(); got != "https://www.zohoapis.com/bigin/v1/functions/zylkersurveys_relaysignal/actions/execute?auth_type=apikey&zapikey="+key {
		t.Errorf("URL %s", got)
	}
	masked := f.Masked()
	if strings.Contains(masked, key[5:len(key)-4]) || !strings.HasSuffix(masked, "1a86") ||
		!strings.HasPrefix(masked, "https://www.zohoapis.com/bigin/v1/functions/zylkersurveys_relaysignal/actions/execute?auth_type=apikey&zapikey=1001.") {
		t.Errorf("masked %s", masked)
	}
	if f.String() != masked {
		t.Error("String shows more than Masked")
	}
	for _, dc := range DataCentres {
		g := f
		g.DC = dc.Domain
		if err := g.Validate(); err != nil || !strings.HasPrefix(g.URL(), "https://www.zohoapis."+dc.Domain+"/bigin/") {
			t.Errorf("%s (%s): %s %v", dc.Domain, dc.Name, g.URL(), err)
		}
		back, err := ParseFunctionURL(g.URL())
		if err != nil || back != g {
			t.Errorf("parsing %s: %+v %v", g.URL(), back, err)
		}
	}
	for _, want := range []string{"com", "eu", "in", "com.au", "jp", "ca", "sa", "com.cn"} {
		found := false
		for _, dc := range DataCentres {
			found = found || dc.Domain == want
		}
		if !found {
			t.Errorf("no %s data centre", want)
		}
	}
	odd := FunctionURL{Topping: "zylkersurveys", Function: "relaysignal", ZAPIKey: "a+b/c=&d"}
	if back, err := ParseFunctionURL(odd.URL()); err != nil || back.ZAPIKey != odd.ZAPIKey {
		t.Errorf("a zapikey with URL characters: %+v %v", back, err)
	}
	for name, c := range map[string]struct {
		f    FunctionURL
		want string
	}{
		"unknown dc":    {FunctionURL{DC: "co.uk", Topping: "t", Function: "f", ZAPIKey: "k"}, "choose com, eu, in"},
		"topping case":  {FunctionURL{Topping: "Zylker", Function: "f", ZAPIKey: "k"}, "topping namespace"},
		"function dash": {FunctionURL{Topping: "t", Function: "relay-signal", ZAPIKey: "k"}, "function name"},
		"no zapikey":    {FunctionURL{Topping: "t", Function: "f"}, "zapikey is missing"},
		"spaced key":    {FunctionURL{Topping: "t", Function: "f", ZAPIKey: "10 01"}, "spaces"},
	} {
		if err := c.f.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	for _, bad := range []string{
		"http://www.zohoapis.com/bigin/v1/functions/t_f/actions/execute?auth_type=apikey&zapikey=k",
		"https://www.zohoapis.com/crm/v2/functions/t_f/actions/execute?auth_type=apikey&zapikey=k",
		"https://www.zohoapis.com/bigin/v1/functions/t_f/actions/execute?auth_type=oauth",
		"https://www.zohoapis.com/bigin/v1/functions/tf/actions/execute?auth_type=apikey&zapikey=k",
	} {
		if _, err := ParseFunctionURL(bad); err == nil {
			t.Errorf("ParseFunctionURL(%q) gave no error", bad)
		} else if strings.Contains(err.Error(), "zapikey=k") {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
}

func TestParseFunctionURLNeverQuotesTheKey(t *testing.T) {
	_, err := ParseFunctionURL("https://www.zohoapis.com/bigin/v1/functions/t_f/actions/execute?auth_type=apikey&zapikey=1001.secret%zz\x7f")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("error %v", err)
	}
}
