// Package extract answers one question offline from the passages it
// retrieves, quoting the sentences that answer it best, each with a
// citation: the [Extractor] behind rag.Extractive. It reads the question
// (package reading), analyses its kind (package question), retrieves
// passages with the index, scores every sentence as a candidate
// (candidates.go), composes the answer with its citations (compose.go),
// and answers the questions a sentence cannot: the order and count of
// dated events (temporal.go), yes or no (yesno.go), and comparisons of
// periods (compare.go). It reports not-found rather than quoting
// unrelated text. Follow-ups are read above it, in package rag.
package extract
