package render

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"citebot/rag/textutil"
)

// zwsp is the zero-width space put after @ in @everyone and @here.
const zwsp = "\u200b"

var (
	massMention = regexp.MustCompile(`(?i)@(everyone|here)`)
	// bareURL is a link Discord shows as itself; it is left unescaped so
	// that it stays a working link. It stops at characters that could
	// start other syntax.
	bareURL = regexp.MustCompile("https?://[^\\s<>\\[\\]()`\"]+")
	// markdownChars are escaped wherever they appear; '<' makes mention,
	// channel, emoji and timestamp syntax inert.
	markdownChars = "\\*_~|>#[]()`<"
	// swallowedEscapes are the characters a link may run into whose
	// escape it would swallow with harm: inline code, spoilers, emphasis.
	swallowedEscapes = "`|*_~\\"
)

// Escape returns s as literal Discord markdown: formatting characters
// (\ * _ ~ | > # [ ] ( ) ` <) are backslash-escaped, and so are list
// markers at the start of a line, so that article text and questions can
// add no formatting, headings, quotes, spoilers or masked links; mention
// syntax (<@id>, <@&id>, <#id>) is inert, and @everyone and @here get a
// zero-width space after the @. Bidirectional embeddings, overrides and
// isolates, invisible characters (zero-width space, word joiner, BOM) and
// control characters other than line breaks and tabs are removed first,
// so that they can neither reorder the surrounding layout nor hide syntax;
// zero-width joiners (emoji sequences) and direction marks stay.
// Bare http(s) URLs are kept as they are, so they stay links that show
// their real address, unless inline code, spoiler or emphasis syntax
// follows them directly; a URL escaped as text has its colon escaped, so
// that no link forms there and swallows the backslashes after it. Use it
// for message content, embed titles, descriptions and fields; use [Plain]
// where Discord renders no markdown (footers, button labels, choices).
func Escape(s string) string {
	s = massMention.ReplaceAllString(clean(s), "@"+zwsp+"$1")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	last := 0
	for _, loc := range bareURL.FindAllStringIndex(s, -1) {
		if loc[1] < len(s) && strings.IndexByte(swallowedEscapes, s[loc[1]]) >= 0 {
			// The backslash that escapes the next character would be read
			// as part of the link, leaving that character live
			// ("https://a.example`" would open inline code): the URL is
			// escaped as text, where no link forms.
			continue
		}
		escapeText(&b, s[last:loc[0]], last == 0)
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	escapeText(&b, s[last:], last == 0)
	return b.String()
}

// escapeText escapes markdown in s; atLineStart says whether s begins a line.
func escapeText(b *strings.Builder, s string, atLineStart bool) {
	lineStart := atLineStart
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if lineStart {
			// Skip indentation, then escape a list marker: "- ", "+ ", "1. ".
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			b.WriteString(s[i:j])
			i = j
			if i < len(s) {
				switch {
				case s[i] == '-' || s[i] == '+':
					b.WriteByte('\\')
				default:
					k := i
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					if k > i && k < len(s) && s[k] == '.' {
						b.WriteString(s[i:k])
						b.WriteString(`\.`)
						i = k + 1
					}
				}
			}
			lineStart = false
			continue
		}
		if r == '\n' {
			lineStart = true
		}
		if r < utf8.RuneSelf && strings.IndexByte(markdownChars, byte(r)) >= 0 || (r == ':' && schemeBefore(s, i)) {
			// A scheme's colon in escaped text is escaped too: no link may
			// form there and swallow the escapes after it ("http://\`").
			b.WriteByte('\\')
		}
		b.WriteString(s[i : i+size])
		i += size
	}
}

// schemeBefore reports whether the colon at s[i] ends "http" or "https"
// and starts "://".
func schemeBefore(s string, i int) bool {
	if !strings.HasPrefix(s[i:], "://") {
		return false
	}
	low := strings.ToLower(s[:i])
	return strings.HasSuffix(low, "http") || strings.HasSuffix(low, "https")
}

