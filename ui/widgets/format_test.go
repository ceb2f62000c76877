//go:build ci

package widgets

import (
	"strings"
	"testing"

	hltheme "github.com/hooklens/hooklens/ui/theme"
)

func TestHexDumpMatchesXXD(t *testing.T) {
	in := []byte("Hello, Hooklens!\x00\x01\x02\xff\n{\"a\":1}")
	// Output of: printf 'Hello, Hooklens!\x00\x01\x02\xff\n{"a":1}' | xxd
	want := "00000000: 4865 6c6c 6f2c 2048 6f6f 6b6c 656e 7321  Hello, Hooklens!\n" +
		"00000010: 0001 02ff 0a7b 2261 223a 317d            .....{\"a\":1}\n"
	if got := HexDump(in, ViewLimit); got != want {
		t.Errorf("HexDump:\n%s\nwant:\n%s", got, want)
	}
	big := make([]byte, 1<<20)
	got := HexDump(big, 4096)
	if len(got) > 4096 || !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 4096/hexLineLen {
		t.Errorf("limited dump: %d bytes, %d lines", len(got), strings.Count(got, "\n"))
	}
}

func TestHighlightJSONColoursTokens(t *testing.T) {
	line := []rune(`  "key": "va\"l", "n": -1.5e3, "ok": true`)
	var got []string
	for _, s := range HighlightJSON(line) {
		got = append(got, string(s.Color)+"="+string(line[s.From:s.To]))
	}
	want := []string{
		string(hltheme.Blue) + `="key"`, "foreground=:", string(hltheme.Green) + `="va\"l"`, "foreground=,",
		string(hltheme.Blue) + `="n"`, "foreground=:", string(hltheme.Orange) + "=-1.5e3", "foreground=,",
		string(hltheme.Blue) + `="ok"`, "foreground=:", string(hltheme.Purple) + "=true",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("spans\n%v\nwant\n%v", got, want)
	}
}
