package index

import (
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/bm25"
)

// What the corpus says of its words, for reading questions: the nearest
// term to a misspelt word, the form the articles write a term in, and
// whether they write it as a name.

// surfaceForm returns a word of the corpus whose term is t, lower-cased:
// "sullivan" for the term "sullivan", "harassed" for "harass".
func (ix *Index) surfaceForm(lx *bm25.Lexicon, t string) string {
	ps := lx.List(t)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, p := range ps[:min(len(ps), 3)] {
		if int(p.Doc()) >= len(ix.recs) {
			continue
		}
		for _, tok := range analysis.Tokenize(ix.recs[p.Doc()].text()) {
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
func (ix *Index) properTerm(lx *bm25.Lexicon, term string) bool {
	if v, ok := lx.Proper.Load(term); ok {
		return v.(bool)
	}
	ps := lx.List(term)
	capital, total := 0, 0
	ix.mu.RLock()
	const sample = 12
	step := max(1, len(ps)/sample)
	for i := 0; i < len(ps) && i/step < sample; i += step {
		if int(ps[i].Doc()) >= len(ix.recs) {
			continue
		}
		text := ix.recs[ps[i].Doc()].text()
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
	lx.Proper.Store(term, proper)
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
	lx   *bm25.Lexicon // passages
	arts *bm25.Lexicon // whole articles
}

// Vocabulary returns a snapshot of the index's terms.
func (ix *Index) Vocabulary() Vocabulary {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return Vocabulary{ix: ix, lx: ix.lex, arts: ix.artLex}
}

// DF returns how many passages use term.
func (v Vocabulary) DF(term string) int { return v.lx.DF(term) }

// IDF returns the BM25 inverse document frequency of term over passages.
func (v Vocabulary) IDF(term string) float64 { return v.lx.IDF(term) }

// Articles returns how many articles the snapshot counts.
func (v Vocabulary) Articles() int { return v.arts.Docs() }

// ArticleDF returns how many articles use term.
func (v Vocabulary) ArticleDF(term string) int { return v.arts.DF(term) }

// ArticleIDF returns the BM25 inverse document frequency of term over
// whole articles.
func (v Vocabulary) ArticleIDF(term string) float64 { return v.arts.IDF(term) }

// Closest returns the term within maxDist edits of t that the most
// passages use, if it is used by at least three times as many passages as
// the runner-up at its distance; else "" and false.
func (v Vocabulary) Closest(t string, maxDist int) (string, bool) {
	return v.lx.Closest(t, maxDist)
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
