package index

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/bm25"
	"citebot/rag/internal/chunk"
	"citebot/rag/internal/indexfile"
)

// Index file format, version 3 (all integers little-endian):
//
//	magic      "citebot-index\n" (14 bytes)
//	version    uint32 (3)
//	headerLen  uint64
//	header     JSON: embedder name, dimension, chunker, save time, tokenizer
//	           fingerprint, counts of articles, chunks, terms and postings,
//	           and the byte lengths of the four sections that follow
//	articles   per article (sorted by id): id, content hash, chunk count,
//	           and per chunk its span as start and length
//	vocabulary the BM25 terms of the chunks, each a string
//	terms      per chunk (in article order): its term count
//	lexicons   for the BM25 lexicon over chunks, then the one over whole
//	           articles: per term of the vocabulary, its posting count
//	padding    zero bytes up to a multiple of 8 bytes from the file start
//	term lists the chunks' term numbers into the vocabulary, uint32 each,
//	           chunk after chunk (the title's terms, then the passage's)
//	postings   the two lexicons' postings (bm25.PostingSize bytes each:
//	           document number, term frequency), term by term in
//	           vocabulary order, each term's in document order
//	padding    zero bytes up to a multiple of 8 bytes from the file start
//	vectors    float32 × dimension for every chunk, grouped by vector shard
//	           (shard fnv32a(chunk id) mod the header's shard count; within
//	           a shard, in article order)
//	checksum   uint32 CRC-32C of everything before it
//
// Strings are a uvarint length and the bytes; counts and spans are
// uvarints. The vectors, postings and term lists are used where they lie:
// the file is memory-mapped (indexfile.Mapping), each shard's chromem-go
// collection scans its stretch of the mapping, and the lexicons' posting
// lists and the chunks' term lists are slices of it, so they (most of an
// index's size) take page cache, which the kernel can reclaim, rather than
// the process's own memory, and loading reads only the sections before
// them (and the term lists once, to check their numbers). Term lists are
// copied instead when the process's vocabulary numbers the file's terms
// otherwise (it already held terms).
// With IndexOptions.VectorsInMemory, or where files cannot be mapped, they
// are read into memory instead. The stored lexicons are used when the
// index is loaded whole, every article unchanged; any change rebuilds
// them from the term lists.
//
// Version 2 files have no lexicons (the header lists three section
// lengths), and their terms section holds each chunk's term numbers,
// uvarints, after its count; there is no term lists part. They are still
// read, the lexicons built from the term lists, and such an update asks
// for the file to be saved again (UpdateStats.LexiconsRebuilt).
//
// Chunk text is not stored: it is re-cut from the corpus by the spans, which
// are only trusted when the article's content hash matches. Term lists are
// only trusted when the tokenizer fingerprint matches and a sample of them
// re-tokenises the same; otherwise they are recomputed from the text.
//
// Version 1 files (the JSON header held the articles; no term lists) are
// still read, so an upgrade re-embeds nothing.
//
// Loading never trusts a size it has not checked: the file must be a
// regular file (a named pipe is refused, not waited on); before anything
// the header declares is read, the header length and the declared section
// and vector sizes must add up to the file's size exactly (a version 2
// header is at most maxHeaderLen bytes); then the checksum is verified in
// one streaming pass with a fixed buffer, and only then are the sections
// and vectors allocated and read. A corrupt file of any size is rejected
// having allocated little more than that buffer.
const (
	fileMagic     = "citebot-index\n"
	fileVersion   = 3
	fixedLen      = len(fileMagic) + 4 + 8
	vectorAlign   = 8
	maxDim        = 1 << 16
	maxFileShards = 1 << 16
	// maxHeaderLen bounds the JSON header of a version 2 file (a few
	// hundred bytes in practice).
	maxHeaderLen = 1 << 20
)

// Errors of [Index.Load]. In every case the index stays empty and the next
// Update embeds the corpus from scratch.
var (
	// ErrCorruptIndex means the index file is truncated or damaged.
	ErrCorruptIndex = indexfile.ErrCorrupt
	// ErrIndexVersion means the index file was written by a newer citebot.
	ErrIndexVersion = errors.New("index file has an unsupported version")
	// ErrEmbedderChanged means the index was built with another embedding
	// model or chunk size; its vectors cannot be mixed with new ones.
	ErrEmbedderChanged = errors.New("index was built with another embedder or chunker")
)

// fileHeader is the JSON header of a version 2 file.
type fileHeader struct {
	Embedder string        `json:"embedder"`
	Dim      int           `json:"dim"`
	Chunker  chunk.Chunker `json:"chunker"`
	Saved    time.Time     `json:"saved"`
	// Tokenizer is [tokenizerFingerprint] when the file was written.
	Tokenizer string `json:"tokenizer"`
	Articles  int    `json:"articles"`
	Chunks    int    `json:"chunks"`
	Terms     int    `json:"terms"`
	// Postings counts the term numbers in the terms section.
	Postings int `json:"postings"`
	// Shards is the number of vector shards the vectors are grouped by.
	Shards int `json:"shards"`
	// Sections holds the byte lengths of the articles, vocabulary, terms
	// and lexicons sections (three in a version 2 file).
	Sections [4]int64 `json:"sections"`
	// Lexicons counts the postings of the lexicon over chunks and of the
	// one over articles; zero in a version 2 file.
	Lexicons [2]int64 `json:"lexicons,omitempty"`
	// version is the file's version (not in the JSON).
	version uint32
}

