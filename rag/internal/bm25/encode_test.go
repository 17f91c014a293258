package bm25

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"citebot/rag/internal/analysis"
)

// encodeLists writes the postings of every term of lx, term by term, and
// returns the bytes and each term's count.
func encodeLists(t *testing.T, lx *Lexicon, nterms int) ([]byte, []int) {
	t.Helper()
	var buf bytes.Buffer
	counts := make([]int, nterms)
	for id := range nterms {
		ps := lx.Postings(uint32(id))
		counts[id] = len(ps)
		if err := WritePostings(&buf, ps); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes(), counts
}

// decodeLists cuts the postings in b into per-term lists by counts.
func decodeLists(b []byte, counts []int) [][]Posting {
	all := PostingsOf(b)
	lists := make([][]Posting, len(counts))
	pos := 0
	for id, c := range counts {
		lists[id] = all[pos : pos+c : pos+c]
		pos += c
	}
	return lists
}

func TestAssembleScoresAsBuild(t *testing.T) {
	for _, n := range []int{1, 7, 5000} {
		t.Run(fmt.Sprintf("docs=%d", n), func(t *testing.T) {
			vocab, docs := randomDocs(uint64(n)+40, n)
			want := Build(vocab, docs, 2)
			b, counts := encodeLists(t, want, 5000)
			if got, want := len(b), PostingSize*totalOf(counts); got != want {
				t.Fatalf("encoded %d bytes, want %d", got, want)
			}
			got := Assemble(vocab, n, func(i int) int { return len(docs[i]) }, decodeLists(b, counts), nil)
			if got.Docs() != want.Docs() {
				t.Fatalf("Docs() = %d, want %d", got.Docs(), want.Docs())
			}
			if !slices.Equal(got.norm, want.norm) || got.avgLen != want.avgLen {
				t.Fatal("length normalisation differs from Build's")
			}
			r := rand.New(rand.NewPCG(5, uint64(n)))
			for range 50 {
				var qt []WeightedTerm
				for range 1 + r.IntN(8) {
					qt = append(qt, WeightedTerm{Term: fmt.Sprintf("t%d", r.IntN(400)), Weight: []float64{1, 0.4}[r.IntN(2)]})
				}
				if g, w := got.Search(qt, 10), want.Search(qt, 10); !slices.Equal(g, w) {
					t.Fatalf("query %v:\ngot  %v\nwant %v", qt, g, w)
				}
			}
			for _, term := range []string{"t0", "t3", "t4999", "absent"} {
				if g, w := got.IDF(term), want.IDF(term); g != w {
					t.Errorf("IDF(%s) = %v, want %v", term, g, w)
				}
			}
		})
	}
}

func totalOf(counts []int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func TestPostingsOfCopiesWhatItCannotShare(t *testing.T) {
	want := []Posting{NewPosting(0, 1), NewPosting(70_000, 3), NewPosting(1_498_047, 65535)}
	var buf bytes.Buffer
	if err := WritePostings(&buf, want); err != nil {
		t.Fatal(err)
	}
	// At an odd address the postings cannot be the bytes' memory.
	odd := append([]byte{0}, buf.Bytes()...)[1:]
	for _, tt := range []struct {
		name string
		b    []byte
	}{{"aligned", buf.Bytes()}, {"odd address", odd}} {
		if got := PostingsOf(tt.b); !slices.Equal(got, want) {
			t.Errorf("%s: PostingsOf = %v, want %v", tt.name, got, want)
		}
	}
	if got := PostingsOf(nil); got != nil {
		t.Errorf("PostingsOf(nil) = %v, want nil", got)
	}
}

func TestAssembleSkipsDocumentsOutOfRange(t *testing.T) {
	vocab := NewVocabulary()
	ids := vocab.Intern([]string{"a"})
	postings := make([][]Posting, 1)
	postings[ids[0]] = []Posting{NewPosting(0, 1), NewPosting(5, 2), NewPosting(1, 1)}
	lx := Assemble(vocab, 2, func(int) int { return 3 }, postings, nil)
	got := lx.Search([]WeightedTerm{{Term: "a", Weight: 1}}, 10)
	if len(got) != 2 || got[0].Doc > 1 || got[1].Doc > 1 {
		t.Errorf("Search = %v, want documents 0 and 1 only", got)
	}
}

// TestGroupIsBuildOfJoinedDocuments checks that Group makes, from a
// lexicon of documents, the lexicon Build makes of groups of them joined
// end to end: the same postings, lengths and scores, including groups of
// no document, a frequency summed past Build's cap, and several workers.
func TestGroupIsBuildOfJoinedDocuments(t *testing.T) {
	for _, n := range []int{1, 7, 5000} {
		t.Run(fmt.Sprintf("docs=%d", n), func(t *testing.T) {
			vocab, docs := randomDocs(uint64(n)+90, n)
			if n == 7 { // two documents of one group pass the cap together
				id := vocab.AppendTermIDs(nil, []analysis.Token{{Term: "many"}})[0]
				for _, d := range []int{2, 3} {
					for range 40_000 {
						docs[d] = append(docs[d], id)
					}
				}
			}
			r := rand.New(rand.NewPCG(9, uint64(n)))
			group := make([]int32, n)
			var joined [][]uint32
			k := int32(-1)
			for d := range docs {
				if d == 0 || d == 2 || d != 3 && r.IntN(3) == 0 {
					k++
					joined = append(joined, nil)
					if r.IntN(4) == 0 { // a group without documents
						k++
						joined = append(joined, nil)
					}
				}
				group[d] = k
				joined[k] = append(joined[k], docs[d]...)
			}
			want := Build(vocab, joined, 2)
			for _, workers := range []int{1, 3} {
				got := Group(Build(vocab, docs, 2), group, len(joined), func(k int) int { return len(joined[k]) }, workers)
				if got.Docs() != want.Docs() || !slices.Equal(got.norm, want.norm) || got.avgLen != want.avgLen {
					t.Fatalf("workers=%d: %d documents or their lengths differ from Build's %d", workers, got.Docs(), want.Docs())
				}
				if len(got.postings) != len(want.postings) {
					t.Fatalf("workers=%d: %d posting lists, want %d", workers, len(got.postings), len(want.postings))
				}
				for term := range want.postings {
					if !slices.Equal(got.postings[term], want.postings[term]) {
						t.Fatalf("workers=%d: postings of term %d:\ngot  %v\nwant %v", workers, term, got.postings[term], want.postings[term])
					}
				}
				for range 20 {
					qt := []WeightedTerm{{Term: fmt.Sprintf("t%d", r.IntN(400)), Weight: 1}, {Term: "many", Weight: 0.4}}
					if g, w := got.Search(qt, 10), want.Search(qt, 10); !slices.Equal(g, w) {
						t.Fatalf("workers=%d: query %v:\ngot  %v\nwant %v", workers, qt, g, w)
					}
				}
			}
		})
	}
}
