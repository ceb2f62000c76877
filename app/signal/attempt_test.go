package signal

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestStampAttemptCountsInTheEnvelope(t *testing.T) {
	body, _, err := mustFind(t, library(t), "salesiq.conversation.visitor.replied").Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, 12} {
		got := StampAttempt(body, n)
		want := bytes.Replace(body, []byte(`"attempt":1`), []byte(`"attempt":`+itoa(n)), 1)
		if !bytes.Equal(got, want) {
			t.Errorf("attempt %d:\n got %s\nwant %s", n, got, want)
		}
	}
	// Stamping a stamped body again sets, not adds.
	if got := StampAttempt(StampAttempt(body, 2), 3); !bytes.Contains(got, []byte(`"attempt":3,`)) {
		t.Errorf("restamped: %s", got)
	}
	if !bytes.Equal(StampAttempt(body, 0), body) || !bytes.Equal(StampAttempt(body, -1), body) {
		t.Error("an attempt below 1 changed the body")
	}
}

func TestStampAttemptKeepsEveryOtherByte(t *testing.T) {
	// Pretty-printed, attempt after the entity, a nested "attempt" and odd
	// spacing: only the top-level number changes.
	in := "{\n  \"entity_type\" : \"conversation\",\n\t\"org_id\":\"55778119\",\"event\": \"conversation.rated\",\n" +
		"  \"entity\": {\"attempt\": 1, \"feedback\": \"attempt 1 was \\\"great\\\"\"},\n" +
		"  \"attempt\" :  1 ,\n  \"version\":\"1\"\n}\n"
	want := strings.Replace(in, "\"attempt\" :  1 ,", "\"attempt\" :  3 ,", 1)
	if got := string(StampAttempt([]byte(in), 3)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestStampAttemptLeavesOtherBodiesAlone(t *testing.T) {
	others := map[string]string{
		"signalzen":          `{"event":"user.blocked","attempt":1,"user":{"id":1}}`,
		"stripe":             `{"id":"evt_1","object":"event","type":"payment_intent.succeeded","attempt":1}`,
		"no org_id":          `{"event":"conversation.created","entity_type":"conversation","attempt":1}`,
		"attempt as a text":  `{"event":"e","entity_type":"t","org_id":"1","attempt":"1"}`,
		"attempt negative":   `{"event":"e","entity_type":"t","org_id":"1","attempt":-1}`,
		"attempt fraction":   `{"event":"e","entity_type":"t","org_id":"1","attempt":1.5}`,
		"no attempt":         `{"event":"e","entity_type":"t","org_id":"1"}`,
		"array":              `[{"event":"e","entity_type":"t","org_id":"1","attempt":1}]`,
		"broken":             `{"event":"e","entity_type":"t","org_id":"1","attempt":1`,
		"trailing garbage":   `{"event":"e","entity_type":"t","org_id":"1","attempt":1} x`,
		"two values":         `{"event":"e","entity_type":"t","org_id":"1","attempt":1}{}`,
		"form":               `event=e&entity_type=t&org_id=1&attempt=1`,
		"empty":              ``,
		"nested envelope":    `{"data":{"event":"e","entity_type":"t","org_id":"1","attempt":1}}`,
		"quoted attempt key": `{"note":"\"attempt\":1","event":"e","entity_type":"t"}`,
	}
	for name, b := range others {
		if got := StampAttempt([]byte(b), 2); string(got) != b {
			t.Errorf("%s: changed to %s", name, got)
		}
	}
	for _, tp := range library(t) {
		if tp.Scheme == "salesiq" {
			continue
		}
		body, _, _ := tp.Render(nil)
		if got := StampAttempt(body, 2); !bytes.Equal(got, body) {
			t.Errorf("%s is not SalesIQ but was stamped", tp.Name)
		}
	}
}

func FuzzStampAttempt(f *testing.F) {
	f.Add([]byte(`{"version":"1","event":"e","event_time":1,"org_id":"1","app_id":2,"attempt":1,"entity_type":"t","entity_id":"3","entity":{},"modified_fields":[]}`), 2)
	f.Add([]byte(`{"event":"e","entity_type":"t","org_id":"1","attempt":1,"attempt":7}`), 3)
	f.Add([]byte(`{"event":"e","attempt":1}`), 1)
	f.Fuzz(func(t *testing.T, body []byte, n int) {
		got := StampAttempt(body, n)
		if bytes.Equal(got, body) {
			return
		}
		var before, after map[string]json.RawMessage
		if err := json.Unmarshal(got, &after); err != nil {
			t.Fatalf("stamped body is not JSON: %v\n%s", err, got)
		}
		if err := json.Unmarshal(body, &before); err != nil {
			t.Fatalf("stamped a body that was not JSON: %s", body)
		}
		if string(after["attempt"]) != itoa(n) {
			t.Fatalf("attempt %s, want %d", after["attempt"], n)
		}
		for k, v := range before {
			if k != "attempt" && !bytes.Equal(after[k], v) {
				t.Fatalf("%s changed from %s to %s", k, v, after[k])
			}
		}
	})
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
