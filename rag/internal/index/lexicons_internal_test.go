package index

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"citebot/rag/internal/bm25"
	"citebot/rag/internal/embed"
	"citebot/rag/internal/indexfile"
)

// fileParts are the parts of a saved index file.
type fileParts struct {
	header  map[string]any
	meta    []byte // the sections before the term lists
	raw     []byte // the term lists and postings
	vectors []byte
}

// splitFile cuts a version 3 file into its parts.
func splitFile(t *testing.T, data []byte) fileParts {
	t.Helper()
	hlen := int(binary.LittleEndian.Uint64(data[len(fileMagic)+4:]))
	js := data[fixedLen : fixedLen+hlen]
	hdr := fileHeader{version: fileVersion}
	var p fileParts
	if err := json.Unmarshal(js, &hdr); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &p.header); err != nil {
		t.Fatal(err)
	}
	meta, pad, err := hdr.layout(int64(hlen), int64(len(data)-fixedLen-hlen))
	if err != nil {
		t.Fatal(err)
	}
	at := fixedLen + hlen
	p.meta = data[at : at+int(meta)]
	at += int(meta + pad)
	p.raw = data[at : at+int(termListBytes(hdr)+postingBytes(hdr))]
	p.vectors = data[len(data)-4-hdr.Chunks*hdr.Dim*4 : len(data)-4]
	return p
}

// join lays the parts out as a file of version, with its checksum.
func (p fileParts) join(t *testing.T, version uint32) []byte {
	t.Helper()
	js, err := json.Marshal(p.header)
	if err != nil {
		t.Fatal(err)
	}
	b := []byte(fileMagic)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(js)))
	b = append(append(b, js...), p.meta...)
	b = append(b, make([]byte, padding(len(b)))...)
	b = append(b, p.raw...)
	b = append(b, make([]byte, padding(len(b)))...)
	b = append(b, p.vectors...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, indexfile.Castagnoli))
}

// savedFile saves ix and returns the file's path and bytes.
func savedFile(t testing.TB, ix *Index) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "index.cbi")
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// sameLexicons fails unless got's lexicons hold want's postings, term by
// term, and returns got's lists that hold any.
func sameLexicons(t *testing.T, got, want *Index) [][]bm25.Posting {
	t.Helper()
	var lists [][]bm25.Posting
	for _, term := range want.vocab.Snapshot() {
		for k, pair := range [][2]*bm25.Lexicon{{got.lex, want.lex}, {got.artLex, want.artLex}} {
			g, w := pair[0].List(term), pair[1].List(term)
			if !slices.Equal(g, w) {
				t.Fatalf("lexicon %d, term %q: %d postings, want %d (or different ones)", k, term, len(g), len(w))
			}
			if len(g) > 0 {
				lists = append(lists, g)
			}
		}
	}
	if len(lists) == 0 {
		t.Fatal("no postings compared")
	}
	return lists
}

func TestStoredLexiconsUsed(t *testing.T) {
	got, want, st := saveAndReload(t, nil, nil)
	if st.LexiconsRebuilt || st.Modified() {
		t.Errorf("stats %+v; want the file's lexicons used and nothing to save", st)
	}
	m := got.recs[0].file
	if m == nil {
		t.Fatal("the loaded index's vectors are not mapped")
	}
	for _, ps := range sameLexicons(t, got, want) {
		if !inMapping(m, unsafe.Pointer(&ps[0])) {
			t.Fatal("a posting list of the loaded index is not in the mapped file")
		}
	}
	for _, c := range got.recs {
		if len(c.terms) > 0 && !inMapping(m, unsafe.Pointer(&c.terms[0])) || c.art.file != m {
			t.Fatalf("chunk %s: its term list is not in the mapped file, or the file is not kept", c.id())
		}
	}
}

// inMapping reports whether p points into m.
func inMapping(m *indexfile.Mapping, p unsafe.Pointer) bool {
	data := m.Bytes()
	lo := uintptr(unsafe.Pointer(&data[0]))
	return uintptr(p) >= lo && uintptr(p) < lo+uintptr(len(data))
}

// TestStoredTermListsCopiedIntoAnIndexInUse loads a file into an index
// that already numbers terms: the term lists it restores are copies, so
// that the file need not stay mapped for them, and searches are those of
// an index built from scratch.
func TestStoredTermListsCopiedIntoAnIndexInUse(t *testing.T) {
	arts := SampleArticles(60, 41)
	path, _ := savedFile(t, buildTestIndex(t, embed.NewLocalEmbedder(0), arts))
	got := buildTestIndex(t, embed.NewLocalEmbedder(0), arts[:30])
	if err := got.Load(path); err != nil {
		t.Fatal(err)
	}
	for id, a := range got.stored {
		if a.file == nil || a.termsFile != nil {
			t.Fatalf("article %s: vectors mapped %v, file kept for its term lists %v; want true, false", id, a.file != nil, a.termsFile != nil)
		}
		for _, ts := range a.terms {
			if len(ts) > 0 && inMapping(a.file, unsafe.Pointer(&ts[0])) {
				t.Fatalf("article %s: a term list lies in the mapped file", id)
			}
		}
	}
	st, err := got.Update(context.Background(), arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded != 0 || st.Retokenized != 0 || st.Unchanged != len(arts) {
		t.Errorf("stats %+v; want the file's vectors and term lists reused", st)
	}
	for _, c := range got.recs {
		if c.art.file != nil {
			t.Fatalf("chunk %s keeps the file mapped", c.id())
		}
	}
	sameSearches(t, got, buildTestIndex(t, embed.NewLocalEmbedder(0), arts), arts)
}

func TestStoredLexiconsInMemory(t *testing.T) {
	arts := SampleArticles(60, 23)
	want := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	path, _ := savedFile(t, want)
	got := NewIndex(IndexOptions{VectorsInMemory: true})
	if err := got.Load(path); err != nil {
		t.Fatal(err)
	}
	st, err := got.Update(context.Background(), arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.LexiconsRebuilt || st.Modified() {
		t.Errorf("stats %+v; want the file's lexicons used and nothing to save", st)
	}
	sameLexicons(t, got, want)
	sameSearches(t, got, want, arts)
}

func TestStoredLexiconsNotUsedForAChangedCorpus(t *testing.T) {
	arts := SampleArticles(60, 29)
	want := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	path, _ := savedFile(t, want)
	next := slices.Clone(arts)
	next[7].Text += "\n\nThe talks resumed on Tuesday in Geneva."
	cases := []struct {
		name string
		arts int // articles kept, from the start of next
	}{{"one changed", len(next)}, {"one removed", len(next) - 1}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := NewIndex(IndexOptions{})
			if err := got.Load(path); err != nil {
				t.Fatal(err)
			}
			use := next[:tc.arts]
			if _, err := got.Update(context.Background(), use, nil); err != nil {
				t.Fatal(err)
			}
			fresh := buildTestIndex(t, embed.NewLocalEmbedder(0), use)
			sameLexicons(t, got, fresh)
		})
	}
}

