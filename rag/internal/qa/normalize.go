package qa

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizeQuestion prepares user input as a question: control characters
// become spaces, white space collapses, and surrounding space and quotes are
// trimmed. It returns [ErrEmptyQuestion] for input without letters or
// digits and [ErrQuestionTooLong] beyond [MaxQuestionRunes] characters.
func NormalizeQuestion(s string) (string, error) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' || unicode.Is(unicode.Cf, r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	q := strings.Trim(b.String(), " \"'“”‘’`")
	if !HasLetterOrDigit(q) {
		return "", ErrEmptyQuestion
	}
	if n := utf8.RuneCountInString(q); n > MaxQuestionRunes {
		return "", fmt.Errorf("%w: %d characters (the limit is %d)", ErrQuestionTooLong, n, MaxQuestionRunes)
	}
	return q, nil
}

// hasLetterOrDigit reports whether s holds a letter or a digit: a word,
// not punctuation or the end of the question.
func HasLetterOrDigit(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}
