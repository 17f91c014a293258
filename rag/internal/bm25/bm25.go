package bm25

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

// Vocabulary maps terms to dense ids. It only grows, so ids stay valid
// across index updates. Safe for concurrent use.
type Vocabulary struct {
	mu    sync.RWMutex
	ids   map[string]uint32
	terms []string // terms[id] is the term of id
}

// NewVocabulary returns an empty vocabulary.
func NewVocabulary() *Vocabulary { return &Vocabulary{ids: map[string]uint32{}} }

// Intern returns the ids of terms, adding new ones.
func (v *Vocabulary) Intern(terms []string) []uint32 {
	return v.AppendIDs(make([]uint32, 0, len(terms)), terms)
}

// AppendIDs appends the ids of terms to dst, adding new terms.
func (v *Vocabulary) AppendIDs(dst []uint32, terms []string) []uint32 {
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

// AppendTermIDs appends the ids of the index terms of toks (stop words
// have none) to dst, adding new terms. It repeats AppendIDs' loop over
// tokens instead of sharing one generic loop with an accessor: the shared
// version made indexing 12% slower (BenchmarkUpdate/chunks=10k).
func (v *Vocabulary) AppendTermIDs(dst []uint32, toks []analysis.Token) []uint32 {
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

// Lookup returns the id of a term.
func (v *Vocabulary) Lookup(t string) (uint32, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	id, ok := v.ids[t]
	return id, ok
}

// Snapshot returns the terms by id. Ids only grow, so the result stays
// valid for the ids handed out before the call.
func (v *Vocabulary) Snapshot() []string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.terms[:len(v.terms):len(v.terms)]
}

// Posting is one document containing a term. Postings are most of a
// lexicon's memory (one for every distinct term of every document), so a
// posting is three 16-bit halves, 6 bytes, where an int32 and a uint16
// would take 8 with padding.
type Posting struct {
	docLo, docHi, tf uint16
}

// NewPosting returns the posting of document doc (its place in the list
// Build was given, at least 0) holding the term tf times.
func NewPosting(doc int32, tf uint16) Posting {
	return Posting{docLo: uint16(doc), docHi: uint16(uint32(doc) >> 16), tf: tf}
}

// Doc returns the document's number.
func (p Posting) Doc() int32 { return int32(uint32(p.docHi)<<16 | uint32(p.docLo)) }

// TF returns how often the document holds the term (at most 65535).
func (p Posting) TF() uint16 { return p.tf }

// Lexicon is an immutable BM25 index over documents given as term-id lists.
type Lexicon struct {
	vocab *Vocabulary
	// postings[id] lists the documents containing term id, in document
	// order. Ids handed out after the build have no entry.
	postings [][]Posting
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
	// Proper caches, for the index, whether the corpus writes a term as a
	// name: term → bool. Package bm25 does not use it.
	Proper sync.Map
	// backing keeps the memory of the postings alive (see Assemble).
	backing any
}

// Docs returns the number of documents of the lexicon.
func (lx *Lexicon) Docs() int { return lx.n }

// Vocab returns the vocabulary the lexicon's term ids come from.
func (lx *Lexicon) Vocab() *Vocabulary { return lx.vocab }

// Postings returns the postings of term id, in document order; nil for
// an id handed out after the build.
func (lx *Lexicon) Postings(id uint32) []Posting {
	if int(id) >= len(lx.postings) {
		return nil
	}
	return lx.postings[id]
}

// speller corrects words against the index vocabulary: the terms of each
// first letter, built on first use for one lexicon.
type speller struct {
	once    sync.Once
	byFirst map[rune][]uint32
}

// minDocsPerWorker is the share of documents below which Build
// adds no worker: a smaller share costs more to hand out than it saves.
const minDocsPerWorker = 2048

// Build indexes docs, where docs[i] lists the term ids of document i.
// Large collections are indexed in parallel by workers goroutines; the result
// does not depend on their number.
func Build(vocab *Vocabulary, docs [][]uint32, workers int) *Lexicon {
	lx := &Lexicon{vocab: vocab, n: len(docs)}
	lx.setLengths(func(i int) int { return len(docs[i]) })
	nterms := 0
	for _, d := range docs {
		for _, t := range d {
			nterms = max(nterms, int(t)+1)
		}
	}
	lx.postings = make([][]Posting, nterms)
	if len(docs) == 0 {
		return lx
	}
	lx.fillPostings(docs, nterms, max(1, min(workers, len(docs)/minDocsPerWorker)))
	return lx
}

// Assemble returns the lexicon of docs documents, document i of length(i)
// terms, whose postings are given: postings[id] lists the documents
// containing term id, in document order, as [Build] made them (and as
// [WritePostings] and [PostingsOf] keep them). Given the lengths and
// postings of a lexicon Build made, it returns a lexicon that scores
// every search as that one does, without the pass over every document's
// terms that Build makes. The postings are not checked: a document number
// of docs or more is skipped by searches. backing, when not nil, is kept
// reachable as long as the lexicon is: the memory the postings lie in
// when that is not the Go heap (a mapped file).
func Assemble(vocab *Vocabulary, docs int, length func(i int) int, postings [][]Posting, backing any) *Lexicon {
	lx := &Lexicon{vocab: vocab, n: docs, postings: postings, backing: backing}
	lx.setLengths(length)
	return lx
}

// Group returns the lexicon of groups documents, document k being the
// documents d of lx with group[d] == k joined end to end, of length(k)
// terms; group never decreases with d. Its postings are those that
// [Build] would make from the joined documents (a term frequency is the
// sum of the documents', capped as Build caps it), taken from lx's
// postings on workers goroutines: one pass over the postings rather than
// over every term of every document, and no copy of the joined term
// lists. A posting of a document group does not cover is skipped.
func Group(lx *Lexicon, group []int32, groups int, length func(k int) int, workers int) *Lexicon {
	out := &Lexicon{vocab: lx.vocab, n: groups, postings: make([][]Posting, len(lx.postings))}
	out.setLengths(length)
	// joined calls f with each group of term t's postings and its
	// summed frequency, in order.
	joined := func(t int, f func(k int32, tf uint32)) {
		cur, tf := int32(-1), uint32(0)
		for _, p := range lx.postings[t] {
			d := p.Doc()
			if d < 0 || int(d) >= len(group) {
				continue
			}
			if k := group[d]; k != cur {
				if cur >= 0 {
					f(cur, tf)
				}
				cur, tf = k, 0
			}
			tf += uint32(p.TF())
		}
		if cur >= 0 {
			f(cur, tf)
		}
	}
	nterms := len(lx.postings)
	workers = max(1, min(workers, nterms/minDocsPerWorker))
	span := func(w int) (int, int) { return nterms * w / workers, nterms * (w + 1) / workers }
	counts := make([]int, nterms)
	parallel(workers, func(w int) {
		from, to := span(w)
		for t := from; t < to; t++ {
			joined(t, func(int32, uint32) { counts[t]++ })
		}
	})
	total := 0
	for _, c := range counts {
		total += c
	}
	slab := make([]Posting, total)
	for t, at := 0, 0; t < nterms; t++ {
		if counts[t] > 0 {
			out.postings[t] = slab[at : at : at+counts[t]]
			at += counts[t]
		}
	}
	parallel(workers, func(w int) {
		from, to := span(w)
		for t := from; t < to; t++ {
			joined(t, func(k int32, tf uint32) {
				out.postings[t] = append(out.postings[t], NewPosting(k, uint16(min(tf, math.MaxUint16))))
			})
		}
	})
	return out
}

// setLengths sets the average document length and the length
// normalisation of every document, document i of length(i) terms.
func (lx *Lexicon) setLengths(length func(i int) int) {
	lx.norm = make([]float64, lx.n)
	var total float64
	for i := range lx.n {
		total += float64(length(i))
	}
	if lx.n > 0 {
		lx.avgLen = total / float64(lx.n)
	}
	for i := range lx.n {
		lx.norm[i] = bm25K1 * (1 - bm25B + bm25B*float64(float32(length(i)))/lx.avgLen)
	}
}

// fillPostings builds the posting lists of docs on workers goroutines, in
// two passes over contiguous shares of the documents: count the documents
// of every term per share, then place each share's postings at its offset
// inside one slab, so every list stays in document order.
func (lx *Lexicon) fillPostings(docs [][]uint32, nterms, workers int) {
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
	slab := make([]Posting, totalPostings)
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
func placePostings(slab []Posting, docs [][]uint32, first int32, next []int32, tf []uint16) {
	for i, d := range docs {
		doc := first + int32(i)
		for _, t := range d {
			if tf[t] < math.MaxUint16 {
				tf[t]++
			}
		}
		for _, t := range d {
			if tf[t] > 0 {
				slab[next[t]] = NewPosting(doc, tf[t])
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

// List returns the postings of a term.
func (lx *Lexicon) List(term string) []Posting {
	id, ok := lx.vocab.Lookup(term)
	if !ok || int(id) >= len(lx.postings) {
		return nil
	}
	return lx.postings[id]
}

// IDF returns the BM25 inverse document frequency of a term; a term the
// corpus lacks gets the highest value.
func (lx *Lexicon) IDF(term string) float64 {
	return bm25IDF(lx.n, len(lx.List(term)))
}

// bm25IDF is the BM25 inverse document frequency of a term in df of n
// documents.
func bm25IDF(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// DF returns how many documents contain term.
func (lx *Lexicon) DF(term string) int { return len(lx.List(term)) }

// Scored is a document and its score.
type Scored struct {
	Doc   int
	Score float64
}

// WeightedTerm is a query term and its weight (1 for the query's own terms).
type WeightedTerm struct {
	Term   string
	Weight float64
	// Of is the index of the query's own term that a synonym stands for
	// (its own index for the query's own terms).
	Of int
}

// Search returns up to k documents by BM25 score for the weighted query
// terms, best first.
func (lx *Lexicon) Search(qterms []WeightedTerm, k int) []Scored {
	return lx.SearchIn(qterms, k, nil)
}

// SearchIn is Search over the documents that keep lets through: keep
// returns the allowed documents of its argument (nil keeps all).
func (lx *Lexicon) SearchIn(qterms []WeightedTerm, k int, keep func(docs []int32) []int32) []Scored {
	if lx.n == 0 || k <= 0 {
		return nil
	}
	s := lx.Scores(keep)
	for _, wt := range qterms {
		s.Add(lx.List(wt.Term), wt.Weight)
	}
	return s.Top(k)
}

// Scores accumulates BM25 scores of postings lists in a dense array
// of the lexicon's pool, in the order the lists are added; every matching
// document scores above zero.
type Scores struct {
	lx      *Lexicon
	p       *[]float64
	touched []int32
	keep    func(docs []int32) []int32 // when set, Top ranks only the documents it keeps
}

// Scores returns an empty accumulator whose Top ranks the documents keep
// lets through (all when keep is nil); Top returns it to the pool.
func (lx *Lexicon) Scores(keep func(docs []int32) []int32) *Scores {
	p, _ := lx.acc.Get().(*[]float64)
	if p == nil {
		a := make([]float64, lx.n)
		p = &a
	}
	return &Scores{lx: lx, p: p, keep: keep}
}

// add scores the documents of ps, a term's (or a pair's) postings, at
// weight times its IDF.
func (s *Scores) Add(ps []Posting, weight float64) {
	if len(ps) == 0 {
		return
	}
	acc, norm := *s.p, s.lx.norm
	idf := weight * bm25IDF(s.lx.n, len(ps))
	for _, p := range ps {
		tf, d := float64(p.TF()), p.Doc()
		if uint(d) >= uint(len(acc)) {
			continue // only in postings Assemble was given: not trusted
		}
		if acc[d] == 0 {
			s.touched = append(s.touched, d)
		}
		acc[d] += idf * tf * (bm25K1 + 1) / (tf + norm[d])
	}
}

// top returns the k best documents, best first, and releases s.
func (s *Scores) Top(k int) []Scored {
	acc := *s.p
	touched := s.touched
	if s.keep != nil {
		touched = s.keep(touched)
	}
	out := topK(acc, touched, k)
	for _, d := range s.touched {
		acc[d] = 0
	}
	s.lx.acc.Put(s.p)
	return out
}

// topK returns the k highest-scoring of the touched documents, best first;
// ties go to the lower document number.
func topK(acc []float64, touched []int32, k int) []Scored {
	h := make(minHeap, 0, min(k, len(touched)))
	for _, d := range touched {
		e := Scored{int(d), acc[d]}
		if len(h) < k {
			heap.Push(&h, e)
		} else if better(e, h[0]) {
			h[0] = e
			heap.Fix(&h, 0)
		}
	}
	out := make([]Scored, len(h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(Scored)
	}
	return out
}

func better(a, b Scored) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Doc < b.Doc
}

type minHeap []Scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(Scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
