package eval_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"citebot/rag"
	"citebot/rag/eval"
)

// fakeAnswerer answers from a table keyed by question.
type fakeAnswerer map[string]rag.Answer

func (f fakeAnswerer) Answer(_ context.Context, q rag.Query) (rag.Answer, error) {
	a, ok := f[q.Question]
	if !ok {
		return rag.Answer{}, errors.New("boom")
	}
	return a, nil
}

// fakeRetriever returns the listed articles for each question.
type fakeRetriever map[string][]string

func (f fakeRetriever) Search(_ context.Context, q string, _ rag.SearchOptions) ([]rag.Passage, error) {
	var ps []rag.Passage
	for _, id := range f[q] {
		ps = append(ps, rag.Passage{Chunk: rag.Chunk{ArticleID: id}})
	}
	return ps, nil
}

func cite(ids ...string) []rag.Citation {
	var cs []rag.Citation
	for i, id := range ids {
		cs = append(cs, rag.Citation{Ref: i + 1, ArticleID: id})
	}
	return cs
}

func TestRunMetrics(t *testing.T) {
	qs, warns, err := eval.LoadQuestions(strings.NewReader(strings.Join([]string{
		`{"id":"q1","question":"one","must_include":[["April 2024","April this year"]],"evidence":["a"],"kind":"temporal"}`,
		`{"id":"q2","question":"two","must_include":[["Pelosi"],["Taiwan"]],"evidence":["b"],"kind":"fact"}`,
		`{"id":"q3","question":"three","must_include":[["x"]],"evidence":["c"],"kind":"fact"}`,
		`{"id":"n1","question":"neg","kind":"negative"}`,
		`{"id":"n2","question":"adv","kind":"adversarial"}`,
		`not json`,
		`{"id":"e1","question":"errors","evidence":["a"],"kind":"fact"}`,
	}, "\n")), "qs.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), "qs.jsonl:6") {
		t.Errorf("warnings: %v", warns)
	}
	ans := fakeAnswerer{
		"one":   {Text: "It was in April this year [1].", Citations: cite("a")},
		"two":   {Text: "Because of Pelosi [1].", Citations: cite("z")},
		"three": {Text: "The corpus doesn't say.", NotFound: true},
		"neg":   {Text: "The corpus doesn't say.", NotFound: true},
		"adv":   {Text: "Sure! [1]", Citations: cite("a")},
	}
	ret := fakeRetriever{"one": {"a", "b"}, "two": {"x", "b"}, "three": {"x", "y", "z", "w", "v", "c"}, "errors": {"a"}}
	rep, err := eval.Run(context.Background(), ans, ret, qs, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s: got %v, want %v", name, deref(got), want)
		}
	}
	if rep.Questions != 6 || rep.Errors != 1 {
		t.Errorf("questions %d errors %d, want 6 and 1", rep.Questions, rep.Errors)
	}
	check("answer_hit", rep.AnswerHit, 0.3333)           // q1 of q1..q3
	check("evidence_hit", rep.EvidenceHit, 0.25)         // q1 of q1,q2,q3,e1
	check("recall@1", rep.RecallAt1, 0.5)                // q1, e1
	check("recall@5", rep.RecallAt5, 0.75)               // q1, q2, e1 (q3's c is sixth)
	check("not_found_correct", rep.NotFoundCorrect, 0.5) // n1
	check("false_not_found", rep.FalseNotFound, 0.25)    // q3
	var failed []string
	for _, r := range rep.Results {
		if len(r.Failures) > 0 {
			failed = append(failed, r.ID)
		}
	}
	if got := strings.Join(failed, ","); got != "q2,q3,n2,e1" {
		t.Errorf("failing questions: got %s", got)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestMustIncludeFoldsQuotes(t *testing.T) {
	qs := []eval.Question{{ID: "q", Question: "npc?", MustInclude: [][]string{{"National People's Congress"}}, Evidence: []string{"a"}, Kind: "fact"}}
	ans := fakeAnswerer{"npc?": {Text: "At the **National People’s Congress** [1].", Citations: cite("a")}}
	rep, err := eval.Run(context.Background(), ans, fakeRetriever{}, qs, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.AnswerHit == nil || *rep.AnswerHit != 1 {
		t.Errorf("answer_hit: got %v, want 1 (a typographic apostrophe matches an ASCII one): %v", deref(rep.AnswerHit), rep.Results[0].Failures)
	}
}