// Plain returns s for places where Discord shows text without markdown
// (embed footers, button labels, autocomplete choices): it is cleaned as
// by [Escape], white space and control characters collapse to single spaces,
// @everyone / @here get a zero-width space after the @, and so does the <
// of anything that looks like mention, channel, emoji or command syntax.
func Plain(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		case removed(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	s = massMention.ReplaceAllString(b.String(), "@"+zwsp+"$1")
	b.Reset()
	for i, r := range s {
		b.WriteRune(r)
		if r == '<' && i+1 < len(s) && strings.IndexByte("@#:/at", s[i+1]) >= 0 {
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// clean removes from s what could change how the text around it is laid
// out or hide what it says, and is never needed in news text: bidirectional
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
// invisible characters (zero-width space U+200B, word joiner and invisible
// operators U+2060–U+2064, U+FEFF, U+180E) and control characters other
// than line breaks and tabs; a carriage return becomes a line break.
// Invalid UTF-8 becomes U+FFFD. Zero-width joiners and non-joiners
// (emoji sequences, Persian) and the left-to-right and right-to-left marks
// stay.
func clean(s string) string {
	if !strings.ContainsFunc(s, removed) && utf8.ValidString(s) {
		return s
	}
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r':
			b.WriteByte('\n')
		case removed(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// removed reports whether clean drops r.
func removed(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true // C0 and C1 controls, DEL; \r is turned into \n
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidi embeddings, overrides, isolates
	case r == 0x200b, r >= 0x2060 && r <= 0x2064, r == 0xfeff, r == 0x180e:
		return true // invisible
	}
	return false
}

// DiscordLen is the length of s as Discord limits count it, in UTF-16 code
// units (an emoji outside the Basic Multilingual Plane counts two).
func DiscordLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// shorten cuts s to at most n runes, "…" included, at a word boundary
// in the last fifth when there is one: Discord's fields are short, so a
// long word costs less than the text a cut in the second half would lose.
func shorten(s string, n int) string { return textutil.ShortenFrom(s, n, (n-1)*4/5) }

// fitEscaped returns Escape(s), shortened so that it is at most limit long.
func fitEscaped(s string, limit int) string {
	if e := Escape(s); DiscordLen(e) <= limit {
		return e
	}
	// No more than limit runes can fit; shorten(s, n) for n <= limit looks
	// at the first n+1 runes only.
	s = firstRunes(s, limit+1)
	lo, hi := 0, min(utf8.RuneCountInString(s), limit) // largest n with a fitting result
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if DiscordLen(Escape(shorten(s, mid))) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return Escape(shorten(s, lo))
}

// fitPlain returns Plain(s) shortened to at most limit.
func fitPlain(s string, limit int) string {
	p := Plain(s)
	if DiscordLen(p) <= limit {
		return p
	}
	p = firstRunes(p, limit+1)
	for n := min(utf8.RuneCountInString(p), limit); n > 0; n-- {
		if q := shorten(p, n); DiscordLen(q) <= limit {
			return q
		}
	}
	return ""
}

// firstRunes returns the first n runes of s.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// LinkURL returns u when Discord accepts it as a link button or embed URL:
// an absolute http or https URL with a host, at most 512 characters,
// without user info, white space, control, invisible or bidirectional
// characters (which could make it look like another address); else "".
func LinkURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > 512 || !utf8.ValidString(u) || strings.ContainsFunc(u, func(r rune) bool {
		return unicode.IsSpace(r) || removed(r) || unicode.Is(unicode.Cf, r)
	}) {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	return u
}

// answerEmphasis is the answerer's mark of the likely answer span,
// "**April 2024**" (see rag's extractive answers).
var answerEmphasis = regexp.MustCompile(`\*\*([^*\n]{1,200})\*\*`)

// EscapeAnswer is [Escape] for answer text, except that the answerer's
// emphasis of the answer span stays bold: the text inside and around it is
// escaped, and only the ** pairs around it are kept as markdown.
func EscapeAnswer(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range answerEmphasis.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(Escape(s[last:m[0]]))
		if inner := Escape(s[m[2]:m[3]]); strings.TrimSpace(inner) != "" {
			b.WriteString("**" + inner + "**")
		}
		last = m[1]
	}
	b.WriteString(Escape(s[last:]))
	return b.String()
}

// Shorten cuts s to at most n runes, "…" included, at a word boundary in
// the last fifth when there is one.
func Shorten(s string, n int) string { return shorten(s, n) }

// Typed returns what a user typed, for quoting in a notice: on one line,
// cut to at most n runes and escaped.
func Typed(raw string, n int) string { return Escape(shorten(textutil.OneLine(raw), n)) }

// maxChoiceName is Discord's limit on an autocomplete choice's name.
const maxChoiceName = 100

// Choice returns the name of an autocomplete choice: label as plain text,
// shortened so that label and suffix together fit Discord's limit of 100.
func Choice(label, suffix string) string {
	return fitPlain(label, maxChoiceName-DiscordLen(suffix)) + suffix
}

// ArticleChoice returns the autocomplete choice name of an article: its
// title (its id when it has none) and its date in brackets.
func ArticleChoice(a ArticleInfo) string {
	return Choice(orDefault(a.Title, a.ID), " ("+dateOf(a.Published, false)+")")
}

// Clean returns s without what [Escape] and [Plain] remove before anything
// else: bidirectional controls, invisible and control characters.
func Clean(s string) string { return clean(s) }
