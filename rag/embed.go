package rag

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"sync/atomic"
)

// Embedder turns text into vectors for similarity search. Implementations
// must be safe for concurrent use.
type Embedder interface {
	// Name identifies the model and its settings ("local-hash-v1-512",
	// "openai:text-embedding-3-small"). An index built with one name is
	// re-embedded, never queried, with another.
	Name() string
	// EmbedDocuments returns one vector per text, in order. All vectors of
	// one embedder have the same length.
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedQuery returns the vector of a search query. It may differ from the
	// document embedding of the same text (asymmetric models, query-side
	// term weighting). A nil vector means the query has nothing to embed.
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}

// termWeighter is implemented by embedders that weight query terms by corpus
// statistics; the index hands them its inverse document frequencies after
// every update.
type termWeighter interface {
	setTermWeights(idf func(term string) float64)
}

// DefaultLocalDim is the vector length of [NewLocalEmbedder] by default.
const DefaultLocalDim = 512

// LocalEmbedder embeds text without a network or model files: hashed
// features of stemmed words, word pairs and character trigrams, with
// sub-linear term frequency, L2-normalised. Queries are additionally weighted
// by the inverse document frequency of their terms in the index, so rare
// words count for more; documents are not, so adding articles never
// invalidates stored vectors.
//
// It captures lexical and morphological similarity ("negotiation" and
// "negotiations", "Xi" and "Xi's"), not synonyms; the hybrid retriever pairs
// it with BM25.
type LocalEmbedder struct {
	dim int
	idf atomic.Pointer[func(string) float64]
}

var (
	_ Embedder     = (*LocalEmbedder)(nil)
	_ termWeighter = (*LocalEmbedder)(nil)
)

// NewLocalEmbedder returns a local embedder with vectors of length dim
// (DefaultLocalDim when dim <= 0).
func NewLocalEmbedder(dim int) *LocalEmbedder {
	if dim <= 0 {
		dim = DefaultLocalDim
	}
	return &LocalEmbedder{dim: dim}
}

// Name returns "local-hash-v1-<dim>".
func (e *LocalEmbedder) Name() string { return fmt.Sprintf("local-hash-v1-%d", e.dim) }

// Dim returns the vector length.
func (e *LocalEmbedder) Dim() int { return e.dim }

func (e *LocalEmbedder) setTermWeights(idf func(string) float64) { e.idf.Store(&idf) }

// EmbedDocuments embeds texts; it never fails except on a cancelled context.
// A text without words gets a fixed unit vector.
func (e *LocalEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := e.embed(t, nil)
		if v == nil {
			v = make([]float32, e.dim)
			v[0] = 1
		}
		out[i] = v
	}
	return out, nil
}

// EmbedQuery embeds a query, weighting its terms by the index's IDF. It
// returns nil for a query without words.
func (e *LocalEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var idf func(string) float64
	if p := e.idf.Load(); p != nil {
		idf = *p
	}
	return e.embed(text, idf), nil
}

// Feature weights: word pairs and character trigrams refine, words dominate.
const (
	wordWeight    = 1.0
	pairWeight    = 0.5
	trigramWeight = 0.35
)

func (e *LocalEmbedder) embed(text string, idf func(string) float64) []float32 {
	toks := tokenize(text)
	tf := make(map[string]float64, len(toks)*4)
	weight := map[string]float64{}
	add := func(key string, w float64) {
		tf[key] += 1
		if _, ok := weight[key]; !ok {
			weight[key] = w
		}
	}
	prev := ""
	for _, t := range toks {
		if t.term == "" {
			continue
		}
		w := 1.0
		if idf != nil {
			w = idf(t.term)
		}
		add("w:"+t.term, wordWeight*w)
		if prev != "" {
			pw := 1.0
			if idf != nil {
				pw = (idf(prev) + w) / 2
			}
			add("p:"+prev+" "+t.term, pairWeight*pw)
		}
		prev = t.term
		if len(t.lower) >= 5 {
			g := "^" + t.lower + "$"
			rs := []rune(g)
			n := len(rs) - 2
			for i := 0; i+3 <= len(rs); i++ {
				add("c:"+string(rs[i:i+3]), trigramWeight*w/math.Sqrt(float64(n)))
			}
		}
	}
	if len(tf) == 0 {
		return nil
	}
	v := make([]float64, e.dim)
	h := fnv.New64a()
	for key, n := range tf {
		h.Reset()
		h.Write([]byte(key))
		x := h.Sum64()
		val := (1 + math.Log(n)) * weight[key]
		if x>>63 == 1 {
			val = -val
		}
		v[x%uint64(e.dim)] += val
	}
	return normalize(v)
}

// normalize returns v scaled to unit length as float32, or nil for a zero vector.
func normalize(v []float64) []float32 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return nil
	}
	n := math.Sqrt(s)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// Normalize32 returns v scaled to unit length, computed in float64, or nil
// when v is zero or not finite. Vector stores compare unit vectors by dot
// product.
func Normalize32(v []float32) []float32 {
	f := make([]float64, len(v))
	for i, x := range v {
		f[i] = float64(x)
	}
	return normalize(f)
}
