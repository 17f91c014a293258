package main

// Tests of the model-backed path of the CLI. They are in package main to
// drive run(), the whole program, against the openaitest fake.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/rag"
	"citebot/rag/openaitest"
)

// runModelCLI runs citebot with args and the environment env, and returns its
// stdout, stderr and error.
func runModelCLI(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// modelEnv is the environment of a model-backed run against srv.
func modelEnv(t *testing.T, srv *openaitest.Server) map[string]string {
	return map[string]string{
		"CITEBOT_DATA_DIR":   t.TempDir(),
		"CITEBOT_AS_OF":      "2026-11-23",
		"CITEBOT_CHAT_MODEL": "test-chat",
		"OPENAI_BASE_URL":    srv.URL,
	}
}

// citeFirstLastCall replies like a model: the sentence about the last call
// from the passage that holds it, cited by that passage's number.
func citeFirstLastCall(req openaitest.ChatRequest) openaitest.Reply {
	user := req.Messages[len(req.Messages)-1].Content
	m := regexp.MustCompile(`(?s)<<<BEGIN PASSAGE (\d+) [0-9a-f]+>>>(?:(?:[^<]|<[^<])*?)The last call between`).FindStringSubmatch(user)
	if m == nil {
		return openaitest.Reply{Text: "NOT FOUND"}
	}
	return openaitest.Reply{Text: fmt.Sprintf("As of about 1 October 2024, Biden and Xi last spoke by phone in April 2024 [%s]. Their last in-person meeting was in November 2023 in Woodside, California [%s].", m[1], m[1])}
}

func TestAskJSONWithChatModel(t *testing.T) {
	srv := openaitest.New(t)
	srv.ChatFunc(citeFirstLastCall)
	env := modelEnv(t, srv)
	env["OPENAI_API_KEY"] = "sk-test-secret-key"
	env["CITEBOT_LOG_LEVEL"] = "debug"
	out, errOut, err := runModelCLI(t, env, "ask", "--json", "when did Biden and Xi last speak?")
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, errOut)
	}
	t.Logf("ask --json printed:\n%s", out)
	var ans rag.Answer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("output is not one JSON answer: %v\n%s", err, out)
	}
	if ans.Mode != rag.ModeLLM || ans.NotFound || ans.Note != "" {
		t.Errorf("mode %q, not_found %v, note %q; want llm, false, none", ans.Mode, ans.NotFound, ans.Note)
	}
	want := "As of about 1 October 2024, Biden and Xi last spoke by phone in April 2024 [1]. Their last in-person meeting was in November 2023 in Woodside, California [1]."
	if ans.Text != want {
		t.Errorf("answer %q, want %q", ans.Text, want)
	}
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) != 1 {
		t.Fatalf("%d citations, want 1", len(ans.Citations))
	}
	c := ans.Citations[0]
	var cited *corpus.Article
	for i := range arts {
		if arts[i].ID == c.ArticleID {
			cited = &arts[i]
		}
	}
	if cited == nil || c.Ref != 1 || c.Published != cited.PublishedString() || !strings.Contains(cited.Text, "The last call between") {
		t.Fatalf("citation %+v does not name the article with the last call", c)
	}
	if !strings.Contains(c.Quote, "The last call between") || !strings.Contains(strings.Join(strings.Fields(cited.Text), " "), c.Quote) {
		t.Errorf("quote %q is not the supporting text of %s", c.Quote, c.ArticleID)
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 1 || reqs[0].Model != "test-chat" || !strings.Contains(reqs[0].Messages[1].Content, "when did Biden and Xi last speak?") {
		t.Errorf("chat requests %+v, want one for test-chat with the question", reqs)
	}
	if r := srv.Requests()[0]; r.Authorization != "Bearer sk-test-secret-key" {
		t.Errorf("Authorization %q, want the key", r.Authorization)
	}
	if strings.Contains(errOut, "sk-test-secret-key") || strings.Contains(out, "sk-test-secret-key") {
		t.Error("the API key was printed")
	}
	if len(srv.EmbeddingRequests()) != 0 {
		t.Error("without an embedding model, embeddings must stay local")
	}
}

func TestAskFallsBackWhenTheModelIsDown(t *testing.T) {
	srv := openaitest.New(t)
	env := modelEnv(t, srv)
	env["CITEBOT_OPENAI_MAX_RETRIES"] = "0"
	srv.Close()
	out, errOut, err := runModelCLI(t, env, "ask", "--json", "when did Biden and Xi last speak?")
	if err != nil {
		t.Fatalf("ask with the model down: %v\n%s", err, errOut)
	}
	var ans rag.Answer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Mode != rag.ModeExtractive || ans.Note != "The language model was unavailable (unreachable); this is the extractive answer." || len(ans.Citations) == 0 {
		t.Errorf("got %+v, want the extractive answer with a note", ans)
	}
	if !strings.Contains(errOut, "language model unavailable") {
		t.Errorf("stderr lacks the warning:\n%s", errOut)
	}

	// The plain output shows the note too.
	out, _, err = runModelCLI(t, env, "ask", "when did Biden and Xi last speak?")
	if err != nil || !strings.Contains(out, "\n(The language model was unavailable (unreachable); this is the extractive answer.)\n") {
		t.Errorf("ask: %v\n%s", err, out)
	}
}