// fileHeaderV1 is the JSON header of a version 1 file.
type fileHeaderV1 struct {
	Embedder string          `json:"embedder"`
	Dim      int             `json:"dim"`
	Chunker  chunk.Chunker   `json:"chunker"`
	Saved    time.Time       `json:"saved"`
	Articles []storedArticle `json:"articles"`
}

// storedArticle is an article's entry in the index file.
type storedArticle struct {
	ID    string   `json:"id"`
	Hash  string   `json:"hash"`
	Spans [][2]int `json:"spans"`
	vecs  [][]float32
	terms [][]uint32 // nil when the file has no usable term lists
	// file keeps the index file mapped while vecs point into it; nil when
	// they were read into memory.
	file *indexfile.Mapping
	// termsFile is file when the term lists lie in it too (see
	// decodeTermLists); nil otherwise.
	termsFile *indexfile.Mapping
}

// restore rebuilds the chunks of r's article from the stored spans,
// vectors and term lists, into recs, pointed to by out (both of
// len(s.Spans)), and returns out. ok is false when the spans do not fit
// the article's text.
func (s storedArticle) restore(r *articleRec, recs []chunkRec, out []*chunkRec) ([]*chunkRec, bool) {
	for i, sp := range s.Spans {
		if sp[0] < 0 || sp[0] >= sp[1] || sp[1] > len(r.art.Text) {
			return nil, false
		}
		c := &recs[i]
		c.art, c.seq, c.start, c.end = r, int32(i), int32(sp[0]), int32(sp[1])
		c.vec, c.file = s.vecs[i], s.file
		if s.terms != nil {
			c.terms = s.terms[i]
		}
		out[i] = c
	}
	return out, len(out) > 0
}

// littleEndian reports whether float32s are stored in file order in memory.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// floatBytes returns the memory of v as bytes.
func floatBytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*4)
}

// Save writes the index to path atomically: to a temporary file in the same
// directory, synced, then renamed over path. The directory is created if
// needed. Searches may run during a save; updates wait for it.
func (ix *Index) Save(path string) error {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	hdr, sec := ix.encodeSections()
	js, err := json.Marshal(hdr)
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	err = indexfile.WriteAtomically(path, func(w *bufio.Writer) {
		var buf [8]byte
		w.WriteString(fileMagic)
		binary.LittleEndian.PutUint32(buf[:4], fileVersion)
		w.Write(buf[:4])
		binary.LittleEndian.PutUint64(buf[:8], uint64(len(js)))
		w.Write(buf[:8])
		w.Write(js)
		w.Write(sec.arts)
		w.Write(sec.vocab)
		w.Write(sec.terms)
		w.Write(sec.lexicons)
		w.Write(make([]byte, padding(fixedLen+len(js)+len(sec.arts)+len(sec.vocab)+len(sec.terms)+len(sec.lexicons))))
		ix.writeTermLists(w, sec.number)
		ix.writePostings(w, sec.termOf)
		w.Write(make([]byte, padding(int(termListBytes(hdr)+postingBytes(hdr)))))
		ix.writeVectors(w, hdr.Shards)
	})
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	return nil
}

// sections are the encoded parts of an index file before its postings:
// the articles (id, hash, chunk spans), the vocabulary (the terms in use,
// numbered in order of first use), the chunks' term lists and the
// lexicons' posting counts.
type sections struct {
	arts, vocab, terms, lexicons []byte
	// termOf[n] is the vocabulary id of the file's term n, number[id]
	// the file's number of vocabulary id id.
	termOf, number []uint32
}

// lexicons returns the index's lexicons in file order: over chunks, then
// over articles; nil for an index never updated. The caller holds ix.mu.
func (ix *Index) lexicons() []*bm25.Lexicon {
	if ix.lex == nil || ix.artLex == nil {
		return nil
	}
	return []*bm25.Lexicon{ix.lex, ix.artLex}
}

// termListBytes is the size of the term lists part of a file with hdr:
// none in a version 2 file, whose term numbers are in the terms section.
func termListBytes(hdr fileHeader) int64 {
	if hdr.version == 2 {
		return 0
	}
	return int64(hdr.Postings) * 4
}

// postingBytes is the size of the postings of the lexicons hdr counts.
func postingBytes(hdr fileHeader) int64 {
	return (hdr.Lexicons[0] + hdr.Lexicons[1]) * bm25.PostingSize
}

// writeTermLists writes the chunks' term numbers, in file order; number
// maps a vocabulary id to its number in the file. The caller holds ix.mu.
func (ix *Index) writeTermLists(w *bufio.Writer, number []uint32) {
	var buf []byte
	for _, c := range ix.recs { // recs are in ids order
		buf = buf[:0]
		for _, t := range c.terms {
			buf = binary.LittleEndian.AppendUint32(buf, number[t])
		}
		w.Write(buf) // w's error is Flush's
	}
}

// writePostings writes the postings of the lexicons, term by term in the
// order of termOf. The caller holds ix.mu.
func (ix *Index) writePostings(w *bufio.Writer, termOf []uint32) {
	for _, lx := range ix.lexicons() {
		for _, t := range termOf {
			bm25.WritePostings(w, lx.Postings(t)) // w's error is Flush's
		}
	}
}

