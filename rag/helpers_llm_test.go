package rag_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
	"citebot/rag/openaitest"
)

// The -update flag rewrites golden files. It is defined only if no other
// test file of the package defined it first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateGolden() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
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
func newClient(t *testing.T, srv *openaitest.Server, mod func(*rag.OpenAIOptions)) (*rag.OpenAIClient, *noSleep) {
	t.Helper()
	ns := &noSleep{}
	opts := rag.OpenAIOptions{BaseURL: srv.URL, Sleep: ns.sleep, Jitter: func() float64 { return 0 }}
	if mod != nil {
		mod(&opts)
	}
	c, err := rag.NewOpenAIClient(opts)
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

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
