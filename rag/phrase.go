package rag

import (
	"math"
	"sync"
)

// pairLexicon is a BM25 index over adjacent term pairs ("theater
// commander"), a cheap phrase signal: a passage that repeats the question's
// word pairs usually paraphrases less and answers more directly.
type pairLexicon struct {
	postings map[uint64][]posting
	docLen   []float32
	avgLen   float64
	n        int
	acc      sync.Pool // *[]float64 of length n, all zero
}

func pairKey(a, b uint32) uint64 { return uint64(a)<<32 | uint64(b) }

// buildPairLexicon indexes the adjacent term pairs of docs (term-id lists).
func buildPairLexicon(docs [][]uint32) *pairLexicon {
	px := &pairLexicon{postings: map[uint64][]posting{}, docLen: make([]float32, len(docs)), n: len(docs)}
	counts := map[uint64]uint16{}
	var total float64
	for i, d := range docs {
		clear(counts)
		for j := 0; j+1 < len(d); j++ {
			if k := pairKey(d[j], d[j+1]); counts[k] < math.MaxUint16 {
				counts[k]++
			}
		}
		for k, c := range counts {
			px.postings[k] = append(px.postings[k], posting{doc: int32(i), tf: c})
		}
		px.docLen[i] = float32(max(0, len(d)-1))
		total += float64(px.docLen[i])
	}
	if len(docs) > 0 {
		px.avgLen = total / float64(len(docs))
	}
	return px
}

// search returns up to k documents by BM25 over the query's pairs.
func (px *pairLexicon) search(pairs []uint64, k int) []scored {
	if px == nil || px.n == 0 || k <= 0 || px.avgLen == 0 {
		return nil
	}
	p, _ := px.acc.Get().(*[]float64)
	if p == nil {
		a := make([]float64, px.n)
		p = &a
	}
	acc := *p
	var touched []int32
	seen := map[uint64]bool{}
	for _, key := range pairs {
		if seen[key] {
			continue
		}
		seen[key] = true
		ps := px.postings[key]
		if len(ps) == 0 {
			continue
		}
		idf := math.Log(1 + (float64(px.n)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			tf := float64(p.tf)
			norm := bm25K1 * (1 - bm25B + bm25B*float64(px.docLen[p.doc])/px.avgLen)
			if acc[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			acc[p.doc] += idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	out := topK(acc, touched, k)
	for _, d := range touched {
		acc[d] = 0
	}
	px.acc.Put(p)
	return out
}

// queryPairs returns the pair keys of adjacent known query terms.
func queryPairs(vocab *vocabulary, ts []string) []uint64 {
	var out []uint64
	for i := 0; i+1 < len(ts); i++ {
		a, ok1 := vocab.lookup(ts[i])
		b, ok2 := vocab.lookup(ts[i+1])
		if ok1 && ok2 {
			out = append(out, pairKey(a, b))
		}
	}
	return out
}
