// Package sample makes articles for tests and benchmarks: real English
// sentences of the shipped corpus, recombined deterministically.
package sample

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
)

// Articles returns n articles of recombined sentences of the shipped
// corpus (real English with its names and dates), with titles, dates from
// 2020 to 2024 and paragraphs, deterministic for a seed.
func Articles(n int, seed uint64) []corpus.Article {
	seedArts, err := corpus.Shipped()
	if err != nil {
		panic(err)
	}
	var sents []string
	for _, a := range seedArts {
		for _, s := range analysis.SplitSentences(a.Text) {
			sents = append(sents, a.Text[s.Start:s.End])
		}
	}
	r := rand.New(rand.NewPCG(seed, 42))
	out := make([]corpus.Article, n)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		var b strings.Builder
		for p := 0; p < 1+r.IntN(4); p++ {
			if p > 0 {
				b.WriteString("\n\n")
			}
			for s := 0; s < 1+r.IntN(4); s++ {
				if s > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(sents[r.IntN(len(sents))])
			}
		}
		title := strings.Fields(sents[r.IntN(len(sents))])
		out[i] = corpus.Article{
			ID: fmt.Sprintf("t%05d", i), Title: strings.Join(title[:min(len(title), 6)], " "),
			Source: "Test", Published: base.AddDate(0, 0, r.IntN(1800)), Text: b.String(),
		}
	}
	return out
}
