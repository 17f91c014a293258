package index_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"citebot/corpus"
	"citebot/rag/internal/embed"
	"citebot/rag/internal/index"
)

// viaInterface hides the local embedder's token path: the index embeds
// through EmbedDocuments, one allocation per vector, copied into the
// shard blocks afterwards, which is what placed vectors must equal.
type viaInterface struct{ e *embed.LocalEmbedder }

func (v viaInterface) Name() string { return v.e.Name() }
func (v viaInterface) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	return v.e.EmbedDocuments(ctx, texts)
}
func (v viaInterface) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return v.e.EmbedQuery(ctx, text)
}

// A local embedder writes each new vector straight into its shard's block
// (placed before embedding); the vectors, their order and the vector search
// are those of an index that embeds one vector at a time and copies them,
// for a fresh build, an update that adds to current shards, and an update
// on top of a loaded file.
func TestPlacedVectorsMatchCopiedOnes(t *testing.T) {
	defer index.SetShardSizing(64, 16)()
	all := index.SampleArticles(400, 3)
	first, more := all[:300], all
	tests := []struct {
		name string
		run  func(t *testing.T, emb embed.Embedder) *index.Index
	}{
		{"fresh build", func(t *testing.T, emb embed.Embedder) *index.Index {
			return updated(t, index.NewIndex(index.IndexOptions{Embedder: emb}), all)
		}},
		{"added to current shards", func(t *testing.T, emb embed.Embedder) *index.Index {
			ix := updated(t, index.NewIndex(index.IndexOptions{Embedder: emb}), first)
			return updated(t, ix, more)
		}},
		{"added after a load", func(t *testing.T, emb embed.Embedder) *index.Index {
			path := filepath.Join(t.TempDir(), "ix.cbi")
			if err := updated(t, index.NewIndex(index.IndexOptions{Embedder: emb}), first).Save(path); err != nil {
				t.Fatal(err)
			}
			ix := index.NewIndex(index.IndexOptions{Embedder: emb})
			if err := ix.Load(path); err != nil {
				t.Fatal(err)
			}
			return updated(t, ix, more)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local := embed.NewLocalEmbedder(0)
			placed := tt.run(t, local)
			copied := tt.run(t, viaInterface{embed.NewLocalEmbedder(0)})
			got, want := index.VectorsOf(placed), index.VectorsOf(copied)
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("got %d vectors, want %d (and some)", len(got), len(want))
			}
			for i := range got {
				if !slices.Equal(got[i], want[i]) {
					t.Fatalf("vector %d differs", i)
				}
			}
			if got, want := index.Shards(placed), index.Shards(copied); got != want || got < 2 {
				t.Errorf("got %d shards, want %d (at least 2)", got, want)
			}
			q, err := local.EmbedQuery(context.Background(), "election results announced by the commission")
			if err != nil {
				t.Fatal(err)
			}
			gotIDs, _, err := index.VectorCandidates(context.Background(), placed, q, 20)
			if err != nil {
				t.Fatal(err)
			}
			wantIDs, _, err := index.VectorCandidates(context.Background(), copied, q, 20)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gotIDs, wantIDs) || len(gotIDs) == 0 {
				t.Errorf("vector search: got %v, want %v", gotIDs, wantIDs)
			}
		})
	}
}

func updated(t *testing.T, ix *index.Index, arts []corpus.Article) *index.Index {
	t.Helper()
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}
