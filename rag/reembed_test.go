package rag_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"citebot/corpus"
	"citebot/rag"
	"citebot/rag/openaitest"
)

// TestIndexReembedsOnEmbeddingModelChange builds an index file with one
// embedding model and opens it with another of a different dimension: the
// file is rejected as built by another embedder, everything is embedded
// again with the new model only, and search works.
func TestIndexReembedsOnEmbeddingModelChange(t *testing.T) {
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	srv := openaitest.New(t)
	srv.SetDim("model-a", 16)
	srv.SetDim("model-b", 24)
	c := newClient(t, srv, nil)
	path := filepath.Join(t.TempDir(), "shipped.cbi")
	ctx := context.Background()

	a := rag.NewIndex(rag.IndexOptions{Embedder: c.Embedder("model-a", nil)})
	stA, err := a.Update(ctx, arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	if reqs := len(srv.EmbeddingRequests()); reqs == 0 || reqs >= stA.Chunks {
		t.Errorf("%d embedding requests for %d chunks; want batches", reqs, stA.Chunks)
	}
	before := len(srv.EmbeddingRequests())

	b := rag.NewIndex(rag.IndexOptions{Embedder: c.Embedder("model-b", nil)})
	if err := b.Load(path); !errors.Is(err, rag.ErrEmbedderChanged) {
		t.Fatalf("Load with another model: err = %v, want ErrEmbedderChanged", err)
	}
	stB, err := b.Update(ctx, arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stB.Embedded != stB.Chunks || stB.Reused != 0 {
		t.Errorf("after the model change: embedded %d, reused %d of %d chunks; want all embedded", stB.Embedded, stB.Reused, stB.Chunks)
	}
	for _, r := range srv.EmbeddingRequests()[before:] {
		if r.Model != "model-b" {
			t.Errorf("embedding request for %q after switching to model-b", r.Model)
		}
	}
	ps, err := b.Search(ctx, "Biden Xi phone call", rag.SearchOptions{K: 3})
	if err != nil || len(ps) == 0 {
		t.Fatalf("search after re-embedding: %d passages, %v", len(ps), err)
	}
	if ps[0].Vector == 0 {
		t.Error("the vector side of the search found nothing after re-embedding")
	}
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}

	// Reopened with model-b, nothing is embedded again.
	again := rag.NewIndex(rag.IndexOptions{Embedder: c.Embedder("model-b", nil)})
	if err := again.Load(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	st, err := again.Update(ctx, arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded != 0 {
		t.Errorf("reopened with the same model: %d chunks embedded, want 0", st.Embedded)
	}
}
