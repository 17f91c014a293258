package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/rag"
)

// runCLI runs the program with args and the given environment, returning its
// output and exit status as a user would see them.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestAskJSONSchema(t *testing.T) {
	data := t.TempDir()
	out, errOut, code := runCLI(t, nil, "ask", "--data", data, "--as-of", "2026-11-23", "--json", "when did Biden and Xi last speak?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if dec.More() {
		t.Errorf("more than one JSON value on stdout")
	}
	for _, k := range []string{"question", "answer", "not_found", "mode", "citations"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("missing key %q", k)
		}
	}
	if obj["mode"] != "extractive" || obj["not_found"] != false {
		t.Errorf("mode %v not_found %v", obj["mode"], obj["not_found"])
	}
	if !strings.Contains(obj["answer"].(string), "April 2024") {
		t.Errorf("answer: %v", obj["answer"])
	}
	cites := obj["citations"].([]any)
	if len(cites) == 0 {
		t.Fatal("no citations")
	}
	c := cites[0].(map[string]any)
	for _, k := range []string{"ref", "article_id", "title", "source", "published", "url", "quote"} {
		if _, ok := c[k]; !ok {
			t.Errorf("citation lacks %q", k)
		}
	}
	if c["article_id"] != "004_bf2e7a1252b3b5c1" || c["ref"] != 1.0 || c["published"] != "2024-10-01" {
		t.Errorf("citation: %v", c)
	}
	if _, err := os.Stat(filepath.Join(data, "shipped.cbi")); err != nil {
		t.Errorf("index not saved in the data dir: %v", err)
	}
}

