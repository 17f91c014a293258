package rag_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"citebot/rag"
	"citebot/rag/openaitest"
)

// meetTurn is the first turn of a conversation about the shipped corpus.
func meetTurn() rag.Turn {
	return rag.Turn{
		Question: "when did biden n xi last see each other in person",
		Answer: rag.Answer{
			Text:      "As of about 1 October 2024: **November 2023**: their last in-person meeting was back in November 2023 in Woodside, California [1].",
			Citations: []rag.Citation{{Ref: 1, ArticleID: "004_bf2e7a1252b3b5c1"}},
			Mode:      rag.ModeLLM,
		},
	}
}

// TestLLMAnswererConversation checks a follow-up with a chat model: it is
// resolved, retrieval uses the resolved question, the earlier turn goes
// into the prompt without its old citation markers, and the reply's
// citations are verified against this turn's passages only.
func TestLLMAnswererConversation(t *testing.T) {
	ix := shippedIndex(t)
	history := []rag.Turn{meetTurn()}
	q := rag.Query{Question: "where was that?", AsOf: day("2024-10-01"), K: 5, History: history}
	const resolved = "where did biden and xi last see each other in person in November 2023"
	question, ps, asOf := retrieved(t, ix, rag.Query{Question: resolved, AsOf: q.AsOf, K: 5})
	woodside := passageWith(t, ps, "Woodside", nil)

	srv := openaitest.New(t)
	srv.Chat(openaitest.Reply{Text: fmt.Sprintf("In Woodside, California [%d]. They also met in Bali [%d].", woodside, len(ps)+3)})
	c := newClient(t, srv, nil)
	got, err := rag.NewLLMAnswerer(ix, c.Chat("chat-model"), nil).Answer(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got.Resolved != resolved || got.Question != question {
		t.Errorf("resolved %q question %q, want %q", got.Resolved, got.Question, resolved)
	}
	if got.Mode != rag.ModeLLM || len(got.Citations) != 1 || got.Citations[0].ArticleID != ps[woodside-1].ArticleID {
		t.Errorf("got %+v, want one citation of the Woodside passage", got)
	}
	if !strings.Contains(got.Text, "Bali (uncited).") {
		t.Errorf("a marker beyond this turn's passages was kept: %q", got.Text)
	}
	checkCitations(t, ix, got)

	reqs := srv.ChatRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d chat requests, want 1", len(reqs))
	}
	want := rag.BuildConversationPrompt("where was that?", resolved, history, asOf, ps)
	sys, user := reqs[0].Messages[0].Content, reqs[0].Messages[1].Content
	if sys != want.System || user != want.User {
		t.Error("the prompt sent differs from BuildConversationPrompt over the passages of the resolved question")
	}
	checkGolden(t, "prompt_history.golden", "=== system ===\n"+sys+"\n=== user ===\n"+user+"\n")
	for _, s := range []string{
		"User: when did biden n xi last see each other in person\ncitebot: As of about 1 October 2024: November 2023: their last in-person meeting was back in November 2023 in Woodside, California.\n",
		"where was that?\n(Read in the conversation as: " + resolved + ")",
	} {
		if !strings.Contains(user, s) {
			t.Errorf("the user message lacks %q:\n%s", s, user)
		}
	}
	if !strings.Contains(sys, "They are not a source") {
		t.Error("the system message lacks the rule on earlier turns")
	}
}

// TestLLMAnswererChitchatAsksNothing checks that a reply that asks nothing
// gets an empty answer without a request to the model.
func TestLLMAnswererChitchatAsksNothing(t *testing.T) {
	ix := shippedIndex(t)
	srv := openaitest.New(t)
	c := newClient(t, srv, nil)
	for _, text := range []string{"thanks!", "ok cool ty", "👍"} {
		got, err := rag.NewLLMAnswerer(ix, c.Chat("m"), nil).Answer(context.Background(), rag.Query{Question: text, History: []rag.Turn{meetTurn()}})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !got.Chitchat || got.Text != "" || len(got.Citations) != 0 {
			t.Errorf("%q: got %+v, want a chitchat answer", text, got)
		}
	}
	if n := len(srv.ChatRequests()); n != 0 {
		t.Errorf("%d chat requests for chitchat, want 0", n)
	}
}

// TestConversationPromptBudget checks that the earlier turns in a prompt
// are the newest that fit the token budget and turn limit.
func TestConversationPromptBudget(t *testing.T) {
	var history []rag.Turn
	for i := range 20 {
		history = append(history, rag.Turn{
			Question: fmt.Sprintf("question %02d", i),
			Answer:   rag.Answer{Text: strings.Repeat(fmt.Sprintf("Answer %02d is long. ", i), 40) + "[1]"},
		})
	}
	history = append(history, rag.Turn{Question: "thanks", Answer: rag.Answer{Chitchat: true}})
	p := rag.BuildConversationPrompt("and then?", "", history, day("2024-10-01"), promptPassages())
	conv := p.User[strings.Index(p.User, "<<<BEGIN CONVERSATION"):strings.Index(p.User, "<<<BEGIN QUESTION")]
	if n := strings.Count(conv, "User: "); n < 1 || n > rag.MaxHistoryTurns {
		t.Errorf("%d turns in the prompt, want 1 to %d", n, rag.MaxHistoryTurns)
	}
	if len(conv) > rag.HistoryTokenBudget*4+500 {
		t.Errorf("the conversation block has %d characters, over the budget of about %d", len(conv), rag.HistoryTokenBudget*4)
	}
	if !strings.Contains(conv, "User: question 19\n") || strings.Contains(conv, "User: question 00\n") || strings.Contains(conv, "User: thanks") {
		t.Errorf("want the newest turns without chitchat:\n%s", conv)
	}
	if strings.Contains(conv, "[1]") {
		t.Error("old citation markers reached the prompt")
	}
	if got, want := rag.BuildConversationPrompt("when?", "", nil, day("2024-10-01"), promptPassages()), rag.BuildPrompt("when?", day("2024-10-01"), promptPassages()); got != want {
		t.Error("without history the prompt differs from BuildPrompt")
	}
}
