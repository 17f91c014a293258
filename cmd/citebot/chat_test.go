package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"citebot/rag"
)

// chatCLI runs `citebot chat` with args and the lines of script as its
// input.
func chatCLI(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(ctx, append([]string{"chat", "--data", t.TempDir(), "--as-of", "2024-10-01"}, args...), func(string) string { return "" }, stdin, &out, &errb)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func TestChatConversation(t *testing.T) {
	script := strings.Join([]string{
		"when did biden n xi last see each other in person",
		"where was that?",
		"",
		"thanks!",
		"/new",
		"where was that?",
	}, "\n")
	out, errOut, code := chatCLI(t, context.Background(), strings.NewReader(script))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	parts := strings.Split(out, "(new conversation)\n")
	if len(parts) != 2 {
		t.Fatalf("want one /new in the output, got:\n%s", out)
	}
	first, second := parts[0], parts[1]
	for _, want := range []string{
		"November 2023",
		"Answered as: where did biden and xi last see each other in person in November 2023\n",
		"Woodside, California",
		"Sources:\n[1] ",
		"(nothing to answer)\n",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("first conversation lacks %q:\n%s", want, first)
		}
	}
	if strings.Count(first, "Answered as:") != 1 {
		t.Errorf("want exactly one resolved question in the first conversation:\n%s", first)
	}
	// After /new, "where was that?" has nothing to refer to.
	if strings.Contains(second, "Answered as:") || !strings.Contains(second, "doesn't say") {
		t.Errorf("after /new the follow-up should be read alone and not found:\n%s", second)
	}
	if strings.Contains(out, "> ") {
		t.Errorf("a prompt was printed to a non-terminal:\n%s", out)
	}
}

func TestChatJSON(t *testing.T) {
	out, errOut, code := chatCLI(t, context.Background(), strings.NewReader("when did biden n xi last see each other in person\nwhere was that?\nty\n"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var answers []rag.Answer
	for dec.More() {
		var a rag.Answer
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		answers = append(answers, a)
	}
	if len(answers) != 3 {
		t.Fatalf("got %d answers, want 3:\n%s", len(answers), out)
	}
	if answers[0].Resolved != "" || answers[1].Resolved != "where did biden and xi last see each other in person in November 2023" || !answers[2].Chitchat {
		t.Errorf("resolved %q, %q; chitchat %v", answers[0].Resolved, answers[1].Resolved, answers[2].Chitchat)
	}
}

func TestChatErrors(t *testing.T) {
	_, errOut, code := chatCLI(t, context.Background(), strings.NewReader(""), "a question")
	if code != 2 || !strings.Contains(errOut, "chat takes no arguments") {
		t.Errorf("argument: exit %d, stderr %q; want 2 and a usage error", code, errOut)
	}
	// A bad line is reported and the conversation goes on.
	out, errOut, code := chatCLI(t, context.Background(), strings.NewReader(strings.Repeat("x", rag.MaxQuestionRunes+1)+"\nwhen did biden n xi last see each other in person\n"))
	if code != 0 || !strings.Contains(errOut, "too long") || !strings.Contains(out, "November 2023") {
		t.Errorf("long line: exit %d, stderr %q, stdout %q", code, errOut, out)
	}
}

// cancelOnRead is an input that never ends: the first read cancels the
// context (the user presses Ctrl-C while the chat waits for a line) and
// then blocks until the pipe is closed.
type cancelOnRead struct {
	cancel context.CancelFunc
	r      *io.PipeReader
}

func (c cancelOnRead) Read(p []byte) (int, error) {
	c.cancel()
	return c.r.Read(p)
}

// TestChatEndsOnCancel checks that Ctrl-C (the context ending) ends a chat
// that is waiting for input, without an error.
func TestChatEndsOnCancel(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, errOut, code := chatCLI(t, ctx, cancelOnRead{cancel: cancel, r: pr})
	if code != 0 {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
