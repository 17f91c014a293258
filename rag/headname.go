package rag

import (
	"strings"

	"citebot/corpus"
)

// A news headline states the news in a few words and names what it is
// about first: "LeBron James becomes highest paid NBA player ever". When a
// headline restates a which- or who-question ("which player became the
// NBA's highest paid?"), the name it gives is the article's answer, and the
// sentence of that article that names it ("NBA superstar LeBron James has
// agreed to …") is the one to quote, rather than a sentence that only
// shares the question's words ("The new contract … making him the highest
// paid player").

// headlineShare is the weighted share of the question's terms a headline
// needs to count as restating the question.
const headlineShare = 0.3

// headlineNameWeight is the score a sentence gains by naming what the
// headline of its article names, when that headline restates the
// question.
const headlineNameWeight = 0.1

// headlineName returns the first name in art's headline that q does not
// hold and that is not the outlet's, when the headline holds at least
// headlineShare of q's term weight (weights, summing to total); else "".
// It applies to which- and who-questions.
func headlineName(q question, art corpus.Article, weights map[string]float64, total float64) string {
	if total <= 0 || (!whichRE.MatchString(q.text) && q.kind != kindWho) {
		return ""
	}
	title, outlet := headline(art.Title)
	if title == "" {
		return ""
	}
	got, seen := 0.0, map[string]bool{}
	for _, t := range tokenize(title) {
		if w, ok := weights[t.term]; ok && !seen[t.term] {
			seen[t.term] = true
			got += w
		}
	}
	if got < headlineShare*total {
		return ""
	}
	own := map[string]bool{}
	for _, n := range []string{art.Source, outlet} {
		for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '.' }) {
			own[strings.ToLower(w)] = true
		}
	}
	for _, n := range namesIn(q, title, true) {
		if !ownName(own, n) {
			return n
		}
	}
	return ""
}
