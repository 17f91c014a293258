package index

import "math"

// pairSearch scores documents by BM25 over the query's adjacent term pairs
// ("theater commander"), a cheap phrase signal: a passage that repeats the
// question's word pairs usually paraphrases less and answers more
// directly. No pair index is kept: the documents holding a pair are found
// by intersecting its two terms' postings and checking adjacency in their
// term lists, so the cost falls on the query (proportional to the rarer
// term's postings) rather than on building and holding the index. The
// caller holds ix.mu for reading. It returns up to k documents of allow
// (all when nil), best first.
func (ix *Index) pairSearch(raw []string, k int, allow bitset) []scored {
	lx := ix.lex
	if lx.n == 0 || k <= 0 {
		return nil
	}
	s := lx.scores()
	s.allow = allow
	seen := map[[2]uint32]bool{}
	var hits []posting
	for i := 0; i+1 < len(raw); i++ {
		a, okA := lx.vocab.lookup(raw[i])
		b, okB := lx.vocab.lookup(raw[i+1])
		if !okA || !okB || int(a) >= len(lx.postings) || int(b) >= len(lx.postings) || seen[[2]uint32{a, b}] {
			continue
		}
		seen[[2]uint32{a, b}] = true
		hits = hits[:0]
		pa, pb := lx.postings[a], lx.postings[b]
		for x, y := 0, 0; x < len(pa) && y < len(pb); {
			switch {
			case pa[x].doc < pb[y].doc:
				x++
			case pa[x].doc > pb[y].doc:
				y++
			default:
				if tf := adjacent(ix.recs[pa[x].doc].terms, a, b); tf > 0 {
					hits = append(hits, posting{doc: pa[x].doc, tf: tf})
				}
				x++
				y++
			}
		}
		s.add(hits, 1)
	}
	return s.top(k)
}

// adjacent counts the places where term a is directly followed by term b.
func adjacent(terms []uint32, a, b uint32) uint16 {
	var n uint16
	for i := 0; i+1 < len(terms); i++ {
		if terms[i] == a && terms[i+1] == b && n < math.MaxUint16 {
			n++
		}
	}
	return n
}
