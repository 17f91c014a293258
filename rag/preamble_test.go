package rag_test

import (
	"slices"
	"testing"

	"citebot/rag"
)

func TestPreambleTerms(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"The awards were presented on Monday. Which show won the drama award?", []string{"monday", "present"}},
		{"Which show won the drama award?", nil},
		{"Prices rose again. Which item rose most? Tell me.", []string{"price"}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			if got := rag.PreambleTerms(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("PreambleTerms(%q) = %q, want %q", tc.q, got, tc.want)
			}
		})
	}
}
