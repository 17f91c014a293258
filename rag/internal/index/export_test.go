package index

import (
	"citebot/rag/internal/sample"
)

// Internals for the external tests and benchmarks of this package.

// SampleArticles returns n articles for tests: see package sample.
var SampleArticles = sample.Articles

// Shards returns the number of chromem-go collections of ix.
func Shards(ix *Index) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.shards)
}

// Plain returns passages without their index records, for comparing the
// results of two indexes.
func Plain(ps []Passage) []Passage {
	out := append([]Passage(nil), ps...)
	for i := range out {
		out[i].rec = nil
	}
	return out
}

// SetShardSizing sets the chunk count per shard and the most shards that
// updates aim at, and returns a function restoring the defaults.
func SetShardSizing(size, most int) (restore func()) {
	oldSize, oldMax := shardSize, maxShards
	shardSize, maxShards = size, most
	return func() { shardSize, maxShards = oldSize, oldMax }
}
