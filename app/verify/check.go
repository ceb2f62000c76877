package verify

import (
	"crypto"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hooklens/hooklens/app"
)

// candidate is one key ready to check signatures.
type candidate struct {
	key   Key
	other bool  // not accepted; tried only when diagnosing
	check check // nil when the key cannot be used, see err
	err   error
	mac   []byte // the HMAC key, to show what was expected
	alts  []alt  // the same key used wrongly
}

// alt is a wrong way of using a key.
type alt struct {
	phrase string
	check  check
}

// Check judges a request against a scheme and keys. Any key may match; the
// report names the one that did. others are never accepted, only tried
// when diagnosing a mismatch (see OtherKeys).
func Check(r Request, c Config, keys []Key, others ...Key) Report {
	rep := Report{Verdict: app.Verdict{Scheme: c.Scheme}}
	if err := c.Validate(); err != nil {
		rep.Result, rep.Reason = app.VerdictUnverified, "the scheme setting cannot be used: "+err.Error()
		return rep.finish()
	}
	sc := schemes[c.Scheme]
	s, err := sc.parse(r, c)
	if err != nil {
		var pe *parseError
		if !errors.As(err, &pe) || !pe.unsigned {
			rep.Result, rep.Reason = app.VerdictInvalid, err.Error()
			return rep.finish()
		}
		return wrongScheme(r, c, keys, pe, rep)
	}
	sent := len(s.sigs)
	if sent > MaxSignatures {
		s.sigs = s.sigs[:MaxSignatures]
	}
	if !decodesAny(s.sigs) {
		rep.Result = app.VerdictInvalid
		rep.Reason = fmt.Sprintf("the signature in %s, %q, is neither hex nor base64, so no secret can produce it: the sender put something else in the header, or it was damaged on the way", s.header, clip(s.sigs[0]))
		return rep.finish()
	}
	if len(keys) == 0 {
		rep.Result, rep.Reason = app.VerdictUnverified, needKeyReason(c, false)
		return rep.finish()
	}
	if r.Truncated {
		rep.Result = app.VerdictUnverified
		rep.Reason = fmt.Sprintf("only the first %d bytes of the body were kept and the signature covers all of it: raise the body cap to check it", len(r.Body))
		return rep.finish()
	}

	at := r.Time
	if at.IsZero() {
		at = time.Now()
	}
	clock := ""
	if s.tsHeader != "" {
		rep.Skew = at.Sub(s.ts)
		clock = judgeClock(at, s.ts, s.tolerance, s.futureOK, r.Headers)
		if s.futureOK && clock == "" {
			if ahead := judgeClock(at, s.ts, s.tolerance, false, r.Headers); ahead != "" {
				rep.Diagnosis = append(rep.Diagnosis, "clock: "+ahead+" ("+sc.title+"'s libraries accept timestamps from the future)")
			}
		}
	}
	cands := candidates(sc, keys, others)
	contents := s.contents(r.Body)
	rep.SignedContent = showContent(contents[0].b)
	rep.Received = short(s.sigs[0])
	canon := []encoding{encodingByName(s.enc)}

	var usable []*candidate
	for i := range cands {
		if cands[i].check != nil && !cands[i].other {
			usable = append(usable, &cands[i])
		}
	}
	if len(usable) > 0 {
		rep.Key = usable[0].key.Name()
		rep.Expected = expected(s, usable[0], contents[0].b)
	}
	for _, cd := range usable {
		ci, _, ok := s.match(cd.check, s.hash, contents, canon)
		if !ok {
			continue
		}
		rep.Key = cd.key.Name()
		rep.Expected = expected(s, cd, contents[ci].b)
		if n := contents[ci].note; n != "" {
			rep.Diagnosis = append(rep.Diagnosis, n)
		}
		if s.bodyCheck != nil {
			if err := s.bodyCheck(r.Body); err != nil {
				rep.Result, rep.Reason = app.VerdictInvalid, err.Error()
				if !r.SkipDiagnosis {
					rep.Diagnosis = append(rep.Diagnosis, bodyHashDiagnosis(r, s)...)
				}
				return rep.finish()
			}
		}
		if clock != "" {
			rep.Result = app.VerdictInvalid
			rep.Reason = "timestamp outside tolerance: " + clock + " (the signature itself matches " + cd.key.Name() + ")"
			return rep.finish()
		}
		rep.Result, rep.Reason = app.VerdictValid, "signature matches "+cd.key.Name()
		return rep.finish()
	}

	var found []finding
	if !r.SkipDiagnosis {
		found = diagnose(r, sc, s, cands)
	}
	if len(usable) == 0 && len(found) == 0 {
		var why []string
		for _, cd := range cands {
			if !cd.other && cd.err != nil {
				why = append(why, cd.key.Name()+": "+cd.err.Error())
			}
		}
		rep.Result = app.VerdictUnverified
		rep.Reason = "no key of this endpoint can check a " + sc.title + " signature: " + strings.Join(why, "; ")
		return rep.finish()
	}
	rep.Result = app.VerdictInvalid
	switch {
	case r.SkipDiagnosis && len(usable) == 1:
		rep.Reason = "signature does not match " + usable[0].key.Name()
	case r.SkipDiagnosis:
		rep.Reason = fmt.Sprintf("signature matches none of the %d keys", len(usable))
	case len(found) > 0:
		rep.Reason = "signature does not match; it matches with " + found[0].phrase
	case len(usable) == 1:
		rep.Reason = "signature does not match " + usable[0].key.Name() + "; none of the common mistakes reproduces it: the secret differs from the sender's or the body changed on the way"
	default:
		rep.Reason = fmt.Sprintf("signature matches none of the %d keys; none of the common mistakes reproduces it: the secrets differ from the sender's or the body changed on the way", len(usable))
	}
	if clock != "" {
		rep.Reason += "; also, " + clock
	}
	if sent > MaxSignatures {
		rep.Reason += fmt.Sprintf("; only the first %d of the %d signatures in %s were checked", MaxSignatures, sent, s.header)
	}
	if r.SkipDiagnosis {
		rep.Reason += "; looking for the likely mistake…"
	}
	for _, f := range found {
		rep.Diagnosis = append(rep.Diagnosis, f.text)
	}
	return rep.finish()
}

