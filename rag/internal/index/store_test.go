package index_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag/internal/chunk"
	"citebot/rag/internal/embed"
	"citebot/rag/internal/index"
)

func searches(t *testing.T, ix *index.Index, arts []corpus.Article) [][]index.Passage {
	t.Helper()
	qs := []string{"when did Biden and Xi last speak?", "spy balloon tensions", "Woodside summit"}
	for i := 0; i < len(arts); i += len(arts)/10 + 1 {
		qs = append(qs, arts[i].Title)
	}
	var out [][]index.Passage
	for _, q := range qs {
		ps, err := ix.Search(context.Background(), q, index.SearchOptions{K: 8})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, index.Plain(ps))
	}
	return out
}

// reopen loads path into a new index and updates it with arts.
func reopen(t *testing.T, path string, arts []corpus.Article) (*index.Index, index.UpdateStats, error) {
	t.Helper()
	ix := index.NewIndex(index.IndexOptions{})
	loadErr := ix.Load(path)
	st, err := ix.Update(context.Background(), arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix, st, loadErr
}

func TestSaveLoadRoundTrip(t *testing.T) {
	arts := index.SampleArticles(300, 11)
	ix := newIndex(t, arts)
	path := filepath.Join(t.TempDir(), "sub", "index.cbi")
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	got, st, err := reopen(t, path, arts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded != 0 || st.Reused != ix.Len() || st.Unchanged != len(arts) || st.Added != 0 || st.Modified() {
		t.Errorf("stats after loading a saved index: %+v; want everything reused", st)
	}
	if !reflect.DeepEqual(searches(t, got, arts), searches(t, ix, arts)) {
		t.Error("search results of the loaded index differ")
	}
	if !reflect.DeepEqual(index.VectorsOf(got), index.VectorsOf(ix)) {
		t.Error("vectors of the loaded index differ")
	}

	// Change 3 articles and drop 2: only the changed ones are embedded.
	next := append([]corpus.Article(nil), arts[2:]...)
	chunks := 0
	for _, i := range []int{0, 50, 100} {
		next[i].Text += "\n\nA spokesman declined to comment on the call."
		chunks += len(chunk.DefaultChunker().Split(next[i]))
	}
	_, st, err = reopen(t, path, next)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded != chunks || st.Changed != 0 || st.Added != 3 || st.Unchanged != len(next)-3 {
		t.Errorf("stats after changing 3 articles: %+v; want %d chunks embedded, 3 added, %d unchanged", st, chunks, len(next)-3)
	}
}

// TestUpdateHashedTrustsTheHashes: an update told the articles' hashes
// (a corpus snapshot's) restores from the index file the articles whose
// hash the file records, without hashing them, and is otherwise Update.
func TestUpdateHashedTrustsTheHashes(t *testing.T) {
	arts := index.SampleArticles(120, 5)
	ix := newIndex(t, arts)
	path := saveTemp(t, ix)
	// Article 7 changed in a way its hash would show, but the hash given
	// is the old one: the update trusts it, and keeps the indexed article.
	next := append([]corpus.Article(nil), arts...)
	next[7].Title += " (updated)"
	hashes := corpus.HashAll(arts)
	tests := []struct {
		name      string
		hashes    []string
		unchanged int
		wantErr   bool
	}{
		{"hashes given", hashes, len(arts), false},
		{"no hashes", nil, len(arts) - 1, false},
		{"one hash short", hashes[1:], 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := index.NewIndex(index.IndexOptions{})
			if err := got.Load(path); err != nil {
				t.Fatal(err)
			}
			st, err := got.UpdateHashed(context.Background(), next, tt.hashes, nil)
			if tt.wantErr {
				if err == nil || got.Len() != 0 {
					t.Errorf("UpdateHashed with %d hashes for %d articles: %v, %d chunks; want an error and nothing indexed", len(tt.hashes), len(next), err, got.Len())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Unchanged != tt.unchanged || st.Reused != got.Len()-st.Embedded {
				t.Errorf("stats: %+v; want %d unchanged and the rest of %d chunks reused", st, tt.unchanged, got.Len())
			}
			if tt.unchanged == len(arts) && !reflect.DeepEqual(index.VectorsOf(got), index.VectorsOf(ix)) {
				t.Error("vectors differ from the saved index's")
			}
		})
	}
}

// writeV1 writes ix in the version 1 format: the articles in the JSON
// header, then the vectors.
func writeV1(t *testing.T, path string, ix *index.Index, arts []corpus.Article) {
	t.Helper()
	type stored struct {
		ID    string   `json:"id"`
		Hash  string   `json:"hash"`
		Spans [][2]int `json:"spans"`
	}
	hdr := struct {
		Embedder string        `json:"embedder"`
		Dim      int           `json:"dim"`
		Chunker  chunk.Chunker `json:"chunker"`
		Saved    time.Time     `json:"saved"`
		Articles []stored      `json:"articles"`
	}{Embedder: ix.Embedder().Name(), Chunker: chunk.DefaultChunker(), Saved: time.Now()}
	for _, a := range ix.Articles() { // sorted by id, like the vectors
		s := stored{ID: a.ID, Hash: a.Hash()}
		for _, c := range chunk.DefaultChunker().Split(a) {
			s.Spans = append(s.Spans, [2]int{c.Start, c.End})
		}
		hdr.Articles = append(hdr.Articles, s)
	}
	vecs := index.VectorsOf(ix)
	hdr.Dim = len(vecs[0])
	js, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("citebot-index\n")
	binary.Write(&b, binary.LittleEndian, uint32(1))
	binary.Write(&b, binary.LittleEndian, uint64(len(js)))
	b.Write(js)
	for _, v := range vecs {
		for _, x := range v {
			binary.Write(&b, binary.LittleEndian, math.Float32bits(x))
		}
	}
	binary.Write(&b, binary.LittleEndian, crc32.Checksum(b.Bytes(), crc32.MakeTable(crc32.Castagnoli)))
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadVersion1(t *testing.T) {
	arts := index.SampleArticles(120, 12)
	ix := newIndex(t, arts)
	path := filepath.Join(t.TempDir(), "v1.cbi")
	writeV1(t, path, ix, arts)
	got, st, err := reopen(t, path, arts)
	if err != nil {
		t.Fatalf("loading a version 1 file: %v", err)
	}
	if st.Embedded != 0 || st.Reused != ix.Len() || st.Retokenized != ix.Len() || !st.Modified() {
		t.Errorf("stats after loading a version 1 file: %+v; want every vector reused, every term list rebuilt, and a save asked for", st)
	}
	if !reflect.DeepEqual(searches(t, got, arts), searches(t, ix, arts)) {
		t.Error("search results after loading a version 1 file differ")
	}
	// Saving writes the current version, which loads too.
	if err := got.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, st, err = reopen(t, path, arts); err != nil || st.Modified() {
		t.Errorf("re-saved version 1 index: error %v, stats %+v; want nothing to do", err, st)
	}
}

// savedIndex returns an index of arts and the bytes of its saved file.
func savedIndex(t *testing.T, arts []corpus.Article) (*index.Index, []byte) {
	t.Helper()
	ix := newIndex(t, arts)
	path := saveTemp(t, ix)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ix, data
}

func TestLoadDamaged(t *testing.T) {
	arts := index.SampleArticles(40, 13)
	ix, data := savedIndex(t, arts)
	dir := t.TempDir()
	checks := 0
	check := func(t *testing.T, name string, b []byte, allowed ...error) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got := index.NewIndex(index.IndexOptions{})
		err := got.Load(path)
		ok := false
		for _, want := range allowed {
			ok = ok || errors.Is(err, want)
		}
		if !ok {
			t.Fatalf("%s: Load returned %v, want %v", name, err, allowed)
		}
		// Now and then, check that the update after it starts over.
		if checks++; checks%40 == 1 {
			st, err := got.Update(context.Background(), arts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Embedded != ix.Len() {
				t.Fatalf("%s: the update after a failed load embedded %d of %d chunks", name, st.Embedded, ix.Len())
			}
		}
	}
	t.Run("truncated", func(t *testing.T) {
		step := len(data)/300 + 1
		for n := 0; n < len(data); n += step {
			check(t, "truncated", data[:n], index.ErrCorruptIndex)
		}
		check(t, "truncated", data[:len(data)-1], index.ErrCorruptIndex)
	})
	t.Run("extended", func(t *testing.T) {
		check(t, "extended", append(bytes.Clone(data), 0), index.ErrCorruptIndex)
	})
	t.Run("flipped", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 300; i++ {
			b := bytes.Clone(data)
			pos := r.IntN(len(b))
			b[pos] ^= byte(1 + r.IntN(255))
			if pos >= 14 && pos < 18 { // the version field
				check(t, "flipped", b, index.ErrCorruptIndex, index.ErrIndexVersion)
				continue
			}
			check(t, "flipped", b, index.ErrCorruptIndex)
		}
	})
	t.Run("newer version", func(t *testing.T) {
		b := bytes.Clone(data)
		binary.LittleEndian.PutUint32(b[14:], binary.LittleEndian.Uint32(b[14:])+1)
		check(t, "newer", b, index.ErrIndexVersion)
	})
	t.Run("not an index", func(t *testing.T) {
		check(t, "text", []byte("hello, world: this is not an index file at all\n"), index.ErrCorruptIndex)
		check(t, "empty", nil, index.ErrCorruptIndex)
	})
}

func TestLoadOtherEmbedderOrChunker(t *testing.T) {
	arts := index.SampleArticles(30, 14)
	_, data := savedIndex(t, arts)
	path := filepath.Join(t.TempDir(), "index.cbi")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []index.IndexOptions{
		{Embedder: embed.NewLocalEmbedder(256)},
		{Chunker: chunk.Chunker{MaxChars: 600, OverlapChars: 100}},
	} {
		if err := index.NewIndex(opts).Load(path); !errors.Is(err, index.ErrEmbedderChanged) {
			t.Errorf("Load with %+v: %v, want ErrEmbedderChanged", opts, err)
		}
	}
	if err := index.NewIndex(index.IndexOptions{}).Load(filepath.Join(t.TempDir(), "none.cbi")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestSaveEmptyIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.cbi")
	if err := index.NewIndex(index.IndexOptions{}).Save(path); err != nil {
		t.Fatal(err)
	}
	ix := index.NewIndex(index.IndexOptions{})
	if err := ix.Load(path); err != nil {
		t.Fatalf("loading an empty index: %v", err)
	}
	if ix.Len() != 0 {
		t.Errorf("empty index loaded with %d chunks", ix.Len())
	}
}
