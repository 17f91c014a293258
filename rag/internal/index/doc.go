// Package index holds the passages of a corpus for retrieval: it splits
// articles into overlapping passages of whole sentences (package
// rag/internal/chunk), embeds them (package rag/internal/embed), keeps
// them in chromem-go collections beside BM25 lexicons (package
// rag/internal/bm25) over passages and whole articles, finds the
// passages that best match a query by fusing both rankings
// ([Index.Search]) within a filter (package rag/internal/filter), and
// persists everything to one checksummed file ([Index.Save],
// [Index.Load]). Answerers read its statistics through
// [Index.Vocabulary], [Index.Sentences] and the other accessors, never
// its records. It knows nothing of questions or answers; package rag
// builds on it and re-exports the names its users need.
package index
