package index

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
	"citebot/rag/internal/embed"
)

// hashEmbedder gives every text a pseudo-random unit vector derived from
// its hash, like a model whose vectors have no structure.
type hashEmbedder struct{ dim int }

func (e hashEmbedder) Name() string { return fmt.Sprintf("hash-%d", e.dim) }

func (e hashEmbedder) EmbedDocuments(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.vector(t)
	}
	return out, nil
}

func (e hashEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return e.vector("query " + text), nil
}

func (e hashEmbedder) vector(text string) []float32 {
	h := fnv.New64a()
	h.Write([]byte(text))
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	v := make([]float32, e.dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return embed.Normalize32(v)
}

// withShards sets the shard sizing for a test.
func withShards(t *testing.T, size, most int) {
	oldSize, oldMax := shardSize, maxShards
	shardSize, maxShards = size, most
	t.Cleanup(func() { shardSize, maxShards = oldSize, oldMax })
}

func buildTestIndex(t *testing.T, emb embed.Embedder, arts []corpus.Article) *Index {
	t.Helper()
	ix := NewIndex(IndexOptions{Embedder: emb})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

// oneCollection puts the chunks of ix into a single chromem-go collection:
// the straightforward vector store.
func oneCollection(t *testing.T, ix *Index) *chromem.Collection {
	t.Helper()
	col, err := chromem.NewDB().CreateCollection("all", nil, noEmbedding)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ix.recs {
		if err := col.AddDocument(context.Background(), chromem.Document{ID: c.id(), Embedding: c.vec, Content: c.text()}); err != nil {
			t.Fatal(err)
		}
	}
	return col
}

func TestVectorSearchMatchesOneCollection(t *testing.T) {
	withShards(t, 128, 64)
	arts := SampleArticles(1000, 1)
	ctx := context.Background()
	for _, emb := range []embed.Embedder{embed.NewLocalEmbedder(0), hashEmbedder{48}} {
		t.Run(emb.Name(), func(t *testing.T) {
			ix := buildTestIndex(t, emb, arts)
			if n := Shards(ix); n < 16 {
				t.Fatalf("%d shards for %d chunks; the test needs many", n, ix.Len())
			}
			col := oneCollection(t, ix)
			r := rand.New(rand.NewPCG(2, 3))
			for q := 0; q < 25; q++ {
				a := arts[r.IntN(len(arts))]
				qv, err := emb.EmbedQuery(ctx, a.Title)
				if err != nil || qv == nil {
					t.Fatalf("embed query: %v", err)
				}
				for _, m := range []int{1, 8, 64, 500} {
					sameHits(t, ix, col, qv, m)
				}
			}
		})
	}
}

// sameHits checks that the vector search of ix for qv's m best chunks
// finds what the single collection col finds.
func sameHits(t *testing.T, ix *Index, col *chromem.Collection, qv []float32, m int) {
	t.Helper()
	ctx := context.Background()
	hits, err := ix.vectorSearch(ctx, qv, m)
	if err != nil {
		t.Fatal(err)
	}
	want, err := col.QueryEmbedding(ctx, qv, min(m, col.Count()), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != len(want) {
		t.Fatalf("m=%d: got %d hits, want %d", m, len(hits), len(want))
	}
	// Equal similarities in order; equal chunks except where the
	// similarity at the cut is shared (either may stay).
	got := map[string]float32{}
	for i, h := range hits {
		got[ix.recs[h.doc].id()] = h.sim
		if h.sim != want[i].Similarity {
			t.Fatalf("m=%d: similarity %d is %v, want %v", m, i, h.sim, want[i].Similarity)
		}
	}
	cut := want[len(want)-1].Similarity
	for _, w := range want {
		if s, ok := got[w.ID]; (!ok && w.Similarity != cut) || (ok && s != w.Similarity) {
			t.Fatalf("m=%d: %s (similarity %v) missing or scored %v", m, w.ID, w.Similarity, s)
		}
	}
}

// TestVectorSearchAsksShardsAgain checks the second round of vectorSearch:
// with no slack in the first round's quota, shards that hold more of the
// best chunks than their share are asked again, and the hits still equal
// those of one collection, whatever the shard count and m.
func TestVectorSearchAsksShardsAgain(t *testing.T) {
	arts := SampleArticles(300, 3)
	emb := hashEmbedder{32}
	ctx := context.Background()
	tests := []struct {
		name       string
		size, most int
		slack      float64
		ms         []int
	}{
		{"one shard", 1 << 20, 1, 0, []int{1, 10, 5000}},
		{"many shards, no slack", 16, 64, 0, []int{1, 3, 64, 200, 5000}},
		{"many shards, default slack", 16, 64, shardQuotaSlack, []int{1, 64, 512}},
		{"few shards, no slack", 256, 4, 0, []int{2, 50, 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withShards(t, tt.size, tt.most)
			old := shardQuotaSlack
			shardQuotaSlack = tt.slack
			t.Cleanup(func() { shardQuotaSlack = old })
			ix := buildTestIndex(t, emb, arts)
			col := oneCollection(t, ix)
			for q := range 10 {
				qv, err := emb.EmbedQuery(ctx, arts[q*7].Title)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range tt.ms {
					sameHits(t, ix, col, qv, m)
				}
			}
		})
	}
}

// searchAll runs Search for questions and returns the results.
func searchAll(t *testing.T, ix *Index, questions []string) [][]Passage {
	t.Helper()
	var out [][]Passage
	for _, q := range questions {
		ps, err := ix.Search(context.Background(), q, SearchOptions{K: 8})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Plain(ps))
	}
	return out
}

func testQuestions(arts []corpus.Article, n int) []string {
	r := rand.New(rand.NewPCG(5, 8))
	qs := []string{"when did Biden and Xi last speak?", "who met in Woodside, California?", "spy balloon"}
	for len(qs) < n {
		qs = append(qs, "what happened in "+arts[r.IntN(len(arts))].Title+"?")
	}
	return qs
}

func TestSearchSameWithShards(t *testing.T) {
	arts := SampleArticles(1200, 4)
	qs := testQuestions(arts, 60)
	withShards(t, 1<<30, 1)
	one := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	want := searchAll(t, one, qs)
	withShards(t, 64, 64)
	many := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	if n := Shards(many); n < 32 {
		t.Fatalf("%d shards; the test needs many", n)
	}
	if got := searchAll(t, many, qs); !reflect.DeepEqual(got, want) {
		t.Errorf("sharded search differs from one collection")
	}
}

func TestUpdateSharded(t *testing.T) {
	withShards(t, 64, 64)
	ctx := context.Background()
	arts := SampleArticles(900, 6)
	qs := testQuestions(arts, 40)
	ix := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	shards := slices.Clone(waitShards(t, ix))

	// Remove 5, change 5, add 5.
	next := slices.Clone(arts[5:])
	for i := 0; i < 5; i++ {
		next[i*100].Text += " The talks ended without a joint statement."
	}
	next = append(next, SampleArticles(905, 6)[900:]...)
	for i := 900; i < 905; i++ {
		next[len(next)-905+i].ID = fmt.Sprintf("new%d", i)
	}
	st, err := ix.Update(ctx, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Removed != 5 || st.Changed != 5 || st.Added != 5 {
		t.Errorf("removed, changed, added = %d, %d, %d; want 5, 5, 5", st.Removed, st.Changed, st.Added)
	}
	reused := 0
	for i, c := range waitShards(t, ix) {
		if c == shards[i] {
			reused++
		}
	}
	if reused == 0 || reused == len(shards) {
		t.Errorf("%d of %d shards reused; want the untouched ones only", reused, len(shards))
	}
	if got, want := len(ix.db.ListCollections()), len(ix.shards); got != want {
		t.Errorf("database holds %d collections, the index uses %d", got, want)
	}
	checkLayout(t, ix)
	fresh := buildTestIndex(t, embed.NewLocalEmbedder(0), next)
	if got, want := searchAll(t, ix, qs), searchAll(t, fresh, qs); !reflect.DeepEqual(got, want) {
		t.Errorf("search after an update differs from a fresh index")
	}
}

func TestShardOfIsFNV1a(t *testing.T) {
	for _, id := range []string{"", "a#0", "004_bf2e7a1252b3b5c1#12", "wiki-3b0297edf43e#0"} {
		h := fnv.New32a()
		h.Write([]byte(id))
		for _, n := range []int{1, 2, 7, 64} {
			if got, want := shardOf(id, n), int(h.Sum32()%uint32(n)); got != want {
				t.Errorf("shardOf(%q, %d) = %d, want %d", id, n, got, want)
			}
			if art, seq, ok := strings.Cut(id, "#"); ok {
				no, _ := strconv.Atoi(seq)
				if got, want := shardOfChunk(art, no, n), shardOf(id, n); got != want {
					t.Errorf("shardOfChunk(%q, %d, %d) = %d, want shardOf's %d", art, no, n, got, want)
				}
			}
		}
	}
}

func TestShardCount(t *testing.T) {
	withShards(t, 1000, 16)
	for _, tc := range []struct{ n, current, want int }{
		{0, 0, 1}, {1000, 0, 1}, {1001, 0, 2}, {5000, 0, 8}, {1e6, 0, 16},
		{5000, 4, 4}, {5000, 16, 16}, {5000, 2, 8}, {900, 2, 2}, {900, 4, 1}, {1e6, 32, 16},
	} {
		if got := shardCount(tc.n, tc.current); got != tc.want {
			t.Errorf("shardCount(%d, %d) = %d, want %d", tc.n, tc.current, got, tc.want)
		}
	}
}

// filled reports whether the vector collections of ix's generation are
// filled (or failed).
func filled(ix *Index) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	select {
	case <-ix.built.done:
		return true
	default:
		return false
	}
}

// TestShardsFilledWhenNeeded: an update leaves its vector collections
// unfilled; a search without a vector scan leaves them so, and the first
// one that scans fills them, as does Warm.
func TestShardsFilledWhenNeeded(t *testing.T) {
	ctx := context.Background()
	arts := SampleArticles(200, 9)
	for _, how := range []string{"search", "warm"} {
		t.Run(how, func(t *testing.T) {
			ix := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
			if filled(ix) {
				t.Fatal("the update filled the collections")
			}
			if _, err := ix.Search(ctx, "spy balloon", SearchOptions{K: 5, KeywordsOnly: true}); err != nil {
				t.Fatal(err)
			}
			if filled(ix) || ix.scans.Load() != 0 {
				t.Fatal("a search without a vector scan filled the collections")
			}
			switch how {
			case "search":
				q, err := ix.emb.EmbedQuery(ctx, "spy balloon")
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := VectorCandidates(ctx, ix, q, 5); err != nil {
					t.Fatal(err)
				}
			case "warm":
				if err := ix.Warm(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}
			if !filled(ix) {
				t.Fatalf("%s did not fill the collections", how)
			}
			if got, want := len(ChromemDB(ix).ListCollections()), Shards(ix); got != want {
				t.Errorf("%d collections, want %d", got, want)
			}
		})
	}
}
