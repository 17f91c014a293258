package index

import (
	"slices"

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

// MappedChunks returns how many chunks of ix have their vector in a mapped
// index file.
func MappedChunks(ix *Index) int { return countChunks(ix, false) }

// ScratchChunks returns how many chunks of ix have their vector in a
// scratch mapping.
func ScratchChunks(ix *Index) int { return countChunks(ix, true) }

func countChunks(ix *Index, scratch bool) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := 0
	for _, r := range ix.recs {
		if r.file != nil && r.file.Scratch() == scratch {
			n++
		}
	}
	return n
}

// SetScratchMin sets the least size of vector blocks kept in a scratch
// mapping, and returns a function restoring the default.
func SetScratchMin(bytes int) (restore func()) {
	old := scratchMinBytes
	scratchMinBytes = bytes
	return func() { scratchMinBytes = old }
}

// ChunkVectors returns a copy of every chunk's vector, by chunk id.
func ChunkVectors(ix *Index) map[string][]float32 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make(map[string][]float32, len(ix.recs))
	for _, r := range ix.recs {
		out[r.id()] = slices.Clone(r.vec)
	}
	return out
}

// EmbeddedTexts returns the text each chunk's vector embeds (its title,
// then its text), by chunk id.
func EmbeddedTexts(ix *Index) map[string]string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make(map[string]string, len(ix.recs))
	for _, r := range ix.recs {
		out[r.id()] = embeddingText(r.art.art.Title, r.text())
	}
	return out
}