// wrongScheme explains a request that lacks the configured scheme's
// signature header: unsigned, or signed some other way.
func wrongScheme(r Request, c Config, keys []Key, pe *parseError, rep Report) Report {
	d, ok := Detect(r.Headers)
	if !ok || d.Scheme == c.Scheme {
		rep.Result = app.VerdictUnsigned
		rep.Reason = pe.reason
		if len(keys) > 0 {
			rep.Reason += "; this endpoint expects " + schemes[c.Scheme].title + " signatures"
		}
		return rep.finish()
	}
	if d.Scheme == "hmac" && (c.Scheme == "signalzen" || c.Scheme == "hmac") {
		// Most likely the header was renamed: keep the scheme, move the header.
		d = Config{Scheme: c.Scheme, SchemeOptions: c.SchemeOptions}
		d.Header = strings.TrimSpace(detectedHeader(r.Headers))
	}
	rep.Result = app.VerdictInvalid
	rep.Reason = fmt.Sprintf("%s, but the request is signed like %s: set the endpoint's scheme to %s", pe.reason, schemes[d.Scheme].title, d)
	if len(keys) > 0 {
		alt := Check(r, d, keys)
		rep.Diagnosis = append(rep.Diagnosis, fmt.Sprintf("checked as %s: %s — %s", d, alt.Result, alt.Reason))
	}
	return rep.finish()
}

func candidates(sc *scheme, keys, others []Key) []candidate {
	var out []candidate
	add := func(k Key, other bool) {
		cd := candidate{key: k, other: other}
		if sc.asym {
			src := k.PublicKey
			if src == "" {
				src = k.Secret // a public key pasted as a secret still works
			}
			pub, err := parsePublicKey(src)
			if err == nil {
				cd.check, cd.alts, err = sc.pubCheck(pub)
			}
			cd.err = err
		} else {
			if k.Secret == "" {
				return // a public key: nothing to do with an HMAC scheme
			}
			cd.mac, cd.err = sc.macKey(k.Secret)
			if cd.err == nil {
				cd.check = macCheck(cd.mac)
			}
			cd.alts = secretAlts(k.Secret, cd.mac)
		}
		out = append(out, cd)
	}
	for _, k := range keys {
		add(k, false)
	}
	for _, k := range others {
		add(k, true)
	}
	return out
}