// encodeSections encodes the articles in id order, and returns the file
// header that describes them. The caller holds ix.mu.
func (ix *Index) encodeSections() (fileHeader, sections) {
	ids := make([]string, 0, len(ix.arts))
	for id := range ix.arts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	hdr := fileHeader{
		Embedder: ix.emb.Name(), Dim: ix.dim, Chunker: ix.chunker, Saved: time.Now().UTC(),
		Tokenizer: tokenizerFingerprint(), Articles: len(ids), Shards: max(1, len(ix.shards)),
		version: fileVersion,
	}
	vocabTerms := ix.vocab.Snapshot()
	sec := sections{number: make([]uint32, len(vocabTerms))}
	numbered := make([]bool, len(vocabTerms))
	for _, id := range ids {
		r := ix.arts[id]
		sec.arts = indexfile.AppendString(sec.arts, id)
		sec.arts = indexfile.AppendString(sec.arts, r.hash)
		sec.arts = binary.AppendUvarint(sec.arts, uint64(len(r.chunks)))
		for _, c := range r.chunks {
			sec.arts = binary.AppendUvarint(sec.arts, uint64(c.start))
			sec.arts = binary.AppendUvarint(sec.arts, uint64(c.end-c.start))
			sec.terms = binary.AppendUvarint(sec.terms, uint64(len(c.terms)))
			hdr.Postings += len(c.terms)
			for _, t := range c.terms {
				if !numbered[t] {
					numbered[t] = true
					sec.number[t] = uint32(len(sec.termOf))
					sec.termOf = append(sec.termOf, t)
					sec.vocab = indexfile.AppendString(sec.vocab, vocabTerms[t])
				}
			}
			hdr.Chunks++
		}
	}
	hdr.Terms = len(sec.termOf)
	for k, lx := range ix.lexicons() {
		for _, t := range sec.termOf {
			n := len(lx.Postings(t))
			sec.lexicons = binary.AppendUvarint(sec.lexicons, uint64(n))
			hdr.Lexicons[k] += int64(n)
		}
	}
	hdr.Sections = [4]int64{int64(len(sec.arts)), int64(len(sec.vocab)), int64(len(sec.terms)), int64(len(sec.lexicons))}
	return hdr, sec
}

// writeVectors writes the chunks' vectors, little-endian float32, shard
// by shard. The caller holds ix.mu.
func (ix *Index) writeVectors(w *bufio.Writer, shards int) {
	var buf [4]byte
	for _, g := range groupByShard(ix.recs, shards) { // recs are in ids order
		for _, c := range g {
			if littleEndian {
				w.Write(floatBytes(c.vec))
				continue
			}
			for _, x := range c.vec {
				binary.LittleEndian.PutUint32(buf[:], math.Float32bits(x))
				w.Write(buf[:])
			}
		}
	}
}

// padding returns the zero bytes that align offset to vectorAlign.
func padding(offset int) int { return (vectorAlign - offset%vectorAlign) % vectorAlign }

// Load is [Index.LoadContext] without a context.
func (ix *Index) Load(path string) error {
	return ix.LoadContext(context.Background(), path)
}

// LoadContext reads an index file written by Save and keeps its vectors
// (and term lists) for the next [Index.Update], which reuses those of
// unchanged articles. A missing file returns an error satisfying
// errors.Is(err, fs.ErrNotExist); a path that is not a regular file (a named
// pipe, a directory) an error wrapping [corpus.ErrNotRegular], at once. A
// damaged, truncated or extended file returns [ErrCorruptIndex], a file of
// another embedder [ErrEmbedderChanged], a file of a newer citebot
// [ErrIndexVersion]; the index then stays empty and the caller rebuilds.
// Declared sizes are checked against the file's size and the checksum is
// verified, streaming, before anything large is allocated. The load stops
// with ctx's error when ctx ends.
func (ix *Index) LoadContext(ctx context.Context, path string) error {
	return ix.load(ctx, path, true)
}

// LoadTrusted is [Index.LoadContext] for a file whose checksum was
// verified before (by LoadContext, in this process or another) and that
// has not changed since, which the caller knows from a record it keeps
// (cmd/citebot stamps the file's size, times and inode). It skips the
// checksum pass, the one read of the whole file, which at a million
// passages is a few seconds of a start. Everything else is checked as
// LoadContext checks it: the sizes the header declares against the
// file's, and every section it decodes. The vectors and postings, used
// where they lie in the mapped file, are not read.
func (ix *Index) LoadTrusted(ctx context.Context, path string) error {
	return ix.load(ctx, path, false)
}

// load is LoadContext, verifying the checksum when verify is set.
func (ix *Index) load(ctx context.Context, path string, verify bool) error {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	f, err := corpus.OpenRegular(path)
	if err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	ix.fileShards, ix.storedLex = 0, nil
	loadErr := func(err error) error {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: truncated", ErrCorruptIndex)
		}
		ix.fileShards, ix.storedLex = 0, nil
		return fmt.Errorf("load index %s: %w", path, err)
	}
	if err := precheck(ctx, f, fi.Size(), verify); err != nil {
		return loadErr(err)
	}
	// The checksum is verified, or trusted: decode reads without hashing
	// again. The
	// vectors are used where they lie in the file, mapped into memory,
	// when the machine stores float32s as the file does.
	var m *indexfile.Mapping
	if littleEndian && !ix.vectorsInMemory {
		if m, err = indexfile.Map(f, fi.Size()); err != nil && !errors.Is(err, indexfile.ErrNoMapping) {
			ix.log.Warn("could not map the index file; reading it into memory", "path", path, "error", err.Error())
		}
	}
	stored, err := ix.decode(indexfile.NewReader(ctx, f, fi.Size(), nil), m)
	if err != nil {
		return loadErr(err)
	}
	ix.stored = stored
	return nil
}

