package eval_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"citebot/rag"
	"citebot/rag/eval"
)

// convAnswerer answers from a table keyed by the question and the number
// of earlier turns, and records the history of every query.
type convAnswerer struct {
	answers map[string]rag.Answer
	seen    []string // "question|history questions"
}

func (c *convAnswerer) Answer(_ context.Context, q rag.Query) (rag.Answer, error) {
	var hist []string
	for _, t := range q.History {
		hist = append(hist, t.Question+"="+t.Answer.Text)
	}
	c.seen = append(c.seen, q.Question+"|"+strings.Join(hist, ";"))
	a, ok := c.answers[q.Question]
	if !ok {
		return rag.Answer{NotFound: true, Text: "The corpus doesn't say."}, nil
	}
	return a, nil
}

func TestRunConversations(t *testing.T) {
	lines := []string{
		`{"id":"c1","as_of":"2024-10-01","turns":[` +
			`{"question":"when did they last meet","answer":"Nov 2023","evidence":["a"]},` +
			`{"question":"where was that?","must_include":[["Woodside"]],"evidence":["a"],"kind":"followup"},` +
			`{"question":"thx!","must_include":[],"evidence":[],"kind":"chitchat"},` +
			`{"question":"how long did it go for","kind":"unanswerable"}]}`,
		`{"id":"c2","turns":[{"question":"q1","kind":"fact","must_include":[["x"]],"evidence":["b"]},{"question":"ty","kind":"chitchat"}]}`,
		`{"id":"bad1","turns":[]}`,
		`{"id":"bad2","turns":[{"question":""}]}`,
		`{"id":"bad3","question":"both","turns":[{"question":"q"}]}`,
		`{"id":"bad4","turns":[{"question":"q","as_of":"2024-01-01"}]}`,
	}
	qs, warns, err := eval.LoadQuestions(strings.NewReader(strings.Join(lines, "\n")), "conv.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 {
		t.Fatalf("got %d lines, want 2", len(qs))
	}
	var ws []string
	for _, w := range warns {
		ws = append(ws, w.Error())
	}
	for i, want := range []string{`conv.jsonl:3: "turns" is empty`, `conv.jsonl:4: turn 1: missing "question"`, `conv.jsonl:5: a line has either`, `conv.jsonl:6: turn 1: "as_of" belongs on the conversation`} {
		if i >= len(ws) || !strings.Contains(ws[i], want) {
			t.Errorf("warning %d: got %v, want %q", i, ws, want)
		}
	}
	if got := qs[0].Turns[1].ID; got != "c1/2" {
		t.Errorf("turn id: got %q, want c1/2", got)
	}

	a := &convAnswerer{answers: map[string]rag.Answer{
		"when did they last meet": {Text: "In November 2023 [1].", Citations: cite("a")},
		"where was that?":         {Text: "In Woodside [1].", Citations: cite("a"), Resolved: "where did they last meet"},
		"thx!":                    {Chitchat: true},
		"q1":                      {Text: "x [1]", Citations: cite("b")},
		"ty":                      {Text: "You're welcome [1]", Citations: cite("b")},
	}}
	ret := fakeRetriever{"where did they last meet": {"a"}, "q1": {"b"}}
	rep, err := eval.Run(context.Background(), a, ret, qs, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantSeen := []string{
		"when did they last meet|",
		"where was that?|when did they last meet=In November 2023 [1].",
		"thx!|when did they last meet=In November 2023 [1].;where was that?=In Woodside [1].",
		"how long did it go for|when did they last meet=In November 2023 [1].;where was that?=In Woodside [1].;thx!=",
		"q1|",
		"ty|q1=x [1]",
	}
	if !reflect.DeepEqual(a.seen, wantSeen) {
		t.Errorf("queries:\ngot  %q\nwant %q", a.seen, wantSeen)
	}
	if rep.Conversations != 2 || rep.Turns != 6 || rep.Questions != 5 {
		t.Errorf("conversations %d turns %d questions %d, want 2, 6, 5", rep.Conversations, rep.Turns, rep.Questions)
	}
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s: got %v, want %v", name, deref(got), want)
		}
	}
	check("answer_hit", rep.AnswerHit, 1)                  // c1/2, c2/1
	check("evidence_hit", rep.EvidenceHit, 1)              // c1/2, c2/1
	check("recall@1", rep.RecallAt1, 1)                    // searched with the resolved question
	check("not_found_correct", rep.NotFoundCorrect, 1)     // c1/4
	check("chitchat_correct", rep.ChitchatCorrect, 0.5)    // c1/3 yes, c2/2 answered
	check("followup_answer_hit", rep.FollowUpAnswerHit, 1) // c1/2 (c2/1 is a first turn)
	if n := rep.Counts["followup_with_must_include"]; n != 1 {
		t.Errorf("follow-up count: got %d, want 1", n)
	}
	var ids, failed []string
	for _, r := range rep.Results {
		ids = append(ids, r.ID)
		if len(r.Failures) > 0 {
			failed = append(failed, r.ID)
		}
	}
	if got := strings.Join(ids, ","); got != "c1/2,c1/3,c1/4,c2/1,c2/2" {
		t.Errorf("scored turns: got %s", got)
	}
	if got := strings.Join(failed, ","); got != "c2/2" {
		t.Errorf("failing turns: got %s, want c2/2", got)
	}
	if got := rep.Results[0].Resolved; got != "where did they last meet" {
		t.Errorf("resolved: got %q", got)
	}
	if rep.Counts["chitchat"] != 2 {
		t.Errorf("chitchat count: got %d, want 2", rep.Counts["chitchat"])
	}
}

// TestSingleQuestionsUnchanged checks that a file of single questions reads
// and scores as before conversations existed: no conversation figures,
// the same JSON keys.
func TestSingleQuestionsUnchanged(t *testing.T) {
	qs, warns, err := eval.LoadQuestions(strings.NewReader(`{"id":"q1","question":"one","must_include":[["x"]],"evidence":["a"],"kind":"fact"}
{"question":"two","kind":"negative"}`), "qs.jsonl")
	if err != nil || len(warns) != 0 || len(qs) != 2 {
		t.Fatalf("load: %v %v %d", err, warns, len(qs))
	}
	if qs[1].ID != "line2" || qs[0].IsConversation() {
		t.Errorf("ids: %q, conversation %v", qs[1].ID, qs[0].IsConversation())
	}
	a := &convAnswerer{answers: map[string]rag.Answer{"one": {Text: "x [1]", Citations: cite("a")}}}
	rep, err := eval.Run(context.Background(), a, fakeRetriever{"one": {"a"}}, qs, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 2 || rep.Conversations != 0 || rep.Turns != 0 || rep.ChitchatCorrect != nil || rep.FollowUpAnswerHit != nil {
		t.Errorf("report: %+v", rep)
	}
	for _, s := range a.seen {
		if !strings.HasSuffix(s, "|") {
			t.Errorf("a single question was asked with history: %q", s)
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"conversations", "turns", "chitchat_correct", "followup_answer_hit"} {
		if _, ok := keys[k]; ok {
			t.Errorf("JSON of a single-question run has %q", k)
		}
	}
	if got, want := fmt.Sprint(rep.Counts), "map[expect_not_found:1 with_evidence:1 with_must_include:1]"; got != want {
		t.Errorf("counts: got %s, want %s", got, want)
	}
}
