package demo

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReceiverAnswersLikeTheDemoStorySays(t *testing.T) {
	srv := httptest.NewServer(&Receiver{})
	defer srv.Close()
	status := func(path string) int {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := status(CRMPath); s != 200 {
		t.Errorf("crm: %d", s)
	}
	if a, b, c := status(DeskPath), status(DeskPath), status(DeskPath); a != 503 || b != 503 || c != 201 {
		t.Errorf("desk: %d %d %d, want 503 503 201", a, b, c)
	}
	if s := status(LegacyPath); s != 410 {
		t.Errorf("legacy: %d", s)
	}
}
