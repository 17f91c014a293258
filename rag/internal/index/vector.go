package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/philippgille/chromem-go"
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
// order, jumps around a few megabytes instead of the whole heap. See
// docs/performance.md for the measurements.
//
// Shards are copy-on-write: an update builds new collections for the shards
// whose chunks changed, outside the index lock, so searches never wait for
// documents being added.
var (
	// shardSize is the chunk count per shard that the shard count aims at.
	shardSize = 2048
	// maxShards caps the shard count.
	maxShards = 64
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
func shardOf(id string, shards int) int {
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
	moved  [][]*chunkRec // per rebuilt shard, its chunks in block order
	blocks [][]float32   // per rebuilt shard, the vectors of moved, back to back
}

// groupByShard splits recs by their shard of n, keeping their order.
func groupByShard(recs []*chunkRec, n int) [][]*chunkRec {
	groups := make([][]*chunkRec, n)
	for _, c := range recs {
		s := shardOf(c.ID, n)
		groups[s] = append(groups[s], c)
	}
	return groups
}

// buildShards returns the collections for recs (all of dim dimensions):
// the current collection of a shard whose chunks are unchanged, a new one
// otherwise. The vectors of a new shard are laid out back to back in one
// block (unless they already are, as after a load), so that a query reads
// each shard from one stretch of memory. Shards are filled in parallel.
func (ix *Index) buildShards(ctx context.Context, recs []*chunkRec, dim int) (shardSet, error) {
	current := len(ix.shards)
	if current == 0 {
		current = ix.fileShards
	}
	n := shardCount(len(recs), current)
	groups := groupByShard(recs, n)
	reuse := n == len(ix.shards) && dim == ix.dim
	set := shardSet{cols: make([]*chromem.Collection, n), moved: make([][]*chunkRec, n), blocks: make([][]float32, n)}
	var build []int
	for s, g := range groups {
		if reuse && ix.shards[s].Count() == len(g) && !slices.ContainsFunc(g, func(c *chunkRec) bool {
			i, ok := ix.byID[c.ID]
			return !ok || ix.recs[i] != c
		}) {
			set.cols[s] = ix.shards[s]
			continue
		}
		build = append(build, s)
	}
	ix.gen++
	errs := make([]error, n)
	err := ix.forEachErr(ctx, len(build), func(i int) {
		s := build[i]
		g := groups[s]
		col, err := ix.db.CreateCollection(fmt.Sprintf("chunks-%d-%d", ix.gen, s), nil, noEmbedding)
		if err != nil {
			errs[s] = err
			return
		}
		vecs := make([][]float32, len(g))
		if backToBack(g, dim) {
			for j, c := range g {
				vecs[j] = c.vec
			}
		} else {
			block := make([]float32, len(g)*dim)
			for j, c := range g {
				v := block[j*dim : (j+1)*dim : (j+1)*dim]
				copy(v, c.vec)
				vecs[j] = v
			}
			set.moved[s], set.blocks[s] = g, block
		}
		for j, c := range g {
			if err := col.AddDocument(ctx, chromem.Document{ID: c.ID, Embedding: vecs[j], Content: c.Text}); err != nil {
				errs[s] = fmt.Errorf("add %s: %w", c.ID, err)
				return
			}
		}
		set.cols[s] = col
	})
	if err == nil {
		err = errors.Join(errs...)
	}
	if err != nil {
		ix.dropShards(set.cols, ix.shards)
		return shardSet{}, err
	}
	return set, nil
}

// apply points the moved chunks at their vectors' copies. The caller holds
// ix.mu for writing: searches read the vectors.
func (set shardSet) apply(dim int) {
	for s, g := range set.moved {
		for j, c := range g {
			c.vec = set.blocks[s][j*dim : (j+1)*dim : (j+1)*dim]
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
func (ix *Index) vectorSearch(ctx context.Context, q []float32, m int) ([]vectorHit, error) {
	shards := ix.shards
	results := make([][]chromem.Result, len(shards))
	errs := make([]error, len(shards))
	query := func(s int) {
		k := min(m, shards[s].Count())
		if k > 0 {
			results[s], errs[s] = shards[s].QueryEmbedding(ctx, q, k, nil, nil)
		}
	}
	var next atomic.Int64
	parallel(min(runtime.GOMAXPROCS(0), len(shards)), func(int) {
		for s := int(next.Add(1)) - 1; s < len(shards); s = int(next.Add(1)) - 1 {
			query(s)
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// The best m of all shards' answers (at most m each): most similar
	// first, ties by chunk id.
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
	all = all[:min(m, len(all))]
	hits := make([]vectorHit, 0, len(all))
	for _, r := range all {
		if i, ok := ix.byID[r.ID]; ok {
			hits = append(hits, vectorHit{i, r.Similarity})
		}
	}
	return hits, nil
}
