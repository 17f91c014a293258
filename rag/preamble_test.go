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

func TestIsDateline(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"CNN —", true},
		{"Paris CNN Business —", true},
		{"BOGOTA, Colombia —", true},
		{"The leaders met in Bali.", false},
		{"She’s massive, invasive and covered in scales: A record breaking python has been captured.", false},
	} {
		if got := rag.IsDateline(tc.s); got != tc.want {
			t.Errorf("IsDateline(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
