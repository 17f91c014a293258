package rag

import (
	"unicode/utf8"

	"citebot/rag/internal/analysis"
)

// What the corpus says of its words, for reading questions: the nearest
// term to a misspelt word, the form the articles write a term in, and
// whether they write it as a name.

// closestTerm returns the term of the lexicon within maxDist edits of t
// (see analysis.EditDistance) that the most passages use, if it is used by
// at least three times as many passages as the runner-up at its distance.
func (lx *lexicon) closestTerm(t string, maxDist int) (string, bool) {
	best, bestDist, bestDF, second := "", maxDist+1, 0, 0
	first, _ := utf8.DecodeRuneInString(t)
	lx.spell.once.Do(func() { lx.spell.byFirst = lx.termsByFirstLetter() })
	terms := lx.vocab.snapshot()
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
func (lx *lexicon) termsByFirstLetter() map[rune][]uint32 {
	m := map[rune][]uint32{}
	for id, t := range lx.vocab.snapshot() {
		if id >= len(lx.postings) || len(lx.postings[id]) == 0 || !analysis.IsAlpha(t) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(t)
		m[r] = append(m[r], uint32(id))
	}
	return m
}

// surfaceForm returns a word of the corpus whose term is t, lower-cased:
// "sullivan" for the term "sullivan", "harassed" for "harass".
func (ix *Index) surfaceForm(lx *lexicon, t string) string {
	ps := lx.list(t)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, p := range ps[:min(len(ps), 3)] {
		if int(p.doc) >= len(ix.recs) {
			continue
		}
		for _, tok := range analysis.Tokenize(ix.recs[p.doc].Text) {
			if tok.Term == t {
				return tok.Lower
			}
		}
	}
	return t
}

// properTerm reports whether the corpus writes term as a name: in a sample
// of the passages that hold it, at least three quarters of its
// occurrences inside a sentence are capitalised ("Sullivan", "Beijing",
// "U.S."). Results are cached per lexicon.
func (ix *Index) properTerm(lx *lexicon, term string) bool {
	if v, ok := lx.proper.Load(term); ok {
		return v.(bool)
	}
	ps := lx.list(term)
	capital, total := 0, 0
	ix.mu.RLock()
	const sample = 12
	step := max(1, len(ps)/sample)
	for i := 0; i < len(ps) && i/step < sample; i += step {
		if int(ps[i].doc) >= len(ix.recs) {
			continue
		}
		text := ix.recs[ps[i].doc].Text
		for _, t := range analysis.Tokenize(text) {
			// A stop word in lower case has no term ("for"), but counts
			// against the capitals of the same word ("FOR" in a shouted
			// headline).
			if (t.Term != term && (t.Term != "" || t.Lower != term)) || analysis.SentenceInitial(text, t.Start) {
				continue
			}
			total++
			if t.Capital {
				capital++
			}
		}
	}
	ix.mu.RUnlock()
	proper := total > 0 && capital*4 >= total*3
	lx.proper.Store(term, proper)
	return proper
}
