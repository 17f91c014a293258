package corpus

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// cleaned is what clean makes of a raw article body.
type cleaned struct {
	title     string
	author    string
	source    string
	published time.Time
	body      string
	// dropped lists the boilerplate removed from the body, for tests and
	// diagnostics.
	dropped []string
}

var (
	// A dateline such as " date 2021-10-22 By Trevor Hunnicutt" or
	// "Published: January 2, 2006".
	datelineRE = regexp.MustCompile(`(?i)^(?:date|dated|published(?: on)?|posted(?: on)?|updated(?: on)?)\s*[:\-–]?\s*(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}|[A-Z][a-z]+\.? \d{1,2},? \d{4})\b[\s,;|–-]*(.*)$`)
	// A byline on its own: "By Jane Doe and John Roe".
	bylineRE = regexp.MustCompile(`^(?i:by)\s+([\p{Lu}][\p{L}.'’-]*(?:\s+[\p{L}.'’-]+){0,3}(?:\s*(?:,|and|&)\s*[\p{Lu}][\p{L}.'’-]*(?:\s+[\p{L}.'’-]+){0,3})*)\.?$`)
	// A lead paragraph that only says where a report comes from and who
	// sent it: "CNN —", "Paris CNN Business —", "New York (CNN Business) —".
	placeLineRE = regexp.MustCompile(`^[\p{Lu}][\p{L}\p{N} .,'’()&]{0,50}?\s*[—–]$`)
	// "WASHINGTON (Reuters) –" at the start of a lead paragraph names the outlet.
	wireRE = regexp.MustCompile(`^[\p{Lu}][\p{Lu} .,'-]{1,40}\s\(([A-Z][A-Za-z.&]*(?: [A-Z][A-Za-z.&]*){0,2})\)\s*[–—-]`)
	// A caption ends with the date the photo was taken: "… in Woodside, Calif., on Nov, 15, 2023."
	captionDateRE = regexp.MustCompile(`(?i)\b(?:on\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{1,2},?\s+\d{4}\.?$`)
	// Photo credits mark a caption wherever it stands.
	photoCreditRE = regexp.MustCompile(`(?i)(\((?:photo|image|picture|file photo)[^)]*\)|^(?:photo|image|picture|file photo)\s*(?:credit)?\s*:|\b(?:getty images|ap photo|afp via getty|reuters/[a-z]+|shutterstock)\b)`)
	// Auxiliaries that real sentences have and captions ("Biden greets Xi …") lack.
	auxiliaryRE = regexp.MustCompile(`(?i)\b(?:was|were|will|would|had|has|have|said|says|is expected)\b`)
	// Inline advertisements and calls to action, removed wherever they appear.
	adSentenceREs = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bAre you on (?:Telegram|WhatsApp|Signal|Viber)\?\s*(?:Subscribe|Join|Follow)[^.!?]*[.!?]`),
		regexp.MustCompile(`(?i)\b(?:Subscribe|Sign up) (?:to|for) (?:our|the) (?:channel|newsletter|podcast|updates)[^.!?]*[.!?]`),
		regexp.MustCompile(`(?i)\bFollow us on (?:Twitter|X|Facebook|Instagram|Telegram|Google News)[^.!?]*[.!?]`),
		regexp.MustCompile(`(?i)\bClick here to [^.!?]*[.!?]`),
		regexp.MustCompile(`(?i)\bDownload (?:our|the) (?:free )?app[^.!?]*[.!?]`),
		// Icon names that leak from scraped "read more" buttons.
		regexp.MustCompile(`\b(?:ArrowRight|ArrowLeft|ChevronRight|ChevronLeft|ExternalLink)\b`),
	}
	// Paragraphs that are page furniture, not article text: the
	// newsletter a story belongs to ("A version of this story first
	// appeared in … newsletter. Sign up here.") among them.
	furnitureRE = regexp.MustCompile(`(?i)^(?:advertisement|skip advertisement|story continues below(?: advertisement)?|continue reading(?: below)?|read more:?.*|related(?: articles| stories| coverage)?:?|share(?: this(?: article| story)?)?:?|recommended|most read|sponsored(?: content)?|sign up for .{0,80}newsletter.*|(?:a version of this (?:story|article)|this (?:story|article) is part of) .{0,120}?\bnewsletter\b.*|\(?photo:.*)$`)
)

// clean splits raw text into paragraphs, strips boilerplate and extracts the
// headline, dateline and byline. The caller's metadata wins: title and date
// are only inferred when haveTitle or haveDate is false, but the lines that
// carry them are removed from the body either way.
func clean(raw string, haveTitle, haveDate bool) cleaned {
	var c cleaned
	paras := c.stripFurniture(paragraphs(raw))
	i, headline := c.lead(paras)
	body := c.dropCaptions(paras[i:], headline >= 0)
	if len(body) > 0 {
		if m := wireRE.FindStringSubmatch(body[0]); m != nil {
			c.source = m[1]
		}
	}
	if c.title == "" && !haveTitle && len(body) > 0 {
		c.title = fallbackTitle(body[0])
	}
	if haveDate {
		c.published = time.Time{}
	}
	c.body = strings.Join(body, "\n\n")
	return c
}

// stripFurniture strips inline advertisements and page furniture from
// every paragraph, in place, and returns the paragraphs left.
func (c *cleaned) stripFurniture(paras []string) []string {
	kept := paras[:0]
	for _, p := range paras {
		if mayHaveAd(p) { // most paragraphs skip the expressions
			for _, re := range adSentenceREs {
				if m := re.FindAllString(p, -1); m != nil {
					c.dropped = append(c.dropped, m...)
					p = collapseSpace(re.ReplaceAllString(p, " "))
				}
			}
		}
		if p == "" {
			continue
		}
		if furnitureRE.MatchString(p) {
			c.dropped = append(c.dropped, p)
			continue
		}
		kept = append(kept, p)
	}
	return kept
}

// lead reads the lead: datelines, bylines, section labels and the
// headline, in any order, within the first few paragraphs. It returns
// the index of the first body paragraph and that of the headline (-1:
// none).
func (c *cleaned) lead(paras []string) (i, headline int) {
	headline = -1
	for ; i < len(paras) && i < leadParagraphs; i++ {
		p := paras[i]
		if m := datelineRE.FindStringSubmatch(p); m != nil {
			if t, err := ParseDate(strings.ReplaceAll(m[1], "/", "-")); err == nil {
				if c.published.IsZero() {
					c.published = t
				}
				if rest := strings.TrimSpace(m[2]); rest != "" {
					if b := bylineRE.FindStringSubmatch(rest); b != nil {
						c.author = b[1]
					}
				}
				c.dropped = append(c.dropped, p)
				continue
			}
		}
		if b := bylineRE.FindStringSubmatch(p); b != nil && len(p) < 160 {
			c.author = b[1]
			c.dropped = append(c.dropped, p)
			continue
		}
		if i+1 < len(paras) && placeLineRE.MatchString(p) {
			c.dropped = append(c.dropped, p)
			continue
		}
		if i+1 < len(paras) && isSectionLabel(p) {
			c.dropped = append(c.dropped, p)
			continue
		}
		if headline < 0 && i+1 < len(paras) && isHeadline(p) {
			headline = i
			c.title = p
			c.dropped = append(c.dropped, p)
			continue
		}
		break
	}
	return i, headline
}

// dropCaptions drops photo captions: the paragraph right under the
// headline when it reads like one, or any short paragraph carrying a
// photo credit.
func (c *cleaned) dropCaptions(body []string, afterHeadline bool) []string {
	var kept []string
	for j, p := range body {
		if len(body) > 1 && isCaption(p, j == 0 && afterHeadline) {
			c.dropped = append(c.dropped, p)
			continue
		}
		kept = append(kept, p)
	}
	return kept
}

// leadParagraphs is how many paragraphs at the start of a text the
// cleaner looks at for a headline, dateline, byline and section labels.
const leadParagraphs = 6

// paragraphs splits text into trimmed paragraphs with single spaces. Blank
// lines separate paragraphs and lines inside one are joined (hard-wrapped
// text); a text without any blank line has one paragraph per line. In the
// lead, a dateline line stands alone when it starts a paragraph, or when it
// follows the first headline-like line (or a section label) with no blank
// line between.
func paragraphs(raw string) []string {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	raw = strings.ReplaceAll(raw, "\r", "\n")
	lines := strings.Split(raw, "\n")
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank = true
			break
		}
	}
	var out []string
	var cur []string
	flush := func() {
		if p := collapseSpace(strings.Join(cur, " ")); p != "" {
			out = append(out, p)
		}
		cur = cur[:0]
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		if blank && len(out) < leadParagraphs && isDateline(l) &&
			(len(cur) == 0 || len(cur) == 1 && !slices.ContainsFunc(out, isHeadline) && (isHeadline(collapseSpace(cur[0])) || isSectionLabel(collapseSpace(cur[0])))) {
			flush()
			cur = append(cur, l)
			flush()
			continue
		}
		cur = append(cur, l)
		if !blank {
			flush()
		}
	}
	flush()
	return out
}

// isDateline reports whether the line is a dateline with a date that
// parses ("date 2021-10-22 By Jane Doe", "Published: January 2, 2006").
func isDateline(line string) bool {
	m := datelineRE.FindStringSubmatch(collapseSpace(line))
	if m == nil {
		return false
	}
	_, err := ParseDate(strings.ReplaceAll(m[1], "/", "-"))
	return err == nil
}

// collapseSpace trims s and replaces every run of white space and control
// characters with one space.
func collapseSpace(s string) string {
	if collapsed(s) {
		// A copy all the same: s is often a line of the raw text, and a
		// title or byline kept from it must not hold the whole text.
		return strings.Clone(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u00ad' || r == '\ufeff' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isSectionLabel reports whether p is a section label such as "International"
// or "World News": at most three capitalised words and no punctuation.
func isSectionLabel(p string) bool {
	if len(p) > 32 {
		return false
	}
	words := strings.Fields(p)
	if len(words) == 0 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && w != "&" {
			return false
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '&' && r != '-' {
				return false
			}
		}
	}
	return true
}

// isHeadline reports whether p reads like a headline: one short line that
// does not end like a sentence.
func isHeadline(p string) bool {
	words := strings.Fields(p)
	if len(words) < 3 || len(words) > 30 || len(p) > 220 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(p)
	if strings.ContainsRune(".;,:…", last) {
		return false
	}
	// Headlines start with a capital (or a digit: "5 things …").
	first, _ := utf8.DecodeRuneInString(p)
	return unicode.IsUpper(first) || unicode.IsDigit(first) || first == '‘' || first == '"' || first == '“'
}

// isCaption reports whether p is a photo caption. underHeadline says p is
// the paragraph right under the headline, where wire captions stand.
func isCaption(p string, underHeadline bool) bool {
	words := countWords(p, 46)
	if words > 45 {
		return false
	}
	if mayHaveCredit(p) && photoCreditRE.MatchString(p) {
		return true
	}
	if !underHeadline || words > 30 || sentenceCount(p) > 1 {
		return false
	}
	return captionDateRE.MatchString(p) && !auxiliaryRE.MatchString(p)
}

// sentenceCount roughly counts sentences: terminal punctuation followed by a
// space and a capital letter, unless the period ends a short capitalised
// abbreviation ("Calif.", "Nov.", "Dr.").
func sentenceCount(p string) int {
	n := 1
	words := strings.Fields(p)
	for i := 0; i+1 < len(words); i++ {
		w := words[i]
		last, _ := utf8.DecodeLastRuneInString(w)
		next, _ := utf8.DecodeRuneInString(words[i+1])
		if !strings.ContainsRune(".!?", last) || !unicode.IsUpper(next) {
			continue
		}
		first, _ := utf8.DecodeRuneInString(w)
		if last == '.' && unicode.IsUpper(first) && utf8.RuneCountInString(w) <= 6 {
			continue
		}
		n++
	}
	return n
}

// fallbackTitle makes a title from the first sentence of the lead paragraph,
// cut at a word boundary near 90 characters.
func fallbackTitle(lead string) string {
	end := len(lead)
	for i, r := range lead {
		if (r == '.' || r == '!' || r == '?') && i+1 < len(lead) && lead[i+1] == ' ' && i >= 10 {
			end = i
			break
		}
	}
	s := strings.TrimRight(strings.TrimSpace(lead[:end]), ".")
	const max = 90
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	rs := []rune(s)
	cut := max
	for cut > 40 && !unicode.IsSpace(rs[cut]) {
		cut--
	}
	return strings.TrimRight(string(rs[:cut]), " ,;:–-") + "…"
}

// adHints are words one of which every pattern of adSentenceREs contains
// (lower-cased); a paragraph without any skips the regular expressions,
// which took most of the time of loading a large corpus.
var adHints = []string{"are you on", "subscribe", "sign up", "follow us on", "click here to", "download", "arrowright", "arrowleft", "chevronright", "chevronleft", "externallink"}

// mayHaveAd reports whether paragraph p contains one of adHints.
func mayHaveAd(p string) bool {
	// Only two letters outside ASCII lower-case to an ASCII one (İ to i,
	// the Kelvin sign to k); without them, an ASCII case-insensitive search
	// finds what searching strings.ToLower(p) would, without a copy.
	if strings.Contains(p, "\u0130") || strings.Contains(p, "\u212a") {
		l := strings.ToLower(p)
		for _, h := range adHints {
			if strings.Contains(l, h) {
				return true
			}
		}
		return false
	}
	return adHintSet.in(p)
}

// creditHints are words one of which every match of photoCreditRE contains
// ("photo", "image", "picture", "getty", "reuter" of "reuters/", "hutter"
// of "shutterstock"). None holds a k or an s, the only ASCII letters that
// (?i) also matches with a non-ASCII letter (the Kelvin sign, the long s),
// so an ASCII case-insensitive search finds every paragraph the expression
// could match. Most paragraphs have none and skip the expression, which
// took half the time of loading a large corpus.
var creditHints = []string{"photo", "image", "picture", "getty", "reuter", "hutter"}

// mayHaveCredit reports whether p contains one of creditHints, ASCII
// letters compared without case.
func mayHaveCredit(p string) bool { return creditHintSet.in(p) }

// Hint sets of adHints and creditHints.
var (
	adHintSet     = newFoldSet(adHints)
	creditHintSet = newFoldSet(creditHints)
)

// foldSet finds any of a few lower-case ASCII words in a text, with ASCII
// letters of the text compared without case, in one pass: the words are
// listed by their first byte.
type foldSet [256][]string

// newFoldSet returns the set of words, each lower-case ASCII.
func newFoldSet(words []string) *foldSet {
	var f foldSet
	for _, w := range words {
		f[w[0]] = append(f[w[0]], w)
	}
	return &f
}

// in reports whether s contains one of the set's words. It allocates
// nothing.
func (f *foldSet) in(s string) bool {
	for i := 0; i < len(s); i++ {
		for _, w := range f[s[i]|0x20] {
			if i+len(w) <= len(s) && equalFoldASCII(s[i+1:i+len(w)], w[1:]) {
				return true
			}
		}
	}
	return false
}

// equalFoldASCII reports whether s equals lower, a lower-case ASCII word
// of the same length, ASCII letters of s compared without case.
func equalFoldASCII(s, lower string) bool {
	for j := 0; j < len(lower); j++ {
		if s[j]|0x20 != lower[j] {
			return false
		}
	}
	return true
}

// countWords returns the number of words of p as strings.Fields splits
// them, counting no further than limit.
func countWords(p string, limit int) int {
	n := 0
	in := false
	for _, r := range p {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			in = true
			n++
			if n >= limit {
				return n
			}
		}
	}
	return n
}

// collapsed reports whether collapseSpace(s) is s: s is ASCII with no
// control characters, no leading or trailing space and no two spaces in a
// row. Most paragraphs of a JSONL corpus are, and are then copied without
// decoding them rune by rune.
func collapsed(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == ' ' && prev == ' ' {
			return false
		}
		prev = c
	}
	return true
}
