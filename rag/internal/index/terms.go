package index

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

// Vocabulary is a snapshot of the index's terms and their statistics, as
// a reader of questions consults them: how many passages and articles use
// a term, the nearest term to a misspelt word, the form the articles
// write a term in, and whether they write it as a name. Terms are index
// terms (see analysis.Stem). It stays valid when the index is updated, and
// is safe for concurrent use.
type Vocabulary struct {
	ix   *Index
	lx   *lexicon // passages
	arts *lexicon // whole articles
}

// Vocabulary returns a snapshot of the index's terms.
func (ix *Index) Vocabulary() Vocabulary {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return Vocabulary{ix: ix, lx: ix.lex, arts: ix.artLex}
}

// DF returns how many passages use term.
func (v Vocabulary) DF(term string) int { return v.lx.df(term) }

// IDF returns the BM25 inverse document frequency of term over passages.
func (v Vocabulary) IDF(term string) float64 { return v.lx.idf(term) }

// Articles returns how many articles the snapshot counts.
func (v Vocabulary) Articles() int { return v.arts.n }

// ArticleDF returns how many articles use term.
func (v Vocabulary) ArticleDF(term string) int { return v.arts.df(term) }

// ArticleIDF returns the BM25 inverse document frequency of term over
// whole articles.
func (v Vocabulary) ArticleIDF(term string) float64 { return v.arts.idf(term) }

// Closest returns the term within maxDist edits of t that the most
// passages use, if it is used by at least three times as many passages as
// the runner-up at its distance; else "" and false.
func (v Vocabulary) Closest(t string, maxDist int) (string, bool) {
	return v.lx.closestTerm(t, maxDist)
}

// SurfaceForm returns a word of the corpus whose term is t, lower-cased:
// "sullivan" for the term "sullivan", "harassed" for "harass"; t itself
// when no passage uses it.
func (v Vocabulary) SurfaceForm(t string) string { return v.ix.surfaceForm(v.lx, t) }

// Proper reports whether the corpus writes term as a name: in a sample of
// up to 12 passages that use it, at least three quarters of its
// occurrences inside a sentence are capitalised. Results are cached per
// snapshot of the index.
func (v Vocabulary) Proper(term string) bool { return v.ix.properTerm(v.lx, term) }
