package app

import (
	"strings"
	"testing"
)

func TestRedactURLMasksPasswordsAndCredentialParameters(t *testing.T) {
	for in, want := range map[string]string{
		"https://admin:hunter2@example.com/x": "https://admin:xxxxx@example.com/x",
		"https://www.zohoapis.com/crm/v7/functions/f/actions/execute?auth_type=apikey&zapikey=1003.abcdef0123456789.9f3e": "https://www.zohoapis.com/crm/v7/functions/f/actions/execute?auth_type=apikey&zapikey=1003.••••••••9f3e",
		"https://example.com/hook?b=2&a=1&api_key=sk_live_0123456789abcdef":                                               "https://example.com/hook?b=2&a=1&api_key=sk_••••••••cdef",
		"https://example.com/hook?signature=abc123&x=1":                                                                   "https://example.com/hook?signature=abc123&x=1",
		"http://127.0.0.1:8790/plain?x=%2F":                                                                               "http://127.0.0.1:8790/plain?x=%2F",
		"not a url\x7f":                                                                                                   "not a url\x7f",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	if got := RedactURL("https://u:p@h/?token=abcdefghijklmnop"); strings.Contains(got, ":p@") || strings.Contains(got, "abcdefghijklmnop") {
		t.Errorf("secrets left in %q", got)
	}
}
