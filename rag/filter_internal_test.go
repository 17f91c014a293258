package rag

import (
	"context"
	"testing"
)

// TestScanVectorsMatchesChromem checks that the filtered vector scan over
// all chunks finds what chromem-go finds.
func TestScanVectorsMatchesChromem(t *testing.T) {
	ix := NewIndex(IndexOptions{})
	if _, err := ix.Update(context.Background(), SampleArticles(400, 3), nil); err != nil {
		t.Fatal(err)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	all := &allowSet{}
	for i := range ix.recs {
		all.chunks = append(all.chunks, int32(i))
	}
	for _, q := range []string{"Biden Xi call", "spy balloon", "Sullivan"} {
		qv, err := ix.emb.EmbedQuery(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ix.vectorSearch(context.Background(), qv, 20)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.scanVectors(context.Background(), qv, 20, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: got %d hits, want %d", q, len(got), len(want))
		}
		for i := range got {
			if d := got[i].sim - want[i].sim; d > 1e-5 || d < -1e-5 {
				t.Errorf("%q: hit %d: got similarity %v (chunk %d), want %v (chunk %d)", q, i, got[i].sim, got[i].doc, want[i].sim, want[i].doc)
			}
		}
	}
}
