package embed

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"

	"citebot/rag/internal/analysis"
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

var _ Embedder = (*LocalEmbedder)(nil)

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

// SetTermWeights makes later queries weight their terms by idf, the
// inverse document frequency of a term in the index; the index calls it
// after every update. Documents are never weighted.
func (e *LocalEmbedder) SetTermWeights(idf func(string) float64) { e.idf.Store(&idf) }

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
		out[i] = e.EmbedDocumentTokens(analysis.Tokenize(t))
	}
	return out, nil
}

// EmbedDocumentTokens embeds a tokenised document: the result equals what
// EmbedDocuments returns for the text of toks. A text without words gets a
// fixed unit vector.
func (e *LocalEmbedder) EmbedDocumentTokens(toks []analysis.Token) []float32 {
	return e.EmbedDocumentTokensTo(nil, toks)
}

// EmbedDocumentTokensTo is EmbedDocumentTokens writing the vector to dst
// (allocated if it has room for fewer than Dim floats) and returning it.
func (e *LocalEmbedder) EmbedDocumentTokensTo(dst []float32, toks []analysis.Token) []float32 {
	if cap(dst) < e.dim {
		dst = make([]float32, e.dim)
	}
	dst = dst[:e.dim]
	if e.embedTokensTo(dst, toks, nil) == nil {
		clear(dst)
		dst[0] = 1
	}
	return dst
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
	return e.embedTokensTo(make([]float32, e.dim), analysis.Tokenize(text), idf)
}

// FNV-1a, 64 bits: features are hashed as the strings "w:<term>",
// "p:<term> <term>" and "c:<trigram>", without building them.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// fnv1a continues the FNV-1a hash h over the bytes of s.
func fnv1a[S string | []byte](h uint64, s S) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

var (
	fnvWord    = fnv1a(fnvOffset64, "w:")
	fnvPair    = fnv1a(fnvOffset64, "p:")
	fnvTrigram = fnv1a(fnvOffset64, "c:")
)

// feature is one distinct hashed feature of a text: its count and the
// weight of its first occurrence.
type feature struct {
	hash   uint64
	n      float64
	weight float64
}

// featureSet collects the distinct features of one text in an
// open-addressing table; pooled, as embedding a passage touches hundreds
// of them.
type featureSet struct {
	slots []int32 // 1 + index into list; 0 is empty. Length a power of two.
	shift uint    // 64 − log2(len(slots))
	list  []feature
	buf   []byte // "^word$"
	runes []int  // rune offsets in buf
	v     []float64
}

var featureSets = sync.Pool{New: func() any { return new(featureSet) }}

// reset empties the set, sized for about n features.
func (fs *featureSet) reset(n int) {
	fs.list = fs.list[:0]
	size := 256
	for size < 2*n {
		size *= 2
	}
	if cap(fs.slots) < size {
		fs.slots = make([]int32, size)
	} else {
		fs.slots = fs.slots[:size]
		clear(fs.slots)
	}
	fs.shift = uint(64 - bits.TrailingZeros(uint(size)))
}

func (fs *featureSet) add(h uint64, w float64) {
	mask := uint64(len(fs.slots) - 1)
	for i := (h * 0x9e3779b97f4a7c15) >> fs.shift; ; i = (i + 1) & mask {
		switch s := fs.slots[i]; {
		case s == 0:
			fs.list = append(fs.list, feature{hash: h, n: 1, weight: w})
			fs.slots[i] = int32(len(fs.list))
			if 2*len(fs.list) > len(fs.slots) {
				fs.grow()
			}
			return
		case fs.list[s-1].hash == h:
			fs.list[s-1].n++
			return
		}
	}
}

// grow doubles the table.
func (fs *featureSet) grow() {
	fs.slots = make([]int32, 2*len(fs.slots))
	fs.shift--
	mask := uint64(len(fs.slots) - 1)
	for j, f := range fs.list {
		i := (f.hash * 0x9e3779b97f4a7c15) >> fs.shift
		for fs.slots[i] != 0 {
			i = (i + 1) & mask
		}
		fs.slots[i] = int32(j + 1)
	}
}

// embedTokensTo embeds a tokenised text into dst, of Dim floats, and
// returns it, or nil (dst untouched) for a text without features; see
// [LocalEmbedder]. Features are told apart by their 64-bit hash, and
// summed in the order they first occur, so equal input gives bit-identical
// vectors.
func (e *LocalEmbedder) embedTokensTo(dst []float32, toks []analysis.Token, idf func(string) float64) []float32 {
	fs := featureSets.Get().(*featureSet)
	defer featureSets.Put(fs)
	fs.reset(4 * len(toks))
	prev := ""
	prevW := 0.0
	for _, t := range toks {
		if t.Term == "" {
			continue
		}
		w := 1.0
		if idf != nil {
			w = idf(t.Term)
		}
		fs.add(fnv1a(fnvWord, t.Term), wordWeight*w)
		if prev != "" {
			pw := 1.0
			if idf != nil {
				pw = (prevW + w) / 2
			}
			fs.add(fnv1a(fnv1a(fnv1a(fnvPair, prev), " "), t.Term), pairWeight*pw)
		}
		prev, prevW = t.Term, w
		if len(t.Lower) >= 5 {
			// Character trigrams of "^" + lower + "$".
			fs.buf = append(append(append(fs.buf[:0], '^'), t.Lower...), '$')
			fs.runes = fs.runes[:0]
			for i := range string(fs.buf) {
				fs.runes = append(fs.runes, i)
			}
			fs.runes = append(fs.runes, len(fs.buf))
			nr := len(fs.runes) - 1
			cw := trigramWeight * w / math.Sqrt(float64(nr-2))
			for i := 0; i+3 <= nr; i++ {
				fs.add(fnv1a(fnvTrigram, fs.buf[fs.runes[i]:fs.runes[i+3]]), cw)
			}
		}
	}
	if len(fs.list) == 0 {
		return nil
	}
	if cap(fs.v) < e.dim {
		fs.v = make([]float64, e.dim)
	}
	v := fs.v[:e.dim]
	clear(v)
	for _, f := range fs.list {
		val := (1 + logCount(f.n)) * f.weight
		if f.hash>>63 == 1 {
			val = -val
		}
		v[f.hash%uint64(e.dim)] += val
	}
	return normalizeTo(dst, v)
}

// logs[n] is math.Log(n): most features occur a few times in a text.
var logs = func() (t [32]float64) {
	for n := range t {
		t[n] = math.Log(float64(n))
	}
	return t
}()

// logCount returns math.Log(n) for a feature's count n.
func logCount(n float64) float64 {
	if n < float64(len(logs)) {
		return logs[int(n)]
	}
	return math.Log(n)
}

// normalizeTo writes v scaled to unit length to dst, as long as v, as
// float32s and returns it, or returns nil (dst untouched) for a vector
// that is zero or not finite.
func normalizeTo[F float32 | float64](dst []float32, v []F) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return nil
	}
	n := math.Sqrt(s)
	dst = dst[:len(v)]
	for i, x := range v {
		dst[i] = float32(float64(x) / n)
	}
	return dst
}

// Normalize32 returns v scaled to unit length, computed in float64, or nil
// when v is zero or not finite. Vector stores compare unit vectors by dot
// product.
func Normalize32(v []float32) []float32 {
	return normalizeTo(make([]float32, len(v)), v)
}

// Normalize32To is Normalize32 writing to dst, as long as v (v itself, to
// normalise in place), and returning it, or nil, dst untouched.
func Normalize32To(dst, v []float32) []float32 { return normalizeTo(dst, v) }
