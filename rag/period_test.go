package rag_test

import (
	"strings"
	"testing"

	"citebot/rag"
)

// TestQuestionPeriodArticles checks that a question placed in a month
// is answered from the articles of that month even when articles about
// other months match its words better, and that a month that only
// bounds the question ("by march 2023") does not narrow it.
func TestQuestionPeriodArticles(t *testing.T) {
	e := rag.NewExtractive(shippedIndex(t))
	tests := []struct {
		name, q, asOf, want string
	}{
		{"placed in a month", "what did sullivan say about a biden xi call in march 2023", "2026-11-23", "telephone conversation"},
		{"bounded by a month", "how many calls had biden and xi had by march 2023", "2026-11-23", "fifth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := answerAsOf(t, e, tt.q, tt.asOf)
			if !strings.Contains(ans.Text, tt.want) {
				t.Errorf("got %q, want it to contain %q", ans.Text, tt.want)
			}
		})
	}
}
