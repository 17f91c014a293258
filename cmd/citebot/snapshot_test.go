package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// settleFile sets the modification time of path an hour back and waits
// until its change time is over 150 ms old: the corpus snapshot of a file
// written moments before its stamp is not saved (corpus.WriteSnapshot).
func settleFile(t *testing.T, path string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	for time.Since(changed) <= 150*time.Millisecond {
		time.Sleep(10 * time.Millisecond)
	}
}

// TestColdStartReadsTheCorpusSnapshot: index saves a snapshot of the
// corpus beside the index; a later start whose corpus file is unchanged
// reads the snapshot instead of the file (and logs the same warnings);
// a changed file, or index --verify, reads the file again.
func TestColdStartReadsTheCorpusSnapshot(t *testing.T) {
	data := t.TempDir()
	arts := filepath.Join(t.TempDir(), "a.jsonl")
	body := `{"id":"n1","published":"2024-01-02","title":"Trams return","text":"The city brought its trams back on Monday after a year of repairs."}` + "\n" +
		`{"id":"n2","text":""}` + "\n"
	if err := os.WriteFile(arts, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	settleFile(t, arts)
	debug := map[string]string{"CITEBOT_LOG_LEVEL": "debug"}
	const (
		fromSnapshot = "corpus unchanged: read from its snapshot"
		inFull       = "reading the corpus in full"
		saved        = "corpus snapshot saved"
		warning      = "a.jsonl:2"
	)
	steps := []struct {
		name    string
		args    []string
		logs    []string // in stderr
		notLogs []string
		answer  string // in stdout
	}{
		{"index", []string{"index"}, []string{inFull, saved, warning}, []string{fromSnapshot}, ""},
		{"ask, corpus unchanged", []string{"ask", "when did the trams return?"}, []string{fromSnapshot, warning}, []string{inFull}, "Monday"},
		{"index --verify", []string{"index", "--verify"}, []string{inFull, saved, warning}, []string{fromSnapshot}, ""},
		{"ask after the verify", []string{"ask", "when did the trams return?"}, []string{fromSnapshot}, []string{inFull}, "Monday"},
	}
	for _, s := range steps {
		args := append(s.args[:1:1], append([]string{"--articles", arts, "--data", data}, s.args[1:]...)...)
		out, errOut, code := runCLI(t, debug, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", s.name, code, errOut)
		}
		for _, want := range s.logs {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", s.name, want, errOut)
			}
		}
		for _, bad := range s.notLogs {
			if strings.Contains(errOut, bad) {
				t.Errorf("%s: stderr has %q:\n%s", s.name, bad, errOut)
			}
		}
		if !strings.Contains(out, s.answer) {
			t.Errorf("%s: stdout lacks %q:\n%s", s.name, s.answer, out)
		}
	}

	// A changed file is read in full, and its new article answers.
	body += `{"id":"n3","published":"2024-02-05","title":"Ferry resumes","text":"The island ferry resumed sailing on Friday after the storm."}` + "\n"
	if err := os.WriteFile(arts, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, debug, "ask", "--articles", arts, "--data", data, "when did the ferry resume?")
	if code != 0 || !strings.Contains(errOut, inFull) || strings.Contains(errOut, fromSnapshot) || !strings.Contains(out, "Friday") {
		t.Errorf("changed corpus: exit %d, stdout %q, stderr %q; want it read in full and answered", code, out, errOut)
	}

	// read_only writes no snapshot (the file was just written, so the
	// previous one was removed rather than replaced).
	settleFile(t, arts)
	ro := map[string]string{"CITEBOT_LOG_LEVEL": "debug", "CITEBOT_READ_ONLY": "true"}
	if _, errOut, code := runCLI(t, ro, "ask", "--articles", arts, "--data", data, "when did the ferry resume?"); code != 0 || strings.Contains(errOut, saved) {
		t.Errorf("read_only: exit %d, stderr %q; want no snapshot saved", code, errOut)
	}
}

// TestColdStartTrustsASealedIndexFile: index seals the file it writes,
// and a start that verified the index file's checksum seals it; later
// starts load it without that pass while it is unchanged. A changed file,
// index --verify or a missing seal verify it again, and read_only writes
// no seal.
func TestColdStartTrustsASealedIndexFile(t *testing.T) {
	data := t.TempDir()
	arts := filepath.Join(t.TempDir(), "a.jsonl")
	body := `{"id":"n1","published":"2024-01-02","title":"Trams return","text":"The city brought its trams back on Monday after a year of repairs."}` + "\n"
	if err := os.WriteFile(arts, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	settleFile(t, arts)
	const (
		verified = "index file read and verified"
		trusted  = "index file read; checksum verified before"
		rebuilt  = "index file unusable"
	)
	run := func(name string, env map[string]string, args []string, logs, notLogs []string) {
		t.Helper()
		env["CITEBOT_LOG_LEVEL"] = "debug"
		args = append(args[:1:1], append([]string{"--articles", arts, "--data", data}, args[1:]...)...)
		out, errOut, code := runCLI(t, env, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		for _, want := range logs {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, want, errOut)
			}
		}
		for _, bad := range notLogs {
			if strings.Contains(errOut, bad) {
				t.Errorf("%s: stderr has %q:\n%s", name, bad, errOut)
			}
		}
		if args[0] == "ask" && !strings.Contains(out, "Monday") {
			t.Errorf("%s: stdout lacks the answer:\n%s", name, out)
		}
	}
	ask := []string{"ask", "when did the trams return?"}
	run("index", map[string]string{}, []string{"index"}, nil, []string{trusted})
	matches, _ := filepath.Glob(filepath.Join(data, "*.cbi"))
	if len(matches) != 1 {
		t.Fatalf("index files %v, want one", matches)
	}
	index := matches[0]
	seal := strings.TrimSuffix(index, ".cbi") + ".seal"
	readOnly := map[string]string{"CITEBOT_READ_ONLY": "true"}
	run("ask after index", readOnly, ask, []string{trusted}, []string{verified})

	if err := os.Remove(seal); err != nil {
		t.Fatal(err)
	}
	run("read_only ask", readOnly, ask, []string{verified}, []string{trusted})
	if _, err := os.Stat(seal); !os.IsNotExist(err) {
		t.Fatalf("read_only left a seal: %v", err)
	}
	run("first ask", map[string]string{}, ask, []string{verified}, []string{trusted})
	run("second ask", map[string]string{}, ask, []string{trusted}, []string{verified})
	run("index --verify", map[string]string{}, []string{"index", "--verify"}, []string{verified}, []string{trusted})
	run("ask after the verify", map[string]string{}, ask, []string{trusted}, []string{verified})

	// A byte of the file changed since the seal: verified again, and the
	// damage found.
	b, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-8] ^= 0xff // in the last vector
	if err := os.WriteFile(index, b, 0o600); err != nil {
		t.Fatal(err)
	}
	run("ask, file damaged", map[string]string{}, ask, []string{rebuilt}, []string{trusted})
}
