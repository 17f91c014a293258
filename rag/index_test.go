package rag_test

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
)

func shipped(t testing.TB) []corpus.Article {
	t.Helper()
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

func newIndex(t testing.TB, arts []corpus.Article) *rag.Index {
	t.Helper()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatalf("Update: %v", err)
	}
	return ix
}

func TestLocalEmbedder(t *testing.T) {
	ctx := context.Background()
	e := rag.NewLocalEmbedder(0)
	if got, want := e.Name(), "local-hash-v1-512"; got != want {
		t.Errorf("Name: got %q, want %q", got, want)
	}
	texts := []string{
		"Biden and Xi spoke by phone about Taiwan.",
		"Biden and Xi's phone call covered Taiwan.",
		"The recipe needs flour, sugar and butter.",
		"!!! ... ???",
	}
	vecs, err := e.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs {
		if len(v) != 512 {
			t.Fatalf("vector %d has %d dimensions", i, len(v))
		}
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d has norm² %f, want 1", i, n)
		}
	}
	dot := func(a, b []float32) float64 {
		var s float64
		for i := range a {
			s += float64(a[i]) * float64(b[i])
		}
		return s
	}
	if near, far := dot(vecs[0], vecs[1]), dot(vecs[0], vecs[2]); near <= far+0.2 {
		t.Errorf("related texts: cosine %.3f, unrelated %.3f; want related clearly higher", near, far)
	}
	again, _ := e.EmbedDocuments(ctx, texts[:1])
	if dot(again[0], vecs[0]) < 0.999999 {
		t.Errorf("embedding is not deterministic")
	}
	if q, err := e.EmbedQuery(ctx, "?!"); err != nil || q != nil {
		t.Errorf("query without words: got %v, %v; want nil, nil", q, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.EmbedDocuments(cancelled, texts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
}

func TestSearchReturnsScoredPassages(t *testing.T) {
	ix := newIndex(t, shipped(t))
	ctx := context.Background()
	ps, err := ix.Search(ctx, "theater commander telephone call", rag.SearchOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("got %d passages, want 3", len(ps))
	}
	if ps[0].ArticleID != "001_48f8343459885b5d" || !strings.Contains(ps[0].Text, "theater commander") {
		t.Errorf("top passage: got %s %.80q", ps[0].ID, ps[0].Text)
	}
	for i, p := range ps {
		if p.Score <= 0 || p.Score > 1 || (i > 0 && p.Score > ps[i-1].Score) {
			t.Errorf("passage %d: score %.3f out of (0, 1] or out of order", i, p.Score)
		}
		if p.Text != p.Article.Text[p.Start:p.End] {
			t.Errorf("passage %d: text does not match article offsets", i)
		}
	}

	// K larger than the collection is clamped, and the per-article cap holds.
	all, err := ix.Search(ctx, "Biden Xi", rag.SearchOptions{K: 1000, PerArticle: 2})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, p := range all {
		per[p.ArticleID]++
	}
	for id, n := range per {
		if n > 2 {
			t.Errorf("article %s has %d passages, cap 2", id, n)
		}
	}
	if len(all) == 0 || len(all) > ix.Len() {
		t.Errorf("got %d passages of %d chunks", len(all), ix.Len())
	}

	// Articles published after Before are left out.
	before := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	old, err := ix.Search(ctx, "Biden Xi call", rag.SearchOptions{K: 10, Before: before})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range old {
		if p.Article.Published.After(before) {
			t.Errorf("passage %s published %s after %s", p.ID, p.Article.PublishedString(), before.Format("2006-01-02"))
		}
	}

	if _, err := rag.NewIndex(rag.IndexOptions{}).Search(ctx, "anything", rag.SearchOptions{}); !errors.Is(err, rag.ErrEmptyIndex) {
		t.Errorf("empty index: got %v, want ErrEmptyIndex", err)
	}
	if ps, err := ix.Search(ctx, "zzzqqq", rag.SearchOptions{}); err != nil || len(ps) > 5 {
		t.Errorf("unknown words: got %d passages, %v", len(ps), err)
	}
}

func TestSearchDropsNearDuplicates(t *testing.T) {
	text := "The summit between the two leaders took place in Woodside, California, in November 2023."
	arts := []corpus.Article{
		{ID: "a", Title: "A", Text: text},
		{ID: "b", Title: "B", Text: text},
		{ID: "c", Title: "C", Text: "An unrelated article about the summit weather in California."},
	}
	ps, err := newIndex(t, arts).Search(context.Background(), "summit Woodside California", rag.SearchOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, p := range ps {
		ids = append(ids, p.ArticleID)
	}
	if strings.Contains(strings.Join(ids, ","), "a") == strings.Contains(strings.Join(ids, ","), "b") {
		t.Errorf("got articles %v, want exactly one of the duplicates a and b", ids)
	}
}

func TestStoreRoundTripAndIncrementalUpdate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "index.cbi")
	arts := shipped(t)

	ix := rag.NewIndex(rag.IndexOptions{})
	st, err := ix.Update(ctx, arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 5 || st.Embedded != st.Chunks || st.Chunks == 0 {
		t.Errorf("first update: %+v", st)
	}
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	want, _ := ix.Search(ctx, "when did Biden and Xi last speak", rag.SearchOptions{})

	// Reload: nothing is embedded again and search results are identical.
	ix2 := rag.NewIndex(rag.IndexOptions{})
	if err := ix2.Load(path); err != nil {
		t.Fatal(err)
	}
	st2, err := ix2.Update(ctx, arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st2.Embedded != 0 || st2.Reused != st.Chunks || st2.Unchanged != 5 || st2.Modified() {
		t.Errorf("reload: %+v, want everything reused", st2)
	}
	got, _ := ix2.Search(ctx, "when did Biden and Xi last speak", rag.SearchOptions{})
	if len(got) != len(want) {
		t.Fatalf("reloaded search: %d passages, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || math.Abs(got[i].Score-want[i].Score) > 1e-9 {
			t.Errorf("passage %d: got %s %.6f, want %s %.6f", i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
		}
	}

	// Change one article, remove one, add one: only those are embedded.
	changed := append([]corpus.Article(nil), arts[:4]...)
	changed[0].Text += "\n\nA new closing paragraph about the call."
	changed = append(changed, corpus.Article{ID: "new", Title: "New", Text: "A brand new article about trade talks."})
	st3, err := ix2.Update(ctx, changed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st3.Changed != 1 || st3.Removed != 1 || st3.Added != 1 || st3.Unchanged != 3 {
		t.Errorf("incremental: %+v", st3)
	}
	chunksOf := func(ix *rag.Index, id string) int {
		n := 0
		for _, p := range mustSearchAll(t, ix) {
			if p.ArticleID == id {
				n++
			}
		}
		return n
	}
	if st3.Embedded != len(rag.DefaultChunker().Split(changed[0]))+1 {
		t.Errorf("embedded %d chunks, want the changed article's and the new one's", st3.Embedded)
	}
	if n := chunksOf(ix2, "004_bf2e7a1252b3b5c1"); n != 0 {
		t.Errorf("removed article still has %d chunks", n)
	}
	if got := len(ix2.Articles()); got != 5 {
		t.Errorf("articles after update: got %d, want 5", got)
	}
}

func mustSearchAll(t *testing.T, ix *rag.Index) []rag.Passage {
	t.Helper()
	ps, err := ix.Search(context.Background(), "the a of and Biden Xi call China new trade", rag.SearchOptions{K: 1000, PerArticle: -1})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestLoadFailures(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "index.cbi")
	ix := newIndex(t, shipped(t))
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)

	tests := []struct {
		name   string
		data   []byte
		opts   rag.IndexOptions
		want   error
		noFile bool
	}{
		{name: "missing", noFile: true, want: fs.ErrNotExist},
		{name: "truncated", data: good[:len(good)/2], want: rag.ErrCorruptIndex},
		{name: "flipped byte", data: flip(good, len(good)-100), want: rag.ErrCorruptIndex},
		{name: "not an index", data: []byte("hello world, this is not an index file"), want: rag.ErrCorruptIndex},
		{name: "empty", data: []byte{}, want: rag.ErrCorruptIndex},
		{name: "other embedder", data: good, opts: rag.IndexOptions{Embedder: rag.NewLocalEmbedder(256)}, want: rag.ErrEmbedderChanged},
		{name: "other chunker", data: good, opts: rag.IndexOptions{Chunker: rag.Chunker{MaxChars: 500, OverlapChars: 100}}, want: rag.ErrEmbedderChanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".cbi")
			if !tt.noFile {
				os.WriteFile(p, tt.data, 0o644)
			}
			ix := rag.NewIndex(tt.opts)
			err := ix.Load(p)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Load: got %v, want %v", err, tt.want)
			}
			// The index still builds from the corpus.
			st, err := ix.Update(ctx, shipped(t), nil)
			if err != nil || st.Embedded == 0 || st.Embedded != st.Chunks {
				t.Errorf("rebuild after failed load: %+v, %v", st, err)
			}
		})
	}
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.cbi")
	ix := newIndex(t, shipped(t))
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only index.cbi (no temporary files left)", names)
	}
	// A directory where the file should be makes Save fail cleanly.
	bad := filepath.Join(dir, "blocked")
	os.MkdirAll(filepath.Join(bad, "x"), 0o755)
	if err := ix.Save(bad); err == nil {
		t.Errorf("Save over a non-empty directory: got nil error")
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0xff
	return c
}
