package rag_test

import (
	"context"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/rag"
)

// TestQuotedBracketsAreNoMarkers checks that a number in square brackets
// in an article's sentence ("[8] Mara Quill", a seed in a score line) is
// shown in parentheses in the answer, whose markers are all its own
// citations, while the citation quotes the article as written.
func TestQuotedBracketsAreNoMarkers(t *testing.T) {
	arts := []corpus.Article{
		{ID: "open", Title: "Quill reaches the final", Source: "Example News", Published: day("2024-09-06"),
			Text: "The tournament's semifinals were played on Thursday night.\n\nScore line: [8] Mara Quill defeated [2] Lena Holt 6-4, 6-3 in the semifinal."},
		{ID: "other", Title: "Rain delays play", Source: "Example News", Published: day("2024-09-05"),
			Text: "Rain delayed play at the tournament for three hours on Wednesday."},
	}
	ans, err := rag.NewExtractive(newIndex(t, arts)).Answer(context.Background(), rag.Query{Question: "Who did Mara Quill defeat in the semifinal?", AsOf: day("2024-09-07")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ans.Text, "(8) Mara Quill") || strings.Contains(ans.Text, "[8]") || strings.Contains(ans.Text, "[2]") {
		t.Errorf("answer: got %q, want the seeds in parentheses", ans.Text)
	}
	if len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "[8] Mara Quill") {
		t.Errorf("citations: got %+v, want the quote as written", ans.Citations)
	}
}
