package rag

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"citebot/corpus"
)

// Index file format, version 1 (all integers little-endian):
//
//	magic      "citebot-index\n" (14 bytes)
//	version    uint32
//	headerLen  uint64
//	header     JSON: embedder name, dimension, chunker, and per article its
//	           id, content hash and chunk spans
//	vectors    float32 × dimension for every chunk, in header order
//	checksum   uint32 CRC-32C of everything before it
//
// Chunk text is not stored: it is re-cut from the corpus by the spans, which
// are only trusted when the article's content hash matches.
const (
	fileMagic   = "citebot-index\n"
	fileVersion = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors of [Index.Load]. In every case the index stays empty and the next
// Update embeds the corpus from scratch.
var (
	// ErrCorruptIndex means the index file is truncated or damaged.
	ErrCorruptIndex = errors.New("index file is corrupt")
	// ErrIndexVersion means the index file was written by a newer citebot.
	ErrIndexVersion = errors.New("index file has an unsupported version")
	// ErrEmbedderChanged means the index was built with another embedding
	// model or chunk size; its vectors cannot be mixed with new ones.
	ErrEmbedderChanged = errors.New("index was built with another embedder or chunker")
)

type fileHeader struct {
	Embedder string          `json:"embedder"`
	Dim      int             `json:"dim"`
	Chunker  Chunker         `json:"chunker"`
	Saved    time.Time       `json:"saved"`
	Articles []storedArticle `json:"articles"`
}

// storedArticle is an article's entry in the index file.
type storedArticle struct {
	ID    string   `json:"id"`
	Hash  string   `json:"hash"`
	Spans [][2]int `json:"spans"`
	vecs  [][]float32
}

// restore rebuilds the chunks of a from the stored spans and vectors. ok is
// false when the spans do not fit the article's text.
func (s storedArticle) restore(a corpus.Article) ([]*chunkRec, bool) {
	out := make([]*chunkRec, 0, len(s.Spans))
	for i, sp := range s.Spans {
		if sp[0] < 0 || sp[0] >= sp[1] || sp[1] > len(a.Text) {
			return nil, false
		}
		out = append(out, &chunkRec{Chunk: Chunk{
			ID: fmt.Sprintf("%s#%d", a.ID, i), ArticleID: a.ID, Title: a.Title, Published: a.Published,
			Seq: i, Start: sp[0], End: sp[1], Text: a.Text[sp[0]:sp[1]],
		}, vec: s.vecs[i]})
	}
	return out, len(out) > 0
}

// Save writes the index to path atomically: to a temporary file in the same
// directory, synced, then renamed over path. The directory is created if
// needed. Searches may run during a save; updates wait for it.
func (ix *Index) Save(path string) error {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	hdr := fileHeader{Embedder: ix.emb.Name(), Dim: ix.dim, Chunker: ix.chunker, Saved: time.Now().UTC()}
	ids := make([]string, 0, len(ix.arts))
	for id := range ix.arts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := ix.arts[id]
		sa := storedArticle{ID: id, Hash: r.hash}
		for _, c := range r.chunks {
			sa.Spans = append(sa.Spans, [2]int{c.Start, c.End})
		}
		hdr.Articles = append(hdr.Articles, sa)
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename

	crc := crc32.New(castagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	var buf [8]byte
	w.WriteString(fileMagic)
	binary.LittleEndian.PutUint32(buf[:4], fileVersion)
	w.Write(buf[:4])
	binary.LittleEndian.PutUint64(buf[:8], uint64(len(js)))
	w.Write(buf[:8])
	w.Write(js)
	for _, id := range ids {
		for _, c := range ix.arts[id].chunks {
			for _, x := range c.vec {
				binary.LittleEndian.PutUint32(buf[:4], math.Float32bits(x))
				w.Write(buf[:4])
			}
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("save index: %w", err)
	}
	binary.LittleEndian.PutUint32(buf[:4], crc.Sum32())
	if _, err := f.Write(buf[:4]); err != nil {
		f.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all systems support it
		d.Close()
	}
	return nil
}

// Load reads an index file written by Save and keeps its vectors for the
// next [Index.Update], which reuses those of unchanged articles. A missing
// file returns an error satisfying errors.Is(err, fs.ErrNotExist). A
// damaged file returns [ErrCorruptIndex], a file of another embedder
// [ErrEmbedderChanged]; the index then stays empty and the caller rebuilds.
func (ix *Index) Load(path string) error {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	hdr, vecs, err := decodeIndex(data)
	if err != nil {
		return fmt.Errorf("load index %s: %w", path, err)
	}
	if hdr.Embedder != ix.emb.Name() || hdr.Chunker != ix.chunker {
		return fmt.Errorf("load index %s: %w (built with %s, chunks of %d; now %s, chunks of %d)",
			path, ErrEmbedderChanged, hdr.Embedder, hdr.Chunker.MaxChars, ix.emb.Name(), ix.chunker.MaxChars)
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
	ix.stored = stored
	return nil
}

// decodeIndex parses and verifies an index file.
func decodeIndex(data []byte) (fileHeader, []float32, error) {
	var hdr fileHeader
	const fixed = len(fileMagic) + 4 + 8
	if len(data) < fixed+4 || string(data[:len(fileMagic)]) != fileMagic {
		return hdr, nil, fmt.Errorf("%w: not a citebot index", ErrCorruptIndex)
	}
	if v := binary.LittleEndian.Uint32(data[len(fileMagic):]); v != fileVersion {
		return hdr, nil, fmt.Errorf("%w: version %d (this citebot reads %d)", ErrIndexVersion, v, fileVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return hdr, nil, fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrCorruptIndex)
	}
	hlen := binary.LittleEndian.Uint64(data[len(fileMagic)+4:])
	if hlen > uint64(len(body)-fixed) {
		return hdr, nil, fmt.Errorf("%w: header length %d exceeds file", ErrCorruptIndex, hlen)
	}
	if err := json.Unmarshal(body[fixed:fixed+int(hlen)], &hdr); err != nil {
		return hdr, nil, fmt.Errorf("%w: header: %v", ErrCorruptIndex, err)
	}
	raw := body[fixed+int(hlen):]
	n := 0
	for _, a := range hdr.Articles {
		n += len(a.Spans)
	}
	if hdr.Dim < 0 || len(raw) != n*hdr.Dim*4 {
		return hdr, nil, fmt.Errorf("%w: %d vector bytes for %d chunks of %d dimensions", ErrCorruptIndex, len(raw), n, hdr.Dim)
	}
	vecs := make([]float32, n*hdr.Dim)
	for i := range vecs {
		vecs[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:]))
	}
	return hdr, vecs, nil
}
