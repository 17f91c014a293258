package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsAlpha reports whether s is a non-empty run of letters.
func IsAlpha(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// EditDistance is the Damerau–Levenshtein distance (adjacent
// transpositions count one) between a and b, or limit+1 once it exceeds limit.
func EditDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if max(len(ra)-len(rb), len(rb)-len(ra)) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// SentenceInitial reports whether the word at text[i:] starts a sentence
// or a line, where a capital says nothing.
func SentenceInitial(text string, i int) bool {
	j := strings.LastIndexFunc(text[:i], func(r rune) bool { return !unicode.IsSpace(r) && !strings.ContainsRune("\"“‘'(", r) })
	if j < 0 {
		return true
	}
	if strings.ContainsAny(text[j+1:i], "\n") {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:j+1])
	return strings.ContainsRune(".!?:…—", r)
}
