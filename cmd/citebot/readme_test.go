package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeQuickStartOutput checks that the README's quick start shows
// what its command prints: the answer block after the `ask` command is the
// output of that command on the shipped corpus, asked on the date the
// block names.
func TestReadmeQuickStartOutput(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "go run ./cmd/citebot ask \"when did Biden and Xi last speak?\"\n```\n\n```text\n"
	_, rest, ok := strings.Cut(string(readme), cmd)
	if !ok {
		t.Fatalf("README: the quick start's command and output block not found")
	}
	want, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("README: the output block is not closed")
	}
	m := regexp.MustCompile(`before (\d{1,2}) (\w+) (\d{4})\)`).FindStringSubmatch(want)
	if m == nil {
		t.Fatalf("README: the output names no date it was asked on:\n%s", want)
	}
	asOf := map[string]string{"January": "01", "February": "02", "March": "03", "April": "04", "May": "05", "June": "06", "July": "07", "August": "08", "September": "09", "October": "10", "November": "11", "December": "12"}[m[2]]
	day := m[1]
	if len(day) == 1 {
		day = "0" + day
	}
	got, errOut, code := runCLI(t, nil, "ask", "--data", t.TempDir(), "--as-of", m[3]+"-"+asOf+"-"+day, "when did Biden and Xi last speak?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got != want {
		t.Errorf("README's quick-start output is stale:\ngot:\n%s\nwant (README):\n%s", got, want)
	}
}
