package rag_test

import (
	"context"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/rag"
)

// TestYesNoWithoutAllItsNames checks a yes/no question whose best sentence
// does not name all the question is about: a question about a state or a
// view gets that sentence without a yes or no, one about whether something
// was done is not answered.
func TestYesNoWithoutAllItsNames(t *testing.T) {
	e := rag.NewExtractive(shippedIndex(t))
	tests := []struct {
		name, q, asOf string
		notFound      bool
		contains      string
	}{
		{"a view", "is it a thaw between biden and xi?", "2021-10-25", false, "mistake to see a “thaw”"},
		{"a state", "were people pushing for a boycott of the beijing olympics?", "2021-10-25", false, "boycott"},
		{"whether it was done", "did xi end up going to moscow after the npc in 2023?", "2026-11-23", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := answerAsOf(t, e, tt.q, tt.asOf)
			if ans.NotFound != tt.notFound {
				t.Fatalf("not found: got %v, want %v: %s", ans.NotFound, tt.notFound, ans.Text)
			}
			if tt.notFound {
				return
			}
			if !strings.Contains(ans.Text, tt.contains) {
				t.Errorf("answer lacks %q: %s", tt.contains, ans.Text)
			}
			if strings.Contains(ans.Text, "**Yes**") || strings.Contains(ans.Text, "**No**") {
				t.Errorf("got a yes or no from a sentence that does not name the question's subject: %s", ans.Text)
			}
		})
	}
}

// TestYesNoLeads checks the yes or no a sentence gives: calling the thing
// asked about a mistake to see answers "No"; speaking of its prospects
// answers neither, so the answer starts with the sentence itself; and a
// question offering a choice ("a thaw or a freeze?") gets no yes or no.
func TestYesNoLeads(t *testing.T) {
	e := rag.NewExtractive(shippedIndex(t))
	tests := []struct {
		name, q, asOf, want string
	}{
		{"a mistake to see it", "is there a thaw between washington and beijing?", "2021-10-25", "**No**: yet with disagreements abounding"},
		{"the prospects for it say neither", "is blinken's beijing trip rescheduled?", "2023-03-15", "Asked about prospects for a rescheduled trip"},
		{"a choice is no yes/no question", "is there a thaw or a freeze between washington and beijing?", "2021-10-25", "Yet with disagreements abounding"},
		{"or what asks yes or no", "is there a thaw between washington and beijing or what?", "2021-10-25", "**No**: yet"},
		{"or not asks yes or no", "is there a thaw between washington and beijing or not?", "2021-10-25", "**No**: yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := answerAsOf(t, e, tt.q, tt.asOf)
			if !strings.HasPrefix(ans.Text, tt.want) {
				t.Errorf("got %q, want it to start with %q", ans.Text, tt.want)
			}
		})
	}
}

// TestOutcomeOfAProspect checks that a question about how an event went
// or what was said at it is not answered by the sentence that announced
// it as still to come, while one about an event already reported is.
func TestOutcomeOfAProspect(t *testing.T) {
	e := rag.NewExtractive(shippedIndex(t))
	tests := []struct {
		name, q, asOf string
		notFound      bool
	}{
		{"a press conference still to come", "what did sullivan say at the press conference?", "2024-10-01", true},
		{"a conference agreed for the end of the year", "how did the video conference between biden and xi end up going?", "2021-10-25", true},
		{"a call already reported", "how did biden's call with xi in september 2021 go?", "2024-10-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := answerAsOf(t, e, tt.q, tt.asOf)
			if ans.NotFound != tt.notFound {
				t.Fatalf("not found: got %v, want %v: %s", ans.NotFound, tt.notFound, ans.Text)
			}
			if tt.notFound && !strings.Contains(ans.Text, "only report it as a prospect") {
				t.Errorf("got %q, want the prospect note", ans.Text)
			}
		})
	}
}

// answerAsOf answers question q asked on day asOf (YYYY-MM-DD).
func answerAsOf(t *testing.T, e *rag.Extractive, q, asOf string) rag.Answer {
	t.Helper()
	ans, err := e.Answer(context.Background(), rag.Query{Question: q, AsOf: day(asOf)})
	if err != nil {
		t.Fatalf("Answer(%q): %v", q, err)
	}
	return ans
}

// TestAffirmingIdiomsDenyNothing checks that an idiom holding a word of
// denial but affirming ("had no problem meeting", "not only … but also")
// answers "Yes", while a plain denial answers "No".
func TestAffirmingIdiomsDenyNothing(t *testing.T) {
	arts := []corpus.Article{
		{ID: "a", Title: "Port officials meet visitors", Source: "Example News", Published: day("2024-05-02"),
			Text: "The port officials had no problem meeting a trade delegation in person last week. The talks covered shipping fees."},
		{ID: "b", Title: "Rail board and the unions", Source: "Example News", Published: day("2024-05-03"),
			Text: "The rail board not only met the unions in person but also visited the depots. It promised new trains."},
		{ID: "c", Title: "Mayor skips the fair", Source: "Example News", Published: day("2024-05-04"),
			Text: "The mayor did not attend the county fair this year. Her deputy went instead."},
	}
	e := rag.NewExtractive(newIndex(t, arts))
	tests := []struct{ q, want string }{
		{"did the port officials meet a trade delegation in person?", "**Yes**"},
		{"did the rail board meet the unions in person?", "**Yes**"},
		{"did the mayor attend the county fair?", "**No**"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			ans := answerAsOf(t, e, tt.q, "2024-05-10")
			if !strings.HasPrefix(ans.Text, tt.want) {
				t.Errorf("got %q, want it to start with %q", ans.Text, tt.want)
			}
		})
	}
}
