package reading

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/index"
	"citebot/rag/internal/question"
)

// Acronyms people type that the articles spell out ("npc" for "National
// People's Congress", "AI" for "artificial intelligence", "g20" for
// "Group of 20") are expanded from the articles retrieved for the rest of
// the question: no list of acronyms is kept.

// acronymRE matches a word that may be an acronym: two to five letters,
// or letters and a number ("g20").
var acronymRE = regexp.MustCompile(`^(?:\p{L}{2,5}|\p{L}{1,3}\d{1,3})$`)

// phraseWordRE finds the words of an article for acronym expansion.
var phraseWordRE = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’-]*`)

// unknownAcronyms returns the words of a question read that may be
// acronyms the corpus does not use as such.
func (ix Reader) UnknownAcronyms(text string) []string {
	lx := ix.Vocabulary()
	var out []string
	for _, w := range tokenRE.FindAllString(text, -1) {
		low := strings.ToLower(w)
		if !acronymRE.MatchString(w) || question.QuestionWords[low] || fillerWords[low] || analysis.IsStop(low, false) {
			continue
		}
		t := analysis.Stem(low)
		if lx.DF(t) > 0 {
			continue
		}
		// A lower-case word of the English word list is a word ("cup"),
		// unless written in capitals ("AI") or of two letters, which
		// people type for acronyms more than for rare words ("ai").
		if w == low && len(low) > 2 && dictionaryWord(low) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// expandAcronyms replaces each acronym of text that the passages' articles
// spell out with its most frequent spelling there. It returns text
// unchanged when none is found.
func ExpandAcronyms(text string, acronyms []string, passages []index.Passage) string {
	seen := map[string]bool{}
	var texts []string
	for _, p := range passages {
		if !seen[p.ArticleID] {
			seen[p.ArticleID] = true
			texts = append(texts, p.Article.Title, p.Article.Text)
		}
	}
	for _, a := range acronyms {
		if exp := spelledOut(a, texts); exp != "" {
			text = replaceWord(text, a, exp)
		}
	}
	return text
}

// spelledOut returns the phrase of texts whose initials spell acronym a,
// small words inside skipped ("Group of 20" for "g20"): the most frequent
// capitalised one, else, for acronyms of two or three letters, the most
// frequent lower-case one of content words ("artificial intelligence").
func spelledOut(a string, texts []string) string {
	want := splitAcronym(strings.ToLower(a))
	counts := map[string]int{}
	capital := map[string]bool{}
	for _, text := range texts {
		locs := phraseWordRE.FindAllStringIndex(text, -1)
		for i := range locs {
			if end, ok := matchInitials(text, locs, i, want); ok {
				phrase := text[locs[i][0]:locs[end][1]]
				counts[phrase]++
				if isTitleCase(text, locs[i:end+1]) {
					capital[phrase] = true
				}
			}
		}
	}
	best, bestN := "", 0
	for p, n := range counts {
		if !capital[p] && (len(want) > 3 || !contentWords(p)) {
			continue
		}
		// Capitalised spellings first, then the most frequent, then the
		// first in order.
		if capital[p] && !capital[best] || (capital[p] == capital[best] && (n > bestN || (n == bestN && p < best))) {
			best, bestN = p, n
		}
	}
	return best
}

// splitAcronym splits an acronym into what each word must start with:
// letters one by one, a number whole ("g20" → g, 20).
func splitAcronym(a string) []string {
	var out []string
	for i := 0; i < len(a); {
		r, n := utf8.DecodeRuneInString(a[i:])
		if unicode.IsDigit(r) {
			j := i
			for j < len(a) && a[j] >= '0' && a[j] <= '9' {
				j++
			}
			out = append(out, a[i:j])
			i = j
			continue
		}
		out = append(out, string(r))
		i += n
	}
	return out
}

// acronymGlue are the small words a spelled-out name may hold without an
// initial of their own: "Group of 20", "Code for Unplanned Encounters at
// Sea".
var acronymGlue = map[string]bool{"of": true, "for": true, "and": true, "the": true, "at": true, "on": true, "in": true, "&": true}

// matchInitials reports whether the words from locs[i] spell want, and the
// index of the last word.
func matchInitials(text string, locs [][]int, i int, want []string) (int, bool) {
	k := 0
	for j := i; j < len(locs) && j < i+2*len(want)+1; j++ {
		w := strings.ToLower(text[locs[j][0]:locs[j][1]])
		if k > 0 && acronymGlue[w] {
			continue
		}
		part := want[k]
		if part[0] >= '0' && part[0] <= '9' {
			if w != part {
				return 0, false
			}
		} else if !strings.HasPrefix(w, part) || len(w) < 2 {
			return 0, false
		}
		k++
		if k == len(want) {
			return j, j > i
		}
		if j+1 < len(locs) && strings.ContainsAny(text[locs[j][1]:locs[j+1][0]], ".,;:!?()\n") {
			return 0, false // a phrase does not run across punctuation
		}
	}
	return 0, false
}

// isTitleCase reports whether every word of a phrase that is not a small
// word starts with a capital or a digit.
func isTitleCase(text string, locs [][]int) bool {
	for _, l := range locs {
		w := text[l[0]:l[1]]
		if acronymGlue[strings.ToLower(w)] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// contentWords reports whether a phrase has no stop words.
func contentWords(p string) bool {
	for _, w := range strings.Fields(p) {
		if analysis.IsStop(strings.ToLower(w), false) {
			return false
		}
	}
	return true
}

// replaceWord replaces the whole word w in text with rep.
func replaceWord(text, w, rep string) string {
	re := regexp.MustCompile(`(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(w) + `($|[^\p{L}\p{N}])`)
	return re.ReplaceAllString(text, "${1}"+strings.ReplaceAll(rep, "$", "$$")+"${2}")
}