// secretAlts are the wrong ways senders turn a secret into an HMAC key.
func secretAlts(secret string, canonical []byte) []alt {
	var out []alt
	seen := map[string]bool{string(canonical): true}
	add := func(phrase string, b []byte) {
		if len(b) == 0 || seen[string(b)] {
			return
		}
		seen[string(b)] = true
		out = append(out, alt{phrase, macCheck(b)})
	}
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		add("the secret without its whsec_ prefix", []byte(rest))
		add("the secret used as text, whsec_ prefix included", []byte(secret))
		if b, err := decodeBase64Loose(rest); err == nil {
			add("the secret base64-decoded after its whsec_ prefix", b)
		}
	} else {
		add("the secret with a whsec_ prefix added", []byte("whsec_"+secret))
		add("the secret used as text", []byte(secret))
		if b, err := decodeBase64Loose(secret); err == nil {
			add("the secret base64-decoded", b)
		}
	}
	if b, ok := encodingByName("hex").decode(strings.ToLower(secret)); ok {
		add("the secret hex-decoded", b)
	}
	if t := strings.TrimSpace(secret); t != secret {
		add("the secret without the whitespace around it here", []byte(t))
	}
	add("the secret with a trailing newline", []byte(secret+"\n"))
	return out
}

// decodesAny reports whether some signature is in some encoding a
// signature is sent in.
func decodesAny(sigs []string) bool {
	for _, sig := range sigs {
		for _, e := range encodings {
			if _, ok := e.decode(sig); ok {
				return true
			}
		}
	}
	return false
}

// match reports which content and encoding make one of the signatures sent
// check out with c.
func (s *signed) match(c check, h crypto.Hash, contents []content, encs []encoding) (int, encoding, bool) {
	type decoded struct {
		enc encoding
		b   []byte
	}
	var sigs []decoded
	for _, e := range encs {
		for _, sig := range s.sigs {
			if b, ok := e.decode(sig); ok {
				sigs = append(sigs, decoded{e, b})
			}
		}
	}
	if len(sigs) == 0 {
		return 0, encoding{}, false
	}
	for i, ct := range contents {
		valid := c(h, ct.b)
		for _, d := range sigs {
			if valid(d.b) {
				return i, d.enc, true
			}
		}
	}
	return 0, encoding{}, false
}

func expected(s *signed, cd *candidate, content []byte) string {
	if cd.mac == nil {
		return "" // a public key cannot make a signature
	}
	return short(macSign(s.hash, cd.mac, s.enc, content))
}

// finding is one mistake that reproduces the received signature.
type finding struct {
	phrase string // fits "it matches with ..."
	text   string // phrase, key and what to do
}

const maxFindings = 6

// diagnose tries the common mistakes, one at a time, with every key, and
// returns those that reproduce the received signature.
func diagnose(r Request, sc *scheme, s *signed, cands []candidate) []finding {
	type try struct {
		phrase, advice string
		contents       []content
		h              crypto.Hash
	}
	base := s.contents(r.Body)
	var tries []try
	tries = append(tries, try{contents: base, h: s.hash}) // the encoding alone
	for _, bv := range bodyVariants(r) {
		tries = append(tries, try{bv.phrase, bv.advice, s.contents(bv.body), s.hash})
	}
	for _, m := range s.mistakes {
		tries = append(tries, try{m.phrase, m.advice, m.contents, s.hash})
	}
	for _, h := range otherHashes(sc, s.hash) {
		tries = append(tries, try{h.String() + " instead of " + s.hash.String(), sc.title + " uses " + s.hash.String(), base, h})
	}

	var out []finding
	seen := map[string]bool{}
	report := func(phrase, advice string, e encoding, cd *candidate) {
		var parts []string
		if phrase != "" {
			parts = append(parts, phrase)
		}
		if e.name != s.enc {
			parts = append(parts, e.name+" instead of "+s.enc)
			if advice == "" {
				advice = sc.title + " sends the signature as " + s.enc
			}
		}
		if len(parts) == 0 || len(out) >= maxFindings {
			return
		}
		p := strings.Join(parts, ", and ")
		if seen[p] {
			return
		}
		seen[p] = true
		out = append(out, finding{p, fmt.Sprintf("matches with %s, using %s: %s", p, cd.key.Name(), advice)})
	}
	for i := range cands {
		cd := &cands[i]
		if cd.other {
			if cd.check == nil {
				continue
			}
			if _, e, ok := s.match(cd.check, s.hash, base, encodings); ok {
				report("another endpoint's key ("+cd.key.Label+")", "the request was signed for another endpoint: check the URL the sender posts to, or the secret it was given", e, cd)
			}
			continue
		}
		if cd.check != nil {
			for _, t := range tries {
				if _, e, ok := s.match(cd.check, t.h, t.contents, encodings); ok {
					report(t.phrase, t.advice, e, cd)
				}
			}
		}
		for _, a := range cd.alts {
			advice := "use the key as " + sc.title + " specifies"
			if sc.keyRule != "" {
				advice = sc.title + ": " + sc.keyRule
			}
			if sc.asym {
				advice = sc.title + " signs with RSA PKCS#1 v1.5 (SHA256withRSA)"
			}
			if _, e, ok := s.match(a.check, s.hash, base, encodings); ok {
				report(a.phrase, advice, e, cd)
			}
		}
	}
	return out
}

