package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/philippgille/chromem-go"

	"citebot/rag/internal/indexfile"
)

// The vectors live in chromem-go collections ("shards"): a chunk belongs to
// shard fnv32a(id) mod the shard count. A query asks every shard for its
// top m on GOMAXPROCS goroutines and merges the answers, which is exactly
// the top m of one big collection. Shards cut chromem-go's per-query
// overhead: it hands every document of a collection through a channel and
// a mutex before scoring it, one collection at a time, which leaves a core
// idle and makes the two cores contend on each document; small collections
// queried side by side keep both busy. Each shard's vectors lie back to back
// in one block of memory, so chromem-go, which visits documents in map
// order, jumps around a few megabytes instead of the whole heap: up to 512
// shards keep them near shardSize chunks (6 MB at 512 dimensions) up to a
// million passages; a search over 192,328 passages in 8 shards of 24,000
// took a quarter more CPU than in 64 of 3,000. See docs/performance.md for
// the measurements.
//
// Shards are copy-on-write: an update builds new collections for the shards
// whose chunks changed, outside the index lock, so searches never wait for
// documents being added.
var (
	// shardSize is the chunk count per shard that the shard count aims at.
	shardSize = 2048
	// maxShards caps the shard count.
	maxShards = 512
)

// shardCount returns the number of shards for n chunks when the index has
// current shards: a power of two near n/shardSize, kept while within a
// factor of two of that, so that small updates do not reshuffle.
func shardCount(n, current int) int {
	want := 1
	for want < maxShards && want*shardSize < n {
		want *= 2
	}
	if current > 0 && current*2 >= want && current <= want*2 && current <= maxShards {
		return current
	}
	return want
}

// shardOf returns the shard of a chunk id: FNV-1a (32 bits) of the id
// modulo the shard count.
func shardOf[T string | []byte](id T, shards int) int {
	if shards == 1 {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % uint32(shards))
}

// shardOfChunk is shardOf the id of chunk seq of the article id,
// "<id>#<seq>", made in a buffer on the stack (for ids of up to 40
// bytes) rather than as a string.
func shardOfChunk(id string, seq, shards int) int {
	var buf [64]byte
	return shardOf(strconv.AppendInt(append(append(buf[:0], id...), '#'), int64(seq), 10), shards)
}

// noEmbedding is the embedding function of the collections: citebot always
// supplies vectors.
func noEmbedding(context.Context, string) ([]float32, error) {
	return nil, errors.New("citebot supplies embeddings; the collection never embeds")
}

// shardSet is the vector store an update builds: the collections, and the
// vectors to point chunks at (their copies in per-shard blocks), which
// swap applies under the index lock.
type shardSet struct {
	cols   []*chromem.Collection
	moved  [][]*chunkRec         // per rebuilt shard, its chunks in block order
	blocks [][]float32           // per rebuilt shard, the vectors of moved, back to back
	file   *indexfile.Mapping    // the scratch mapping blocks lie in, if any
	built  *shardBuild           // the building of the new collections of cols
	kept   []*chromem.Collection // the current collections that cols reuses
}

// A shardBuild is the filling of an index generation's new collections,
// which an update leaves for later: at a million passages it takes
// seconds of both cores (chromem-go allocates a document for each chunk
// and reads every vector), and many questions are answered without a
// vector scan (see lexicalDecides). It starts, in the background, when
// first needed: by a vector search, which waits for it, by the next
// update or MapFile, or by [Index.Warm], which serve calls at start.
type shardBuild struct {
	once sync.Once
	run  func() error // fills the collections; nil when there is nothing to fill
	done chan struct{}
	err  error // set before done is closed
}

// builtShards is the shardBuild of collections that need no filling.
func builtShards() *shardBuild {
	b := &shardBuild{done: make(chan struct{})}
	close(b.done)
	return b
}

// start starts the build, unless it has started.
func (b *shardBuild) start() {
	b.once.Do(func() {
		if b.run == nil {
			return
		}
		go func() {
			defer close(b.done)
			b.err = b.run()
		}()
	})
}

