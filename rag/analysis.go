package rag

import "slices"

// sentRef is one sentence of a chunk, located both in the chunk's text and
// in its term list, so that queries never tokenise stored text again.
type sentRef struct {
	// start and end are byte offsets in the chunk's Text.
	start, end int32
	// termEnd is the end of the sentence's terms in chunkRec.terms (the
	// sentence's terms run from the previous sentence's termEnd, or from the
	// end of the title terms, up to here).
	termEnd int32
}

// analyzeChunk sets the term ids of c (the article's title terms first, a
// light field boost) and its sentences.
func (ix *Index) analyzeChunk(c *chunkRec, title []uint32) {
	c.terms = slices.Clip(title)
	c.titleLen = int32(len(title))
	c.sents = c.sents[:0]
	for _, sp := range splitSentences(c.Text) {
		c.terms = append(c.terms, ix.vocab.intern(terms(c.Text[sp.Start:sp.End]))...)
		c.sents = append(c.sents, sentRef{start: int32(sp.Start), end: int32(sp.End), termEnd: int32(len(c.terms))})
	}
}

// sentenceTerms returns the term ids of sentence i of c.
func (c *chunkRec) sentenceTerms(i int) []uint32 {
	from := c.titleLen
	if i > 0 {
		from = c.sents[i-1].termEnd
	}
	return c.terms[from:c.sents[i].termEnd]
}

// articleTerms returns the sorted distinct term ids of an article's chunks.
func articleTerms(chunks []*chunkRec) []uint32 {
	var ids []uint32
	for _, c := range chunks {
		ids = append(ids, c.terms...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// hasTerm reports whether the sorted id list holds id.
func hasTerm(sorted []uint32, id uint32) bool {
	_, ok := slices.BinarySearch(sorted, id)
	return ok
}
