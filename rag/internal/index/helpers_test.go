package index_test

import (
	"context"
	"path/filepath"
	"testing"

	"citebot/corpus"
	"citebot/rag/internal/index"
)

// shipped returns the articles shipped with citebot.
func shipped(t testing.TB) []corpus.Article {
	t.Helper()
	arts, err := corpus.Shipped()
	if err == nil {
		return arts
	}
	t.Fatal(err)
	return nil
}

// newIndex returns a new index updated to hold arts.
func newIndex(t testing.TB, arts []corpus.Article) *index.Index {
	t.Helper()
	ix := index.NewIndex(index.IndexOptions{})
	_, err := ix.Update(context.Background(), arts, nil)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return ix
}

// saveTemp saves ix to index.cbi in a new temporary directory and returns
// the file's path.
func saveTemp(t testing.TB, ix *index.Index) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "index.cbi")
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}
