// Package embed turns text into vectors for similarity search: the
// [Embedder] interface the index stores vectors through, and
// [LocalEmbedder], which needs no network or model files (hashed features
// of stemmed words, word pairs and character trigrams). Model-backed
// embedders live in package rag/openai.
package embed