// wait starts the build if needed, waits until it is over and returns its
// error, or ctx's when ctx ends first.
func (b *shardBuild) wait(ctx context.Context) error {
	b.start()
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// groupByShard splits recs by their shard of n, keeping their order.
func groupByShard(recs []*chunkRec, n int) [][]*chunkRec {
	groups := make([][]*chunkRec, n)
	for _, c := range recs {
		s := c.shard(n)
		groups[s] = append(groups[s], c)
	}
	return groups
}

// buildShards returns the collections for recs (all of dim dimensions):
// the current collection of a shard whose chunks are unchanged, a new one
// otherwise. The vectors of a new shard are laid out back to back in one
// block (unless they already are, as after a load), so that a query reads
// each shard from one stretch of memory. The new collections are filled
// in parallel, in the background (set.built), once the vectors are laid
// out; the caller holds updateMu.
func (ix *Index) buildShards(ctx context.Context, recs []*chunkRec, dim int) (shardSet, error) {
	// The current collections are compared below: their build must be
	// over (a failed one's are all rebuilt).
	if err := ix.built.wait(ctx); err != nil && ctx.Err() != nil {
		return shardSet{}, err
	}
	current := len(ix.shards)
	if current == 0 {
		current = ix.fileShards
	}
	n := shardCount(len(recs), current)
	groups := groupByShard(recs, n)
	reuse := n == len(ix.shards) && dim == ix.dim && ix.built.err == nil
	set := shardSet{cols: make([]*chromem.Collection, n), moved: make([][]*chunkRec, n), blocks: make([][]float32, n)}
	var build []int
	for s, g := range groups {
		// A shard is unchanged when it has as many chunks as before, all
		// of the index in use: of articles whose records are the current
		// ones (a changed or added article has a new record).
		if reuse && ix.shards[s].Count() == len(g) && !slices.ContainsFunc(g, func(c *chunkRec) bool {
			return ix.arts[c.articleID()] != c.art
		}) {
			set.cols[s] = ix.shards[s]
			continue
		}
		build = append(build, s)
	}
	// The shards whose vectors are not yet back to back get a block.
	sizes := make([]int, n)
	for _, s := range build {
		if !backToBack(groups[s], dim) {
			sizes[s] = len(groups[s]) * dim
		}
	}
	blocks, file := ix.newBlocks(sizes)
	set.file = file
	// The vectors of the moved shards are copied now; fillShards reads
	// the others from their chunks.
	vecs := make([][][]float32, n)
	errs := make([]error, n)
	err := ix.forEachErr(ctx, len(build), func(i int) {
		s := build[i]
		if sizes[s] == 0 {
			return
		}
		g, block := groups[s], blocks[s]
		vecs[s] = make([][]float32, len(g))
		w := newBlockWriter(block, file)
		for j, c := range g {
			vecs[s][j] = w.put(c.vec)
		}
		errs[s] = w.close()
		set.moved[s], set.blocks[s] = g, block
	})
	if err = errors.Join(err, errors.Join(errs...)); err != nil {
		return shardSet{}, err
	}
	for _, c := range set.cols {
		if c != nil {
			set.kept = append(set.kept, c)
		}
	}
	ix.gen++
	set.built = ix.fillShards(context.WithoutCancel(ctx), ix.gen, set.cols, build, groups, vecs, file)
	return set, nil
}

// fillShards returns the build (see shardBuild) that fills the
// collections cols[s] of the shards s of build, with the chunks groups[s]
// and their vectors: vecs[s] for a shard whose vectors were moved into
// the scratch mapping moved (nil if in memory), the chunks' own for the
// others, which no update moves meanwhile (the next one waits for the
// build). It names them for generation gen, and then marks the mappings
// of their vectors for random access: filling reads every vector in order
// (chromem-go checks its norm), which read-ahead speeds up, while
// searches read the vectors of scattered candidates. On an error, the new
// collections are dropped, and searches that need them get the error.
func (ix *Index) fillShards(ctx context.Context, gen int, cols []*chromem.Collection, build []int, groups [][]*chunkRec, vecs [][][]float32, moved *indexfile.Mapping) *shardBuild {
	b := &shardBuild{done: make(chan struct{})}
	b.run = func() error {
		errs := make([]error, len(cols))
		// The lowest address of a vector in each mapping, from which it
		// is advised: an index file's vectors follow its postings. A
		// shard's vectors lie back to back (see buildShards), so its first
		// is its lowest.
		lowest := map[*indexfile.Mapping]uintptr{}
		var mu sync.Mutex
		note := func(m *indexfile.Mapping, v []float32) {
			if m == nil || len(v) == 0 {
				return
			}
			p := uintptr(unsafe.Pointer(&v[0]))
			mu.Lock()
			if cur, ok := lowest[m]; !ok || p < cur {
				lowest[m] = p
			}
			mu.Unlock()
		}
		err := ix.forEachErr(ctx, len(build), func(i int) {
			s := build[i]
			vs := vecs[s]
			if vs == nil {
				vs = make([][]float32, len(groups[s]))
				for j, c := range groups[s] {
					vs[j] = c.vec
				}
				if len(groups[s]) > 0 {
					note(groups[s][0].file, groups[s][0].vec)
				}
			} else if len(vs) > 0 {
				note(moved, vs[0])
			}
			cols[s], errs[s] = ix.newShard(ctx, gen, s, groups[s], vs)
		})
		if err = errors.Join(err, errors.Join(errs...)); err != nil {
			ix.log.Error("vector collections not built; vector searches fail until the next update", "error", err.Error())
			for _, s := range build {
				ix.dropShards(cols[s:s+1], nil)
			}
			return err
		}
		for m, p := range lowest {
			m.RandomAccessFrom(int(p - uintptr(unsafe.Pointer(unsafe.SliceData(m.Bytes())))))
		}
		return nil
	}
	if len(build) == 0 {
		b.run = nil
		close(b.done)
	}
	return b
}

// scratchMinBytes is the least size of vector blocks that newBlocks puts
// in a scratch mapping rather than in memory.
var scratchMinBytes = 64 << 20

// newBlocks returns a block of sizes[i] float32s for each i (nil for 0):
// in one scratch mapping in IndexOptions.ScratchDir when they add up to
// scratchMinBytes or more and the system has them (file is that mapping),
// in memory otherwise.
func (ix *Index) newBlocks(sizes []int) (blocks [][]float32, file *indexfile.Mapping) {
	total := 0
	for _, n := range sizes {
		total += n
	}
	blocks = make([][]float32, len(sizes))
	if ix.scratchDir != "" && total*4 >= scratchMinBytes {
		m, err := indexfile.Scratch(ix.scratchDir, int64(total)*4)
		if err == nil {
			data := m.Bytes()
			off := 0
			for i, n := range sizes {
				if n > 0 {
					blocks[i] = unsafe.Slice((*float32)(unsafe.Pointer(&data[off])), n)
					off += n * 4
				}
			}
			return blocks, m
		}
		if !errors.Is(err, indexfile.ErrNoMapping) {
			ix.log.Warn("vectors being embedded stay in memory: no scratch file", "dir", ix.scratchDir, "error", err.Error())
		}
	}
	for i, n := range sizes {
		if n > 0 {
			blocks[i] = make([]float32, n)
		}
	}
	return blocks, nil
}

// blockWriter writes the vectors of a block in order: in memory by
// copying them, in a scratch mapping through its file, a megabyte at a
// time (see indexfile.Mapping.Put), for stores into the mapping would
// fault page by page.
type blockWriter struct {
	block []float32
	file  *indexfile.Mapping // the scratch mapping block lies in; nil for memory
	n     int                // floats of block placed
	buf   *[]float32         // floats placed, not yet written (file only)
	err   error              // the first write's error
}

// writeBufs holds blockWriter buffers of a megabyte.
var writeBufs = sync.Pool{New: func() any { b := make([]float32, 0, 1<<18); return &b }}

// newBlockWriter returns a writer of block, which lies in file (nil for
// memory), from its start.
func newBlockWriter(block []float32, file *indexfile.Mapping) *blockWriter {
	w := &blockWriter{block: block, file: file}
	if file != nil {
		w.buf = writeBufs.Get().(*[]float32)
	}
	return w
}

// put places v next in the block and returns its place there, which holds
// v once close has returned without an error.
func (w *blockWriter) put(v []float32) []float32 {
	if w.buf != nil && len(*w.buf)+len(v) > cap(*w.buf) {
		w.flush()
	}
	at := w.block[w.n : w.n+len(v) : w.n+len(v)]
	w.n += len(v)
	if w.buf == nil {
		copy(at, v)
	} else {
		*w.buf = append(*w.buf, v...)
	}
	return at
}

// flush writes the floats placed and not yet written.
func (w *blockWriter) flush() {
	b := *w.buf
	if len(b) > 0 && w.err == nil {
		w.err = w.file.Put(floatBytes(w.block[w.n-len(b):w.n]), floatBytes(b))
	}
	*w.buf = b[:0]
}

// close writes what put placed and returns the first error of a write.
func (w *blockWriter) close() error {
	if w.buf != nil {
		w.flush()
		writeBufs.Put(w.buf)
		w.buf = nil
	}
	return w.err
}

// newShard returns a new collection for shard s holding the chunks g,
// vecs[j] the vector of g[j], named for generation gen: the caller has
// advanced ix.gen since the shards in use were built, so that the name is
// new.
func (ix *Index) newShard(ctx context.Context, gen, s int, g []*chunkRec, vecs [][]float32) (*chromem.Collection, error) {
	col, err := ix.db.CreateCollection(fmt.Sprintf("chunks-%d-%d", gen, s), nil, noEmbedding)
	if err != nil {
		return nil, err
	}
	for j, c := range g {
		if err := col.AddDocument(ctx, chromem.Document{ID: c.id(), Embedding: vecs[j], Content: c.text()}); err != nil {
			ix.db.DeleteCollection(col.Name)
			return nil, fmt.Errorf("add %s: %w", c.id(), err)
		}
	}
	return col, nil
}

// apply points the moved chunks at their vectors' copies. The caller holds
// ix.mu for writing: searches read the vectors.
func (set shardSet) apply(dim int) {
	for s, g := range set.moved {
		for j, c := range g {
			c.vec = set.blocks[s][j*dim : (j+1)*dim : (j+1)*dim]
			c.file = set.file
		}
	}
}

// backToBack reports whether the vectors of g (of dim float32s each) follow
// each other in memory in order.
func backToBack(g []*chunkRec, dim int) bool {
	if len(g) == 0 {
		return true
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(g[0].vec)))
	for j, c := range g {
		if uintptr(unsafe.Pointer(unsafe.SliceData(c.vec))) != base+uintptr(j*dim*4) {
			return false
		}
	}
	return true
}

