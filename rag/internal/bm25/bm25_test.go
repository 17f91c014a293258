package bm25

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refLexicon is the straightforward BM25 index: postings in a map, scores
// accumulated in a map. The lexicon must rank exactly like it.
type refLexicon struct {
	vocab    *Vocabulary
	postings map[uint32][]Posting
	docLen   []float32
	avgLen   float64
	n        int
}

func refBuild(vocab *Vocabulary, docs [][]uint32) *refLexicon {
	lx := &refLexicon{vocab: vocab, postings: map[uint32][]Posting{}, docLen: make([]float32, len(docs)), n: len(docs)}
	var total float64
	for i, d := range docs {
		counts := map[uint32]uint16{}
		var order []uint32
		for _, t := range d {
			if _, ok := counts[t]; !ok {
				order = append(order, t)
			}
			if counts[t] < math.MaxUint16 {
				counts[t]++
			}
		}
		for _, t := range order {
			lx.postings[t] = append(lx.postings[t], NewPosting(int32(i), counts[t]))
		}
		lx.docLen[i] = float32(len(d))
		total += float64(len(d))
	}
	if len(docs) > 0 {
		lx.avgLen = total / float64(len(docs))
	}
	return lx
}

func (lx *refLexicon) Search(qterms []WeightedTerm, k int) []Scored {
	acc := map[int]float64{}
	for _, wt := range qterms {
		id, ok := lx.vocab.Lookup(wt.Term)
		if !ok {
			continue
		}
		ps := lx.postings[id]
		if len(ps) == 0 {
			continue
		}
		idf := wt.Weight * math.Log(1+(float64(lx.n)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			tf := float64(p.TF())
			norm := bm25K1 * (1 - bm25B + bm25B*float64(lx.docLen[p.Doc()])/lx.avgLen)
			acc[int(p.Doc())] += idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	var all []Scored
	for d, s := range acc {
		all = append(all, Scored{d, s})
	}
	slices.SortFunc(all, func(a, b Scored) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return all[:min(k, len(all))]
}

// randomDocs makes n documents over a Zipf-distributed vocabulary, so that
// some terms are in most documents and many in few.
func randomDocs(seed uint64, n int) (*Vocabulary, [][]uint32) {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, 1.2, 3, 4999)
	vocab := NewVocabulary()
	words := make([]string, 5000)
	for i := range words {
		words[i] = fmt.Sprintf("t%d", i)
	}
	vocab.Intern(words)
	docs := make([][]uint32, n)
	for i := range docs {
		d := make([]uint32, r.IntN(120))
		for j := range d {
			d[j] = uint32(z.Uint64())
		}
		docs[i] = d
	}
	return vocab, docs
}

func TestLexiconMatchesReference(t *testing.T) {
	for _, n := range []int{0, 1, 7, 5000} {
		vocab, docs := randomDocs(uint64(n), n)
		ref := refBuild(vocab, docs)
		for _, workers := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("docs=%d/workers=%d", n, workers), func(t *testing.T) {
				lx := Build(vocab, docs, workers)
				for id, want := range ref.postings {
					if got := lx.postings[id]; !slices.Equal(got, want) {
						t.Fatalf("postings of term %d: got %d entries, want %d (or different)", id, len(got), len(want))
					}
				}
				r := rand.New(rand.NewPCG(9, uint64(workers)))
				for q := 0; q < 50; q++ {
					var qt []WeightedTerm
					for j := 0; j < 1+r.IntN(8); j++ {
						qt = append(qt, WeightedTerm{Term: fmt.Sprintf("t%d", r.IntN(300)), Weight: []float64{1, 0.4}[r.IntN(2)]})
					}
					qt = append(qt, WeightedTerm{Term: "absent", Weight: 1})
					for _, k := range []int{1, 10, 64} {
						got, want := lx.Search(qt, k), ref.Search(qt, k)
						if len(want) == 0 && len(got) == 0 {
							continue
						}
						if !slices.Equal(got, want) {
							t.Fatalf("query %v k=%d:\ngot  %v\nwant %v", qt, k, got, want)
						}
					}
				}
				for _, term := range []string{"t0", "t10", "t4000", "absent"} {
					if got, want := lx.DF(term), len(ref.postings[mustLookup(vocab, term)]); got != want {
						t.Errorf("df(%s) = %d, want %d", term, got, want)
					}
				}
			})
		}
	}
}

func mustLookup(v *Vocabulary, term string) uint32 {
	id, ok := v.Lookup(term)
	if !ok {
		return math.MaxUint32
	}
	return id
}

func TestLexiconTermsAddedAfterBuild(t *testing.T) {
	vocab, docs := randomDocs(3, 100)
	lx := Build(vocab, docs, 2)
	vocab.Intern([]string{"brand-new"})
	if got := lx.Search([]WeightedTerm{{Term: "brand-new", Weight: 1}}, 5); len(got) != 0 {
		t.Errorf("a term interned after the build matched %v", got)
	}
	if got, want := lx.IDF("brand-new"), lx.IDF("never-seen"); got != want {
		t.Errorf("idf of a term interned after the build = %v, want %v like an unknown term", got, want)
	}
}
