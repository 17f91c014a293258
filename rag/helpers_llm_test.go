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

// noSleep records the waits of a retrying client instead of waiting.
type noSleep struct{ waits []time.Duration }

func (s *noSleep) sleep(ctx context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// newClient returns a client of srv that never really waits between
// retries (the waits are recorded in the returned noSleep), with jitter
// fixed at its lowest (backoff factor 0.5).
func newClient(t *testing.T, srv *openaitest.Server, mod func(*openai.Options)) (*openai.Client, *noSleep) {
	t.Helper()
	ns := &noSleep{}
	opts := openai.Options{BaseURL: srv.URL, Sleep: ns.sleep, Jitter: func() float64 { return 0 }}
	if mod != nil {
		mod(&opts)
	}
	c, err := openai.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, ns
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
