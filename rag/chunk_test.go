package rag_test

import (
	"strings"
	"testing"
	"unicode"

	"citebot/corpus"
	"citebot/rag"
	"citebot/rag/internal/analysis"
)

// checkChunks verifies the chunker's invariants on one article: chunks are
// exact substrings at their offsets, in order, within the size limit unless a
// single piece is longer, never start or end inside a sentence, and together
// cover every non-space byte of the text.
func checkChunks(t *testing.T, a corpus.Article, c rag.Chunker, chunks []rag.Chunk) {
	t.Helper()
	if strings.TrimSpace(a.Text) == "" {
		if len(chunks) != 0 {
			t.Errorf("empty text: got %d chunks", len(chunks))
		}
		return
	}
	if len(chunks) == 0 {
		t.Fatalf("no chunks for %d bytes of text", len(a.Text))
	}
	// Chunks start and end at sentence boundaries, or anywhere inside a
	// sentence longer than the limit (which is cut into pieces).
	starts := map[int]bool{}
	ends := map[int]bool{}
	for _, s := range analysis.SplitSentences(a.Text) {
		starts[s.Start] = true
		ends[s.End] = true
		if s.End-s.Start > c.MaxChars {
			for j := s.Start; j <= s.End; j++ {
				starts[j], ends[j] = true, true
			}
		}
	}
	covered := make([]bool, len(a.Text))
	prevStart := -1
	for i, ch := range chunks {
		if ch.Text != a.Text[ch.Start:ch.End] {
			t.Errorf("chunk %d: text does not match offsets", i)
		}
		if ch.ArticleID != a.ID || ch.Title != a.Title || !ch.Published.Equal(a.Published) || ch.Seq != i {
			t.Errorf("chunk %d: metadata %q %q %v seq %d", i, ch.ArticleID, ch.Title, ch.Published, ch.Seq)
		}
		if ch.Start <= prevStart {
			t.Errorf("chunk %d starts at %d, not after the previous start %d", i, ch.Start, prevStart)
		}
		prevStart = ch.Start
		if len(ch.Text) > c.MaxChars {
			t.Errorf("chunk %d: %d bytes over the limit %d", i, len(ch.Text), c.MaxChars)
		}
		// A chunk that is not cut from an overlong sentence starts and ends
		// at sentence boundaries.
		if !starts[ch.Start] || !ends[ch.End] {
			t.Errorf("chunk %d cuts a sentence: %.40q … %.40q", i, ch.Text, ch.Text[max(0, len(ch.Text)-40):])
		}
		for j := ch.Start; j < ch.End; j++ {
			covered[j] = true
		}
	}
	for j, r := range a.Text {
		if !covered[j] && !unicode.IsSpace(r) {
			t.Fatalf("byte %d (%q) is in no chunk", j, a.Text[j:min(j+20, len(a.Text))])
		}
	}
}

func TestChunkerInvariants(t *testing.T) {
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	long := corpus.Article{ID: "long", Title: "Long", Text: strings.Repeat("word ", 700) + "end."}
	nospace := corpus.Article{ID: "nospace", Title: "No space", Text: strings.Repeat("x", 2500)}
	unicodeArt := corpus.Article{ID: "u", Text: strings.Repeat("日本語のテキスト。", 300)}
	for _, c := range []rag.Chunker{rag.DefaultChunker(), {MaxChars: 200, OverlapChars: 60}, {MaxChars: 4000, OverlapChars: 0}} {
		for _, a := range append(arts, long, nospace, unicodeArt) {
			t.Run(a.ID, func(t *testing.T) {
				checkChunks(t, a, c, c.Split(a))
			})
		}
	}
}

func TestChunkerOverlap(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 40; i++ {
		sb.WriteString("This is sentence number " + strings.Repeat("x", i%7) + " in the text. ")
	}
	a := corpus.Article{ID: "a", Text: strings.TrimSpace(sb.String())}
	c := rag.Chunker{MaxChars: 300, OverlapChars: 100}
	chunks := c.Split(a)
	if len(chunks) < 3 {
		t.Fatalf("got %d chunks, want several", len(chunks))
	}
	for i := 1; i < len(chunks); i++ {
		prev, cur := chunks[i-1], chunks[i]
		if cur.Start >= prev.End {
			t.Errorf("chunk %d starts at %d, after the previous end %d: no overlap", i, cur.Start, prev.End)
		}
		if prev.End-cur.Start > c.OverlapChars {
			t.Errorf("chunk %d overlaps %d bytes, more than %d", i, prev.End-cur.Start, c.OverlapChars)
		}
	}
}

func TestChunkerPrefersParagraphBreaks(t *testing.T) {
	p1 := strings.Repeat("Alpha sentence here. ", 30)
	p2 := strings.Repeat("Beta sentence here. ", 10)
	a := corpus.Article{ID: "p", Text: strings.TrimSpace(p1) + "\n\n" + strings.TrimSpace(p2)}
	chunks := rag.Chunker{MaxChars: 1000, OverlapChars: 0}.Split(a)
	if len(chunks) != 2 || strings.Contains(chunks[0].Text, "Beta") {
		t.Errorf("got %d chunks, first %.60q…; want the paragraph break to end the first chunk", len(chunks), chunks[0].Text)
	}
}
