// Package chunk splits articles into the passages the index stores:
// overlapping runs of whole sentences of at most [Chunker.MaxChars] bytes,
// cut at paragraph breaks where they can be and inside a sentence only
// when it alone is too long. It only cuts text; the index tokenises,
// embeds and stores the passages.
package chunk
