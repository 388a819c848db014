// Tests of the differential comparator: each contract rule must be able to fail.
package main

import (
	"strings"
	"testing"
)

func mustDecode(t *testing.T, s string) map[string]interface{} {
	t.Helper()
	m, err := decode([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

func text(d *disagreement) string {
	if d == nil {
		return ""
	}
	return d.kind + ": " + d.text
}

func TestCompareDocs(t *testing.T) {
	const base = `{"file":"f","body":{"attributes":{"a":{"range":"1:5-1:6","src":"1","value":{"type":"number","value":1}},` +
		`"b":{"range":"2:5-2:8","src":"x.y"}},"blocks":[{"type":"t","labels":["l"],"range":"3:1-3:9","body":{"attributes":{},"blocks":[]}}]}}`
	tests := []struct {
		name, ours, want string // want: a substring of the disagreement, "" for agreement
	}{
		{"identical", base, ""},
		{"ranges and src of valued attributes do not matter",
			strings.Replace(base, `"src":"1"`, `"src":"01"`, 1), ""},
		{"number text differs", strings.Replace(base, `"value":1}`, `"value":1.0}`, 1), `value {"type":"number","value":1}`},
		{"type differs", strings.Replace(base, `"type":"number","value":1`, `"type":"string","value":"1"`, 1), "value"},
		{"value missing", strings.Replace(base, `,"value":{"type":"number","value":1}`, ``, 1), "ours gives no value"},
		{"extra value", strings.Replace(base, `"src":"x.y"}`, `"src":"x.y","value":{"type":"string","value":"v"}}`, 1), "cannot evaluate"},
		{"source differs", strings.Replace(base, `"src":"x.y"`, `"src":"x .y"`, 1), "source"},
		{"attribute missing", strings.Replace(base, `"b":{"range":"2:5-2:8","src":"x.y"}`, `"c":{"range":"2:5-2:8","src":"x.y"}`, 1), "attribute names"},
		{"label differs", strings.Replace(base, `"labels":["l"]`, `"labels":["m"]`, 1), "block 0"},
		{"block missing", strings.Replace(base, `"blocks":[{"type":"t","labels":["l"],"range":"3:1-3:9","body":{"attributes":{},"blocks":[]}}]`, `"blocks":[]`, 1), "1 blocks in the oracle, 0 in ours"},
		{"rejects", `{"file":"f","diagnostics":[{"severity":"error","summary":"s","detail":"d","range":"1:1-1:2","byte":[0,1]}]}`, "the oracle accepts, ours rejects"},
	}
	oracle := mustDecode(t, base)
	for _, tc := range tests {
		got := text(compareDocs(oracle, mustDecode(t, tc.ours)))
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCompareRejections(t *testing.T) {
	diag := func(r string) string {
		return `{"file":"f","diagnostics":[{"severity":"error","summary":"s","detail":"d","range":"` + r + `","byte":[0,1]}]}`
	}
	oracle := mustDecode(t, diag("2:3-2:4"))
	if got := text(compareDocs(oracle, mustDecode(t, diag("2:3-2:9")))); got != "" {
		t.Errorf("same start: got %q", got)
	}
	if got := text(compareDocs(oracle, mustDecode(t, diag("2:4-2:5")))); !strings.Contains(got, "first error at 2:3 in the oracle, at 2:4 in ours") {
		t.Errorf("other start: got %q", got)
	}
	if got := text(compareDocs(oracle, mustDecode(t, `{"file":"f","body":{"attributes":{},"blocks":[]}}`))); got != "accept/reject: the oracle rejects, ours accepts" {
		t.Errorf("accepts: got %q", got)
	}
}

func TestOracleDocValues(t *testing.T) {
	doc := oracleDoc("f.hcl", []byte("a = 1 + 2\nb = \"x${y}\"\nc = 12345678901234567890.5\n"), modeConfig)
	got := string(encodeDoc(doc))
	for _, want := range []string{
		`"a":{"range":"1:5-1:10","byte":[4,9],"src":"1 + 2","value":{"type":"number","value":3}}`,
		`"b":{"range":"2:5-2:12","byte":[14,21],"src":"\"x${y}\""}`,
		`"value":{"type":"number","value":12345678901234567890.5}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("oracleDoc = %s\nwant it to contain %s", got, want)
		}
	}
}

func TestUnquoteFuzzSeed(t *testing.T) {
	got, err := unquoteFuzzSeed([]byte("go test fuzz v1\n[]byte(\"a = \\\"b\\\"\\n\")\n"))
	if err != nil || string(got) != "a = \"b\"\n" {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := unquoteFuzzSeed([]byte("[]byte(\"x\")")); err == nil {
		t.Error("a file without the header must be rejected")
	}
}

func TestHarvestCounts(t *testing.T) {
	cases, err := harvest(defaultHCLDir)
	if err != nil {
		t.Fatal(err)
	}
	n := map[parseMode]int{}
	for _, c := range cases {
		n[c.mode]++
	}
	// The v2.14.1 tables and seeds, deduplicated.
	if n[modeConfig] != 124 || n[modeExpr] != 193 || n[modeTemplate] != 60 || n[modeTraversal] != 13 {
		t.Errorf("harvested %v", n)
	}
}
