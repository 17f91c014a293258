package rag

import (
	"container/heap"
	"math"
	"sync"
)

// BM25 parameters (the usual Robertson–Zaragoza values).
var (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// vocabulary maps terms to dense ids. It only grows, so ids stay valid
// across index updates. Safe for concurrent use.
type vocabulary struct {
	mu  sync.RWMutex
	ids map[string]uint32
}

func newVocabulary() *vocabulary { return &vocabulary{ids: map[string]uint32{}} }

// intern returns the ids of terms, adding new ones.
func (v *vocabulary) intern(terms []string) []uint32 {
	out := make([]uint32, len(terms))
	v.mu.RLock()
	missing := false
	for i, t := range terms {
		id, ok := v.ids[t]
		if !ok {
			missing = true
			break
		}
		out[i] = id
	}
	v.mu.RUnlock()
	if !missing {
		return out
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, t := range terms {
		id, ok := v.ids[t]
		if !ok {
			id = uint32(len(v.ids))
			v.ids[t] = id
		}
		out[i] = id
	}
	return out
}

// lookup returns the id of a term.
func (v *vocabulary) lookup(t string) (uint32, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	id, ok := v.ids[t]
	return id, ok
}

// posting is one document containing a term.
type posting struct {
	doc int32
	tf  uint16
}

// lexicon is an immutable BM25 index over documents given as term-id lists.
type lexicon struct {
	vocab    *vocabulary
	postings map[uint32][]posting
	docLen   []float32
	avgLen   float64
	n        int
}

// buildLexicon indexes docs, where docs[i] lists the term ids of document i.
func buildLexicon(vocab *vocabulary, docs [][]uint32) *lexicon {
	lx := &lexicon{vocab: vocab, postings: map[uint32][]posting{}, docLen: make([]float32, len(docs)), n: len(docs)}
	var total float64
	counts := map[uint32]uint16{}
	for i, d := range docs {
		clear(counts)
		for _, t := range d {
			if counts[t] < math.MaxUint16 {
				counts[t]++
			}
		}
		for t, c := range counts {
			lx.postings[t] = append(lx.postings[t], posting{doc: int32(i), tf: c})
		}
		lx.docLen[i] = float32(len(d))
		total += float64(len(d))
	}
	if len(docs) > 0 {
		lx.avgLen = total / float64(len(docs))
	}
	return lx
}

// idf returns the BM25 inverse document frequency of a term; a term the
// corpus lacks gets the highest value.
func (lx *lexicon) idf(term string) float64 {
	df := 0
	if id, ok := lx.vocab.lookup(term); ok {
		df = len(lx.postings[id])
	}
	return math.Log(1 + (float64(lx.n)-float64(df)+0.5)/(float64(df)+0.5))
}

// df returns how many documents contain term.
func (lx *lexicon) df(term string) int {
	if id, ok := lx.vocab.lookup(term); ok {
		return len(lx.postings[id])
	}
	return 0
}

// scored is a document and its score.
type scored struct {
	doc   int
	score float64
}

// weightedTerm is a query term and its weight (1 for the query's own terms).
type weightedTerm struct {
	term   string
	weight float64
}

// search returns up to k documents by BM25 score for the weighted query
// terms, best first.
func (lx *lexicon) search(qterms []weightedTerm, k int) []scored {
	if lx.n == 0 || k <= 0 {
		return nil
	}
	acc := map[int32]float64{}
	for _, wt := range qterms {
		t := wt.term
		id, ok := lx.vocab.lookup(t)
		if !ok {
			continue
		}
		ps := lx.postings[id]
		if len(ps) == 0 {
			continue
		}
		idf := wt.weight * math.Log(1+(float64(lx.n)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			tf := float64(p.tf)
			norm := bm25K1 * (1 - bm25B + bm25B*float64(lx.docLen[p.doc])/lx.avgLen)
			acc[p.doc] += idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	return topK(acc, k)
}

// topK returns the k highest-scoring entries of acc, best first; ties go to
// the lower document number.
func topK(acc map[int32]float64, k int) []scored {
	h := &minHeap{}
	for d, s := range acc {
		e := scored{int(d), s}
		if h.Len() < k {
			heap.Push(h, e)
		} else if better(e, (*h)[0]) {
			(*h)[0] = e
			heap.Fix(h, 0)
		}
	}
	out := make([]scored, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(scored)
	}
	return out
}

func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
