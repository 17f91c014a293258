package extract

import (
	"regexp"
	"slices"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/index"
	"citebot/rag/internal/question"
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
// headlineShare of q's term weight (weights, summing to total) and is no
// digest's; else "". It applies to which- and who-questions.
func headlineName(q question.Question, art corpus.Article, weights map[string]float64, total float64) string {
	if total <= 0 || (!whichRE.MatchString(q.Text) && q.Kind != question.KindWho) {
		return ""
	}
	title, outlet := analysis.Headline(art.Title)
	if title == "" || index.IsDigest(art.Title) {
		return "" // a digest's headline names many stories, not one answer
	}
	got, seen := 0.0, map[string]bool{}
	for _, t := range analysis.Tokenize(title) {
		if w, ok := weights[t.Term]; ok && !seen[t.Term] {
			seen[t.Term] = true
			got += w
		}
	}
	if got < headlineShare*total {
		return ""
	}
	own := outletWords(art, outlet)
	for _, n := range namesIn(q, title, true) {
		if !ownName(own, n) {
			return Possessor(q, n)
		}
	}
	return ""
}

// possessiveRE finds a possessive inside a name: "North Korea's Kim Jong
// Un", "Starbucks’ Pumpkin Spice Latte".
var possessiveRE = regexp.MustCompile(`['’]s?\s+`)

// Possessor returns the first part of a name that holds a possessive
// ("North Korea" of "North Korea's Kim Jong Un"), or the part after it
// when the question holds the first ("Pumpkin Spice Latte" of "Starbucks’
// Pumpkin Spice Latte" for a question about Starbucks): text names the
// parts apart ("North Korean leader Kim Jong Un").
func Possessor(q question.Question, n string) string {
	loc := possessiveRE.FindStringIndex(n)
	if loc == nil {
		return n
	}
	if first := n[:loc[0]]; question.NovelName(q, first) {
		return first
	}
	return n[loc[1]:]
}

// WithLedes returns passages with the first passage of each of their
// articles whose headline restates q (see headlineName) added when it is
// not among them, scored as the article's best passage: a news report
// states who, what and where first, in words the headline's question may
// not share ("North Korean leader Kim Jong Un declared victory …").
func (ix reader) WithLedes(q question.Question, passages []index.Passage, weights map[string]float64, total float64) []index.Passage {
	seen := map[string]bool{} // chunk ids
	best := map[string]float64{}
	ledes := map[string]index.Passage{}
	var order []string // article ids
	for _, p := range passages {
		lede, ok := ix.Lede(p)
		if !ok {
			continue
		}
		seen[p.ID] = true
		if _, ok := best[p.ArticleID]; !ok {
			order = append(order, p.ArticleID)
			ledes[p.ArticleID] = lede
		}
		best[p.ArticleID] = max(best[p.ArticleID], p.Score)
	}
	out := passages
	for _, id := range order {
		lede := ledes[id]
		if seen[lede.ID] || headlineName(q, lede.Article, weights, total) == "" {
			continue
		}
		if len(out) == len(passages) {
			out = slices.Clone(passages)
		}
		lede.Score = best[id]
		out = append(out, lede)
	}
	return out
}
