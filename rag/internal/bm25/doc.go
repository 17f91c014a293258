// Package bm25 is the keyword side of the index: a growing [Vocabulary]
// of term ids, and immutable BM25 lexicons ([Lexicon], built by [Build])
// over documents given as term-id lists, with top-k search, document
// frequencies and spelling correction against the lexicon's terms. It
// knows nothing of passages, articles or filters: documents are numbers.
package bm25
