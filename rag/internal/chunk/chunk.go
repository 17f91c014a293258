package chunk

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
)

// Chunk is a passage of an article: a run of whole sentences.
type Chunk struct {
	// ID is "<article id>#<seq>".
	ID string
	// ArticleID, Title and Published repeat the article's metadata.
	ArticleID string
	Title     string
	Published time.Time
	// Seq numbers the chunks of an article from 0.
	Seq int
	// Start and End are byte offsets of Text in the article's Text.
	Start, End int
	// Text is the passage, exactly Article.Text[Start:End].
	Text string
}

// Chunker splits articles into overlapping passages of whole sentences.
type Chunker struct {
	// MaxChars is the largest chunk in bytes. A single sentence longer than
	// this is split at word boundaries. Default 1000.
	MaxChars int
	// OverlapChars is the most trailing text, in whole sentences, that a chunk
	// repeats from the previous one. Default 250.
	OverlapChars int
}

// DefaultChunker returns a Chunker with the default sizes.
func DefaultChunker() Chunker { return Chunker{MaxChars: 1000, OverlapChars: 250} }

// Split returns the chunks of a. Every sentence of a.Text lies in at least
// one chunk; chunks never cut a sentence unless it is longer than MaxChars.
// A paragraph break ends a chunk that is already more than half full.
func (c Chunker) Split(a corpus.Article) []Chunk {
	max := c.MaxChars
	if max <= 0 {
		max = DefaultChunker().MaxChars
	}
	overlap := c.OverlapChars
	if overlap < 0 || overlap*2 >= max {
		overlap = max / 4
	}
	sents := pieces(a.Text, analysis.SplitSentences(a.Text), max)
	var chunks []Chunk
	emit := func(from, to int) { // sentence indexes [from, to)
		s, e := sents[from].Start, sents[to-1].End
		chunks = append(chunks, Chunk{
			ID:        fmt.Sprintf("%s#%d", a.ID, len(chunks)),
			ArticleID: a.ID, Title: a.Title, Published: a.Published,
			Seq: len(chunks), Start: s, End: e, Text: a.Text[s:e],
		})
	}
	from := 0
	for from < len(sents) {
		to := from + 1
		for to < len(sents) {
			if sents[to].End-sents[from].Start > max {
				break
			}
			// Prefer to end at a paragraph break once the chunk is half full.
			if sents[to-1].End-sents[from].Start > max/2 && paragraphBreak(a.Text, sents[to-1].End, sents[to].Start) {
				break
			}
			to++
		}
		emit(from, to)
		if to >= len(sents) {
			break
		}
		// Start the next chunk with trailing sentences that fit the overlap,
		// but always make progress.
		next := to
		for next-1 > from && sents[to-1].End-sents[next-1].Start <= overlap {
			next--
		}
		from = next
	}
	return chunks
}

// paragraphBreak reports whether a blank line lies between two offsets.
func paragraphBreak(text string, from, to int) bool {
	n := 0
	for _, r := range text[from:to] {
		if r == '\n' {
			n++
		}
	}
	return n >= 2
}

// pieces splits sentences longer than max at white space (or, failing that,
// at a rune boundary) into parts of at most max bytes.
func pieces(text string, sents []analysis.Span, max int) []analysis.Span {
	out := make([]analysis.Span, 0, len(sents))
	for _, s := range sents {
		for s.End-s.Start > max {
			cut := s.Start + max
			for cut > s.Start && !utf8.RuneStart(text[cut]) {
				cut--
			}
			ws := cut
			for ws > s.Start+max/2 {
				r, _ := utf8.DecodeLastRuneInString(text[:ws])
				if unicode.IsSpace(r) {
					break
				}
				_, n := utf8.DecodeLastRuneInString(text[:ws])
				ws -= n
			}
			if ws > s.Start+max/2 {
				cut = ws
			}
			end := cut
			for end > s.Start {
				r, n := utf8.DecodeLastRuneInString(text[:end])
				if !unicode.IsSpace(r) {
					break
				}
				end -= n
			}
			if end > s.Start {
				out = append(out, analysis.Span{Start: s.Start, End: end})
			}
			for cut < s.End {
				r, n := utf8.DecodeRuneInString(text[cut:])
				if !unicode.IsSpace(r) {
					break
				}
				cut += n
			}
			s.Start = cut
		}
		if s.End > s.Start {
			out = append(out, s)
		}
	}
	return out
}
