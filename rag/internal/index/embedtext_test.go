package index

import (
	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/chunk"
	"citebot/rag/internal/embed"
	"context"
	"slices"
	"testing"
)

// joinTexts returns edge cases and the first shipped article: its title,
// its text and its passages as the index embeds them.
func joinTexts(t *testing.T) []string {
	t.Helper()
	arts, err := corpus.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	a := arts[0]
	texts := []string{
		"", "the of and", "Xi", "Biden–Xi call: U.S. and E.U. officials' 3.5% 1,000 naïve Zürich 習近平会谈 ภาษาไทย",
		"negotiations negotiations negotiations", "United States United Nations New York",
		a.Title, a.Text,
	}
	for _, c := range chunk.DefaultChunker().Split(a) {
		texts = append(texts, embeddingText(a.Title, c.Text))
	}
	return texts[:min(len(texts), 12)]
}

// TestTokensJoinLikeText checks the identity the index relies on to
// tokenise a chunk once: the tokens of title + "\n\n" + text are the
// title's tokens and the text's, with a multi-word name across the break
// merged.
func TestTokensJoinLikeText(t *testing.T) {
	texts := joinTexts(t)
	titles := []string{"", "Talks in New", "Leaders of the U.S.", "Biden's", "3.5", "Xi Jinping", "習近平"}
	starts := []string{"York officials said", "States and China", "U.N. envoy", "'s aides", ".5 percent", "— the call"}
	for _, title := range titles {
		for _, text := range append(starts, texts...) {
			want := analysis.Tokenize(embeddingText(title, text))
			got := analysis.JoinAliases(append(analysis.Tokenize(title), analysis.Tokenize(text)...))
			if len(got) != len(want) {
				t.Fatalf("%q + %.30q: %d tokens, want %d", title, text, len(got), len(want))
			}
			for i := range want {
				if got[i].Lower != want[i].Lower || got[i].Term != want[i].Term {
					t.Fatalf("%q + %.30q: token %d is %q/%q, want %q/%q", title, text, i, got[i].Lower, got[i].Term, want[i].Lower, want[i].Term)
				}
			}
			e := embed.NewLocalEmbedder(0)
			docs, err := e.EmbedDocuments(context.Background(), []string{embeddingText(title, text)})
			if err != nil {
				t.Fatal(err)
			}
			if v := e.EmbedDocumentTokens(got); !slices.Equal(v, docs[0]) {
				t.Fatalf("%q + %.30q: vector from tokens differs from EmbedDocuments", title, text)
			}
		}
	}
}
