package signal

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// StampAttempt returns body with the top-level "attempt" of a SalesIQ
// webhook envelope set to attempt, as SalesIQ counts its deliveries (1, 2,
// 3 on each retry). Every other byte stays as it was. A body that is not a
// SalesIQ envelope (a JSON object with "event", "entity_type", "org_id" and
// a numeric "attempt" at the top level) is returned unchanged, as is one
// given an attempt below 1.
func StampAttempt(body []byte, attempt int) []byte {
	if attempt < 1 || !bytes.Contains(body, []byte(`"attempt"`)) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return body
	}
	var spots [][2]int // byte ranges of the attempt values
	need := map[string]bool{"event": false, "entity_type": false, "org_id": false}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return body
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return body
		}
		end := int(dec.InputOffset())
		start := end - len(raw)
		if start < 0 || !bytes.Equal(body[start:end], raw) {
			return body
		}
		if _, ok := need[key]; ok {
			need[key] = true
		}
		if key == "attempt" {
			if _, err := strconv.ParseUint(string(raw), 10, 32); err != nil {
				return body // not a count: not an envelope we know
			}
			spots = append(spots, [2]int{start, end})
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return body
	}
	if len(bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n")) > 0 { // and nothing after it
		return body
	}
	for _, ok := range need {
		if !ok {
			return body
		}
	}
	if len(spots) == 0 {
		return body
	}
	n := []byte(strconv.Itoa(attempt))
	out := make([]byte, 0, len(body)+len(spots)*len(n))
	last := 0
	for _, s := range spots {
		out = append(out, body[last:s[0]]...)
		out = append(out, n...)
		last = s[1]
	}
	return append(out, body[last:]...)
}
