package index

import (
	"context"
	"testing"
)

// TestVectorSearchInKeepsAdmittedChromemHits checks that a filtered vector
// search returns chromem-go's hits, in its order, restricted to the chunks
// the filter admits.
func TestVectorSearchInKeepsAdmittedChromemHits(t *testing.T) {
	ix := NewIndex(IndexOptions{})
	if _, err := ix.Update(context.Background(), SampleArticles(400, 3), nil); err != nil {
		t.Fatal(err)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	even := &allowSet{chunkBits: newBitset(len(ix.recs))}
	for i := 0; i < len(ix.recs); i += 2 {
		even.chunkBits.set(i)
		even.nChunks++
	}
	for _, q := range []string{"Biden Xi call", "spy balloon", "Sullivan"} {
		qv, err := ix.emb.EmbedQuery(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		all, err := ix.vectorSearch(context.Background(), qv, 20*filterWiden)
		if err != nil {
			t.Fatal(err)
		}
		var want []vectorHit
		for _, h := range all {
			if h.doc%2 == 0 && len(want) < 20 {
				want = append(want, h)
			}
		}
		got, err := ix.vectorSearchIn(context.Background(), qv, 20, even)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%q: got %d hits, want %d (and more than none)", q, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: hit %d: got %+v, want %+v", q, i, got[i], want[i])
			}
		}
	}
}
