package index

import (
	"container/heap"
	"math"
	"sync"

	"citebot/rag/internal/analysis"
)

// BM25 parameters (the usual Robertson–Zaragoza values).
var (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// vocabulary maps terms to dense ids. It only grows, so ids stay valid
// across index updates. Safe for concurrent use.
type vocabulary struct {
	mu    sync.RWMutex
	ids   map[string]uint32
	terms []string // terms[id] is the term of id
}

func newVocabulary() *vocabulary { return &vocabulary{ids: map[string]uint32{}} }

// intern returns the ids of terms, adding new ones.
func (v *vocabulary) intern(terms []string) []uint32 {
	return v.appendIDs(make([]uint32, 0, len(terms)), terms)
}

// appendIDs appends the ids of terms to dst, adding new terms.
func (v *vocabulary) appendIDs(dst []uint32, terms []string) []uint32 {
	n := len(dst)
	v.mu.RLock()
	missing := false
	for _, t := range terms {
		id, ok := v.ids[t]
		if !ok {
			missing = true
			break
		}
		dst = append(dst, id)
	}
	v.mu.RUnlock()
	if !missing {
		return dst
	}
	dst = dst[:n]
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, t := range terms {
		id, ok := v.ids[t]
		if !ok {
			id = uint32(len(v.terms))
			v.ids[t] = id
			v.terms = append(v.terms, t)
		}
		dst = append(dst, id)
	}
	return dst
}

// appendTermIDs appends the ids of the index terms of toks (stop words
// have none) to dst, adding new terms. It repeats appendIDs' loop over
// tokens instead of sharing one generic loop with an accessor: the shared
// version made indexing 12% slower (BenchmarkUpdate/chunks=10k).
func (v *vocabulary) appendTermIDs(dst []uint32, toks []analysis.Token) []uint32 {
	n := len(dst)
	v.mu.RLock()
	missing := false
	for _, t := range toks {
		if t.Term == "" {
			continue
		}
		id, ok := v.ids[t.Term]
		if !ok {
			missing = true
			break
		}
		dst = append(dst, id)
	}
	v.mu.RUnlock()
	if !missing {
		return dst
	}
	dst = dst[:n]
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, t := range toks {
		if t.Term == "" {
			continue
		}
		id, ok := v.ids[t.Term]
		if !ok {
			id = uint32(len(v.terms))
			v.ids[t.Term] = id
			v.terms = append(v.terms, t.Term)
		}
		dst = append(dst, id)
	}
	return dst
}

// lookup returns the id of a term.
func (v *vocabulary) lookup(t string) (uint32, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	id, ok := v.ids[t]
	return id, ok
}

// snapshot returns the terms by id. Ids only grow, so the result stays
// valid for the ids handed out before the call.
func (v *vocabulary) snapshot() []string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.terms[:len(v.terms):len(v.terms)]
}

// posting is one document containing a term.
type posting struct {
	doc int32
	tf  uint16
}

// lexicon is an immutable BM25 index over documents given as term-id lists.
type lexicon struct {
	vocab *vocabulary
	// postings[id] lists the documents containing term id, in document
	// order. Ids handed out after the build have no entry.
	postings [][]posting
	// norm[d] is BM25's length normalisation of document d:
	// k1 · (1 − b + b · len(d) / avgLen).
	norm   []float64
	avgLen float64
	n      int
	// acc pools the score accumulators of searches (*[]float64 of length n,
	// all zero between uses).
	acc sync.Pool
	// spell corrects question words against this lexicon's terms.
	spell speller
	// proper caches properTerm: term → bool.
	proper sync.Map
}

// speller corrects words against the index vocabulary: the terms of each
// first letter, built on first use for one lexicon.
type speller struct {
	once    sync.Once
	byFirst map[rune][]uint32
}

// minDocsPerWorker is the share of documents below which buildLexicon
// adds no worker: a smaller share costs more to hand out than it saves.
const minDocsPerWorker = 2048

// buildLexicon indexes docs, where docs[i] lists the term ids of document i.
// Large collections are indexed in parallel by workers goroutines; the result
// does not depend on their number.
func buildLexicon(vocab *vocabulary, docs [][]uint32, workers int) *lexicon {
	lx := &lexicon{vocab: vocab, n: len(docs), norm: make([]float64, len(docs))}
	nterms := lx.setLengths(docs)
	lx.postings = make([][]posting, nterms)
	if len(docs) == 0 {
		return lx
	}
	lx.fillPostings(docs, nterms, max(1, min(workers, len(docs)/minDocsPerWorker)))
	return lx
}

// setLengths sets the average document length and the length
// normalisation of every document, and returns the number of term ids the
// documents use (the largest id plus one).
func (lx *lexicon) setLengths(docs [][]uint32) (nterms int) {
	var total float64
	for _, d := range docs {
		total += float64(len(d))
		for _, t := range d {
			nterms = max(nterms, int(t)+1)
		}
	}
	if len(docs) > 0 {
		lx.avgLen = total / float64(len(docs))
	}
	for i, d := range docs {
		lx.norm[i] = bm25K1 * (1 - bm25B + bm25B*float64(float32(len(d)))/lx.avgLen)
	}
	return nterms
}

