package rag

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"citebot/corpus"
)

// Passage is one retrieved chunk with its article and scores.
type Passage struct {
	Chunk
	// Article is the chunk's article, including its full text.
	Article corpus.Article
	// Score is the fused relevance in [0, 1]; higher is better.
	Score float64
	// Lexical is the BM25 score (0 when the chunk matched no query term).
	Lexical float64
	// Vector is the cosine similarity of query and chunk embeddings.
	Vector float64
}

// SearchOptions tunes [Index.Search].
type SearchOptions struct {
	// K is how many passages to return. Default 5.
	K int
	// PerArticle caps the passages of one article, so that one long article
	// cannot crowd out the others. Default 3; negative means no cap.
	PerArticle int
	// Before drops articles published after this date (the "as of" date of
	// a question). Zero: no limit. Articles without a date are kept.
	Before time.Time
}

// Fusion weights: BM25 carries exact matches, the vector side morphology and
// phrasing. Scores are normalised per query before they are combined.
const (
	lexicalWeight = 0.6
	vectorWeight  = 0.4
)

// Search returns the passages most relevant to query, best first: the union
// of the BM25 and vector-similarity candidates, scored by a weighted blend
// of both normalised scores, with near-duplicate passages removed and at
// most PerArticle passages per article. It returns [ErrEmptyIndex] when the
// index holds nothing.
func (ix *Index) Search(ctx context.Context, query string, opts SearchOptions) ([]Passage, error) {
	if opts.K <= 0 {
		opts.K = 5
	}
	if opts.PerArticle == 0 {
		opts.PerArticle = 3
	}
	qterms := expandQuery(terms(query))
	qvec, err := ix.emb.EmbedQuery(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(ix.recs) == 0 {
		return nil, ErrEmptyIndex
	}
	// Candidates: generous, since filters and caps apply afterwards.
	m := min(len(ix.recs), max(50, opts.K*8))
	cand := map[int]*Passage{}
	get := func(i int) *Passage {
		p, ok := cand[i]
		if !ok {
			r := ix.recs[i]
			p = &Passage{Chunk: r.Chunk, Article: ix.arts[r.ArticleID].art}
			cand[i] = p
		}
		return p
	}
	for _, s := range ix.lex.search(qterms, m) {
		get(s.doc).Lexical = s.score
	}
	if qvec != nil {
		if len(qvec) != ix.dim {
			return nil, fmt.Errorf("query vector has %d dimensions, the index %d: re-index with the current embedder", len(qvec), ix.dim)
		}
		hits, err := ix.vectorSearch(ctx, qvec, m)
		if err != nil {
			return nil, fmt.Errorf("vector search: %w", err)
		}
		for _, h := range hits {
			get(h.doc).Vector = float64(h.sim)
		}
	}
	// Chunks found by one side only still have a score on the other.
	for i, p := range cand {
		if p.Vector == 0 && qvec != nil {
			p.Vector = dot(qvec, ix.recs[i].vec)
		}
	}
	out := make([]Passage, 0, len(cand))
	maxLex, maxVec, minVec := 0.0, 0.0, math.Inf(1)
	for _, p := range cand {
		maxLex = math.Max(maxLex, p.Lexical)
		maxVec = math.Max(maxVec, p.Vector)
		minVec = math.Min(minVec, p.Vector)
	}
	for _, p := range cand {
		lex, vec := 0.0, 0.0
		if maxLex > 0 {
			lex = p.Lexical / maxLex
		}
		if maxVec > 0 {
			vec = math.Max(0, p.Vector) / maxVec
		}
		p.Score = lexicalWeight*lex + vectorWeight*vec
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Passage) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	return selectPassages(out, opts), nil
}

// selectPassages applies the date filter, the per-article cap and
// near-duplicate removal to ranked passages and keeps the first K.
func selectPassages(ranked []Passage, opts SearchOptions) []Passage {
	var out []Passage
	perArticle := map[string]int{}
	var seen []map[string]bool
	for _, p := range ranked {
		if len(out) >= opts.K {
			break
		}
		if !opts.Before.IsZero() && !p.Article.Published.IsZero() && p.Article.Published.After(opts.Before) {
			continue
		}
		if opts.PerArticle > 0 && perArticle[p.ArticleID] >= opts.PerArticle {
			continue
		}
		shingles := shingleSet(p.Text)
		dup := false
		for _, s := range seen {
			if jaccard(shingles, s) > 0.8 {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		seen = append(seen, shingles)
		perArticle[p.ArticleID]++
		out = append(out, p)
	}
	return out
}

// shingleSet returns the word trigrams of text.
func shingleSet(text string) map[string]bool {
	toks := tokenize(text)
	s := make(map[string]bool, len(toks))
	for i := 0; i+3 <= len(toks); i++ {
		s[toks[i].lower+" "+toks[i+1].lower+" "+toks[i+2].lower] = true
	}
	if len(toks) < 3 {
		s[strings.ToLower(text)] = true
	}
	return s
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

// synonymWeight is the BM25 weight of a query's synonym expansions.
const synonymWeight = 0.4

// expandQuery weights the distinct query terms 1 and adds their synonyms
// (see [synonyms]) at synonymWeight.
func expandQuery(ts []string) []weightedTerm {
	var out []weightedTerm
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, weightedTerm{t, 1})
		}
	}
	for _, t := range ts {
		for _, s := range synonyms[t] {
			if !seen[s] {
				seen[s] = true
				out = append(out, weightedTerm{s, synonymWeight})
			}
		}
	}
	return out
}
