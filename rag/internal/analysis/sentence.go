package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// abbreviations end with a period that does not end a sentence when a
// capitalised word follows ("Mr. Biden", "Nov. 15", "Calif. Gov.").
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sen": true, "rep": true, "gov": true,
	"gen": true, "col": true, "lt": true, "sgt": true, "capt": true, "cmdr": true, "adm": true, "maj": true,
	"st": true, "jr": true, "sr": true, "rev": true, "hon": true, "pres": true, "sec": true, "amb": true,
	"inc": true, "corp": true, "co": true, "ltd": true, "llc": true, "dept": true, "univ": true, "assn": true,
	"vs": true, "etc": true, "approx": true, "no": true, "nos": true, "vol": true, "fig": true, "p": true, "pp": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true,
	"sept": true, "oct": true, "nov": true, "dec": true,
	"ala": true, "ariz": true, "ark": true, "calif": true, "colo": true, "conn": true, "fla": true,
	"kan": true, "ky": true, "md": true,
	"mich": true, "minn": true, "mont": true, "neb": true, "nev": true, "okla": true,
	"tenn": true, "tex": true, "va": true, "vt": true, "wis": true, "wyo": true,
	"u.s": true, "u.k": true, "u.n": true, "e.g": true, "i.e": true, "a.m": true, "p.m": true, "d.c": true,
}

// SplitSentences splits text into sentences, as byte spans that exclude the
// surrounding white space. A sentence ends at '.', '!', '?' or '…' (with any
// closing quotes or brackets) followed by white space and a capital, digit or
// opening quote, unless the period ends a known abbreviation or an initial
// ("G. Stanley Hall"). A blank line always ends a sentence. Every
// non-space byte of text lies in exactly one span.
func SplitSentences(text string) []Span {
	var out []Span
	start := -1
	emit := func(end int) {
		if start < 0 {
			return
		}
		s := strings.TrimRightFunc(text[start:end], unicode.IsSpace)
		if s != "" {
			out = append(out, Span{start, start + len(s)})
		}
		start = -1
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if start < 0 {
			if unicode.IsSpace(r) {
				i += n
				continue
			}
			start = i
		}
		if r == '\n' && strings.HasPrefix(strings.TrimLeft(text[i+n:], " \t\r"), "\n") {
			emit(i)
			i += n
			continue
		}
		if r != '.' && r != '!' && r != '?' && r != '…' {
			i += n
			continue
		}
		// Take the whole run of terminal punctuation and closing marks.
		j := i + n
		for j < len(text) {
			r2, n2 := utf8.DecodeRuneInString(text[j:])
			if !strings.ContainsRune(".!?…\"'”’)]»", r2) {
				break
			}
			j += n2
		}
		if j >= len(text) {
			i = j
			continue
		}
		// White space must follow, then a sentence start.
		k := j
		for k < len(text) {
			r2, n2 := utf8.DecodeRuneInString(text[k:])
			if !unicode.IsSpace(r2) {
				break
			}
			k += n2
		}
		if k == j || k >= len(text) {
			i = j
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[k:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune("\"'“‘([", next) || isIdeograph(next)) {
			i = j
			continue
		}
		if r == '.' && j == i+n && IsAbbreviation(text[start:i]) {
			i = j
			continue
		}
		emit(j)
		i = j
	}
	emit(len(text))
	return out
}

// IsAbbreviation reports whether the word that ends before (the period at
// the end of) prefix is an abbreviation or a single-letter initial.
func IsAbbreviation(prefix string) bool {
	k := strings.LastIndexFunc(prefix, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '"' || r == '“' })
	w := prefix[k+1:]
	if k >= 0 {
		_, n := utf8.DecodeRuneInString(prefix[k:])
		w = prefix[k+n:]
	}
	if w == "" {
		return false
	}
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsUpper(r) // an initial
	}
	return abbreviations[strings.ToLower(w)]
}
