package index

import (
	"slices"

	"citebot/rag/events"
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
	toks := analysis.Tokenize(c.text())
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
	for _, sp := range analysis.SplitSentences(c.text()) {
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

// PassageSentence is a sentence of a passage with the ids of its terms
// (see [Index.TermID]).
type PassageSentence struct {
	// Start and End are byte offsets in the passage's Text.
	Start, End int
	// IDs are the term ids of the sentence, in order.
	IDs []uint32
}

// Sentences returns the sentences of a passage: precomputed for passages
// that come from Search, tokenised for others.
func (ix *Index) Sentences(p Passage) []PassageSentence {
	var out []PassageSentence
	if p.rec != nil {
		cs := p.rec.sentences()
		for i, sr := range cs.refs {
			out = append(out, PassageSentence{int(sr.start), int(sr.end), p.rec.sentenceTerms(cs, i)})
		}
		return out
	}
	for _, sp := range analysis.SplitSentences(p.Text) {
		out = append(out, PassageSentence{sp.Start, sp.End, ix.TextIDs(p.Text[sp.Start:sp.End])})
	}
	return out
}

// TextIDs returns the ids of the terms of text (see analysis.Terms) that
// the index knows, in order.
func (ix *Index) TextIDs(text string) []uint32 {
	var ids []uint32
	for _, t := range analysis.Terms(text) {
		if id, ok := ix.vocab.Lookup(t); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// ArticleTermIDs returns the sorted distinct term ids of a passage's whole
// article.
func (ix *Index) ArticleTermIDs(p Passage) []uint32 {
	if p.rec != nil && p.rec.art != nil {
		return p.rec.articleTerms()
	}
	ids := ix.TextIDs(p.Article.Title + "\n" + p.Article.Text)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// TermID returns the id of an index term, and whether the index knows it.
// Ids are stable for the life of the index.
func (ix *Index) TermID(term string) (uint32, bool) { return ix.vocab.Lookup(term) }

// Events returns the dated events of a passage's article (see package
// events): worked out once per article for passages that come from
// Search, extracted from p.Article for others.
func (ix *Index) Events(p Passage) []events.Event {
	if p.rec != nil && p.rec.art != nil {
		return p.rec.art.eventList()
	}
	return eventsOf(p.Article)
}

// Lede returns the first passage of the article of p, which must come
// from Search, with p's score; false for other passages.
func (ix *Index) Lede(p Passage) (Passage, bool) {
	if p.rec == nil || p.rec.art == nil || len(p.rec.art.chunks) == 0 {
		return Passage{}, false
	}
	a := p.rec.art
	c := a.chunks[0]
	return Passage{Chunk: c.chunk(), Article: a.art, rec: c, Score: p.Score}, true
}