// dropShards deletes the collections of old that keep does not hold.
func (ix *Index) dropShards(old, keep []*chromem.Collection) {
	for _, c := range old {
		if c != nil && !slices.Contains(keep, c) {
			ix.db.DeleteCollection(c.Name) // only fails for a persistent database
		}
	}
}

// vectorHit is a chunk and its cosine similarity to the query.
type vectorHit struct {
	doc int
	sim float32
}

// vectorSearch returns the m chunks most similar to q (of the index's
// dimension), best first, ties in chunk id order. The caller holds ix.mu.
//
// The best m of all chunks are the best m of the shards' answers, but a
// shard rarely holds more than a few of them (chunks go to shards by a hash
// of their id, not by content), so each shard is first asked for only
// shardQuota results: chromem-go then keeps a small heap and returns few
// documents, which at 512 results per shard cost as much as the scan. A
// shard whose last result still reaches the m-th best of all answers may
// hold more of the best m, and is asked again for m: the result is exactly
// that of asking every shard for m.
func (ix *Index) vectorSearch(ctx context.Context, q []float32, m int) ([]vectorHit, error) {
	ix.scans.Add(1)
	if err := ix.built.wait(ctx); err != nil {
		return nil, err
	}
	shards := ix.shards
	ks := make([]int, len(shards))
	for s, col := range shards {
		ks[s] = min(m, col.Count(), shardQuota(m, len(shards)))
	}
	results, err := queryShards(ctx, shards, q, ks)
	if err != nil {
		return nil, err
	}
	best := bestResults(results, m)
	for s, col := range shards {
		rs := results[s]
		full := ks[s] == min(m, col.Count()) // the shard gave all it could
		if full || len(best) < m || rs[len(rs)-1].Similarity < best[m-1].Similarity {
			ks[s] = 0
		} else {
			ks[s] = min(m, col.Count())
		}
	}
	again, err := queryShards(ctx, shards, q, ks)
	if err != nil {
		return nil, err
	}
	for s, rs := range again {
		if rs != nil {
			results[s] = rs
		}
	}
	best = bestResults(results, m)
	hits := make([]vectorHit, 0, len(best))
	for _, r := range best {
		if i, ok := ix.nos.of(ix.recs, r.ID); ok {
			hits = append(hits, vectorHit{i, r.Similarity})
		}
	}
	return hits, nil
}