func TestLoadVersion2BuildsLexiconsAndAsksForSave(t *testing.T) {
	arts := SampleArticles(60, 31)
	want := buildTestIndex(t, embed.NewLocalEmbedder(0), arts)
	_, data := savedFile(t, want)
	p := splitFile(t, data)
	// A version 2 file: three sections, each chunk's term numbers after
	// its count in the terms section, no lexicons.
	sections := p.header["sections"].([]any)
	var n [4]int
	for i := range n {
		n[i] = int(sections[i].(float64))
	}
	counts := &indexfile.Section{B: p.meta[n[0]+n[1] : n[0]+n[1]+n[2]]}
	nums, _ := uint32sOf(p.raw)
	var terms []byte
	for len(counts.B) > 0 {
		c := counts.ReadCount(len(nums))
		terms = binary.AppendUvarint(terms, uint64(c))
		for _, t := range nums[:c] {
			terms = binary.AppendUvarint(terms, uint64(t))
		}
		nums = nums[c:]
	}
	p.header["sections"] = []int{n[0], n[1], len(terms)}
	delete(p.header, "lexicons")
	p.meta = append(slices.Clip(p.meta[:n[0]+n[1]]), terms...)
	p.raw = nil
	path := filepath.Join(t.TempDir(), "v2.cbi")
	if err := os.WriteFile(path, p.join(t, 2), 0o600); err != nil {
		t.Fatal(err)
	}

	for i, wantRebuilt := range []bool{true, false} {
		got := NewIndex(IndexOptions{})
		if err := got.Load(path); err != nil {
			t.Fatal(err)
		}
		st, err := got.Update(context.Background(), arts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.LexiconsRebuilt != wantRebuilt || st.Modified() != wantRebuilt || st.Embedded != 0 || st.Retokenized != 0 {
			t.Errorf("load %d: stats %+v; want LexiconsRebuilt and Modified %v, nothing embedded or tokenised", i+1, st, wantRebuilt)
		}
		sameLexicons(t, got, want)
		if st.Modified() {
			if err := got.Save(path); err != nil { // as the commands do: now version 3
				t.Fatal(err)
			}
		}
	}
}

func TestStoredLexiconsDamaged(t *testing.T) {
	ix := buildTestIndex(t, embed.NewLocalEmbedder(0), SampleArticles(30, 37))
	_, data := savedFile(t, ix)
	tests := []struct {
		name string
		edit func(p *fileParts)
	}{
		{"more postings declared", func(p *fileParts) {
			lex := p.header["lexicons"].([]any)
			lex[0] = lex[0].(float64) + 1
			p.raw = append(slices.Clip(p.raw), make([]byte, bm25.PostingSize)...)
		}},
		{"a count too high", func(p *fileParts) {
			sections := p.header["sections"].([]any)
			counts := len(p.meta) - int(sections[3].(float64))
			p.meta = slices.Clone(p.meta)
			p.meta[counts]++ // the first term's count in the chunk lexicon
		}},
		{"a count too low", func(p *fileParts) {
			sections := p.header["sections"].([]any)
			counts := len(p.meta) - int(sections[3].(float64))
			p.meta = slices.Clone(p.meta)
			p.meta[counts]--
		}},
		{"a count section short", func(p *fileParts) {
			sections := p.header["sections"].([]any)
			sections[3] = sections[3].(float64) - 1
			p.meta = p.meta[:len(p.meta)-1]
		}},
	}
	load := func(t *testing.T, p fileParts) error {
		t.Helper()
		path := filepath.Join(t.TempDir(), "index.cbi")
		if err := os.WriteFile(path, p.join(t, fileVersion), 0o600); err != nil {
			t.Fatal(err)
		}
		return NewIndex(IndexOptions{}).Load(path)
	}
	// The parts joined unchanged load: the edits below are what fails.
	if err := load(t, splitFile(t, data)); err != nil {
		t.Fatalf("the file cut and joined again: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := splitFile(t, data)
			tt.edit(&p)
			if err := load(t, p); !errors.Is(err, ErrCorruptIndex) {
				t.Fatalf("Load: %v, want ErrCorruptIndex", err)
			}
		})
	}
}