// TestIndexReembedsWhenTheEmbeddingModelChanges runs `citebot index` with
// one embedding model, then another: the second run embeds everything
// again with the new model, a third embeds nothing, and ask works.
func TestIndexReembedsWhenTheEmbeddingModelChanges(t *testing.T) {
	srv := openaitest.New(t)
	srv.SetDim("embed-a", 16)
	srv.SetDim("embed-b", 24)
	env := modelEnv(t, srv)
	delete(env, "CITEBOT_CHAT_MODEL")
	embedded := regexp.MustCompile(`(\d+) chunks embedded, (\d+) reused`)
	index := func(model string) (embeddedN, reused string) {
		t.Helper()
		env["CITEBOT_EMBEDDING_MODEL"] = model
		out, errOut, err := runModelCLI(t, env, "index")
		if err != nil {
			t.Fatalf("index with %s: %v\n%s", model, err, errOut)
		}
		m := embedded.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("unexpected index output: %s", out)
		}
		return m[1], m[2]
	}
	if n, _ := index("embed-a"); n == "0" {
		t.Fatal("the first run embedded nothing")
	}
	before := len(srv.EmbeddingRequests())
	n, reused := index("embed-b")
	if n == "0" || reused != "0" {
		t.Errorf("after switching models: %s embedded, %s reused; want all embedded", n, reused)
	}
	for _, r := range srv.EmbeddingRequests()[before:] {
		if r.Model != "embed-b" {
			t.Errorf("request for %s after switching to embed-b", r.Model)
		}
	}
	if n, _ := index("embed-b"); n != "0" {
		t.Errorf("the same model again: %s chunks embedded, want 0", n)
	}
	env["CITEBOT_CHAT_MODEL"] = "test-chat"
	srv.ChatFunc(citeFirstLastCall)
	out, errOut, err := runModelCLI(t, env, "ask", "--json", "when did Biden and Xi last speak?")
	if err != nil || !strings.Contains(out, `"mode": "llm"`) {
		t.Errorf("ask with embed-b: %v\n%s\n%s", err, out, errOut)
	}
}

func TestStreamPrinter(t *testing.T) {
	cited := rag.Answer{Text: "They spoke in April 2024 [1].", Mode: rag.ModeLLM,
		Citations: []rag.Citation{{Ref: 1, ArticleID: "a", Title: "T", Published: "2024-04-02", Quote: "They spoke."}}}
	fallback := rag.Answer{Text: "Extractive [1].", Mode: rag.ModeExtractive, Note: "The language model was unavailable (timeout); this is the extractive answer.",
		Citations: cited.Citations}
	tests := []struct {
		name     string
		deltas   []string
		ans      rag.Answer
		err      error
		want     string
		sources  bool // the caller prints only the sources
		verified bool // the verified answer follows the rule
	}{
		{"verified equals streamed", []string{"They spoke ", "in April 2024 [1]."}, cited, nil, "They spoke in April 2024 [1].\n", true, false},
		{"renumbered", []string{"They spoke in April 2024 [4]."}, cited, nil, "They spoke in April 2024 [4].\n\n" + streamRule + "\n", false, true},
		{"fallback after a broken stream", []string{"They spo"}, fallback, nil, "They spo\n\n" + streamRule + "\n", false, true},
		{"error", []string{"They spo"}, rag.Answer{}, context.Canceled, "They spo\n", false, false},
		{"nothing streamed", nil, fallback, nil, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := &streamPrinter{w: &b}
			for _, d := range tt.deltas {
				p.delta(d)
			}
			p.end(tt.ans, tt.err)
			if got := b.String(); got != tt.want {
				t.Errorf("printed %q, want %q", got, tt.want)
			}
			if p.shown != tt.sources {
				t.Errorf("shown = %v, want %v", p.shown, tt.sources)
			}
		})
	}
}

func TestStreamPrinterBreaksLineForLogs(t *testing.T) {
	var out, logs bytes.Buffer
	p := &streamPrinter{w: &out}
	p.delta("They spo")
	lineBreakWriter{p, &logs}.Write([]byte("level=WARN msg=x\n"))
	lineBreakWriter{p, &logs}.Write([]byte("level=WARN msg=y\n"))
	if got, want := out.String(), "They spo\n"; got != want {
		t.Errorf("stdout %q, want %q (one line break before the first log line)", got, want)
	}
	if got, want := logs.String(), "level=WARN msg=x\nlevel=WARN msg=y\n"; got != want {
		t.Errorf("logs %q, want %q", got, want)
	}
}
