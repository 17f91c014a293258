package index

import (
	"context"
	"slices"

	"github.com/philippgille/chromem-go"
)

// Internals for the tests and benchmarks of package rag, which cannot
// reach them otherwise. Nothing else calls them.

// VectorsOf returns copies of the stored vectors of ix in chunk order.
// Copies, because a mapped vector is valid only while ix is reachable
// (see indexfile.Mapping): a caller comparing the vectors of an index it
// no longer uses would otherwise read memory unmapped meanwhile.
func VectorsOf(ix *Index) [][]float32 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([][]float32, len(ix.recs))
	for i, r := range ix.recs {
		out[i] = slices.Clone(r.vec)
	}
	return out
}

// ChromemDB returns the chromem-go database that answers vector queries,
// once its collections are built.
func ChromemDB(ix *Index) *chromem.DB {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := ix.built.wait(context.Background()); err != nil {
		panic(err)
	}
	return ix.db
}

// VectorCandidates runs the vector half of candidate generation: the m
// chunks most similar to q, as chunk numbers and similarities.
func VectorCandidates(ctx context.Context, ix *Index, q []float32, m int) ([]int, []float32, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	hits, err := ix.vectorSearch(ctx, q, m)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int, len(hits))
	sims := make([]float32, len(hits))
	for i, h := range hits {
		ids[i], sims[i] = h.doc, h.sim
	}
	return ids, sims, nil
}

// Reshard rebuilds the vector collections of ix for shards of about size
// chunks, at most most of them, and returns the shard count.
func Reshard(ix *Index, size, most int) int {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	oldSize, oldMax := shardSize, maxShards
	defer func() { shardSize, maxShards = oldSize, oldMax }()
	shardSize, maxShards = size, most
	ix.mu.RLock()
	recs, dim, old := ix.recs, ix.dim, ix.shards
	ix.mu.RUnlock()
	ix.shards = nil // build every shard anew
	set, err := ix.buildShards(context.Background(), recs, dim)
	if err != nil {
		panic(err)
	}
	if err := set.built.wait(context.Background()); err != nil {
		panic(err)
	}
	ix.mu.Lock()
	set.apply(dim)
	ix.shards, ix.built = set.cols, set.built
	ix.mu.Unlock()
	ix.dropShards(old, set.cols)
	return len(set.cols)
}
