package render

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// citationMarker matches a citation marker at the start of a string: [1],
// [12], [1, 2]; anyMarker matches one anywhere.
var (
	citationMarker = regexp.MustCompile(`^\[\d+(?:\s*,\s*\d+)*\]`)
	anyMarker      = regexp.MustCompile(`\[\d+(?:\s*,\s*\d+)*\]`)
)

// markerCursor finds the citation markers around increasing offsets of a
// text.
type markerCursor struct {
	ms [][]int
	k  int
}

func newMarkerCursor(s string) *markerCursor {
	return &markerCursor{ms: anyMarker.FindAllStringIndex(s, -1)}
}

// inside reports whether byte offset i is strictly inside a marker (a cut
// at i would split it) and returns the marker's start. Offsets must not
// decrease from one call to the next.
func (c *markerCursor) inside(i int) (start int, ok bool) {
	for c.k < len(c.ms) && c.ms[c.k][1] <= i {
		c.k++
	}
	if c.k < len(c.ms) && c.ms[c.k][0] < i {
		return c.ms[c.k][0], true
	}
	return 0, false
}

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
// trimmed; empty text gives none. Invalid UTF-8 becomes U+FFFD.
func Split(text string, limit int) []string {
	text = strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD"))
	if text == "" || limit <= 0 {
		return nil
	}
	p := &packer{limit: limit}
	if p.fits(text) {
		return []string{text}
	}
	for _, s := range sentences(text) {
		if p.add(s) {
			continue
		}
		p.flush()
		if p.add(s) {
			continue
		}
		// A sentence longer than a part: cut it between words.
		for _, w := range words(s) {
			if p.add(w) {
				continue
			}
			p.flush()
			if p.add(w) {
				continue
			}
			// A word longer than a part: cut it anywhere.
			rest := strings.TrimSpace(w)
			for {
				head, tail := cutToFit(rest, p.fits, limit)
				if tail == "" {
					p.add(head)
					break
				}
				p.parts = append(p.parts, head)
				rest = tail
			}
		}
	}
	p.flush()
	return p.parts
}

// packer collects pieces of text into parts whose escaped form is at most
// limit long. It tracks an upper bound of the current part's escaped
// length (the sum of its pieces' escaped lengths: escaping a piece on its
// own never gives less than escaping it in context), so that a part costs
// about one escape of its text, not one per piece.
type packer struct {
	limit int
	parts []string
	cur   string
	bound int
}

func (p *packer) fits(s string) bool { return DiscordLen(Escape(strings.TrimSpace(s))) <= p.limit }

// add appends piece to the current part if the part still fits.
func (p *packer) add(piece string) bool {
	n := DiscordLen(Escape(piece))
	if p.bound+n <= p.limit {
		p.cur += piece
		p.bound += n
		return true
	}
	if !p.fits(p.cur + piece) {
		return false
	}
	p.cur += piece
	// Untrimmed: the white space at the end counts once text follows it.
	p.bound = DiscordLen(Escape(p.cur))
	return true
}

// flush ends the current part.
func (p *packer) flush() {
	if t := strings.TrimSpace(p.cur); t != "" {
		p.parts = append(p.parts, t)
	}
	p.cur, p.bound = "", 0
}

// sentences splits text into sentences, each with its trailing white space.
func sentences(text string) []string {
	var out []string
	ms := newMarkerCursor(text)
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
		if _, inside := ms.inside(i); !inside && j < len(text) && boundary(text[start:i], text[i:j], text[j:]) {
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

// words cuts a sentence into words, each with the white space before it,
// never before a citation marker nor inside one.
func words(s string) []string {
	var out []string
	ms := newMarkerCursor(s)
	start := 0
	prevSpace := false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if space && !prevSpace && i > start {
			rest := strings.TrimLeftFunc(s[i:], unicode.IsSpace)
			if _, inside := ms.inside(i); !inside && !citationMarker.MatchString(rest) {
				out = append(out, s[start:i])
				start = i
			}
		}
		prevSpace = space
	}
	return append(out, s[start:])
}

// cutToFit splits s after the longest prefix that fits, but not inside a
// citation marker (it cuts before the marker instead, unless the marker
// starts s); the prefix has at least one rune. The tail is empty when all
// of s fits.
func cutToFit(s string, fits func(string) bool, limit int) (string, string) {
	// Every rune counts at least one, so no prefix longer than limit runes
	// fits: look at those only.
	end, n := len(s), 0
	for i := range s {
		if n == limit {
			end = i
			break
		}
		n++
	}
	if end == len(s) && fits(s) {
		return s, ""
	}
	rs := []rune(s[:end])
	lo, hi := 1, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(string(rs[:mid])) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	cut := len(string(rs[:lo]))
	window := s[:min(len(s), cut+2*limit)]
	if start, inside := newMarkerCursor(window).inside(cut); inside && start > 0 {
		cut = start
	}
	return s[:cut], s[cut:]
}
