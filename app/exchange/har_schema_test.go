package exchange

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hooklens/hooklens/app"
)

// harSchema compiles testdata/har-1.2.schema.json: the HAR 1.2
// specification's objects, required fields and types, with custom fields
// allowed only when they start with "_", and date-time and URI formats
// checked.
func harSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/har-1.2.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("har-1.2.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("har-1.2.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(v)
}

// A HAR that Hooklens writes is valid HAR 1.2: binary bodies, repeated and
// non-UTF-8 headers, an empty header, a form body, a truncated body, an
// event with no response.
func TestExportedHARValidatesAgainstTheHAR12Schema(t *testing.T) {
	s := harSchema(t)
	form := textEvent()
	form.ID, form.Method, form.Path = 9, "POST", "/twilio/sms"
	form.Headers = app.Headers{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}}
	form.Body = []byte("From=%2B15005550006&Body=hi+there")
	cut := textEvent()
	cut.ID, cut.Truncated, cut.Size = 10, true, 1<<30
	none := textEvent()
	none.ID, none.Response = 11, app.Response{}
	var buf bytes.Buffer
	if err := HAR(&buf, []*app.Event{tricky(), textEvent(), form, cut, none}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := validate(t, s, buf.Bytes()); err != nil {
		t.Fatalf("Hooklens's HAR is not valid HAR 1.2: %v\n%s", err, buf.String())
	}
	// The schema bites: the same file without an entry's timings is refused.
	var doc map[string]any
	json.Unmarshal(buf.Bytes(), &doc)
	delete(doc["log"].(map[string]any)["entries"].([]any)[0].(map[string]any), "timings")
	broken, _ := json.Marshal(doc)
	if err := validate(t, s, broken); err == nil || !strings.Contains(err.Error(), "timings") {
		t.Errorf("a HAR without timings validated (%v)", err)
	}
	json.Unmarshal(buf.Bytes(), &doc)
	doc["log"].(map[string]any)["entries"].([]any)[1].(map[string]any)["startedDateTime"] = "yesterday at noon"
	broken, _ = json.Marshal(doc)
	if err := validate(t, s, broken); err == nil || !strings.Contains(err.Error(), "date-time") {
		t.Errorf("a HAR with a startedDateTime that is no date validated (%v)", err)
	}
}

// The browser's HAR in testdata is valid too: the schema is HAR's, not
// Hooklens's.
func TestBrowserHARValidatesAgainstTheHAR12Schema(t *testing.T) {
	data, err := os.ReadFile("testdata/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, harSchema(t), data); err != nil {
		t.Fatalf("a browser's HAR does not validate: %v", err)
	}
}
