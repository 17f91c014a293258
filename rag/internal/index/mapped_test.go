package index_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/rag/internal/embed"
	"citebot/rag/internal/index"
	"citebot/rag/internal/indexfile"
)

// TestLoadMapsTheVectors loads a saved index with its vectors mapped from
// the file (the default) and read into memory, and checks that both answer
// as the index that was saved, also after the file is replaced under the
// mapping, after garbage collections, and after an update that moves some
// vectors into memory.
func TestLoadMapsTheVectors(t *testing.T) {
	defer index.SetShardSizing(64, 512)() // several shards
	arts := index.SampleArticles(300, 21)
	ix := newIndex(t, arts)
	path := saveTemp(t, ix)
	load := func(opts index.IndexOptions) *index.Index {
		t.Helper()
		got := index.NewIndex(opts)
		if err := got.Load(path); err != nil {
			t.Fatal(err)
		}
		if _, err := got.Update(context.Background(), arts, nil); err != nil {
			t.Fatal(err)
		}
		return got
	}
	mapped := load(index.IndexOptions{})
	inMemory := load(index.IndexOptions{VectorsInMemory: true})
	if got, want := index.MappedChunks(mapped), mapped.Len(); got != want {
		t.Errorf("mapped chunks after a load: got %d, want all %d", got, want)
	}
	if got := index.MappedChunks(inMemory); got != 0 {
		t.Errorf("mapped chunks with VectorsInMemory: got %d, want 0", got)
	}
	want := searches(t, ix, arts)
	for name, got := range map[string]*index.Index{"mapped": mapped, "in memory": inMemory} {
		if !reflect.DeepEqual(searches(t, got, arts), want) {
			t.Errorf("%s: search results differ from the saved index's", name)
		}
		if !reflect.DeepEqual(index.VectorsOf(got), index.VectorsOf(ix)) {
			t.Errorf("%s: vectors differ from the saved index's", name)
		}
	}

	// Saving replaces the file the vectors are mapped from (a rename); the
	// mapping keeps the old file, and the new file holds the same vectors.
	if err := mapped.Save(path); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		runtime.GC()
	}
	if !reflect.DeepEqual(searches(t, mapped, arts), want) {
		t.Error("mapped: search results changed after the file was replaced")
	}
	again := load(index.IndexOptions{})
	if !reflect.DeepEqual(index.VectorsOf(again), index.VectorsOf(ix)) {
		t.Error("the file saved from mapped vectors holds other vectors")
	}

	// Changed articles are embedded into memory; their shards' other
	// vectors are copied beside them; the rest stay mapped.
	next := append([]corpus.Article(nil), arts...)
	next[0].Text += "\n\nA spokesman declined to comment on the call."
	for _, x := range []*index.Index{ix, mapped} {
		if _, err := x.Update(context.Background(), next, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := index.MappedChunks(mapped); n == 0 || n == mapped.Len() {
		t.Errorf("mapped chunks after changing an article: got %d of %d, want some but not all", n, mapped.Len())
	}
	runtime.GC()
	if !reflect.DeepEqual(searches(t, mapped, next), searches(t, ix, next)) {
		t.Error("mapped: search results after an update differ from the in-memory index's")
	}

	// A save and MapFile map them all again.
	if err := mapped.Save(path); err != nil {
		t.Fatal(err)
	}
	n, err := mapped.MapFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if want := mapped.Len(); n != want {
		t.Errorf("MapFile: got %d chunks moved (from memory and the replaced file), want all %d", n, want)
	}
	if n, err := mapped.MapFile(context.Background(), path); n != 0 || err != nil {
		t.Errorf("MapFile again: got %d, %v; want 0, nil (all mapped)", n, err)
	}
	if got, want := index.MappedChunks(mapped), mapped.Len(); got != want {
		t.Errorf("mapped chunks after MapFile: got %d, want all %d", got, want)
	}
	runtime.GC()
	if !reflect.DeepEqual(searches(t, mapped, next), searches(t, ix, next)) {
		t.Error("mapped: search results after MapFile differ from the in-memory index's")
	}

	// A file that is not the index's is refused, and changes nothing.
	next[1].Text += "\n\nThe ministry did not respond."
	if _, err := mapped.Update(context.Background(), next, nil); err != nil {
		t.Fatal(err)
	}
	before := index.MappedChunks(mapped)
	if _, err := mapped.MapFile(context.Background(), path); !errors.Is(err, index.ErrFileDiffers) {
		t.Errorf("MapFile of an older file: got %v, want ErrFileDiffers", err)
	}
	if got := index.MappedChunks(mapped); got != before {
		t.Errorf("mapped chunks after a refused MapFile: got %d, want %d as before", got, before)
	}
	if _, err := ix.Update(context.Background(), next, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(searches(t, mapped, next), searches(t, ix, next)) {
		t.Error("mapped: search results after a refused MapFile differ from the in-memory index's")
	}

	// With VectorsInMemory, MapFile leaves the vectors in memory.
	if err := inMemory.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := inMemory.MapFile(context.Background(), path); err != nil || index.MappedChunks(inMemory) != 0 {
		t.Errorf("MapFile with VectorsInMemory: %v, %d chunks mapped; want nil, 0", err, index.MappedChunks(inMemory))
	}
}

// TestUpdateEmbedsIntoScratch embeds into a scratch mapping, which leaves
// no file behind, answers as an index in memory does, and gives way to
// the index file once it is saved and mapped.
func TestUpdateEmbedsIntoScratch(t *testing.T) {
	defer index.SetShardSizing(64, 512)()
	defer index.SetScratchMin(1)()
	arts := index.SampleArticles(200, 22)
	want := newIndex(t, arts)
	dir := t.TempDir()
	ix := index.NewIndex(index.IndexOptions{ScratchDir: dir})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "linux" {
		if n := index.ScratchChunks(ix); n != 0 {
			t.Errorf("scratch chunks outside Linux: got %d, want 0", n)
		}
		return
	}
	if got, want := index.ScratchChunks(ix), ix.Len(); got != want {
		t.Errorf("scratch chunks after embedding: got %d, want all %d", got, want)
	}
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("the scratch directory holds %v (%v), want nothing: the scratch file is removed at once", left, err)
	}
	runtime.GC()
	if !reflect.DeepEqual(searches(t, ix, arts), searches(t, want, arts)) {
		t.Error("search results of the index embedded into scratch differ")
	}
	sameVectors(t, "embedded into scratch", ix, want)

	// Changing an article rebuilds its shard: its vectors are copied into
	// a new scratch block (any size counts here).
	next := append([]corpus.Article(nil), arts...)
	next[3].Text += "\n\nOfficials said talks would resume next week."
	for _, x := range []*index.Index{ix, want} {
		if _, err := x.Update(context.Background(), next, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := index.ScratchChunks(ix), ix.Len(); got != want {
		t.Errorf("scratch chunks after an update: got %d, want all %d", got, want)
	}
	if !reflect.DeepEqual(searches(t, ix, next), searches(t, want, next)) {
		t.Error("search results after an update differ")
	}
	sameVectors(t, "after an update", ix, want)

	path := filepath.Join(dir, "index.cbi")
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.MapFile(context.Background(), path); err != nil || n != ix.Len() {
		t.Errorf("MapFile after embedding into scratch: got %d, %v; want %d, nil", n, err, ix.Len())
	}
	if got, want := index.MappedChunks(ix), ix.Len(); got != want || index.ScratchChunks(ix) != 0 {
		t.Errorf("after MapFile: %d chunks mapped from the file, %d in scratch; want %d and 0", got, index.ScratchChunks(ix), want)
	}
	runtime.GC()
	if !reflect.DeepEqual(searches(t, ix, next), searches(t, want, next)) {
		t.Error("search results after MapFile differ")
	}
}

// sameVectors checks that ix and want hold the same vectors, bit for bit,
// and that a chunk's is the local embedder's vector of its title and
// text, normalised again (as the index does for any embedder), whichever
// way the index wrote it: into a scratch block, a block in memory, or an
// allocation of its own.
func sameVectors(t *testing.T, when string, ix, want *index.Index) {
	t.Helper()
	got, wantVecs := index.ChunkVectors(ix), index.ChunkVectors(want)
	if len(got) != len(wantVecs) {
		t.Fatalf("%s: %d vectors, want %d", when, len(got), len(wantVecs))
	}
	for id, v := range wantVecs {
		if !slices.Equal(got[id], v) {
			t.Fatalf("%s: vector of %s differs", when, id)
		}
	}
	texts := index.EmbeddedTexts(ix)
	ids := slices.Sorted(maps.Keys(texts))
	e := embed.NewLocalEmbedder(0)
	for _, id := range ids[:min(len(ids), 60)] {
		docs, err := e.EmbedDocuments(context.Background(), []string{texts[id]})
		if err != nil {
			t.Fatal(err)
		}
		if v := embed.Normalize32(docs[0]); !slices.Equal(got[id], v) {
			t.Fatalf("%s: vector of %s is not its text's", when, id)
		}
	}
}

// TestScratchDirMissing embeds into memory, with a warning, when the
// scratch directory cannot hold a file.
func TestScratchDirMissing(t *testing.T) {
	defer index.SetScratchMin(1)()
	arts := index.SampleArticles(50, 23)
	var logs bytes.Buffer
	ix := index.NewIndex(index.IndexOptions{
		ScratchDir: filepath.Join(t.TempDir(), "missing"),
		Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	if n := index.ScratchChunks(ix); n != 0 {
		t.Errorf("scratch chunks with a missing directory: got %d, want 0", n)
	}
	if runtime.GOOS == "linux" && !strings.Contains(logs.String(), "no scratch file") {
		t.Errorf("no warning about the missing scratch directory:\n%s", logs.String())
	}
	if !reflect.DeepEqual(searches(t, ix, arts), searches(t, newIndex(t, arts), arts)) {
		t.Error("search results differ from an index built in memory")
	}
}

// TestVectorsOfOutliveTheIndex reads the vectors VectorsOf returned after
// the mapped index they came from is gone and its file unmapped: they are
// copies. (Slices of the mapping would fault here; comparing the vectors
// of an index no longer used made the tests crash under load.)
func TestVectorsOfOutliveTheIndex(t *testing.T) {
	arts := index.SampleArticles(60, 24)
	want := newIndex(t, arts)
	path := saveTemp(t, want)
	before := indexfile.LiveMappings()
	ix := index.NewIndex(index.IndexOptions{})
	if err := ix.Load(path); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	if index.MappedChunks(ix) == 0 {
		t.Skip("vectors are not mapped on this system")
	}
	got := index.VectorsOf(ix)
	runtime.KeepAlive(ix) // and no further
	// The cleanup unmaps the file after a collection finds it unreachable.
	for indexfile.LiveMappings() > before {
		runtime.GC()
		runtime.Gosched()
	}
	if !reflect.DeepEqual(got, index.VectorsOf(want)) {
		t.Error("vectors read after the index was dropped differ from the saved index's")
	}
}
