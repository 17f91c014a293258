package rag

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
)

// Internals for the external tests and benchmarks of this package.

// VectorsOf returns the stored vectors of ix in chunk order.
func VectorsOf(ix *Index) [][]float32 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([][]float32, len(ix.recs))
	for i, r := range ix.recs {
		out[i] = r.vec
	}
	return out
}

// ChromemDB returns the chromem-go database that answers vector queries.
func ChromemDB(ix *Index) *chromem.DB {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.db
}

// VectorCandidates runs the vector half of candidate generation: the m
// chunks most similar to q, as chunk numbers and similarities.
func VectorCandidates(ctx context.Context, ix *Index, q []float32, m int) ([]int, []float32, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	hits, err := ix.vectorSearch(ctx, q, m)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int, len(hits))
	sims := make([]float32, len(hits))
	for i, h := range hits {
		ids[i], sims[i] = h.doc, h.sim
	}
	return ids, sims, nil
}

// Shards returns the number of chromem-go collections of ix.
func Shards(ix *Index) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.shards)
}

// SampleArticles returns n articles of recombined sentences of the shipped
// corpus (real English with its names and dates), with titles, dates from
// 2020 to 2024 and paragraphs, deterministic for a seed.
func SampleArticles(n int, seed uint64) []corpus.Article {
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

// Reshard rebuilds the vector collections of ix for shards of about size
// chunks, at most most of them, and returns the shard count.
func Reshard(ix *Index, size, most int) int {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	oldSize, oldMax := shardSize, maxShards
	defer func() { shardSize, maxShards = oldSize, oldMax }()
	shardSize, maxShards = size, most
	ix.mu.RLock()
	recs, dim, old := ix.recs, ix.dim, ix.shards
	ix.mu.RUnlock()
	ix.shards = nil // build every shard anew
	set, err := ix.buildShards(context.Background(), recs, dim)
	if err != nil {
		panic(err)
	}
	ix.mu.Lock()
	set.apply(dim)
	ix.shards = set.cols
	ix.mu.Unlock()
	ix.dropShards(old, set.cols)
	return len(set.cols)
}

// Exports of internals for the external test package rag_test.

// ResolveRelative resolves the relative dates in s and returns s with the
// resolutions inserted.
func ResolveRelative(s string, pub time.Time) string {
	return annotateDates(s, pub)
}

// QuestionInfo summarises analyze for tests.
type QuestionInfo struct {
	Kind    string
	Recency bool
	Keys    []string
}

// AnalyzeQuestion exposes the question analysis.
func AnalyzeQuestion(q string) QuestionInfo {
	a := analyze(q)
	names := map[qKind]string{kindOther: "other", kindWhen: "when", kindWho: "who", kindWhere: "where", kindWhy: "why", kindHowMany: "how many", kindHowLong: "how long", kindWhat: "what"}
	return QuestionInfo{Kind: names[a.kind], Recency: a.recency, Keys: a.keys}
}

// EmphasizeAnswer exposes the answer-span emphasis.
func EmphasizeAnswer(question, sentence string) string {
	return emphasizeAnswer(analyze(question), sentence)
}

// Plain returns passages without their index records, for comparing the
// results of two indexes.
func Plain(ps []Passage) []Passage {
	out := append([]Passage(nil), ps...)
	for i := range out {
		out[i].rec = nil
	}
	return out
}

// ReadQuestion returns a question as the index reads it: chat spellings
// expanded, fillers dropped, typos corrected, and the corrections made.
func ReadQuestion(ix *Index, q string) (string, []string) {
	r := reader{ix}.read(q)
	return r.text, r.corrected
}

// Antecedent exposes the search for the name an answer's sentence refers
// to by description; sentence must occur in art's text.
func Antecedent(question string, art corpus.Article, sentence string) string {
	return antecedent(analyze(question), art, strings.Index(art.Text, sentence), sentence)
}

// PreambleTerms exposes the terms of the statements before a question.
func PreambleTerms(q string) []string {
	var out []string
	for t := range preambleTerms(q) {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// IsDateline exposes the dateline check.
func IsDateline(s string) bool { return isDateline(s) }

// ProperTerm exposes whether the corpus writes a term as a name.
func ProperTerm(ix *Index, term string) bool { return ix.properTerm(ix.lexicon(), term) }

// RecencyShare exposes recencyShare to the tests.
var RecencyShare = recencyShare

// OtherFocus exposes otherFocus to the tests: focus is a question word,
// stemmed here.
func OtherFocus(focus, s string) bool { return otherFocus(analysis.Stem(focus), s) }

// Possessor exposes possessor to the tests.
func Possessor(question, name string) string { return possessor(analyze(question), name) }

// LedeAdded reports whether withLedes adds the first passage of article id
// to the passages a search for question finds, less that first passage.
func LedeAdded(ix *Index, question, id string) bool {
	e := NewExtractive(ix)
	r, _ := e.retrieve(context.Background(), Query{Question: question})
	var ps []Passage
	for _, p := range r.passages {
		if p.ArticleID == id && p.Start == 0 {
			continue
		}
		ps = append(ps, p)
	}
	q := e.ix.analyzeReading(r.read)
	weights, total := e.termWeights(q)
	for _, p := range e.ix.withLedes(q, ps, weights, total) {
		if p.ArticleID == id && p.Start == 0 {
			return true
		}
	}
	return false
}

// StatesSuperlative exposes statesSuperlative to the tests.
var StatesSuperlative = statesSuperlative

// SetShardSizing sets the chunk count per shard and the most shards that
// updates aim at, and returns a function restoring the defaults.
func SetShardSizing(size, most int) (restore func()) {
	oldSize, oldMax := shardSize, maxShards
	shardSize, maxShards = size, most
	return func() { shardSize, maxShards = oldSize, oldMax }
}

// AskingClause exposes askingClause to the tests.
var AskingClause = askingClause

// IsDigest reports whether an article with title reads as a digest.
func IsDigest(title string) bool { return (&articleRec{art: corpus.Article{Title: title}}).digest() }
