package analysis

import (
	"regexp"
	"strings"
	"unicode"
)

// titleSuffixRE matches the outlet a headline ends with: " - CNN",
// " | CNN Business".
var titleSuffixRE = regexp.MustCompile(`\s+[-|–—]\s+[^-|–—]{1,40}$`)

// titleNoteRE matches a note in brackets a title ends with: "(paragraph 3)".
var titleNoteRE = regexp.MustCompile(`\s*\([^()]*\)$`)

// minHeadlineWords is the fewest words a title needs to be read as a
// headline: a shorter one ("Normans") names a topic, not news.
const minHeadlineWords = 4

// Headline returns a title without its outlet suffix, and the suffix. The
// title is "" when it is no headline that states news: shorter than
// minHeadlineWords, a question, or without lower-case words or written in
// title case ("New York CNN Business —", a dateline taken for a title),
// where capitals do not mark names.
func Headline(full string) (title, outlet string) {
	title = full
	for {
		t := titleSuffixRE.ReplaceAllString(title, "")
		if t == title {
			break
		}
		title = t
	}
	outlet = strings.Trim(full[len(title):], " -|–—")
	if len(strings.Fields(titleNoteRE.ReplaceAllString(title, ""))) < minHeadlineWords || strings.HasSuffix(title, "?") {
		return "", outlet
	}
	words, caps, lower := 0, 0, false
	for _, w := range strings.Fields(title) {
		r := []rune(strings.Trim(w, `"'‘’“”(`))
		if len(r) >= 3 && unicode.IsLower(r[0]) {
			lower = true
		}
		if len(r) < 4 || !unicode.IsLetter(r[0]) {
			continue
		}
		words++
		if unicode.IsUpper(r[0]) {
			caps++
		}
	}
	if !lower || (words >= 3 && caps*5 >= words*4) {
		return "", outlet
	}
	return title, outlet
}
