package rag_test

import (
	"context"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
	"citebot/rag/openai"
	"citebot/rag/openaitest"
)

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden(t, name, []byte(got))
}

// newClient returns a client of srv whose retries do not wait; mod, if
// not nil, changes its options first.
func newClient(t *testing.T, srv *openaitest.Server, mod func(*openai.Options)) *openai.Client {
	t.Helper()
	opts := openai.Options{BaseURL: srv.URL, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	if mod != nil {
		mod(&opts)
	}
	c, err := openai.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// shippedIndex returns an index of the shipped corpus with the local embedder.
func shippedIndex(t *testing.T) *rag.Index {
	t.Helper()
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	return indexOf(t, arts, nil)
}

// indexOf returns an index of arts with emb (nil: the local embedder).
func indexOf(t *testing.T, arts []corpus.Article, emb rag.Embedder) *rag.Index {
	t.Helper()
	ix := rag.NewIndex(rag.IndexOptions{Embedder: emb})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}