// fillPostings builds the posting lists of docs on workers goroutines, in
// two passes over contiguous shares of the documents: count the documents
// of every term per share, then place each share's postings at its offset
// inside one slab, so every list stays in document order.
func (lx *lexicon) fillPostings(docs [][]uint32, nterms, workers int) {
	df := make([][]int32, workers)
	scratch := make([][]uint16, workers)
	share := func(w int) (int, int) { return len(docs) * w / workers, len(docs) * (w + 1) / workers }
	parallel(workers, func(w int) {
		df[w] = make([]int32, nterms)
		scratch[w] = make([]uint16, nterms)
		from, to := share(w)
		for _, d := range docs[from:to] {
			for _, t := range d {
				if scratch[w][t] == 0 {
					df[w][t]++
				}
				scratch[w][t] = 1
			}
			for _, t := range d {
				scratch[w][t] = 0
			}
		}
	})
	totalPostings := 0
	for t := range nterms {
		for w := range workers {
			c := df[w][t]
			df[w][t] = int32(totalPostings) // now the share's offset in the slab
			totalPostings += int(c)
		}
	}
	slab := make([]posting, totalPostings)
	parallel(workers, func(w int) {
		from, to := share(w)
		placePostings(slab, docs[from:to], int32(from), df[w], scratch[w])
	})
	// After the fill, the last share's cursor of a term is the end of its
	// list, and the first share's original offset its start.
	start := 0
	for t := range nterms {
		end := int(df[workers-1][t])
		if end > start {
			lx.postings[t] = slab[start:end:end]
		}
		start = end
	}
}

// placePostings writes the postings of docs, numbered from first, into
// slab: next[t] is where the next posting of term t goes, and is advanced;
// tf is zeroed scratch space of one counter per term, left zeroed.
func placePostings(slab []posting, docs [][]uint32, first int32, next []int32, tf []uint16) {
	for i, d := range docs {
		doc := first + int32(i)
		for _, t := range d {
			if tf[t] < math.MaxUint16 {
				tf[t]++
			}
		}
		for _, t := range d {
			if tf[t] > 0 {
				slab[next[t]] = posting{doc: doc, tf: tf[t]}
				next[t]++
				tf[t] = 0
			}
		}
	}
}

// parallel runs f(0) … f(n-1) on n goroutines and waits for them.
func parallel(n int, f func(i int)) {
	if n == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

// list returns the postings of a term.
func (lx *lexicon) list(term string) []posting {
	id, ok := lx.vocab.lookup(term)
	if !ok || int(id) >= len(lx.postings) {
		return nil
	}
	return lx.postings[id]
}

// idf returns the BM25 inverse document frequency of a term; a term the
// corpus lacks gets the highest value.
func (lx *lexicon) idf(term string) float64 {
	return bm25IDF(lx.n, len(lx.list(term)))
}

// bm25IDF is the BM25 inverse document frequency of a term in df of n
// documents.
func bm25IDF(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// df returns how many documents contain term.
func (lx *lexicon) df(term string) int { return len(lx.list(term)) }

// scored is a document and its score.
type scored struct {
	doc   int
	score float64
}

// weightedTerm is a query term and its weight (1 for the query's own terms).
type weightedTerm struct {
	term   string
	weight float64
	// of is the index of the query's own term that a synonym stands for
	// (its own index for the query's own terms).
	of int
}

// search returns up to k documents by BM25 score for the weighted query
// terms, best first.
func (lx *lexicon) search(qterms []weightedTerm, k int) []scored {
	return lx.searchIn(qterms, k, nil)
}

// searchIn is search over the documents of allow only (all when nil).
func (lx *lexicon) searchIn(qterms []weightedTerm, k int, allow bitset) []scored {
	if lx.n == 0 || k <= 0 {
		return nil
	}
	s := lx.scores()
	s.allow = allow
	for _, wt := range qterms {
		s.add(lx.list(wt.term), wt.weight)
	}
	return s.top(k)
}

// bm25Scores accumulates BM25 scores of postings lists in a dense array
// of the lexicon's pool, in the order the lists are added; every matching
// document scores above zero.
type bm25Scores struct {
	lx      *lexicon
	p       *[]float64
	touched []int32
	allow   bitset // when set, top ranks only these documents (see filter.go)
}

// scores returns an empty accumulator; top returns it to the pool.
func (lx *lexicon) scores() *bm25Scores {
	p, _ := lx.acc.Get().(*[]float64)
	if p == nil {
		a := make([]float64, lx.n)
		p = &a
	}
	return &bm25Scores{lx: lx, p: p}
}

// add scores the documents of ps, a term's (or a pair's) postings, at
// weight times its IDF.
func (s *bm25Scores) add(ps []posting, weight float64) {
	if len(ps) == 0 {
		return
	}
	acc, norm := *s.p, s.lx.norm
	idf := weight * bm25IDF(s.lx.n, len(ps))
	for _, p := range ps {
		tf := float64(p.tf)
		if acc[p.doc] == 0 {
			s.touched = append(s.touched, p.doc)
		}
		acc[p.doc] += idf * tf * (bm25K1 + 1) / (tf + norm[p.doc])
	}
}

// top returns the k best documents, best first, and releases s.
func (s *bm25Scores) top(k int) []scored {
	acc := *s.p
	out := topK(acc, s.allow.keep(s.touched), k)
	for _, d := range s.touched {
		acc[d] = 0
	}
	s.lx.acc.Put(s.p)
	return out
}

// topK returns the k highest-scoring of the touched documents, best first;
// ties go to the lower document number.
func topK(acc []float64, touched []int32, k int) []scored {
	h := make(minHeap, 0, min(k, len(touched)))
	for _, d := range touched {
		e := scored{int(d), acc[d]}
		if len(h) < k {
			heap.Push(&h, e)
		} else if better(e, h[0]) {
			h[0] = e
			heap.Fix(&h, 0)
		}
	}
	out := make([]scored, len(h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(scored)
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

// lexicon returns the current BM25 lexicon (immutable).
func (ix *Index) lexicon() *lexicon {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.lex
}