// precheck checks an index file of size bytes before it is decoded: its
// magic and version, that the header length and the sizes the header
// declares add up to size, and then, when verify is set, its checksum, in
// one streaming pass with a fixed buffer. Nothing it allocates depends on
// the file's size beyond a version 2 header of at most maxHeaderLen
// bytes.
func precheck(ctx context.Context, ra io.ReaderAt, size int64, verify bool) error {
	if size < int64(fixedLen+4) {
		return fmt.Errorf("%w: not a citebot index", ErrCorruptIndex)
	}
	prefix := make([]byte, fixedLen)
	if _, err := ra.ReadAt(prefix, 0); err != nil {
		return err
	}
	if string(prefix[:len(fileMagic)]) != fileMagic {
		return fmt.Errorf("%w: not a citebot index", ErrCorruptIndex)
	}
	hlen := binary.LittleEndian.Uint64(prefix[len(fileMagic)+4:])
	rest := size - int64(fixedLen) - 4 // bytes between the prefix and the checksum
	switch v := binary.LittleEndian.Uint32(prefix[len(fileMagic):]); v {
	case 1:
		if hlen < 2 || hlen > uint64(rest) {
			return fmt.Errorf("%w: header length %d does not fit a file of %d bytes", ErrCorruptIndex, hlen, size)
		}
		// The header (which holds the articles) is one JSON object: look at
		// its ends before reading it whole.
		var first, last [1]byte
		if _, err := ra.ReadAt(first[:], int64(fixedLen)); err != nil {
			return err
		}
		if _, err := ra.ReadAt(last[:], int64(fixedLen)+int64(hlen)-1); err != nil {
			return err
		}
		if first[0] != '{' || last[0] != '}' {
			return fmt.Errorf("%w: header is not a JSON object", ErrCorruptIndex)
		}
	case 2, fileVersion:
		if hlen < 2 || hlen > maxHeaderLen || hlen > uint64(rest) {
			return fmt.Errorf("%w: header length %d does not fit a file of %d bytes", ErrCorruptIndex, hlen, size)
		}
		js := make([]byte, hlen)
		if _, err := ra.ReadAt(js, int64(fixedLen)); err != nil {
			return err
		}
		hdr := fileHeader{version: v}
		if err := json.Unmarshal(js, &hdr); err != nil {
			return fmt.Errorf("%w: header: %v", ErrCorruptIndex, err)
		}
		if _, _, err := hdr.layout(int64(hlen), size-int64(fixedLen)-int64(hlen)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: version %d (this citebot reads 1 to %d)", ErrIndexVersion, v, fileVersion)
	}
	if !verify {
		return nil
	}
	return indexfile.VerifyChecksum(ctx, ra, size)
}

// layout checks the counts and section lengths of a version 2 or 3
// header of hlen bytes against rest, the bytes that follow the header
// (checksum included), before anything they declare is read: each section
// must fit, hold at least the bytes its counts need, and the sections,
// padding, term lists, postings, vectors and checksum must fill rest
// exactly. It returns the length of the four sections and of the padding
// after them.
func (hdr fileHeader) layout(hlen, rest int64) (meta, pad int64, err error) {
	for _, n := range hdr.Sections {
		if n < 0 || n > rest {
			return 0, 0, fmt.Errorf("%w: section of %d bytes", ErrCorruptIndex, n)
		}
		meta += n
	}
	if hdr.Dim < 0 || hdr.Dim > maxDim || hdr.Chunks < 0 || hdr.Articles < 0 || hdr.Terms < 0 || hdr.Postings < 0 || hdr.Shards < 1 || hdr.Shards > maxFileShards ||
		int64(hdr.Chunks) > rest || int64(hdr.Articles) > rest || int64(hdr.Terms) > rest || int64(hdr.Postings) > rest/4 ||
		hdr.Lexicons[0] < 0 || hdr.Lexicons[1] < 0 || hdr.Lexicons[0] > rest/bm25.PostingSize || hdr.Lexicons[1] > rest/bm25.PostingSize {
		return 0, 0, fmt.Errorf("%w: header counts out of range", ErrCorruptIndex)
	}
	// Every article takes at least 3 bytes (id, hash, chunk count), every
	// chunk 2 (start, length) and 1 more in the terms section (its term
	// count), every term at least 1; in version 2 every term number 1 more
	// in the terms section. Stored lexicons have a count of at least 1
	// byte for every term in each lexicon.
	inTerms := int64(hdr.Chunks)
	if hdr.version == 2 {
		inTerms += int64(hdr.Postings)
	}
	if 3*int64(hdr.Articles)+2*int64(hdr.Chunks) > hdr.Sections[0] || int64(hdr.Terms) > hdr.Sections[1] || inTerms > hdr.Sections[2] ||
		(hdr.Lexicons != [2]int64{} && 2*int64(hdr.Terms) > hdr.Sections[3]) {
		return 0, 0, fmt.Errorf("%w: header counts do not fit the sections", ErrCorruptIndex)
	}
	pad = int64(padding(fixedLen + int(hlen) + int(meta)))
	vecBytes := int64(hdr.Chunks) * int64(hdr.Dim) * 4
	if want := meta + pad + hdr.rawSpan() + vecBytes + 4; rest != want {
		return 0, 0, fmt.Errorf("%w: %d bytes after the header, want %d", ErrCorruptIndex, rest, want)
	}
	return meta, pad, nil
}

// rawSpan is the bytes of the term lists and postings of a file with hdr
// and of the padding after them. It starts at a multiple of vectorAlign.
func (hdr fileHeader) rawSpan() int64 {
	n := termListBytes(hdr) + postingBytes(hdr)
	return n + int64(padding(int(n%vectorAlign)))
}

// decode reads and verifies an index file and returns its articles by id.
// With m, the mapped file, the vectors are not read: chunks point at them
// in m.
func (ix *Index) decode(r *indexfile.Reader, m *indexfile.Mapping) (map[string]storedArticle, error) {
	hdr, body, lay, v1, err := ix.decodeVectors(r, m)
	switch {
	case err != nil:
		return nil, err
	case v1 != nil:
		return ix.decodeV1(v1)
	}
	ix.fileShards = hdr.Shards // read by Update; Load holds updateMu

	if hdr.Tokenizer != tokenizerFingerprint() {
		return lay.stored, nil // term lists of another tokenizer: recomputed
	}
	ids, err := ix.decodeTerms(hdr, body, lay)
	if err != nil {
		return nil, err
	}
	if hdr.Lexicons != [2]int64{} {
		lists, err := decodeLexicons(hdr, body[hdr.Sections[1]+hdr.Sections[2]:], lay.postings, ids)
		if err != nil {
			return nil, err
		}
		ix.storedLex = &storedLexicons{lists: lists, file: m}
	}
	return lay.stored, nil
}

// storedLexicons are the BM25 lexicons of an index file: the postings of
// each term id, over chunks and over articles (see bm25.Assemble), and
// the mapped file they lie in (nil when read into memory).
type storedLexicons struct {
	lists [2][][]bm25.Posting
	file  *indexfile.Mapping
}

// decodeLexicons decodes the posting counts of the two lexicons and
// returns their posting lists (slices of postings, the encoded postings)
// indexed by term id, ids[n] being the id of the file's term n.
func decodeLexicons(hdr fileHeader, counts, postings []byte, ids []uint32) ([2][][]bm25.Posting, error) {
	var lists [2][][]bm25.Posting
	all := bm25.PostingsOf(postings)
	nterms := 0
	for _, id := range ids {
		nterms = max(nterms, int(id)+1)
	}
	d := &indexfile.Section{B: counts}
	pos := 0
	for k, docs := range []int{hdr.Chunks, hdr.Articles} {
		lists[k] = make([][]bm25.Posting, nterms)
		end := pos + int(hdr.Lexicons[k])
		for _, id := range ids {
			c := d.ReadCount(min(docs, end-pos))
			if d.Err != nil {
				return lists, fmt.Errorf("%w: lexicons: %v", ErrCorruptIndex, d.Err)
			}
			lists[k][id] = all[pos : pos+c : pos+c]
			pos += c
		}
		if pos != end {
			return lists, fmt.Errorf("%w: lexicons: %d postings, header says %d", ErrCorruptIndex, pos-(end-int(hdr.Lexicons[k])), hdr.Lexicons[k])
		}
	}
	if len(d.B) != 0 || pos != len(all) {
		return lists, fmt.Errorf("%w: lexicons: trailing bytes", ErrCorruptIndex)
	}
	return lists, nil
}

// decodeVectors reads a version 2 file up to and including its vectors
// (from m when not nil) and returns its header, the sections after the
// articles (vocabulary and term lists, undecoded), and its articles with
// their vectors. A version 1 file is returned whole in v1.
func (ix *Index) decodeVectors(r *indexfile.Reader, m *indexfile.Mapping) (hdr fileHeader, body []byte, lay fileLayout, v1 []byte, err error) {
	hdr, hlen, v1, err := readHeader(r)
	if err != nil || v1 != nil {
		return hdr, nil, lay, v1, err
	}
	meta, pad, err := hdr.layout(hlen, r.Remaining())
	if err != nil {
		return hdr, nil, lay, nil, err
	}
	body = make([]byte, meta+pad)
	if err := r.ReadFull(body); err != nil {
		return hdr, nil, lay, nil, err
	}
	lay, err = decodeArticles(hdr, body[:hdr.Sections[0]])
	if err != nil {
		return hdr, nil, lay, nil, err
	}
	var blocks [][]float32
	var raw []byte
	if m != nil {
		raw, lay.mapped = mappedRaw(r, hdr, m), true
		blocks, err = mappedVectors(r, hdr, lay.perShard, m)
	} else if raw, err = readRaw(r, hdr); err == nil {
		blocks, err = readVectors(r, hdr, lay.perShard)
	}
	lay.termLists, lay.postings = raw[:termListBytes(hdr)], raw[termListBytes(hdr):]
	if err != nil {
		return hdr, nil, lay, nil, err
	}
	if hdr.Embedder != ix.emb.Name() || hdr.Chunker != ix.chunker {
		return hdr, nil, lay, nil, embedderChanged(hdr.Embedder, hdr.Chunker, ix)
	}
	lay.placeVectors(blocks, hdr.Dim, m)
	return hdr, body[hdr.Sections[0]:meta], lay, nil, nil
}

// readHeader reads the fixed prefix and the JSON header of an index file,
// and the header's length. A version 1 file is returned whole in v1 for
// decodeV1, with a zero header.
func readHeader(r *indexfile.Reader) (hdr fileHeader, hlen int64, v1 []byte, err error) {
	prefix := make([]byte, fixedLen)
	if r.Remaining() < int64(fixedLen+4) {
		return hdr, 0, nil, fmt.Errorf("%w: not a citebot index", ErrCorruptIndex)
	}
	if err := r.ReadFull(prefix); err != nil {
		return hdr, 0, nil, err
	}
	if string(prefix[:len(fileMagic)]) != fileMagic {
		return hdr, 0, nil, fmt.Errorf("%w: not a citebot index", ErrCorruptIndex)
	}
	hdr.version = binary.LittleEndian.Uint32(prefix[len(fileMagic):])
	switch v := hdr.version; v {
	case 1:
		data := make([]byte, fixedLen+int(r.Remaining()))
		copy(data, prefix)
		if err := r.ReadFull(data[fixedLen:]); err != nil {
			return hdr, 0, nil, err
		}
		return hdr, 0, data, nil
	case 2, fileVersion:
	default:
		return hdr, 0, nil, fmt.Errorf("%w: version %d (this citebot reads 1 to %d)", ErrIndexVersion, v, fileVersion)
	}
	n := binary.LittleEndian.Uint64(prefix[len(fileMagic)+4:])
	if n > uint64(r.Remaining()-4) || n > maxHeaderLen {
		return hdr, 0, nil, fmt.Errorf("%w: header length %d exceeds file", ErrCorruptIndex, n)
	}
	js := make([]byte, n)
	if err := r.ReadFull(js); err != nil {
		return hdr, 0, nil, err
	}
	if err := json.Unmarshal(js, &hdr); err != nil {
		return hdr, 0, nil, fmt.Errorf("%w: header: %v", ErrCorruptIndex, err)
	}
	return hdr, int64(n), nil, nil
}

// fileLayout is the articles of an index file in file order, and which
// shard each chunk's vector is in.
type fileLayout struct {
	stored   map[string]storedArticle
	order    []string // article ids in file order
	shard    []int32  // the shard of each chunk, in file order
	perShard []int    // chunks per shard
	// termLists and postings are the term lists part and the encoded
	// postings of the stored lexicons (version 3): in the mapped file, or
	// read into memory.
	termLists, postings []byte
	mapped              bool // whether they are in the mapped file
}

// decodeArticles decodes the articles section: ids, hashes and chunk
// spans, checked against the header's counts.
func decodeArticles(hdr fileHeader, section []byte) (fileLayout, error) {
	d := &indexfile.Section{B: section}
	lay := fileLayout{
		stored:   make(map[string]storedArticle, hdr.Articles),
		order:    make([]string, 0, hdr.Articles),
		shard:    make([]int32, 0, hdr.Chunks),
		perShard: make([]int, hdr.Shards),
	}
	spans := make([][2]int, hdr.Chunks) // the articles' spans, in one allocation
	for range hdr.Articles {
		a := storedArticle{ID: d.ReadString(), Hash: d.ReadString()}
		k := len(lay.shard)
		n := d.ReadCount(hdr.Chunks - k)
		a.Spans = spans[k : k+n : k+n]
		for i := range a.Spans {
			start := d.ReadCount(math.MaxInt32)
			a.Spans[i] = [2]int{start, start + d.ReadCount(math.MaxInt32)}
			s := shardOfChunk(a.ID, i, hdr.Shards)
			lay.shard = append(lay.shard, int32(s))
			lay.perShard[s]++
		}
		if _, dup := lay.stored[a.ID]; dup && d.Err == nil {
			d.Err = fmt.Errorf("duplicate article %q", a.ID)
		}
		lay.stored[a.ID] = a
		lay.order = append(lay.order, a.ID)
	}
	if d.Err == nil && (len(lay.shard) != hdr.Chunks || len(d.B) != 0) {
		d.Err = fmt.Errorf("%d chunks in the articles section, header says %d", len(lay.shard), hdr.Chunks)
	}
	if d.Err != nil {
		return fileLayout{}, fmt.Errorf("%w: articles: %v", ErrCorruptIndex, d.Err)
	}
	return lay, nil
}

// readRaw reads the term lists and postings, and the padding after
// them, and returns them without the padding.
func readRaw(r *indexfile.Reader, hdr fileHeader) ([]byte, error) {
	b := make([]byte, hdr.rawSpan())
	if err := r.ReadFull(b); err != nil {
		return nil, err
	}
	return b[:termListBytes(hdr)+postingBytes(hdr)], nil
}

// mappedRaw returns the term lists and postings as a slice of m, the
// mapped file, whose reader r is at the first of them: nothing is read.
// The file's length was checked against the header (layout).
func mappedRaw(r *indexfile.Reader, hdr fileHeader, m *indexfile.Mapping) []byte {
	data := m.Bytes()
	off := int64(len(data)) - r.Remaining()
	return data[off : off+termListBytes(hdr)+postingBytes(hdr)]
}

// readVectors reads the vectors, one block per shard, then the file's
// checksum, and puts the floats in the machine's byte order.
func readVectors(r *indexfile.Reader, hdr fileHeader, perShard []int) ([][]float32, error) {
	blocks := make([][]float32, hdr.Shards)
	for s, n := range perShard {
		blocks[s] = make([]float32, n*hdr.Dim)
		if err := r.ReadFull(floatBytes(blocks[s])); err != nil {
			return nil, err
		}
	}
	if err := r.Finish(); err != nil {
		return nil, err
	}
	if !littleEndian {
		for _, b := range blocks {
			for i, x := range b {
				b[i] = math.Float32frombits(bits.ReverseBytes32(math.Float32bits(x)))
			}
		}
	}
	return blocks, nil
}

// mappedVectors returns the vectors of each shard as slices of m, the
// mapped file, whose reader r is at the first vector: nothing is read.
// The file's length was checked against the header (layout) and its
// checksum verified (precheck).
func mappedVectors(r *indexfile.Reader, hdr fileHeader, perShard []int, m *indexfile.Mapping) ([][]float32, error) {
	data := m.Bytes()
	rest := r.Remaining() - hdr.rawSpan() // r is before the postings
	off := int64(len(data)) - rest
	if want := int64(hdr.Chunks)*int64(hdr.Dim)*4 + 4; rest != want || off%vectorAlign != 0 {
		return nil, fmt.Errorf("%w: %d bytes of vectors at offset %d, want %d", ErrCorruptIndex, rest-4, off, want-4)
	}
	blocks := make([][]float32, hdr.Shards)
	for s, n := range perShard {
		size := int64(n) * int64(hdr.Dim)
		if size > 0 {
			blocks[s] = unsafe.Slice((*float32)(unsafe.Pointer(&data[off])), size)
		}
		off += size * 4
	}
	return blocks, nil
}

// placeVectors gives every chunk its vector, a slice of its shard's block;
// m, when not nil, is the mapped file the blocks lie in.
func (lay fileLayout) placeVectors(blocks [][]float32, dim int, m *indexfile.Mapping) {
	next := make([]int, len(blocks))          // next vector of each shard
	vecs := make([][]float32, len(lay.shard)) // the articles' vectors, in one allocation
	k := 0
	for _, id := range lay.order {
		a := lay.stored[id]
		a.vecs = vecs[k : k+len(a.Spans) : k+len(a.Spans)]
		a.file = m
		for i := range a.vecs {
			s := lay.shard[k]
			off := next[s] * dim
			a.vecs[i] = blocks[s][off : off+dim : off+dim]
			next[s]++
			k++
		}
		lay.stored[id] = a
	}
}

// decodeTerms decodes the vocabulary and the chunks' term lists,
// interning the terms in ix's vocabulary, and returns the ids of the
// file's terms in file order. body is what follows the articles section.
func (ix *Index) decodeTerms(hdr fileHeader, body []byte, lay fileLayout) ([]uint32, error) {
	d := &indexfile.Section{B: body[:hdr.Sections[1]]}
	fileTerms := make([]string, hdr.Terms)
	for i := range fileTerms {
		fileTerms[i] = d.ReadString()
	}
	if d.Err == nil && len(d.B) != 0 {
		d.Err = errors.New("trailing bytes")
	}
	if d.Err != nil {
		return nil, fmt.Errorf("%w: vocabulary: %v", ErrCorruptIndex, d.Err)
	}
	// Term lists are used where they lie only in a process's first index:
	// they then keep the file mapped for as long as their chunks are in
	// the index, and a later load would keep its file too.
	first := len(ix.vocab.Snapshot()) == 0
	ids := ix.vocab.Intern(fileTerms)
	terms := body[hdr.Sections[1] : hdr.Sections[1]+hdr.Sections[2]]
	var err error
	if hdr.version == 2 {
		err = decodeTermsV2(hdr, terms, lay, ids)
	} else {
		err = decodeTermLists(hdr, terms, lay, ids, first)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: terms: %v", ErrCorruptIndex, err)
	}
	return ids, nil
}

// decodeTermsV2 decodes the terms section of a version 2 file: per chunk,
// its term count and term numbers, mapped to ids by ids.
func decodeTermsV2(hdr fileHeader, section []byte, lay fileLayout, ids []uint32) error {
	d := &indexfile.Section{B: section}
	// One block for all lists.
	slab := make([]uint32, 0, hdr.Postings)
	for _, id := range lay.order {
		a := lay.stored[id]
		a.terms = make([][]uint32, len(a.Spans))
		for i := range a.terms {
			n := d.ReadCount(len(d.B))
			from := len(slab)
			if n > cap(slab)-len(slab) && d.Err == nil {
				d.Err = fmt.Errorf("more term numbers than the header's %d", hdr.Postings)
			}
			for range n {
				t := d.ReadCount(len(ids) - 1)
				if d.Err != nil {
					break
				}
				slab = append(slab, ids[t])
			}
			a.terms[i] = slab[from:len(slab):len(slab)]
		}
		lay.stored[id] = a
	}
	if d.Err == nil && (len(d.B) != 0 || len(slab) != hdr.Postings) {
		d.Err = fmt.Errorf("%d term numbers and %d trailing bytes, header says %d and none", len(slab), len(d.B), hdr.Postings)
	}
	return d.Err
}

// decodeTermLists decodes the term counts of a version 3 file (section)
// and cuts the chunks' term lists from lay.termLists. With inPlace, when
// the file's term numbers are the vocabulary's ids (as they are when the
// vocabulary held no terms before the load), the lists are used where
// they lie; otherwise they are copied, every number mapped to its id.
// Every number is checked against the vocabulary.
func decodeTermLists(hdr fileHeader, section []byte, lay fileLayout, ids []uint32, inPlace bool) error {
	nums, shared := uint32sOf(lay.termLists)
	same := true
	for n, id := range ids {
		if id != uint32(n) {
			same = false
			break
		}
	}
	kept := shared && lay.mapped && inPlace && same
	if shared && lay.mapped && !kept {
		nums = slices.Clone(nums) // the mapping is read-only, or must not be kept
	}
	for i, t := range nums {
		if int(t) >= len(ids) {
			return fmt.Errorf("term number %d of %d", t, len(ids))
		}
		if !same {
			nums[i] = ids[t]
		}
	}
	d := &indexfile.Section{B: section}
	pos, k := 0, 0
	terms := make([][]uint32, len(lay.shard)) // the articles' lists, in one allocation
	for _, id := range lay.order {
		a := lay.stored[id]
		if kept {
			a.termsFile = a.file
		}
		a.terms = terms[k : k+len(a.Spans) : k+len(a.Spans)]
		k += len(a.Spans)
		for i := range a.terms {
			n := d.ReadCount(len(nums) - pos)
			a.terms[i] = nums[pos : pos+n : pos+n]
			pos += n
		}
		lay.stored[id] = a
	}
	if d.Err == nil && (len(d.B) != 0 || pos != len(nums)) {
		d.Err = fmt.Errorf("%d term numbers counted and %d trailing bytes, the lists hold %d and none", pos, len(d.B), len(nums))
	}
	return d.Err
}

// uint32sOf returns the little-endian uint32s of b: b's memory (shared)
// where the machine's byte order and b's alignment allow, else a copy.
func uint32sOf(b []byte) (v []uint32, shared bool) {
	n := len(b) / 4
	if n == 0 {
		return nil, false
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), n), true
	}
	v = make([]uint32, n)
	for i := range v {
		v[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return v, false
}

func embedderChanged(name string, ch chunk.Chunker, ix *Index) error {
	return fmt.Errorf("%w (built with %s, chunks of %d; now %s, chunks of %d)",
		ErrEmbedderChanged, name, ch.MaxChars, ix.emb.Name(), ix.chunker.MaxChars)
}

// decodeV1 parses and verifies a version 1 file (no term lists).
func (ix *Index) decodeV1(data []byte) (map[string]storedArticle, error) {
	var hdr fileHeaderV1
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, indexfile.Castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrCorruptIndex)
	}
	hlen := binary.LittleEndian.Uint64(data[len(fileMagic)+4:])
	if hlen > uint64(len(body)-fixedLen) {
		return nil, fmt.Errorf("%w: header length %d exceeds file", ErrCorruptIndex, hlen)
	}
	if err := json.Unmarshal(body[fixedLen:fixedLen+int(hlen)], &hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorruptIndex, err)
	}
	raw := body[fixedLen+int(hlen):]
	n := 0
	for _, a := range hdr.Articles {
		n += len(a.Spans)
	}
	if hdr.Dim < 0 || hdr.Dim > maxDim || len(raw) != n*hdr.Dim*4 {
		return nil, fmt.Errorf("%w: %d vector bytes for %d chunks of %d dimensions", ErrCorruptIndex, len(raw), n, hdr.Dim)
	}
	if hdr.Embedder != ix.emb.Name() || hdr.Chunker != ix.chunker {
		return nil, embedderChanged(hdr.Embedder, hdr.Chunker, ix)
	}
	vecs := make([]float32, n*hdr.Dim)
	for i := range vecs {
		vecs[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
	}
	stored := make(map[string]storedArticle, len(hdr.Articles))
	off := 0
	for _, a := range hdr.Articles {
		a.vecs = make([][]float32, len(a.Spans))
		for i := range a.Spans {
			a.vecs[i] = vecs[off : off+hdr.Dim : off+hdr.Dim]
			off += hdr.Dim
		}
		stored[a.ID] = a
	}
	return stored, nil
}

