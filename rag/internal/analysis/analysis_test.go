package analysis_test

import (
	"strings"
	"testing"

	"citebot/rag/internal/analysis"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"simple", "One sentence. Two sentence! Three?", []string{"One sentence.", "Two sentence!", "Three?"}},
		{"abbreviations", "Mr. Biden met Gov. Newsom in Woodside, Calif. on Nov. 15. They spoke.", []string{"Mr. Biden met Gov. Newsom in Woodside, Calif. on Nov. 15.", "They spoke."}},
		{"acronym", "The U.S. and China met. Then U.S. officials left.", []string{"The U.S. and China met.", "Then U.S. officials left."}},
		{"initials", "It was founded by G. Stanley Hall in 1892. He led it.", []string{"It was founded by G. Stanley Hall in 1892.", "He led it."}},
		{"quotes", "He said, “We agree.” Then he left. “Why?” she asked.", []string{"He said, “We agree.”", "Then he left.", "“Why?” she asked."}},
		{"lower-case after period is not a boundary", "It is the best. way to prevent conflict.", []string{"It is the best. way to prevent conflict."}},
		{"paragraph break", "No final stop\n\nNext paragraph here.", []string{"No final stop", "Next paragraph here."}},
		{"decimals and numbers", "Growth was 3.5 percent. In 2024 it fell.", []string{"Growth was 3.5 percent.", "In 2024 it fell."}},
		{"empty", "   \n\n  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range analysis.SplitSentences(tt.text) {
				got = append(got, tt.text[s.Start:s.End])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The U.S. and the US spoke with us", "us us speak"},
		{"Xi’s talks; Biden's calls", "xi talk biden call"},
		{"United States and United Nations", "us un"},
		{"He spoke; they had spoken; we speak", "speak speak speak"},
		{"1,000 people in 2024, 3.5 percent", "1000 peopl 2024 3.5 percent"},
		{"Biden-Xi call", "biden xi call"},
		{"习近平", "习 近 平"},
		{"spoke met ran wrote", "speak meet run write"},
		// Left to the stemmer, as package rag always tokenised them (see
		// unmapped in text.go).
		{"came done gone got gotten held made taken took went", "came done gone got gotten held made taken took went"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := strings.Join(analysis.Terms(tt.in), " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
