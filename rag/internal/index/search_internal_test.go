package index

import (
	"context"
	"math"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
)

// TestProximitySynonymsAreAlternatives: in the proximity re-rank a synonym
// stands in for its question word at synonymWeight; it is not one more
// word to find, so a sentence with the question's own words scores 1
// whether or not it also holds their synonyms.
func TestProximitySynonymsAreAlternatives(t *testing.T) {
	texts := map[string]string{
		"own":     "The two leaders spoke in April.",
		"synonym": "The two leaders had a phone call in April.",
		"both":    "The two leaders spoke on a phone call in April.",
		"half":    "The leaders met in April.",
	}
	var arts []corpus.Article
	for id, text := range texts {
		arts = append(arts, corpus.Article{ID: id, Title: "x", Text: text, Published: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)})
	}
	ix := NewIndex(IndexOptions{})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	q := ix.proximityFor(expandQuery(analysis.Terms("when did the leaders speak?")))
	if len(q.groups) != 2 {
		t.Fatalf("%d question words, want 2 (leader, speak)", len(q.groups))
	}
	leader, speak := q.groups[0], q.groups[1]
	want := map[string]float64{
		"own":     1,
		"both":    1,
		"synonym": (leader + synonymWeight*speak) / (leader + speak),
		"half":    leader / (leader + speak),
	}
	for _, c := range ix.recs {
		got := q.proximity(c)
		if math.Abs(got-want[c.articleID()]) > 1e-9 {
			t.Errorf("%s (%q): proximity %.4f, want %.4f", c.articleID(), texts[c.articleID()], got, want[c.articleID()])
		}
	}
}

// TestLexicalDecidesSkipsTheScan checks when a search reaches chromem-go:
// with the local embedder at its default weight only when BM25 finds fewer
// candidates than the pool holds; with a heavier vector weight or a model
// embedder always. Candidates get their similarity either way.
func TestLexicalDecidesSkipsTheScan(t *testing.T) {
	arts := SampleArticles(400, 11)
	tests := []struct {
		name     string
		opts     IndexOptions
		query    string
		wantScan bool
	}{
		{"local, many word matches", IndexOptions{}, "Biden Xi call", false},
		{"local, no word matches", IndexOptions{}, "zeppelin", true},
		{"local, few word matches", IndexOptions{}, "Woodside Filoli", true},
		{"local, heavier vector weight", IndexOptions{VectorWeight: 0.5}, "Biden Xi call", true},
		{"model embedder", IndexOptions{Embedder: hashEmbedder{16}}, "Biden Xi call", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := NewIndex(tt.opts)
			if _, err := ix.Update(context.Background(), arts, nil); err != nil {
				t.Fatal(err)
			}
			ps, err := ix.Search(context.Background(), tt.query, SearchOptions{K: 5})
			if err != nil {
				t.Fatal(err)
			}
			if got := ix.scans.Load() > 0; got != tt.wantScan {
				t.Errorf("scanned %v, want %v", got, tt.wantScan)
			}
			for _, p := range ps {
				if p.Vector == 0 {
					t.Errorf("passage %s has no similarity", p.ID)
				}
			}
		})
	}
}

// TestDigestWorkedOutOnce checks that an article's digest flag, cached
// after the first call, stays what its headline says.
func TestDigestWorkedOutOnce(t *testing.T) {
	tests := []struct {
		title string
		want  bool
	}{
		{"Storms hit the coast, markets fall, a new mayor sworn in", true},
		{"Biden and Xi speak by phone for two hours", false},
	}
	for _, tt := range tests {
		r := &articleRec{art: corpus.Article{Title: tt.title}}
		for call := range 3 {
			if got := r.digest(); got != tt.want {
				t.Errorf("%q, call %d: digest() = %v, want %v", tt.title, call+1, got, tt.want)
			}
		}
	}
}
