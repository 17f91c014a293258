package index

import "context"

// vectorStore is where the chunk vectors live and how the nearest ones are
// found: the seam for a vector database when a corpus outgrows one
// machine's memory (docs/deploy.md, "Past one machine's memory"). *Index
// implements it in memory with chromem-go collections; under a filter it
// keeps the hits the filter admits (filter.go).
//
// A Qdrant or pgvector store would implement it with its own client,
// holding the vectors with the chunk id, the outlet and the publication
// date as payload: Index.Update would upsert the embedded chunks and
// delete the removed ones where swap now builds collections, and
// vectorSearchIn would send the query vector with the filter as a payload
// condition (outlet equals, published within) instead of the allow set,
// which only an in-memory store can use. BM25, events and the article
// texts stay in the process (about 80 MB per 100,000 chunks besides the
// vectors); that is written out, not built.
type vectorStore interface {
	// vectorSearchIn returns the m chunks most similar to q, best first,
	// among those allow admits (all when nil).
	vectorSearchIn(ctx context.Context, q []float32, m int, allow *allowSet) ([]vectorHit, error)
}

var _ vectorStore = (*Index)(nil)
