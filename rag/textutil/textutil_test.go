package textutil_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"citebot/rag/textutil"
)

func TestShorten(t *testing.T) {
	tests := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"fits", "short text", 10, "short text"},
		{"empty", "", 5, ""},
		{"no room", "anything", 0, ""},
		{"negative", "anything", -3, ""},
		{"cut at a word", "the quick brown fox jumps", 12, "the quick…"},
		// cmd's copy returned n+1 runes here: "the quick brown…".
		{"boundary just past n", "the quick brown fox", 15, "the quick…"},
		{"punctuation before the cut dropped", "one, two; three: four five", 17, "one, two; three…"},
		{"no space in the second half splits the word", "a supercalifragilistic word", 10, "a superca…"},
		{"runes not bytes", "héllo wörld ünïcode", 12, "héllo wörld…"},
		{"one rune", "abc", 1, "…"},
		{"line breaks are white space", "first line\nsecond line", 15, "first line…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := textutil.Shorten(tt.s, tt.n)
			if got != tt.want {
				t.Errorf("Shorten(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); tt.n >= 0 && n > tt.n {
				t.Errorf("Shorten(%q, %d) has %d runes, want at most %d", tt.s, tt.n, n, tt.n)
			}
		})
	}
}

// TestShortenNeverExceedsN checks the bound for every length of texts
// with and without white space.
func TestShortenNeverExceedsN(t *testing.T) {
	texts := []string{strings.Repeat("word ", 40), strings.Repeat("x", 200), strings.Repeat("ab, ", 50), strings.Repeat("é ", 100)}
	for _, s := range texts {
		for n := 0; n <= utf8.RuneCountInString(s)+1; n++ {
			for _, from := range []int{0, n / 2, n * 4 / 5, n} {
				if got := textutil.ShortenFrom(s, n, from); utf8.RuneCountInString(got) > n {
					t.Fatalf("ShortenFrom(%q, %d, %d) = %q, %d runes, want at most %d", s, n, from, got, utf8.RuneCountInString(got), n)
				}
			}
		}
	}
}

func TestShortenFrom(t *testing.T) {
	tests := []struct {
		name    string
		s       string
		n, from int
		want    string
	}{
		{"boundary after from", "aaaa bbbbbbbbbb", 10, 2, "aaaa…"},
		{"boundary before from is ignored", "aaaa bbbbbbbbbb", 10, 7, "aaaa bbbb…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textutil.ShortenFrom(tt.s, tt.n, tt.from); got != tt.want {
				t.Errorf("ShortenFrom(%q, %d, %d) = %q, want %q", tt.s, tt.n, tt.from, got, tt.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ s, want string }{
		{"", ""},
		{"  a  b ", "a b"},
		{"line one\nline two\r\n\tthree", "line one line two three"},
		{"\u00a0non-breaking\u2003spaces", "non-breaking spaces"},
	}
	for _, tt := range tests {
		if got := textutil.OneLine(tt.s); got != tt.want {
			t.Errorf("OneLine(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0 articles"}, {1, "1 article"}, {2, "2 articles"}, {-1, "-1 articles"}}
	for _, tt := range tests {
		if got := textutil.Plural(tt.n, "article"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
