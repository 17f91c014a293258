package rag

import (
	"slices"

	"citebot/rag/internal/analysis"
)

// chunkSentences locates the sentences of a chunk both in its text and in
// its term list, so that queries never tokenise stored text again.
type chunkSentences struct {
	// titleLen is how many term ids of chunkRec.terms come from the title.
	titleLen int
	refs     []sentRef
}

// sentRef is one sentence of a chunk.
type sentRef struct {
	// start and end are byte offsets in the chunk's Text.
	start, end int32
	// termEnd is the end of the sentence's terms in chunkRec.terms (they run
	// from the previous sentence's termEnd, or from titleLen, up to here).
	termEnd int32
}

// sentences returns the chunk's sentences, working them out on first use:
// an index of 100k chunks opens without tokenising any of them, and a
// query touches a few dozen. Safe for concurrent use.
func (c *chunkRec) sentences() *chunkSentences {
	if s := c.sents.Load(); s != nil {
		return s
	}
	toks := analysis.Tokenize(c.Text)
	text := 0
	for _, t := range toks {
		if t.Term != "" {
			text++
		}
	}
	s := &chunkSentences{titleLen: len(c.terms) - text}
	if s.titleLen < 0 { // term list of another tokenizer: treat it as untitled
		s.titleLen = 0
	}
	i, n := 0, s.titleLen
	for _, sp := range analysis.SplitSentences(c.Text) {
		for i < len(toks) && toks[i].Start < sp.End {
			if toks[i].Term != "" {
				n++
			}
			i++
		}
		s.refs = append(s.refs, sentRef{start: int32(sp.Start), end: int32(sp.End), termEnd: int32(min(n, len(c.terms)))})
	}
	c.sents.Store(s)
	return s
}

// sentenceTerms returns the term ids of sentence i of c.
func (c *chunkRec) sentenceTerms(s *chunkSentences, i int) []uint32 {
	from := int32(s.titleLen)
	if i > 0 {
		from = s.refs[i-1].termEnd
	}
	return c.terms[min(from, s.refs[i].termEnd):s.refs[i].termEnd]
}

// articleTerms returns the sorted distinct term ids of the chunk's whole
// article, working them out on first use.
func (c *chunkRec) articleTerms() []uint32 {
	if c.art == nil {
		return nil
	}
	if p := c.art.terms.Load(); p != nil {
		return *p
	}
	var ids []uint32
	for _, ch := range c.art.chunks {
		ids = append(ids, ch.terms...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	c.art.terms.Store(&ids)
	return ids
}

// hasTerm reports whether the sorted id list holds id.
func hasTerm(sorted []uint32, id uint32) bool {
	_, ok := slices.BinarySearch(sorted, id)
	return ok
}

// passageSentence is a sentence of a passage with its term ids.
type passageSentence struct {
	start, end int // in the chunk's text
	ids        []uint32
}

// sentences returns the sentences of a passage: precomputed for passages
// that come from Search, tokenised for others.
func (ix *Index) sentences(p Passage) []passageSentence {
	var out []passageSentence
	if p.rec != nil {
		cs := p.rec.sentences()
		for i, sr := range cs.refs {
			out = append(out, passageSentence{int(sr.start), int(sr.end), p.rec.sentenceTerms(cs, i)})
		}
		return out
	}
	for _, sp := range analysis.SplitSentences(p.Text) {
		out = append(out, passageSentence{sp.Start, sp.End, ix.textIDs(p.Text[sp.Start:sp.End])})
	}
	return out
}

// textIDs returns the ids of the terms of text the vocabulary knows.
func (ix *Index) textIDs(text string) []uint32 {
	var ids []uint32
	for _, t := range analysis.Terms(text) {
		if id, ok := ix.vocab.lookup(t); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// articleTermIDs returns the sorted term ids of a passage's whole article.
func (ix *Index) articleTermIDs(p Passage) []uint32 {
	if p.rec != nil && p.rec.art != nil {
		return p.rec.articleTerms()
	}
	ids := ix.textIDs(p.Article.Title + "\n" + p.Article.Text)
	slices.Sort(ids)
	return slices.Compact(ids)
}
