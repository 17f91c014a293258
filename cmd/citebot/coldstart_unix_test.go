//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestCorpusErrorStopsTheIndexRead checks the cold start that reads the
// index file while the corpus loads: when the corpus cannot be loaded,
// the command reports it and the read of the index stops with it, leaving
// nothing running; with the corpus back, the index saved before is used
// as it was (nothing embedded again).
func TestCorpusErrorStopsTheIndexRead(t *testing.T) {
	existing := goleak.IgnoreCurrent()
	data := t.TempDir()
	arts := filepath.Join(t.TempDir(), "a.jsonl")
	body := []byte(`{"id":"n1","published":"2024-01-02","title":"Trams return","text":"The city brought its trams back on Monday after a year of repairs."}` + "\n")
	if err := os.WriteFile(arts, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, nil, "index", "--articles", arts, "--data", data); code != 0 {
		t.Fatalf("index: exit %d: %s", code, errOut)
	}

	// The articles file becomes a named pipe: the corpus cannot be read.
	if err := os.Remove(arts); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, arts)
	_, errOut, code := runCLI(t, nil, "ask", "--articles", arts, "--data", data, "when did the trams return?")
	if code != 1 || !strings.Contains(errOut, "not a regular file") {
		t.Errorf("unreadable corpus: exit %d (want 1), stderr %q", code, errOut)
	}
	goleak.VerifyNone(t, existing)

	if err := os.Remove(arts); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(arts, body, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CITEBOT_LOG_LEVEL": "debug"}
	out, errOut, code := runCLI(t, env, "ask", "--articles", arts, "--data", data, "when did the trams return?")
	if code != 0 || !strings.Contains(errOut, "embedded=0") || !strings.Contains(out, "Monday") {
		t.Errorf("corpus back: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