func TestAskNotFoundJSON(t *testing.T) {
	out, _, code := runCLI(t, nil, "ask", "--data", t.TempDir(), "--json", "What did Biden and Xi agree about Mars exploration?")
	var a struct {
		NotFound  bool              `json:"not_found"`
		Citations []json.RawMessage `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if !a.NotFound || a.Citations == nil || len(a.Citations) != 0 {
		t.Errorf("got %s, want not_found with an empty citations list", out)
	}
}

// commandCase is a command line, its environment, and the exit code and
// a part of the standard error it must give.
type commandCase struct {
	name     string
	env      map[string]string
	args     []string
	code     int
	inStderr string
}

func TestCommandErrors(t *testing.T) {
	data := t.TempDir()
	tests := []commandCase{
		{"no command", nil, nil, 2, "no command"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"empty question", nil, []string{"ask", "--data", data, "  "}, 2, "ask needs a question"},
		{"huge question", nil, []string{"ask", "--data", data, strings.Repeat("why ", 30000)}, 2, "too long"},
		{"bad flag", nil, []string{"ask", "--nope", "q"}, 2, "flag provided but not defined: -nope"},
		{"bad as-of", nil, []string{"ask", "--data", data, "--as-of", "last tuesday", "q"}, 2, "as_of:"},
		{"missing corpus", nil, []string{"ask", "--data", data, "--corpus", filepath.Join(data, "nope"), "q"}, 2, "corpus:"},
		{"missing corpus in env", map[string]string{"CITEBOT_CORPUS": filepath.Join(data, "nope")}, []string{"ask", "--data", data, "q"}, 1, "corpus:"},
		{"bad env", map[string]string{"CITEBOT_TOP_K": "lots"}, []string{"ask", "--data", data, "q"}, 1, "CITEBOT_TOP_K"},
		{"eval without qa", nil, []string{"eval", "--data", data}, 2, "--qa"},
		{"help", nil, []string{"ask", "-h"}, 0, "Usage: citebot ask"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want it to contain %q)", code, tt.code, errOut, tt.inStderr)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace on stderr: %s", errOut)
			}
		})
	}
}

func TestQuestionInOtherScriptIsNotFound(t *testing.T) {
	out, errOut, code := runCLI(t, nil, "ask", "--data", t.TempDir(), "习近平和拜登什么时候通话?")
	if code != 0 || !strings.Contains(out, "doesn't say") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestIndexCorpusDirWithBadFiles(t *testing.T) {
	corpusDir := t.TempDir()
	os.WriteFile(filepath.Join(corpusDir, "good.md"), []byte("---\ntitle: Good\npublished: 2024-05-01\n---\nThe minister announced a new bridge on Monday. It will open in 2026.\n"), 0o644)
	os.WriteFile(filepath.Join(corpusDir, "bad.txt"), []byte{0xff, 0xfe, 0x00, 0x01}, 0o644)
	os.WriteFile(filepath.Join(corpusDir, "empty.txt"), nil, 0o644)
	data := t.TempDir()

	out, errOut, code := runCLI(t, nil, "index", "--corpus", corpusDir, "--data", data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Indexed 1 articles") || !strings.Contains(out, "1 added") {
		t.Errorf("summary: %q", out)
	}
	for _, name := range []string{"bad.txt", "empty.txt"} {
		if !strings.Contains(errOut, filepath.Join(corpusDir, name)) {
			t.Errorf("no warning naming %s: %q", name, errOut)
		}
	}
	out, _, _ = runCLI(t, nil, "index", "--corpus", corpusDir, "--data", data)
	if !strings.Contains(out, "0 added, 0 changed, 0 removed, 1 unchanged; 0 chunks embedded") {
		t.Errorf("second run re-embedded: %q", out)
	}
	out, _, _ = runCLI(t, nil, "ask", "--corpus", corpusDir, "--data", data, "what did the minister announce?")
	if !strings.Contains(out, "bridge") || !strings.Contains(out, "[1] Good") {
		t.Errorf("answer from own corpus: %q", out)
	}
}

func TestCorruptIndexIsRebuilt(t *testing.T) {
	data := t.TempDir()
	if _, errOut, code := runCLI(t, nil, "index", "--data", data); code != 0 {
		t.Fatal(errOut)
	}
	path := filepath.Join(data, "shipped.cbi")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)/3], 0o644)
	out, errOut, code := runCLI(t, nil, "ask", "--data", data, "who is Denny Roy?")
	if code != 0 || !strings.Contains(out, "East-West Center") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "index file unusable; rebuilding") {
		t.Errorf("no warning about the corrupt index: %q", errOut)
	}
	// The rebuilt index was saved whole: it loads again.
	if err := rag.NewIndex(rag.IndexOptions{}).Load(path); err != nil {
		t.Errorf("index not rewritten: %v", err)
	}
}

func TestSearchAndEval(t *testing.T) {
	data := t.TempDir()
	out, _, code := runCLI(t, nil, "search", "--data", data, "-k", "2", "--json", "theater commander")
	var res []searchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || len(res) != 2 {
		t.Fatalf("search: exit %d, %v, %d results: %s", code, err, len(res), out)
	}
	if res[0].ArticleID != "001_48f8343459885b5d" || res[0].Score < res[1].Score {
		t.Errorf("search results: %+v", res)
	}

	qa := filepath.Join(t.TempDir(), "qa.jsonl")
	os.WriteFile(qa, []byte(`{"id":"d07","question":"Who is Denny Roy?","must_include":[["East-West Center"]],"evidence":["004_bf2e7a1252b3b5c1"],"kind":"fact"}
{"id":"d13","question":"What did Biden and Xi agree about Mars exploration?","must_include":[],"evidence":[],"kind":"negative"}
`), 0o644)
	out, errOut, code := runCLI(t, nil, "eval", "--data", data, "--qa", qa, "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"questions": 2, "answer_hit": 1, "evidence_hit": 1, "retrieval_recall_at_5": 1, "not_found_correct": 1, "false_not_found": 0} {
		if rep[k] != want {
			t.Errorf("%s: got %v, want %v", k, rep[k], want)
		}
	}
	for _, k := range []string{"p50_ms", "p95_ms"} {
		if _, ok := rep[k].(float64); !ok {
			t.Errorf("%s missing", k)
		}
	}

	out, _, code = runCLI(t, nil, "eval", "--data", data, "--qa", qa, "--markdown-row", "dev")
	if code != 0 || !strings.HasPrefix(out, "| dev | 2 | 1.000 | 1.000 | ") || strings.Count(out, "|") != 11 {
		t.Errorf("markdown row: exit %d, %q", code, out)
	}
	header, _, _ := runCLI(t, nil, "eval", "--markdown-header")
	if strings.Count(strings.SplitN(header, "\n", 2)[0], "|") != 11 {
		t.Errorf("markdown header does not match the row: %q", header)
	}
}

func TestVersion(t *testing.T) {
	out, _, code := runCLI(t, nil, "version")
	if code != 0 || out != "citebot dev\n" {
		t.Errorf("got %q, exit %d", out, code)
	}
}

func TestEmphasisInText(t *testing.T) {
	tests := []struct {
		in       string
		terminal bool
		want     string
	}{
		{"took place in April this year (**April 2024**) [1].", false, "took place in April this year (April 2024) [1]."},
		{"took place in April this year (**April 2024**) [1].", true, "took place in April this year (\x1b[1mApril 2024\x1b[0m) [1]."},
		{"no emphasis, a * star", false, "no emphasis, a * star"},
	}
	for _, tt := range tests {
		if got := emphasis(tt.in, tt.terminal); got != tt.want {
			t.Errorf("emphasis(%q, %v) = %q, want %q", tt.in, tt.terminal, got, tt.want)
		}
	}
}

// TestBadFlagValuesAreUsageErrors checks that every command exits with
// status 2 (a usage error) for a bad flag value, and with 1 when the same
// bad value comes from the environment or a configuration file.
func TestBadFlagValuesAreUsageErrors(t *testing.T) {
	data := t.TempDir()
	file := filepath.Join(data, "citebot.yaml")
	if err := os.WriteFile(file, []byte("top_k: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []commandCase{
		{"ask -k 0", nil, []string{"ask", "--data", data, "-k", "0", "x"}, 2, "top_k: 0 is out of range"},
		{"search -k 99", nil, []string{"search", "--data", data, "-k", "99", "x"}, 2, "top_k: 99 is out of range"},
		{"timeline --log-level", nil, []string{"timeline", "--data", data, "--log-level", "loud", "x"}, 2, "log.level:"},
		{"chat --as-of", nil, []string{"chat", "--data", data, "--as-of", "yesterday"}, 2, "as_of:"},
		{"index --base-url", nil, []string{"index", "--data", data, "--base-url", "localhost:11434"}, 2, "openai.base_url:"},
		{"serve --http", nil, []string{"serve", "--data", data, "--http", "nowhere"}, 2, "http.addr:"},
		{"serve --shard-count", nil, []string{"serve", "--data", data, "--shard-count", "many"}, 2, "discord.shard_count:"},
		{"eval --limit", nil, []string{"eval", "--data", data, "--qa", "q.jsonl", "--limit", "-1"}, 2, "--limit -1"},
		{"feedback --top", nil, []string{"feedback", "--data", data, "--top", "-2"}, 2, "--top -2"},
		{"config check -k", nil, []string{"config", "check", "--data", data, "-k", "0"}, 2, "top_k: 0 is out of range"},
		{"healthcheck --timeout", nil, []string{"healthcheck", "--http", "127.0.0.1:1", "--timeout", "0s"}, 2, "--timeout"},
		{"healthcheck --http", nil, []string{"healthcheck", "--http", "nowhere"}, 2, "--http"},
		{"ask --since", nil, []string{"ask", "--data", data, "--since", "20x", "x"}, 2, "--since"},
		{"a good flag with a bad file value", nil, []string{"ask", "--data", data, "--config", file, "x"}, 1, "top_k: 0 is out of range"},
		{"bad env value", map[string]string{"CITEBOT_TOP_K": "0"}, []string{"ask", "--data", data, "x"}, 1, "top_k: 0 is out of range"},
		{"bad env http.addr for healthcheck", map[string]string{"CITEBOT_HTTP_ADDR": "nowhere"}, []string{"healthcheck"}, 1, "http.addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want it to contain %q)", code, tt.code, errOut, tt.inStderr)
			}
		})
	}
}

// TestServeOnlyFlags checks that the flags of Discord and the HTTP
// endpoints belong to serve (and config check): another command's help
// does not list them, and it refuses them as usage errors.
func TestServeOnlyFlags(t *testing.T) {
	data := t.TempDir()
	serveOnly := []string{"-guild", "-http", "-shard-id", "-shard-count"}
	tests := []struct {
		cmd    []string
		listed bool
	}{
		{[]string{"ask"}, false},
		{[]string{"index"}, false},
		{[]string{"chat"}, false},
		{[]string{"serve"}, true},
		{[]string{"config", "check"}, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.cmd, " "), func(t *testing.T) {
			_, help, code := runCLI(t, nil, append(tt.cmd, "-h")...)
			if code != 0 {
				t.Fatalf("-h: exit %d: %s", code, help)
			}
			for _, f := range serveOnly {
				if got := strings.Contains(help, "  "+f+" "); got != tt.listed {
					t.Errorf("help lists %s: got %v, want %v", f, got, tt.listed)
				}
			}
			if tt.listed {
				return
			}
			args := append(append([]string{}, tt.cmd...), "--data", data, "--guild", "123", "x")
			if _, errOut, code := runCLI(t, nil, args...); code != 2 || !strings.Contains(errOut, "-guild") {
				t.Errorf("--guild: exit %d (want 2), stderr %q", code, errOut)
			}
		})
	}
}

// TestStyledRespectsNoColor checks that terminal output is styled unless
// NO_COLOR is set to a value (https://no-color.org). /dev/null is a
// character device, so it passes for a terminal.
func TestStyledRespectsNoColor(t *testing.T) {
	tty, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer tty.Close()
	tests := []struct {
		name string
		env  map[string]string
		w    io.Writer
		want bool
	}{
		{"terminal", nil, tty, true},
		{"terminal, NO_COLOR empty", map[string]string{"NO_COLOR": ""}, tty, true},
		{"terminal, NO_COLOR=1", map[string]string{"NO_COLOR": "1"}, tty, false},
		{"terminal, NO_COLOR=false", map[string]string{"NO_COLOR": "false"}, tty, false},
		{"not a terminal", nil, &bytes.Buffer{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{getenv: func(k string) string { return tt.env[k] }}
			if got := e.styled(tt.w); got != tt.want {
				t.Errorf("styled: got %v, want %v", got, tt.want)
			}
		})
	}
	var out bytes.Buffer
	printAnswer(&out, rag.Answer{Text: "in (**April 2024**) [1]."}, false)
	if got, want := out.String(), "in (April 2024) [1].\n"; got != want {
		t.Errorf("unstyled answer: got %q, want %q", got, want)
	}
}
