package index

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/bm25"
	"citebot/rag/internal/chunk"
	"citebot/rag/internal/filter"
)

// Passage is one retrieved chunk with its article and scores.
type Passage struct {
	chunk.Chunk
	// Article is the chunk's article, including its full text.
	Article corpus.Article
	// Score is the fused relevance relative to the best candidate of the
	// search (1), in [0, 1]; it is comparable between passages of one
	// search, not across searches.
	Score float64
	// Lexical is the BM25 score of the chunk's words (0 when it matched no
	// query term); Phrase the BM25 score of its adjacent word pairs.
	Lexical, Phrase float64
	// Vector is the cosine similarity of query and chunk embeddings.
	Vector float64
	// Proximity is the IDF-weighted share of the query's words found
	// together in one sentence of the chunk, in [0, 1].
	Proximity float64

	rec *chunkRec // the index record, with precomputed term ids
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
	// Since drops articles published before this date, and articles
	// without a date. Zero: no limit.
	Since time.Time
	// KeywordsOnly skips the query embedding and the vector search, for
	// supplementary searches where the words suffice: no call to a
	// model-backed embedder is made.
	KeywordsOnly bool
	// NoRecency turns off the preference for recent articles that a query
	// about the present gets ("this week", "recently", "is … now"; see
	// recencyStrength).
	NoRecency bool
	// Filter keeps to the articles of an outlet or a period (see filter.go);
	// zero: the filter of the answer the search serves, if any. A filter
	// that admits no article makes Search return a [*filter.NoMatchError].
	Filter filter.Filter
}

// recencyPool multiplies the candidates of a query about the present.
const recencyPool = 8

// agePrior is the weight of an article published on pub for a question
// asked on ref: 1 on the day, about 0.7 a month before, 0.3 a year before
// (1/sqrt(1 + age/30 days)); an undated article counts as a year old, and
// one from after ref as new.
func agePrior(pub, ref time.Time) float64 {
	days := 365.0
	if !pub.IsZero() {
		days = math.Max(0, ref.Sub(pub).Hours()/24)
	}
	return 1 / math.Sqrt(1+days/30)
}

var (
	// presentRE finds a question about now: "this week", "recently",
	// "latest", "new", "currently".
	presentRE = regexp.MustCompile(`(?i)\b(?:this (?:week|weekend|month)|recent(?:ly)?|latest|lately|new(?:ly)?|now|currently|current|today|tonight|yesterday|these days|so far|as of|just|soon|upcoming)\b`)
	// presentTenseRE finds a question in the present or future tense
	// ("which company is being accused", "where are Americans moving",
	// "which state has the highest price", "will soon require").
	presentTenseRE = regexp.MustCompile(`(?i)^(?:[^,]*?\b)?(?:is|are|has|have|does|do|remains?|will|won['’]t|'s|'re)\b`)
	// pastPeriodRE finds a question about a past period it names: "in
	// 2021", "back in September", "last year".
	pastPeriodRE = regexp.MustCompile(`(?i)\b(?:(?:1\d|20)\d\d|last year|back in|decades?|centur(?:y|ies))\b`)
)

// recencyStrength is how much a query prefers recent articles, as the
// exponent of agePrior: 1 when it asks about the present in words ("this
// week", "recently"), 0.5 when only its tense is present or future, 0 when
// it names a past period or speaks of the past.
func recencyStrength(query string) float64 {
	switch {
	case pastPeriodRE.MatchString(query):
		return 0
	case presentRE.MatchString(query):
		return 1.5
	case presentTenseRE.MatchString(query):
		return 1
	}
	return 0.5
}

// Fusion weights, relative to BM25 over words (1). Each signal is
// normalised by its maximum among the candidates of a query. The vector
// weight is per index (see IndexOptions.VectorWeight).
const (
	phraseWeight    = 0.3
	proximityWeight = 0.5
	// articleWeight weighs BM25 over the passage's whole article.
	articleWeight = 1.0
)

// Candidate pool and re-rank sizes of [Index.Search], relative to the K
// passages asked for.
const (
	// minCandidates and candidatesPerResult size the pool each ranking
	// contributes: generous, since filters and caps apply afterwards.
	minCandidates       = 50
	candidatesPerResult = 8
	// minReranked and rerankedPerResult size the head that the proximity
	// re-rank sees: enough to reach passages the blend ranked low.
	minReranked       = 40
	rerankedPerResult = 6
)

