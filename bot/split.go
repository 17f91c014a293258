package bot

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// citationMarker matches a citation marker at the start of a string: [1],
// [12], [1, 2].
var citationMarker = regexp.MustCompile(`^\[\d+(?:\s*,\s*\d+)*\]`)

// abbreviations end with a period without ending a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "jr": true, "sr": true, "gen": true, "sen": true,
	"rep": true, "gov": true, "lt": true, "col": true, "sgt": true, "prof": true, "inc": true, "co": true,
	"corp": true, "ltd": true, "vs": true, "etc": true, "no": true, "jan": true, "feb": true, "mar": true,
	"apr": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "e.g": true,
	"i.e": true, "a.m": true, "p.m": true, "approx": true, "pres": true,
}

// Split cuts answer text into parts whose escaped form ([Escape]) is at most
// limit characters, for embeds and messages. It cuts between sentences
// (and paragraphs), never inside a citation marker and never between a
// sentence and the markers that follow it ("… California [1]." and
// "…tensions.” [1]." stay whole). A sentence longer than limit is cut
// between words; a word longer than limit is cut anywhere. Parts are
// trimmed; empty text gives none.
func Split(text string, limit int) []string {
	text = strings.TrimSpace(text)
	if text == "" || limit <= 0 {
		return nil
	}
	fits := func(s string) bool { return DiscordLen(Escape(strings.TrimSpace(s))) <= limit }
	if fits(text) {
		return []string{text}
	}
	var parts []string
	cur := ""
	flush := func() {
		if t := strings.TrimSpace(cur); t != "" {
			parts = append(parts, t)
		}
		cur = ""
	}
	for _, s := range sentences(text) {
		if fits(cur + s) {
			cur += s
			continue
		}
		flush()
		if fits(s) {
			cur = s
			continue
		}
		pieces := splitWords(s, fits)
		parts = append(parts, pieces[:len(pieces)-1]...)
		cur = pieces[len(pieces)-1]
	}
	flush()
	return parts
}

// sentences splits text into sentences, each with its trailing white space.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) || i == start {
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsSpace(r2) {
				break
			}
			j += s2
		}
		if j < len(text) && boundary(text[start:i], text[i:j], text[j:]) {
			out = append(out, text[start:j])
			start = j
		}
		i = j
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// boundary reports whether a sentence ends between before and after, which
// are separated by the white space gap.
func boundary(before, gap, after string) bool {
	if citationMarker.MatchString(after) {
		return false // markers belong to the sentence before them
	}
	if strings.Count(gap, "\n") >= 2 {
		return true // paragraph break
	}
	next, _ := utf8.DecodeRuneInString(after)
	if unicode.IsLower(next) {
		return false
	}
	b := strings.TrimRight(before, "\"'”’»)]*_")
	last, _ := utf8.DecodeLastRuneInString(b)
	switch last {
	case '!', '?', '…':
		return true
	case '.':
	default:
		return false
	}
	// A period after an abbreviation or an initial does not end a sentence.
	word := b[strings.LastIndexFunc(b, unicode.IsSpace)+1:]
	word = strings.TrimLeft(strings.TrimSuffix(word, "."), "\"'“‘(")
	if abbreviations[strings.ToLower(word)] {
		return false
	}
	if n := utf8.RuneCountInString(word); n == 1 && unicode.IsUpper([]rune(word)[0]) {
		return false // an initial: "John F. Kennedy"
	}
	if strings.Contains(word, ".") && len(word) <= 6 {
		return false // "U.S", "D.C"
	}
	return true
}

// splitWords cuts one over-long sentence between words (never before a
// citation marker), then inside words if a single word does not fit.
func splitWords(s string, fits func(string) bool) []string {
	var words []string
	start := 0
	for i, r := range s {
		if unicode.IsSpace(r) && i > start {
			rest := strings.TrimLeftFunc(s[i:], unicode.IsSpace)
			if !citationMarker.MatchString(rest) {
				words = append(words, s[start:i])
				start = i
			}
		}
	}
	words = append(words, s[start:])
	var out []string
	cur := ""
	for _, w := range words {
		if fits(cur + w) {
			cur += w
			continue
		}
		if strings.TrimSpace(cur) != "" {
			out = append(out, strings.TrimSpace(cur))
		}
		cur = w
		for !fits(cur) {
			head, tail := cutToFit(strings.TrimSpace(cur), fits)
			out = append(out, head)
			cur = tail
		}
	}
	out = append(out, strings.TrimSpace(cur))
	return out
}

// cutToFit splits s after the longest prefix that fits; the prefix has at
// least one rune.
func cutToFit(s string, fits func(string) bool) (string, string) {
	rs := []rune(s)
	lo, hi := 1, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(string(rs[:mid])) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(rs[:lo]), string(rs[lo:])
}