// tokenizerFingerprint identifies what the tokenizer makes of text: a hash
// of the tokens of a probe that exercises its rules (stems, stop words,
// possessives, acronyms, numbers, hyphens, multi-word names, irregular
// verbs, accents, scripts without spaces). Term lists saved under another
// fingerprint are recomputed rather than trusted.
var tokenizerFingerprint = sync.OnceValue(func() string {
	probe := []string{
		"The U.S. President's aides didn't say whether talks with the E.U. would resume; " +
			"Xi Jinping's 3.5% growth target, 1,000 troops and a well-known state-run firm " +
			"were mentioned in New York and the United Kingdom by the United Nations.",
		"Negotiations, negotiating and negotiated; running, runs, ran; meeting, met, meets.",
		"also would could may might must shall said says however yet still even us per via upon",
		"among within without according whether whose many much another every like a about above",
		"Café Zürich São Paulo Łódź naïve résumé 習近平 東京 ひらがな カタカナ ภาษาไทย Москва",
	}
	probe = append(probe, strings.Join(analysis.IrregularForms(), " "))
	h := fnv.New64a()
	for _, p := range probe {
		for _, t := range analysis.Tokenize(p) {
			fmt.Fprintf(h, "%s\x00%s\x01", t.Lower, t.Term)
		}
	}
	return fmt.Sprintf("tok-%016x", h.Sum64())
})

// storedTermsValid reports whether the term lists restored from the index
// file match what the tokenizer makes of the text now, checked on up to 16
// chunks spread over restored. A tokenizer change the fingerprint missed
// shows up here, and the lists are then recomputed.
func (ix *Index) storedTermsValid(restored []*articleRec) bool {
	const checks = 16
	n := 0
	for _, r := range restored {
		n += len(r.chunks)
	}
	samples := min(checks, n)
	r, before := 0, 0 // restored[r] holds chunks before+0 … onwards
	for i := range samples {
		k := i * n / samples // the sample's number among all chunks
		for k-before >= len(restored[r].chunks) {
			before += len(restored[r].chunks)
			r++
		}
		a, c := restored[r], restored[r].chunks[k-before]
		if c.terms == nil {
			continue
		}
		var want []uint32
		if a.art.Title != "" {
			want = ix.vocab.AppendTermIDs(nil, analysis.Tokenize(a.art.Title))
		}
		want = ix.vocab.AppendTermIDs(want, analysis.Tokenize(c.text()))
		if !slices.Equal(want, c.terms) {
			ix.log.Debug("index file term lists differ from the tokenizer's; recomputing them", "chunk", c.id())
			return false
		}
	}
	return true
}
