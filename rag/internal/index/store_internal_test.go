package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
	"citebot/rag/internal/embed"
	"citebot/rag/internal/indexfile"
)

// saveAndReload saves an index of arts, lets edit change the loaded term
// lists (or the file), and returns the index loaded and updated from it,
// with the original.
func saveAndReload(t *testing.T, editFile func([]byte) []byte, editStored func(map[string]storedArticle)) (got, want *Index, st UpdateStats) {
	t.Helper()
	arts := SampleArticles(150, 21)
	want = buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	got = saveLoad(t, want, editFile)
	if editStored != nil {
		editStored(got.stored)
	}
	st, err := got.Update(context.Background(), arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded != 0 {
		t.Errorf("%d chunks embedded after a load; want all reused", st.Embedded)
	}

	sameSearches(t, got, want, arts)
	return got, want, st
}

// sameSearches fails unless got and want return the same passages for
// questions about arts.
func sameSearches(t *testing.T, got, want *Index, arts []corpus.Article) {
	t.Helper()
	qs := testQuestions(arts, 20)
	if !reflect.DeepEqual(searchAll(t, got, qs), searchAll(t, want, qs)) {
		t.Error("search results differ")
	}
}

// saveLoad saves ix to a file, lets editFile (if not nil) change the
// file's bytes, and returns a new index loaded from it.
func saveLoad(t *testing.T, ix *Index, editFile func([]byte) []byte) *Index {
	t.Helper()
	path, data := savedFile(t, ix)
	if editFile != nil {
		if err := os.WriteFile(path, editFile(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := NewIndex(IndexOptions{})
	if err := got.Load(path); err != nil {
		t.Fatal(err)
	}
	return got
}

// checkRetokenized checks how many term lists an update rebuilt, and that
// it asks for a save exactly when it rebuilt some.
func checkRetokenized(t *testing.T, st UpdateStats, want int) {
	t.Helper()
	if st.Retokenized != want || st.Modified() != (want > 0) {
		t.Errorf("stats %+v (Modified %v); want %d term lists rebuilt", st, st.Modified(), want)
	}
}

func TestStoredTermsUsed(t *testing.T) {
	_, _, st := saveAndReload(t, nil, func(stored map[string]storedArticle) {
		for _, a := range stored {
			if a.terms == nil {
				t.Fatalf("article %s loaded without term lists", a.ID)
			}
		}
	})
	checkRetokenized(t, st, 0)
}

func TestStoredTermsOfAnotherTokenizer(t *testing.T) {
	// A file whose tokenizer fingerprint differs: its term lists are
	// ignored and recomputed.
	_, want, st := saveAndReload(t, func(data []byte) []byte {
		fp := []byte(tokenizerFingerprint())
		i := bytes.Index(data, fp)
		if i < 0 {
			t.Fatal("fingerprint not in the file")
		}
		copy(data[i:], bytes.Repeat([]byte("0"), len(fp)))
		binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.Checksum(data[:len(data)-4], indexfile.Castagnoli))
		return data
	}, func(stored map[string]storedArticle) {
		for _, a := range stored {
			if a.terms != nil {
				t.Fatalf("article %s kept the term lists of another tokenizer", a.ID)
			}
		}
	})
	checkRetokenized(t, st, want.Len())
}

func TestStoredTermsThatDisagree(t *testing.T) {
	// Term lists that no longer match the tokenizer (a change the
	// fingerprint missed) are caught by the sample check and recomputed.
	_, want, st := saveAndReload(t, nil, func(stored map[string]storedArticle) {
		for _, a := range stored {
			for i, ts := range a.terms {
				a.terms[i] = make([]uint32, len(ts)) // the lists may lie in the read-only mapping
			}
		}
	})
	checkRetokenized(t, st, want.Len())
}

func TestTokenizerFingerprintStable(t *testing.T) {
	if a, b := tokenizerFingerprint(), tokenizerFingerprint(); a != b || !strings.HasPrefix(a, "tok-") {
		t.Errorf("fingerprints %q and %q", a, b)
	}
}

func TestSaveLoadSharded(t *testing.T) {
	withShards(t, 32, 64)
	ctx := context.Background()
	arts := SampleArticles(300, 23)
	want := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	if len(want.shards) < 8 {
		t.Fatalf("%d shards; the test needs several", len(want.shards))
	}
	checkLayout(t, want)
	got := saveLoad(t, want, nil)
	if got.fileShards != len(want.shards) {
		t.Errorf("file has %d shards, the index %d", got.fileShards, len(want.shards))
	}
	if _, err := got.Update(ctx, arts, nil); err != nil {
		t.Fatal(err)
	}
	if len(got.shards) != len(want.shards) {
		t.Errorf("loaded index has %d shards, saved %d", len(got.shards), len(want.shards))
	}
	checkLayout(t, got)
	for i, c := range got.recs {
		if !slices.Equal(c.vec, want.recs[i].vec) {
			t.Fatalf("chunk %s: vector differs after the load", c.id())
		}
	}
	qs := testQuestions(arts, 20)
	if !reflect.DeepEqual(searchAll(t, got, qs), searchAll(t, want, qs)) {
		t.Error("search results after the load differ")
	}
}

// TestLoadReshardedAsksForSave loads a file written with one shard sizing
// under another: when the vectors are regrouped into another number of
// shards, the update says so and asks for a save (so that the next start
// does not regroup them again), and searches find the same.
func TestLoadReshardedAsksForSave(t *testing.T) {
	arts := SampleArticles(300, 29)
	qs := testQuestions(arts, 10)
	tests := []struct {
		name          string
		size, most    int // the sizing the file is read with
		wantResharded bool
	}{
		{"same sizing", 32, 64, false},
		{"fewer shards allowed", 32, 8, true},
		{"larger shards", 1024, 64, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withShards(t, 32, 64)
			want := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
			restore := SetShardSizing(tt.size, tt.most)
			defer restore()
			got := saveLoad(t, want, nil)
			st, err := got.Update(context.Background(), arts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Resharded != tt.wantResharded || st.Modified() != tt.wantResharded {
				t.Errorf("got Resharded %v, Modified %v; want both %v (%d shards saved, %d now)", st.Resharded, st.Modified(), tt.wantResharded, len(want.shards), len(got.shards))
			}
			checkLayout(t, got)
			if !reflect.DeepEqual(searchAll(t, got, qs), searchAll(t, want, qs)) {
				t.Error("search results after the load differ")
			}
			again := saveLoad(t, got, nil)
			if st, err := again.Update(context.Background(), arts, nil); err != nil || st.Modified() {
				t.Errorf("update after saving the regrouped index: %+v, %v", st, err)
			}
		})
	}
}

// checkLayout checks that every shard's vectors lie back to back in
// memory, in the order of the index's chunks, and that the collection
// scans the same vectors the chunks hold.
func checkLayout(t *testing.T, ix *Index) {
	t.Helper()
	waitShards(t, ix)
	groups := make([][]*chunkRec, len(ix.shards))
	for _, c := range ix.recs {
		s := shardOf(c.id(), len(ix.shards))
		groups[s] = append(groups[s], c)
	}
	for s, g := range groups {
		if !backToBack(g, ix.dim) {
			t.Fatalf("shard %d: vectors not back to back", s)
		}
		if len(g) == 0 {
			continue
		}
		doc, err := ix.shards[s].GetByID(context.Background(), g[0].id())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(doc.Embedding, g[0].vec) {
			t.Fatalf("shard %d: collection vector differs from the chunk's", s)
		}
	}
}

func TestSaveLoadMoreShardsThanChunks(t *testing.T) {
	withShards(t, 1, 64)
	arts := SampleArticles(2, 3)
	want := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	if len(want.shards) <= want.Len() {
		t.Fatalf("%d shards for %d chunks; the test needs more shards than chunks", len(want.shards), want.Len())
	}
	got := saveLoad(t, want, nil)
	st, err := got.Update(context.Background(), arts, nil)
	if err != nil || st.Modified() || got.Len() != want.Len() {
		t.Errorf("update after load: %+v, %v", st, err)
	}
}

// FuzzDecode feeds the index decoder damaged files whose checksum has been
// made to match again, so that the damage reaches the parsers behind it.
// It must return the file's articles or an error, never panic. Run it
// with: go test ./rag -run '^$' -fuzz FuzzDecode -fuzztime 1m
func FuzzDecode(f *testing.F) {
	arts := SampleArticles(6, 31)
	ix := NewIndex(IndexOptions{Embedder: hashEmbedder{8}})
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		f.Fatal(err)
	}
	_, data := savedFile(f, ix)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte(fileMagic + "\x01\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00{}\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 4 {
			b = bytes.Clone(b)
			binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], indexfile.Castagnoli))
		}
		got := NewIndex(IndexOptions{Embedder: hashEmbedder{8}})
		r := indexfile.NewReader(nil, bytes.NewReader(b), int64(len(b)), crc32.New(indexfile.Castagnoli))
		stored, err := got.decode(r, nil)
		if err != nil {
			return
		}
		for _, a := range stored {
			if len(a.vecs) != len(a.Spans) || (a.terms != nil && len(a.terms) != len(a.Spans)) {
				t.Fatalf("article %s: %d spans, %d vectors, %d term lists", a.ID, len(a.Spans), len(a.vecs), len(a.terms))
			}
		}
	})
}

