// Package rag turns articles into cited answers: it splits articles into
// overlapping passages of whole sentences ([Chunker]), embeds them
// ([Embedder]; [LocalEmbedder] needs no network or model files), stores them
// in chromem-go collections beside a BM25 lexicon ([Index]), retrieves the
// passages that best match a question by fusing both rankings
// ([Index.Search]) and answers from them with numbered citations
// ([Extractive]), or with a chat model ([ChatModel]) on any
// OpenAI-compatible server, citations verified after generation
// ([LLMAnswerer]). The client of those servers is package rag/openai, the
// only one that imports go-openai; cmd wires it in.
//
// Package rag is the front door; its parts live in packages below it,
// whose names it re-exports: the index with its file format
// (rag/internal/index), the questions and answers every answerer shares
// (rag/internal/qa), the reading of a question as typed in chat
// (rag/internal/reading), the offline answer to one question
// (rag/internal/extract, its citations assembled by rag/internal/cite),
// the reading of follow-ups (rag/internal/followup) and timelines
// (rag/internal/timeline). Tokens, index terms and sentence spans come
// from rag/internal/analysis, dates from rag/timex and dated events from
// rag/events.
//
// The index persists to one checksummed file ([Index.Save], [Index.Load])
// that caches embeddings and term lists by article content hash, so only
// changed articles are embedded again. See docs/performance.md for what it
// costs at 100,000 passages.
package rag
