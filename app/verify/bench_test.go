package verify

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// BenchmarkDiagnosis measures what explaining a mismatch costs against the
// baseline of checking a valid signature, per body size; the listener pays
// it on every failing request.
func BenchmarkDiagnosis(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10, 1 << 20, 8 << 20} {
		body := append([]byte(`{"items":[`), bytes.Repeat([]byte(`{"id":12345,"name":"widget"},`), size/29)...)
		body = append(body[:len(body)-1], "]}"...)
		ok := stripeSent(stripeSecret, string(body), string(body))
		bad := stripeSent("whsec_wrong", string(body), string(body))
		ok.Time, bad.Time = time.Unix(1700000000, 0), time.Unix(1700000000, 0)
		keys := secret(stripeSecret)
		var valid, mismatch float64
		b.Run(fmt.Sprintf("valid/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				Check(ok, cfg("stripe"), keys)
			}
			valid = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
		b.Run(fmt.Sprintf("mismatch/%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				Check(bad, cfg("stripe"), keys)
			}
			mismatch = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if valid > 0 {
				b.ReportMetric(mismatch/valid, "x-valid")
			}
		})
	}
}
