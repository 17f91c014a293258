package bm25

import (
	"unicode/utf8"

	"citebot/rag/internal/analysis"
)

// Closest returns the term of the lexicon within maxDist edits of t
// (see analysis.EditDistance) that the most passages use, if it is used by
// at least three times as many passages as the runner-up at its distance.
func (lx *Lexicon) Closest(t string, maxDist int) (string, bool) {
	best, bestDist, bestDF, second := "", maxDist+1, 0, 0
	first, _ := utf8.DecodeRuneInString(t)
	lx.spell.once.Do(func() { lx.spell.byFirst = lx.termsByFirstLetter() })
	terms := lx.vocab.Snapshot()
	for _, id := range lx.spell.byFirst[first] {
		c := terms[id]
		if max(len(c)-len(t), len(t)-len(c)) > maxDist {
			continue
		}
		d := analysis.EditDistance(t, c, maxDist)
		if d > maxDist {
			continue
		}
		df := len(lx.postings[id])
		switch {
		case d < bestDist || (d == bestDist && df > bestDF):
			if d == bestDist {
				second = bestDF
			} else {
				second = 0
			}
			best, bestDist, bestDF = c, d, df
		case d == bestDist && df > second:
			second = df
		}
	}
	// An ambiguous correction ("cat" for "cot" or "cut") is not made.
	if best == "" || (second > 0 && bestDF < 3*second) {
		return "", false
	}
	return best, true
}

// termsByFirstLetter groups the ids of the terms the lexicon holds by
// their first letter.
func (lx *Lexicon) termsByFirstLetter() map[rune][]uint32 {
	m := map[rune][]uint32{}
	for id, t := range lx.vocab.Snapshot() {
		if id >= len(lx.postings) || len(lx.postings[id]) == 0 || !analysis.IsAlpha(t) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(t)
		m[r] = append(m[r], uint32(id))
	}
	return m
}
