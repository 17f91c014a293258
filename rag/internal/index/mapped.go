package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/philippgille/chromem-go"

	"citebot/corpus"
	"citebot/rag/internal/indexfile"
)

// ErrFileDiffers is returned by [Index.MapFile] when the index file does
// not hold exactly the index's chunks and vectors.
var ErrFileDiffers = errors.New("the index file does not hold this index")

// MapFile points the index's vectors at the index file at path, which
// [Index.Save] wrote from it or another process wrote for the same
// corpus, mapped into memory, and returns how many vectors it moved: from
// the process's own memory, a scratch file (IndexOptions.ScratchDir) or an
// older index file. Vectors embedded since the index was loaded then leave
// the process's own memory as loaded ones do, and a replaced index file
// is released (with its disk space) once no vector lies in it. The file's
// checksum is verified, and every chunk's vector must equal its copy in
// the file, or [ErrFileDiffers] is returned and the vectors stay where
// they are. Searches run meanwhile; the new collections replace the old
// ones at once. It does nothing when every vector lies in that very file
// already, and where vectors are not mapped: with VectorsInMemory, on
// systems without memory maps or of the other byte order. serve calls it
// before warming, at start and after every reload; the other commands end
// soon after their save.
func (ix *Index) MapFile(ctx context.Context, path string) (int, error) {
	if !littleEndian || ix.vectorsInMemory {
		return 0, nil
	}
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	f, err := corpus.OpenRegular(path)
	if err != nil {
		return 0, fmt.Errorf("map index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("map index: %w", err)
	}
	if ix.allIn(fi) {
		return 0, nil
	}
	if err := precheck(ctx, f, fi.Size(), true); err != nil {
		return 0, fmt.Errorf("map index %s: %w", path, err)
	}
	m, err := indexfile.Map(f, fi.Size())
	switch {
	case errors.Is(err, indexfile.ErrNoMapping):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("map index: %w", err)
	}
	hdr, _, lay, v1, err := ix.decodeVectors(indexfile.NewReader(ctx, f, fi.Size(), nil), m)
	switch {
	case err != nil:
		return 0, fmt.Errorf("map index %s: %w", path, err)
	case v1 != nil:
		return 0, fmt.Errorf("map index %s: %w: a version 1 file", path, ErrFileDiffers)
	}

	ix.mu.RLock()
	recs, arts, shards, built := ix.recs, ix.arts, ix.shards, ix.built
	ix.mu.RUnlock()
	if err := built.wait(ctx); err != nil {
		return 0, fmt.Errorf("map index %s: %w", path, err)
	}
	if len(recs) == 0 {
		return 0, nil
	}
	if hdr.Shards != len(shards) || len(lay.stored) != len(arts) {
		return 0, fmt.Errorf("map index %s: %w: %d shards and %d articles, the index has %d and %d",
			path, ErrFileDiffers, hdr.Shards, len(lay.stored), len(shards), len(arts))
	}
	vecs := make([][]float32, len(recs))
	for i, c := range recs {
		s, ok := lay.stored[c.articleID()]
		if !ok || s.Hash != c.art.hash || int(c.seq) >= len(s.vecs) || s.Spans[c.seq] != [2]int{int(c.start), int(c.end)} || !slices.Equal(s.vecs[c.seq], c.vec) {
			return 0, fmt.Errorf("map index %s: %w: chunk %s", path, ErrFileDiffers, c.id())
		}
		vecs[i] = s.vecs[c.seq]
	}
	cols, err := ix.shardsOver(ctx, recs, vecs, len(shards))
	if err != nil {
		return 0, fmt.Errorf("map index %s: %w", path, err)
	}

	ix.mu.Lock()
	for i, c := range recs {
		c.vec, c.file = vecs[i], m
	}
	ix.shards, ix.built = cols, builtShards()
	ix.mu.Unlock()
	ix.dropShards(shards, cols)
	m.RandomAccess()
	return len(recs), nil
}

// mappingsOf returns the distinct mappings that recs' vectors lie in (a
// few: index files, scratch files), and whether some vector lies in the
// process's own memory instead.
func mappingsOf(recs []*chunkRec) (files []*indexfile.Mapping, inMemory bool) {
	for _, c := range recs {
		switch {
		case c.file == nil:
			inMemory = true
		case !slices.Contains(files, c.file):
			files = append(files, c.file)
		}
	}
	return files, inMemory
}

// allIn reports whether every chunk's vector lies in the mapped file fi.
func (ix *Index) allIn(fi os.FileInfo) bool {
	ix.mu.RLock()
	files, inMemory := mappingsOf(ix.recs)
	ix.mu.RUnlock()
	return !inMemory && !slices.ContainsFunc(files, func(m *indexfile.Mapping) bool { return !m.Of(fi) })
}

// shardsOver returns n new collections holding recs, recs[i] with the
// vector vecs[i].
func (ix *Index) shardsOver(ctx context.Context, recs []*chunkRec, vecs [][]float32, n int) ([]*chromem.Collection, error) {
	groups := make([][]*chunkRec, n)
	gvecs := make([][][]float32, n)
	for i, c := range recs {
		s := c.shard(n)
		groups[s] = append(groups[s], c)
		gvecs[s] = append(gvecs[s], vecs[i])
	}
	ix.gen++
	cols := make([]*chromem.Collection, n)
	errs := make([]error, n)
	err := ix.forEachErr(ctx, n, func(s int) {
		cols[s], errs[s] = ix.newShard(ctx, ix.gen, s, groups[s], gvecs[s])
	})
	if err == nil {
		err = errors.Join(errs...)
	}
	if err != nil {
		ix.dropShards(cols, nil)
		return nil, err
	}
	return cols, nil
}
