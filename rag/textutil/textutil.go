// Package textutil holds the small text rules that rag, bot and cmd share:
// collapsing white space onto one line, cutting text to a length with an
// ellipsis, and counting nouns in words. Each rule lives here once so that
// a fix reaches every caller.
//
// It sits under rag, not at the top level, because the top level is fixed
// (cmd, bot, rag, corpus, config) and rag is the lowest package that both
// bot and cmd import; it is not internal because bot and cmd use it. It
// imports only the standard library and is safe for concurrent use.
package textutil

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis is what [Shorten] appends when it cuts.
const Ellipsis = "…"

// OneLine collapses every run of white space in s, line breaks included,
// to one space and trims both ends.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Shorten returns s when it has at most n runes, and otherwise its start
// cut to at most n runes, the [Ellipsis] included. It cuts at the last
// white space in the second half of the text it keeps, so that no word is
// split when one ends there, and drops the spaces and ",;:" before the
// ellipsis. n <= 0 gives "".
func Shorten(s string, n int) string { return ShortenFrom(s, n, n/2) }

// ShortenFrom is [Shorten] looking for a word boundary only after the
// first from runes: a larger from keeps more text when a word is long
// (Discord titles use four fifths of n), a smaller one splits fewer words.
// When there is no white space after from, the cut splits a word.
func ShortenFrom(s string, n, from int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	cut := n - 1 // room for the ellipsis
	for i := cut; i > from && i > 0; i-- {
		if unicode.IsSpace(rs[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(rs[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:", r)
	}) + Ellipsis
}

// Plural writes n and unit, with an s when n is not 1: "1 article", "5
// articles".
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