// Search returns the passages most relevant to query, best first. The
// candidates are the union of the best BM25 matches over words and over
// adjacent word pairs and the nearest neighbours of the query embedding in
// the chromem-go collections (unless the words decide: see
// lexicalDecides); they are ranked by a weighted blend of those
// normalised scores, then the best are re-ranked with the proximity of the
// query's words within one sentence. Near-duplicate passages are removed
// and at most PerArticle passages of one article kept. It returns
// [ErrEmptyIndex] when the index holds nothing. A [SearchTrace] in ctx
// learns what each search took.
func (ix *Index) Search(ctx context.Context, query string, opts SearchOptions) (found []Passage, err error) {
	if t, ok := ctx.Value(searchTraceKey{}).(*SearchTrace); ok && t != nil && t.Done != nil {
		start := time.Now()
		defer func() { t.Done(time.Since(start), len(found), err) }()
	}
	if opts.K <= 0 {
		opts.K = 5
	}
	if opts.PerArticle == 0 {
		opts.PerArticle = 3
	}
	raw := analysis.Terms(query)
	qterms := expandQuery(raw)
	var qvec []float32
	if !opts.KeywordsOnly {
		var err error
		if qvec, err = ix.emb.EmbedQuery(ctx, query); err != nil {
			return nil, fmt.Errorf("embed query: %w", err)
		}
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(ix.recs) == 0 {
		return nil, ErrEmptyIndex
	}
	allow, err := ix.allowed(filterOf(ctx, opts))
	if err != nil {
		return nil, err
	}
	recency := 0.0
	if !opts.NoRecency {
		recency = recencyStrength(query)
	}
	c := searchPool{m: ix.poolSize(opts.K, recency), raw: raw, qterms: qterms, qvec: qvec, allow: allow}
	out, err := ix.gather(ctx, &c)
	if err != nil {
		return nil, err
	}
	ref := opts.Before
	if ref.IsZero() {
		ref = ix.newest
	}
	ix.fuse(out, &c, recency, ref)
	sortPassages(out)
	head := out[:min(len(out), max(minReranked, opts.K*rerankedPerResult))]
	ix.rerankByProximity(head, qterms)
	return selectPassages(head, opts), nil
}

// poolSize is how many candidates each ranking of a search for k passages
// contributes. Called with ix.mu held.
func (ix *Index) poolSize(k int, recency float64) int {
	m := min(len(ix.recs), max(minCandidates, k*candidatesPerResult))
	if recency > 0 {
		// The prior reorders a deeper pool: this week's article may rank
		// far down by words alone among years of similar ones.
		m = min(len(ix.recs), m*recencyPool)
	}
	return m
}

// searchPool is the input of one search's candidate generation and the
// article scores it finds on the way.
type searchPool struct {
	m      int                 // pool size of each ranking
	raw    []string            // query terms as written
	qterms []bm25.WeightedTerm // query terms expanded with synonyms
	qvec   []float32           // query embedding; nil for a keywords-only search
	allow  *allowSet           // the chunks and articles the filter admits

	artScore map[int]float64 // BM25 of each candidate article, by number
	maxArt   float64         // the best of artScore
}

// gather collects the candidates of a search, unordered: the best BM25
// matches over words and word pairs and the nearest neighbours of the query
// embedding, each with the scores it has, and records the BM25 scores of
// whole articles in c. Called with ix.mu held.
func (ix *Index) gather(ctx context.Context, c *searchPool) ([]Passage, error) {
	cand := map[int]*Passage{}
	get := func(i int) *Passage {
		p, ok := cand[i]
		if !ok {
			r := ix.recs[i]
			p = &Passage{Chunk: r.chunk(), Article: ix.arts[r.articleID()].art, rec: r}
			cand[i] = p
		}
		return p
	}
	lexical := ix.lex.SearchIn(c.qterms, c.m, c.allow.chunkSet().keep)
	for _, s := range lexical {
		get(s.Doc).Lexical = s.Score
	}
	for _, s := range ix.pairSearch(c.raw, c.m, c.allow.chunkSet()) {
		get(s.Doc).Phrase = s.Score
	}
	c.artScore = map[int]float64{}
	for _, s := range ix.artLex.SearchIn(c.qterms, c.m, c.allow.articleSet().keep) {
		c.artScore[s.Doc] = s.Score
		c.maxArt = math.Max(c.maxArt, s.Score)
	}
	if c.qvec != nil {
		if len(c.qvec) != ix.dim {
			return nil, fmt.Errorf("query vector has %d dimensions, the index %d: re-index with the current embedder", len(c.qvec), ix.dim)
		}
		if !ix.lexicalDecides(len(lexical), c.m) {
			hits, err := ix.vectorSearchIn(ctx, c.qvec, c.m, c.allow)
			if err != nil {
				return nil, fmt.Errorf("vector search: %w", err)
			}
			for _, h := range hits {
				get(h.doc).Vector = float64(h.sim)
			}
		}
		// Chunks found by the keyword side still get their similarity:
		// their vectors, scattered over the index file, are asked of the
		// disk all at once first.
		ix.willNeedVectors(cand)
		for i, p := range cand {
			if p.Vector == 0 {
				p.Vector = dot(c.qvec, ix.recs[i].vec)
			}
		}
	}
	out := make([]Passage, 0, len(cand))
	for _, p := range cand {
		out = append(out, *p)
	}
	return out, nil
}

// lexicalDecides reports whether a search whose BM25 over words found
// lexical of the m candidates it asked for can do without the scan of all
// vectors: with the local embedder at its default weight (0.1, see
// IndexOptions.VectorWeight), whose hashed features mostly repeat what BM25
// sees, when BM25 filled the pool. A chunk only the scan would add matches
// none of the query's words well enough to be among the m best, and its
// similarity weighs a tenth of a word match; the candidates still get
// their similarity to the query. A query with few word matches (a short
// follow-up, a rare word) and every query of a model embedder, whose
// vectors find what the words miss, still reach chromem-go. On the
// evaluation sets the figures stay the same (docs/performance.md); on a
// large news corpus most questions skip a scan that was nine tenths of
// their time.
func (ix *Index) lexicalDecides(lexical, m int) bool {
	return ix.lexicalFirst && lexical >= m
}

// fuse sets the Score of each candidate: the weighted blend of its
// normalised scores, times the age prior of its article for a query about
// the present (ref is the date the age counts to) and digestFactor for a
// digest article. Called with ix.mu held.
func (ix *Index) fuse(out []Passage, c *searchPool, recency float64, ref time.Time) {
	maxLex, maxPhrase, maxVec := 0.0, 0.0, 0.0
	for _, p := range out {
		maxLex = math.Max(maxLex, p.Lexical)
		maxPhrase = math.Max(maxPhrase, p.Phrase)
		maxVec = math.Max(maxVec, p.Vector)
	}
	for i := range out {
		p := &out[i]
		p.Score = norm(p.Lexical, maxLex) + phraseWeight*norm(p.Phrase, maxPhrase) + ix.vectorWeight*norm(p.Vector, maxVec) +
			articleWeight*norm(c.artScore[p.rec.art.no], c.maxArt)
		if recency > 0 {
			p.Score *= math.Pow(agePrior(p.Article.Published, ref), recency)
		}
		if p.rec.art.digest() {
			p.Score *= digestFactor
		}
	}
}

// rerankByProximity re-ranks the head of the fused ranking by proximity,
// the question's words together in one sentence, and scales the scores so
// that the best candidate scores 1. Called with ix.mu held.
func (ix *Index) rerankByProximity(head []Passage, qterms []bm25.WeightedTerm) {
	q := ix.proximityFor(qterms)
	for i := range head {
		head[i].Proximity = q.proximity(head[i].rec)
		head[i].Score += proximityWeight * head[i].Proximity
	}
	sortPassages(head)
	if len(head) > 0 && head[0].Score > 0 {
		top := head[0].Score
		for i := range head {
			head[i].Score /= top
		}
	}
}

// proximityQuery is what the proximity re-rank matches: the query's own
// terms ("groups", with their IDF weights summing to total), and the term
// ids that stand for each, the own term with credit 1 and its synonyms
// with synonymWeight. A synonym is an alternative to its term, not a term
// more to find.
type proximityQuery struct {
	groups []float64
	total  float64
	terms  map[uint32]proximityTerm
}

// proximityFor returns the proximity query of the expanded query terms
// (see [expandQuery]). The caller holds ix.mu.
func (ix *Index) proximityFor(qterms []bm25.WeightedTerm) proximityQuery {
	q := proximityQuery{terms: make(map[uint32]proximityTerm, len(qterms))}
	for i, t := range qterms {
		if t.Of == i { // the query's own term: expandQuery lists them first
			w := ix.lex.IDF(t.Term)
			q.groups = append(q.groups, w)
			q.total += w
		}
		if id, ok := ix.vocab.Lookup(t.Term); ok {
			q.terms[id] = proximityTerm{group: t.Of, credit: t.Weight}
		}
	}
	return q
}

type proximityTerm struct {
	group  int
	credit float64
}

// proximity returns the largest IDF-weighted share of the query's terms
// that one sentence of c contains, a term found through a synonym counting
// for synonymWeight of it.
func (q proximityQuery) proximity(c *chunkRec) float64 {
	if q.total <= 0 {
		return 0
	}
	best := 0.0
	credit := make([]float64, len(q.groups))
	cs := c.sentences()
	for i := range cs.refs {
		clear(credit)
		for _, id := range c.sentenceTerms(cs, i) {
			if t, ok := q.terms[id]; ok && t.credit > credit[t.group] {
				credit[t.group] = t.credit
			}
		}
		got := 0.0
		for g, w := range q.groups {
			got += credit[g] * w
		}
		best = math.Max(best, got/q.total)
	}
	return best
}

// norm scales x by the maximum m, clamping negatives to 0.
func norm(x, m float64) float64 {
	if m <= 0 {
		return 0
	}
	return math.Max(0, x) / m
}

// sortPassages orders passages by score, then id.
func sortPassages(ps []Passage) {
	slices.SortFunc(ps, func(a, b Passage) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// selectPassages applies the date filter, the per-article cap and
// near-duplicate removal to ranked passages and keeps the first K.
func selectPassages(ranked []Passage, opts SearchOptions) []Passage {
	var out []Passage
	perArticle := map[string]int{}
	var seen []map[[3]uint32]bool
	for _, p := range ranked {
		if len(out) >= opts.K {
			break
		}
		if !opts.Before.IsZero() && !p.Article.Published.IsZero() && p.Article.Published.After(opts.Before) {
			continue
		}
		if !opts.Since.IsZero() && (p.Article.Published.IsZero() || p.Article.Published.Before(opts.Since)) {
			continue
		}
		if opts.PerArticle > 0 && perArticle[p.ArticleID] >= opts.PerArticle {
			continue
		}
		shingles := shingleSet(p)
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

// shingleSet returns the term trigrams of a passage's text.
func shingleSet(p Passage) map[[3]uint32]bool {
	var ids []uint32
	if p.rec != nil {
		ids = p.rec.terms[p.rec.sentences().titleLen:]
	} else {
		for _, t := range analysis.Tokenize(p.Text) {
			h := fnv.New64a()
			h.Write([]byte(t.Lower))
			ids = append(ids, uint32(h.Sum64()))
		}
	}
	s := make(map[[3]uint32]bool, len(ids))
	for i := 0; i+3 <= len(ids); i++ {
		s[[3]uint32{ids[i], ids[i+1], ids[i+2]}] = true
	}
	if len(ids) < 3 {
		k := [3]uint32{}
		copy(k[:], ids)
		s[k] = true
	}
	return s
}

func jaccard(a, b map[[3]uint32]bool) float64 {
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
func expandQuery(ts []string) []bm25.WeightedTerm {
	var out []bm25.WeightedTerm
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, bm25.WeightedTerm{Term: t, Weight: 1, Of: len(out)})
		}
	}
	for i, n := 0, len(out); i < n; i++ {
		for _, s := range analysis.Synonyms(out[i].Term) {
			if !seen[s] {
				seen[s] = true
				out = append(out, bm25.WeightedTerm{Term: s, Weight: synonymWeight, Of: i})
			}
		}
	}
	return out
}

// --- Observation hook (for metrics; nothing in rag depends on it) ---

// SearchTrace observes [Index.Search] calls made with a context from
// [WithSearchTrace], in the manner of net/http/httptrace: callers such as
// cmd's metrics time the retrieval inside an answerer without rag knowing
// about them.
type SearchTrace struct {
	// Done is called once per search when it returns, with its duration
	// (query embedding included), the number of passages and the error
	// (nil, ErrEmptyIndex, a model error, ctx's error …). It must be safe
	// for concurrent use and quick.
	Done func(took time.Duration, passages int, err error)
}

type searchTraceKey struct{}

// WithSearchTrace returns a context whose searches report to t; a nil t
// stops the reports of an outer trace.
func WithSearchTrace(ctx context.Context, t *SearchTrace) context.Context {
	return context.WithValue(ctx, searchTraceKey{}, t)
}
