package verify

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hooklens/hooklens/app"
)

// A timestamp ~292 years ahead: time.Sub saturates; the reason must still
// say "ahead" with a positive duration.
func TestFarFutureTimestampIsNotNegative(t *testing.T) {
	arrived := time.Unix(1700000000, 0)
	ts := strconv.FormatInt(arrived.Unix()+293*365*24*3600, 10)
	sig := hmacHex(sha256.New, "s", "v0:"+ts+":{}")
	r := Request{Body: []byte("{}"), Time: arrived, Headers: hdrs("X-Slack-Request-Timestamp", ts, "X-Slack-Signature", "v0="+sig)}
	rep := Check(r, cfg("slack"), secret("s"))
	t.Log(rep.Reason)
	wantResult(t, rep, app.VerdictInvalid, "ahead of the arrival time")
	if negative.MatchString(rep.Reason) || negative.MatchString(rep.Details) {
		t.Fatalf("negative duration in %q\n%s", rep.Reason, rep.Details)
	}
}

var negative = regexp.MustCompile(`-[0-9]`)

// A signature that no encoding decodes is not a secret mismatch.
func TestUndecodableSignatureSaysSo(t *testing.T) {
	r := Request{Body: []byte("{}"), Time: time.Unix(1700000001, 0), Headers: hdrs("Stripe-Signature", "t=1700000000,v1=not a signature!")}
	rep := checkStripe(r)
	wantResult(t, rep, app.VerdictInvalid, "neither hex nor base64", "not a signature!")
	if strings.Contains(rep.Reason, "secret differs") {
		t.Fatalf("reason %q blames the secret", rep.Reason)
	}
}

// Thousands of signatures in one header: only the first MaxSignatures are
// considered, and the reason says so.
func TestSignaturesConsideredAreBounded(t *testing.T) {
	const ts = "1700000000"
	body := `{"a":1}`
	good := hmacHex(sha256.New, stripeSecret, ts+"."+body)
	var parts []string
	for i := range 6500 {
		parts = append(parts, fmt.Sprintf("v1=%064x", i))
	}
	r := Request{Body: []byte(body), Time: time.Unix(1700000001, 0), Headers: hdrs("Stripe-Signature", "t="+ts+","+strings.Join(parts, ","))}
	rep := checkStripe(r)
	wantResult(t, rep, app.VerdictInvalid, "only the first 32 of the 6500 signatures in Stripe-Signature were checked")

	// The right one within the first 32 is found; past them it is not.
	parts[20] = "v1=" + good
	r.Headers = hdrs("Stripe-Signature", "t="+ts+","+strings.Join(parts, ","))
	wantResult(t, checkStripe(r), app.VerdictValid)
	parts[20], parts[40] = fmt.Sprintf("v1=%064x", 20), "v1="+good
	r.Headers = hdrs("Stripe-Signature", "t="+ts+","+strings.Join(parts, ","))
	wantResult(t, checkStripe(r), app.VerdictInvalid, "only the first 32")

	// Standard Webhooks: 7,000 entries.
	var sw []string
	for range 7000 {
		sw = append(sw, "v1,"+base64.StdEncoding.EncodeToString(make([]byte, 32)))
	}
	swr := Request{Body: []byte(body), Time: time.Unix(1700000001, 0), Headers: hdrs("webhook-id", "msg_1", "webhook-timestamp", ts, "webhook-signature", strings.Join(sw, " "))}
	rep = Check(swr, cfg("standard-webhooks"), secret("whsec_"+base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))))
	wantResult(t, rep, app.VerdictInvalid, "only the first 32 of the 7000 signatures")
}

// SkipDiagnosis gives the verdict without the mistake search; the full
// check then names the mistake.
func TestSkipDiagnosis(t *testing.T) {
	r := stripeSent(strings.TrimPrefix(stripeSecret, "whsec_"), "{}", "{}") // signed without the prefix
	full := checkStripe(r)
	wantResult(t, full, app.VerdictInvalid, "it matches with the secret without its whsec_ prefix")
	r.SkipDiagnosis = true
	quick := checkStripe(r)
	wantResult(t, quick, app.VerdictInvalid, "does not match", "looking for the likely mistake")
	if strings.Contains(quick.Details, "diagnosis:") {
		t.Fatalf("quick check diagnosed:\n%s", quick.Details)
	}
}

func TestReasonsAreValidText(t *testing.T) {
	c, err := ParseConfig("hmac;header=X-Sig;prefix=\x80")
	if err != nil {
		t.Skip(err)
	}
	rep := Check(Request{Headers: hdrs("X-Sig", "0"), Time: time.Unix(1, 0)}, c, secret("k"))
	if !utf8.ValidString(rep.Reason) || !utf8.ValidString(rep.Details) {
		t.Fatalf("reason %q is not valid UTF-8", rep.Reason)
	}
}