func otherHashes(sc *scheme, h crypto.Hash) []crypto.Hash {
	if sc.name == "discord" {
		return nil // Ed25519 has its hash built in
	}
	var out []crypto.Hash
	for _, x := range []crypto.Hash{crypto.SHA256, crypto.SHA1, crypto.SHA512} {
		if x != h {
			out = append(out, x)
		}
	}
	return out
}

// bodyHashDiagnosis explains a bodySHA256 that does not match the body.
func bodyHashDiagnosis(r Request, s *signed) []string {
	for _, bv := range bodyVariants(r) {
		if s.bodyCheck(bv.body) == nil {
			return []string{"bodySHA256 matches with " + bv.phrase + ": " + bv.advice}
		}
	}
	return nil
}

// judgeClock says what is wrong with a timestamp outside the tolerance,
// and whose clock looks off; "" when it is within.
func judgeClock(at, ts time.Time, tol time.Duration, futureOK bool, h app.Headers) string {
	skew := at.Sub(ts)
	if tol <= 0 || (skew <= tol && (skew >= -tol || futureOK)) {
		return ""
	}
	abs := absDur(skew)
	var what string
	if skew > 0 {
		what = fmt.Sprintf("the timestamp is %s older than the arrival time, %s beyond the %s tolerance", roundDur(abs), roundDur(abs-tol), roundDur(tol))
	} else {
		what = fmt.Sprintf("the timestamp is %s ahead of the arrival time, %s beyond the %s tolerance", roundDur(abs), roundDur(abs-tol), roundDur(tol))
	}
	return what + ": " + whoseClock(at, ts, skew, abs, tol, h)
}

func whoseClock(at, ts time.Time, skew, abs, tol time.Duration, h app.Headers) string {
	half := 30 * time.Minute
	if abs >= 50*time.Minute && abs <= 14*time.Hour+2*time.Minute {
		if off := abs - abs.Round(half); off >= -2*time.Minute && off <= 2*time.Minute {
			return fmt.Sprintf("off by about %s, a time-zone offset: the sender makes its timestamp from local time where Unix time (UTC) is meant", roundDur(abs.Round(half)))
		}
	}
	if date, err := time.Parse(time.RFC1123, h.Get("Date")); err == nil {
		dateSkew := at.Sub(date)
		if dateSkew < 0 {
			dateSkew = -dateSkew
		}
		agree := date.Sub(ts)
		if agree < 0 {
			agree = -agree
		}
		slack := max(tol, time.Minute)
		switch {
		case agree <= slack && dateSkew > slack:
			return fmt.Sprintf("this machine's clock looks off: the sender's Date header agrees with its timestamp but is %s away from this machine's clock", roundDur(dateSkew))
		case dateSkew <= slack && skew > 0:
			return "the sender's Date header says it was sent on time, so it was signed long before sending: an old delivery replayed or resent; sign each attempt afresh"
		case dateSkew <= slack:
			return "the sender's Date header agrees with this machine, so the sender's timestamp code or clock is ahead"
		}
	}
	if skew > 0 {
		return "an old delivery replayed or resent, or the sender's clock is behind (or this machine's is ahead)"
	}
	return "the sender's clock is ahead, or this machine's clock is behind"
}
