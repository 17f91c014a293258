package analysis_test

import (
	"testing"

	"citebot/rag/internal/analysis"
)

func TestHeadline(t *testing.T) {
	tests := []struct {
		name, full, title, outlet string
	}{
		{"outlet suffix", "Biden and Xi agree to resume military talks - CNN", "Biden and Xi agree to resume military talks", "CNN"},
		{"two suffixes", "Markets fall as rates rise | CNN Business - CNN", "Markets fall as rates rise", "CNN Business - CNN"},
		{"too short", "Normans", "", ""},
		{"question", "Will the talks resume after the summit?", "", ""},
		{"title case", "New York CNN Business Markets Report", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			title, outlet := analysis.Headline(tc.full)
			if title != tc.title || outlet != tc.outlet {
				t.Errorf("Headline(%q) = %q, %q; want %q, %q", tc.full, title, outlet, tc.title, tc.outlet)
			}
		})
	}
}
