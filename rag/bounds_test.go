package rag_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/rag"
)

// TestHugeRepetitiveArticlesStayBounded indexes articles at the loader's
// size limit, one of a single repeated sentence and one without any
// punctuation or space, and checks that memory grows in proportion to the
// text (vectors of 512 float32 per chunk of about 1000 bytes) and that a
// search over thousands of identical passages returns distinct ones.
func TestHugeRepetitiveArticlesStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes 8 MiB of text")
	}
	size := 4 << 20
	repeated := strings.Repeat("The leaders met again and again in the same room. ", size/51)
	blob := strings.Repeat("x", size)
	arts := []corpus.Article{
		{ID: "repeated", Title: "Repeated", Text: repeated},
		{ID: "blob", Title: "Blob", Text: blob},
	}
	for _, a := range arts {
		if err := corpus.CheckText([]byte(a.Text)); err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
	}
	before := liveHeap()
	ix := rag.NewIndex(rag.IndexOptions{})
	st, err := ix.Update(context.Background(), arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	grown := liveHeap() - before
	// Per chunk: a 2 KiB vector, its text (shared with the article) and
	// term lists; allow 16 KiB per chunk before calling it unbounded.
	if limit := int64(st.Chunks) * 16 << 10; grown > limit {
		t.Errorf("heap grew %d MiB for %d chunks, more than %d MiB", grown>>20, st.Chunks, limit>>20)
	}
	t.Logf("%d chunks from %d MiB of text; heap grew %d MiB", st.Chunks, 2*size>>20, grown>>20)
	ps, err := ix.Search(context.Background(), "leaders met in the same room", rag.SearchOptions{K: 5, PerArticle: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) > 2 {
		t.Errorf("got %d passages of one repeated sentence; near-duplicates should collapse", len(ps))
	}
	runtime.KeepAlive(ix)
}
