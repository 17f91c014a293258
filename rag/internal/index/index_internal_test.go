package index

import (
	"citebot/rag/internal/embed"
	"context"
	"reflect"
	"slices"
	"testing"
)

// plainEmbedder hides the token fast path of a LocalEmbedder, so the index
// embeds through the Embedder interface as it does for a model.
type plainEmbedder struct{ e *embed.LocalEmbedder }

func (p plainEmbedder) Name() string { return p.e.Name() }
func (p plainEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	return p.e.EmbedDocuments(ctx, texts)
}
func (p plainEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return p.e.EmbedQuery(ctx, text)
}
func (p plainEmbedder) SetTermWeights(idf func(string) float64) { p.e.SetTermWeights(idf) }

func TestUpdateSameOnAnyPath(t *testing.T) {
	arts := SampleArticles(400, 9)
	qs := testQuestions(arts, 30)
	build := func(emb embed.Embedder, workers int) *Index {
		ix := NewIndex(IndexOptions{Embedder: emb, Workers: workers, VectorWeight: 0.1}) // plainEmbedder is not a *LocalEmbedder
		if _, err := ix.Update(context.Background(), arts, nil); err != nil {
			t.Fatal(err)
		}
		return ix
	}
	ref := build(plainEmbedder{embed.NewLocalEmbedder(0)}, 1)
	want := searchAll(t, ref, qs)
	for _, tc := range []struct {
		name string
		ix   *Index
	}{
		{"tokens/1 worker", build(embed.NewLocalEmbedder(0), 1)},
		{"tokens/3 workers", build(embed.NewLocalEmbedder(0), 3)},
		{"interface/4 workers", build(plainEmbedder{embed.NewLocalEmbedder(0)}, 4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.ix.recs) != len(ref.recs) {
				t.Fatalf("%d chunks, want %d", len(tc.ix.recs), len(ref.recs))
			}
			refTerms, terms := ref.vocab.Snapshot(), tc.ix.vocab.Snapshot()
			for i, c := range tc.ix.recs {
				r := ref.recs[i]
				if c.id() != r.id() || !slices.Equal(c.vec, r.vec) {
					t.Fatalf("chunk %d (%s): vector differs from the reference's (%s)", i, c.id(), r.id())
				}
				if len(c.terms) != len(r.terms) {
					t.Fatalf("chunk %s: %d terms, want %d", c.id(), len(c.terms), len(r.terms))
				}
				for j := range c.terms {
					if terms[c.terms[j]] != refTerms[r.terms[j]] {
						t.Fatalf("chunk %s: term %d is %q, want %q", c.id(), j, terms[c.terms[j]], refTerms[r.terms[j]])
					}
				}
			}
			if got := searchAll(t, tc.ix, qs); !reflect.DeepEqual(got, want) {
				t.Errorf("search results differ from the reference index")
			}
		})
	}
}

func TestUpdateProgress(t *testing.T) {
	arts := SampleArticles(200, 2)
	for _, emb := range []embed.Embedder{embed.NewLocalEmbedder(0), plainEmbedder{embed.NewLocalEmbedder(0)}} {
		ix := NewIndex(IndexOptions{Embedder: emb, Workers: 2})
		last, calls := 0, 0
		st, err := ix.Update(context.Background(), arts, func(done, total int) {
			calls++
			if done < last || done > total {
				t.Errorf("progress %d of %d after %d", done, total, last)
			}
			last = done
		})
		if err != nil {
			t.Fatal(err)
		}
		if calls == 0 || last != st.Embedded || st.Embedded != st.Chunks {
			t.Errorf("%d progress calls ending at %d; embedded %d of %d chunks", calls, last, st.Embedded, st.Chunks)
		}
	}
}

func TestUpdateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ix := NewIndex(IndexOptions{})
	if _, err := ix.Update(ctx, SampleArticles(50, 1), nil); err == nil {
		t.Fatal("update with a cancelled context succeeded")
	}
	if ix.Len() != 0 {
		t.Errorf("a failed update left %d chunks", ix.Len())
	}
}
