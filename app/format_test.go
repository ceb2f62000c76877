package app

import "testing"

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 512: "512 B", 1023: "1023 B", 1024: "1 KiB", 1229: "1.2 KiB",
		256 << 10: "256 KiB", 256<<10 - 3: "256 KiB", 2047: "2 KiB", 10 << 20: "10 MiB", 10<<20 + 300<<10: "10.3 MiB", 3 << 30: "3 GiB",
	} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestStateTextSaysTheStateOnce(t *testing.T) {
	for _, c := range []struct {
		state        State
		reason, want string
	}{
		{Failed, "failed after 4 attempts: 502 Bad Gateway", "failed after 4 attempts: 502 Bad Gateway"},
		{Gone, "the receiver answered 410", "gone — the receiver answered 410"},
		{Delivered, "", "delivered"},
	} {
		if got := StateText(c.state, c.reason); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.state, c.reason, got, c.want)
		}
	}
}