// shardQuotaSlack is how many results more than expected (m divided by the
// shard count) vectorSearch asks a shard for first, in standard deviations
// of that count, plus a constant: as chunks go to shards at random, a shard
// then needs asking again about once in a million searches for 512 (as
// the news questions of a large corpus ask, with 64 shards), far less
// often for fewer. Tests set it to 0 to exercise the second round.
var shardQuotaSlack = 4.0

// shardQuota returns how many results vectorSearch first asks each of
// shards for, when it needs the best m of all.
func shardQuota(m, shards int) int {
	want := float64(m) / float64(shards)
	return max(1, int(math.Ceil(want+shardQuotaSlack*(math.Sqrt(want)+2))))
}

// queryShards asks shards[s] for its ks[s] results most similar to q, on
// GOMAXPROCS goroutines; a shard with ks[s] 0 is not asked (its answer is
// nil).
func queryShards(ctx context.Context, shards []*chromem.Collection, q []float32, ks []int) ([][]chromem.Result, error) {
	results := make([][]chromem.Result, len(shards))
	errs := make([]error, len(shards))
	var todo []int
	for s, k := range ks {
		if k > 0 {
			todo = append(todo, s)
		}
	}
	var next atomic.Int64
	parallel(min(runtime.GOMAXPROCS(0), len(todo)), func(int) {
		for i := int(next.Add(1)) - 1; i < len(todo); i = int(next.Add(1)) - 1 {
			s := todo[i]
			results[s], errs[s] = shards[s].QueryEmbedding(ctx, q, ks[s], nil, nil)
		}
	})
	return results, errors.Join(errs...)
}

// bestResults returns the best m of the shards' answers: most similar
// first, ties by chunk id.
func bestResults(results [][]chromem.Result, m int) []*chromem.Result {
	var all []*chromem.Result
	for _, rs := range results {
		for i := range rs {
			all = append(all, &rs[i])
		}
	}
	slices.SortFunc(all, func(a, b *chromem.Result) int {
		if c := cmp.Compare(b.Similarity, a.Similarity); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return all[:min(m, len(all))]
}

// willNeedVectors tells the mappings that hold the vectors of the
// candidates still without a similarity that those will be read (see
// indexfile.Mapping.WillNeed). Called with ix.mu held.
func (ix *Index) willNeedVectors(cand map[int]*Passage) {
	parts := map[*indexfile.Mapping][][]byte{}
	for i, p := range cand {
		if c := ix.recs[i]; p.Vector == 0 && c.file != nil {
			parts[c.file] = append(parts[c.file], floatBytes(c.vec))
		}
	}
	for m, ps := range parts {
		m.WillNeed(ps)
	}
}
