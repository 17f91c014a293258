package index

import (
	"math"

	"citebot/rag/internal/bm25"
)

// pairSearch scores documents by BM25 over the query's adjacent term pairs
// ("theater commander"), a cheap phrase signal: a passage that repeats the
// question's word pairs usually paraphrases less and answers more
// directly. No pair index is kept: the documents holding a pair are found
// by intersecting its two terms' postings and checking adjacency in their
// term lists, so the cost falls on the query (proportional to the rarer
// term's postings) rather than on building and holding the index. The
// caller holds ix.mu for reading. It returns up to k documents of allow
// (all when nil), best first.
func (ix *Index) pairSearch(raw []string, k int, allow bitset) []bm25.Scored {
	lx := ix.lex
	if lx.Docs() == 0 || k <= 0 {
		return nil
	}
	s := lx.Scores(allow.keep)
	seen := map[[2]uint32]bool{}
	var hits []bm25.Posting
	for i := 0; i+1 < len(raw); i++ {
		a, okA := lx.Vocab().Lookup(raw[i])
		b, okB := lx.Vocab().Lookup(raw[i+1])
		if !okA || !okB || seen[[2]uint32{a, b}] {
			continue
		}
		seen[[2]uint32{a, b}] = true
		hits = hits[:0]
		pa, pb := lx.Postings(a), lx.Postings(b)
		for x, y := 0, 0; x < len(pa) && y < len(pb); {
			switch {
			case pa[x].Doc() < pb[y].Doc():
				x++
			case pa[x].Doc() > pb[y].Doc():
				y++
			case int(pa[x].Doc()) >= len(ix.recs): // a stored posting not trusted
				x++
			default:
				if tf := adjacent(ix.recs[pa[x].Doc()].terms, a, b); tf > 0 {
					hits = append(hits, bm25.NewPosting(pa[x].Doc(), tf))
				}
				x++
				y++
			}
		}
		s.Add(hits, 1)
	}
	return s.Top(k)
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