// TestDecodeTermNumberOutOfRange builds well-formed files, of both
// versions that hold term lists, whose one term list names a term their
// (empty) vocabulary lacks.
func TestDecodeTermNumberOutOfRange(t *testing.T) {
	for _, version := range []uint32{2, fileVersion} {
		t.Run(fmt.Sprintf("version %d", version), func(t *testing.T) {
			ix := NewIndex(IndexOptions{Embedder: hashEmbedder{2}})
			var arts, terms, raw []byte
			arts = indexfile.AppendString(indexfile.AppendString(arts, "a"), "hash")
			arts = binary.AppendUvarint(binary.AppendUvarint(binary.AppendUvarint(arts, 1), 0), 5)
			terms = binary.AppendUvarint(terms, 1) // one chunk of one term: number 0
			if version == 2 {
				terms = binary.AppendUvarint(terms, 0)
			} else {
				raw = binary.LittleEndian.AppendUint32(raw, 0)
			}
			hdr, err := json.Marshal(fileHeader{
				Embedder: ix.emb.Name(), Dim: 2, Chunker: ix.chunker, Tokenizer: tokenizerFingerprint(),
				Articles: 1, Chunks: 1, Terms: 0, Postings: 1, Shards: 1,
				Sections: [4]int64{int64(len(arts)), 0, int64(len(terms))},
			})
			if err != nil {
				t.Fatal(err)
			}
			b := []byte(fileMagic)
			b = binary.LittleEndian.AppendUint32(b, version)
			b = binary.LittleEndian.AppendUint64(b, uint64(len(hdr)))
			b = append(append(append(b, hdr...), arts...), terms...)
			b = append(b, make([]byte, padding(len(b)))...)
			b = append(b, raw...)
			b = append(b, make([]byte, padding(len(b)))...)
			b = append(b, floatBytes([]float32{0.6, 0.8})...)
			b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, indexfile.Castagnoli))
			r := indexfile.NewReader(nil, bytes.NewReader(b), int64(len(b)), crc32.New(indexfile.Castagnoli))
			_, err = ix.decode(r, nil)
			if !errors.Is(err, ErrCorruptIndex) || !strings.Contains(err.Error(), "terms:") {
				t.Fatalf("decode: %v, want ErrCorruptIndex in the terms", err)
			}
		})
	}
}

// waitShards waits until the collections of ix are built, and returns
// them.
func waitShards(t *testing.T, ix *Index) []*chromem.Collection {
	t.Helper()
	if err := ix.built.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ix.shards
}
