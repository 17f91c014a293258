package analysis_test

import (
	"strings"
	"testing"

	"citebot/rag/internal/analysis"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"during", "durng", 2, 1},
		{"biden", "bidne", 2, 1}, // a transposition counts one
		{"cat", "cot", 1, 1},
		{"sullivan", "sulivan", 2, 1},
		{"abc", "xyz", 1, 2}, // over the limit: limit+1
		{"a", "abcd", 2, 3},
	}
	for _, tc := range tests {
		if got := analysis.EditDistance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("EditDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}

func TestSentenceInitial(t *testing.T) {
	text := "He left. Biden spoke to \"Xi\" about\nTrade and Taiwan."
	tests := []struct {
		word string
		want bool
	}{
		{"He", true}, {"Biden", true}, {"Xi", false}, {"Trade", true}, {"Taiwan", false},
	}
	for _, tc := range tests {
		i := strings.Index(text, tc.word)
		if got := analysis.SentenceInitial(text, i); got != tc.want {
			t.Errorf("SentenceInitial(%q) = %v, want %v", tc.word, got, tc.want)
		}
	}
}

func TestIsAlpha(t *testing.T) {
	for s, want := range map[string]bool{"word": true, "Überall": true, "": false, "g20": false, "u.s.": false} {
		if got := analysis.IsAlpha(s); got != want {
			t.Errorf("IsAlpha(%q) = %v, want %v", s, got, want)
		}
	}
}
