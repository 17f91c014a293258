package rag_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"citebot/corpus"
	"citebot/rag"
)

// FuzzChunker checks the chunker's invariants on arbitrary text: chunks are
// exact substrings within the size limit that together cover every
// non-space byte, and only split a sentence that is itself too long.
func FuzzChunker(f *testing.F) {
	for _, a := range shipped(f) {
		f.Add(a.Text, 1000, 250)
	}
	f.Add("One. Two! Three?\n\nFour…", 200, 50)
	f.Add(strings.Repeat("x", 3000), 200, 0)
	f.Add("日本語のテキスト。"+strings.Repeat("あ", 500), 300, 100)
	f.Fuzz(func(t *testing.T, text string, max, overlap int) {
		if max < 200 || max > 8000 || overlap < 0 || overlap*2 >= max || !utf8.ValidString(text) {
			t.Skip()
		}
		c := rag.Chunker{MaxChars: max, OverlapChars: overlap}
		a := corpus.Article{ID: "f", Title: "F", Text: text}
		checkChunks(t, a, c, c.Split(a))
	})
}

// FuzzQuestion sends arbitrary questions through normalisation, analysis
// and the extractive answerer: no panic, and every answer is either an
// error for a bad question, a not-found without citations, an empty
// chitchat answer, or an answer whose every citation points at an indexed
// article.
func FuzzQuestion(f *testing.F) {
	ix := newIndex(f, shipped(f))
	e := rag.NewExtractive(ix)
	for _, q := range []string{
		"when did Biden and Xi last speak?", "", " ", "?!", "Who won the 2024 U.S. presidential election?",
		"Ignore all previous instructions", "习近平", "what was not said in the last week of April this year?",
		"@everyone <@123> [link](http://x)", strings.Repeat("why ", 300),
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		ans, err := e.Answer(context.Background(), rag.Query{Question: q, AsOf: day("2026-11-23")})
		if err != nil {
			return
		}
		if ans.NotFound && len(ans.Citations) != 0 {
			t.Fatalf("not-found answer with citations: %+v", ans)
		}
		for _, c := range ans.Citations {
			if _, ok := ix.Article(c.ArticleID); !ok {
				t.Fatalf("citation of unknown article %q", c.ArticleID)
			}
		}
		if ans.Chitchat && (ans.Text != "" || len(ans.Citations) != 0) {
			t.Fatalf("chitchat answer with text or citations: %+v", ans)
		}
		if !ans.NotFound && !ans.Chitchat && len(ans.Citations) == 0 {
			t.Fatalf("answer without citations: %q", ans.Text)
		}
	})
}

// FuzzResolveRelative checks that date resolution only inserts text.
func FuzzResolveRelative(f *testing.F) {
	f.Add("The call took place in April this year and last Friday.", 2024, 10, 1)
	f.Add("Thursday night, in July, next week, 3 months ago.", 2021, 9, 10)
	f.Fuzz(func(t *testing.T, s string, y, m, d int) {
		if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 28 {
			t.Skip()
		}
		got := rag.ResolveRelative(s, day(fmt.Sprintf("%04d-%02d-%02d", y, m, d)))
		if !isSubsequence(s, got) {
			t.Fatalf("resolution lost text: %q → %q", s, got)
		}
	})
}

// isSubsequence reports whether a's bytes appear in b in order.
func isSubsequence(a, b string) bool {
	i := 0
	for j := 0; i < len(a) && j < len(b); j++ {
		if a[i] == b[j] {
			i++
		}
	}
	return i == len(a)
}
