package analysis_test

import (
	"strings"
	"testing"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/sample"
)

// BenchmarkTokenize tokenises paragraphs of articles (package sample's
// recombined sentences of the shipped corpus), as indexing and warming an
// index do for every passage.
func BenchmarkTokenize(b *testing.B) {
	var texts []string
	for _, a := range sample.Articles(200, 1) {
		texts = append(texts, strings.Split(a.Text, "\n\n")...)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		analysis.Tokenize(texts[i%len(texts)])
	}
}
