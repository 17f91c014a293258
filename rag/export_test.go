package rag

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/extract"
	"citebot/rag/internal/index"
	"citebot/rag/internal/question"
	"citebot/rag/internal/reading"
	"citebot/rag/internal/sample"
	"citebot/rag/timex"
)

// Internals for the external tests and benchmarks of this package.

// SampleArticles returns n articles for tests: see package sample.
var SampleArticles = sample.Articles

// VectorsOf returns the stored vectors of ix in chunk order.
func VectorsOf(ix *Index) [][]float32 { return index.VectorsOf(ix.Index) }

// ChromemDB returns the chromem-go database that answers vector queries.
func ChromemDB(ix *Index) *chromem.DB { return index.ChromemDB(ix.Index) }

// VectorCandidates runs the vector half of candidate generation: the m
// chunks most similar to q, as chunk numbers and similarities.
func VectorCandidates(ctx context.Context, ix *Index, q []float32, m int) ([]int, []float32, error) {
	return index.VectorCandidates(ctx, ix.Index, q, m)
}

// Reshard rebuilds the vector collections of ix for shards of about size
// chunks, at most most of them, and returns the shard count.
func Reshard(ix *Index, size, most int) int { return index.Reshard(ix.Index, size, most) }

// IsDigest reports whether an article with title reads as a digest.
var IsDigest = index.IsDigest

// Exports of internals for the external test package rag_test.

// ResolveRelative resolves the relative dates in s and returns s with the
// resolutions inserted.
func ResolveRelative(s string, pub time.Time) string {
	return timex.Resolve(s, pub)
}

// QuestionInfo summarises question.Analyze for tests.
type QuestionInfo struct {
	Kind    string
	Recency bool
	Keys    []string
}

// AnalyzeQuestion exposes the question analysis.
func AnalyzeQuestion(q string) QuestionInfo {
	a := question.Analyze(q)
	names := map[question.Kind]string{question.KindOther: "other", question.KindWhen: "when", question.KindWho: "who", question.KindWhere: "where", question.KindWhy: "why", question.KindHowMany: "how many", question.KindHowLong: "how long", question.KindWhat: "what"}
	return QuestionInfo{Kind: names[a.Kind], Recency: a.Recency, Keys: a.Keys}
}

// EmphasizeAnswer exposes the answer-span emphasis.
func EmphasizeAnswer(q, sentence string) string {
	return answerspan.Emphasize(question.Analyze(q), sentence)
}

// ReadQuestion returns a question as the index reads it: chat spellings
// expanded, fillers dropped, typos corrected, and the corrections made.
func ReadQuestion(ix *Index, q string) (string, []string) {
	r := reading.NewReader(ix.Index).Read(q)
	return r.Text, r.Corrected
}

// Antecedent exposes the search for the name an answer's sentence refers
// to by description; sentence must occur in art's text.
func Antecedent(q string, art corpus.Article, sentence string) string {
	return extract.Antecedent(question.Analyze(q), art, strings.Index(art.Text, sentence), sentence)
}

// PreambleTerms exposes the terms of the statements before a question.
func PreambleTerms(q string) []string {
	var out []string
	for t := range question.Preamble(q) {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// IsDateline exposes the dateline check.
func IsDateline(s string) bool { return extract.IsDateline(s) }

// ProperTerm exposes whether the corpus writes a term as a name.
func ProperTerm(ix *Index, term string) bool { return ix.Vocabulary().Proper(term) }

// RecencyShare exposes recencyShare to the tests.
var RecencyShare = extract.RecencyShare

// OtherFocus exposes otherFocus to the tests: focus is a question word,
// stemmed here.
func OtherFocus(focus, s string) bool { return extract.OtherFocus(analysis.Stem(focus), s) }

// Possessor exposes possessor to the tests.
func Possessor(q, name string) string { return extract.Possessor(question.Analyze(q), name) }

// LedeAdded reports whether withLedes adds the first passage of article id
// to the passages a search for question finds, less that first passage.
func LedeAdded(ix *Index, question, id string) bool {
	e := NewExtractive(ix).x
	r, _ := e.Retrieve(context.Background(), Query{Question: question})
	var ps []Passage
	for _, p := range r.Passages {
		if p.ArticleID == id && p.Start == 0 {
			continue
		}
		ps = append(ps, p)
	}
	q := e.Ix.AnalyzeReading(r.Read)
	weights, total := e.TermWeights(q)
	for _, p := range e.Ix.WithLedes(q, ps, weights, total) {
		if p.ArticleID == id && p.Start == 0 {
			return true
		}
	}
	return false
}

// StatesSuperlative exposes statesSuperlative to the tests.
var StatesSuperlative = extract.StatesSuperlative

// AskingClause exposes askingClause to the tests.
var AskingClause = extract.AskingClause
