package extract

import (
	"fmt"
	"regexp"

	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/cite"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/timex"
)

// authorRE matches a question about who wrote an article itself, not
// something an article reports on: "who wrote the Reuters piece on …",
// "who is the author of the story about …"; not "who wrote the treaty?".
var authorRE = regexp.MustCompile(`(?i)\bwho\s+(?:wrote|authored|penned|filed|reported)\s+(?:the|this|that|an|a)\s+(?:[\p{L}'’-]+\s+){0,3}?(?:article|piece|story|report|column|op-ed|editorial|post)s?\b|\b(?:author|authors|reporter|reporters|writer|writers)\s+of\s+(?:the|this|that|an|a)\s+(?:[\p{L}'’-]+\s+){0,3}?(?:article|piece|story|report|column|op-ed|editorial|post)s?\b|\bbyline\b`)

// authorship answers a question about who wrote an article from the
// byline of the article retrieved first for it: "**Trevor Hunnicutt,
// David Brunnstrom and Michael Martina** wrote “White House prepares …”
// (Reuters, 22 October 2021) [1]." The citation quotes the byline. It
// reports false for other questions, and gives "not found" when that
// article has no byline: another article's would answer a different
// question.
func (e *Extractor) authorship(q question.Question, r Retrieval) (qa.Answer, bool) {
	if !authorRE.MatchString(q.Text) || len(r.Passages) == 0 {
		return qa.Answer{}, false
	}
	art := r.Passages[0].Article
	if art.Author == "" {
		return e.notFound(r), true
	}
	b := NewBuilder(r)
	n := b.Ref(art)
	where := art.Source
	if !art.Published.IsZero() {
		d := timex.FormatDay(art.Published)
		if where != "" {
			where += ", "
		}
		where += d
	}
	text := fmt.Sprintf("%s%s%s wrote “%s”", answerspan.Emphasis, art.Author, answerspan.Emphasis, art.Title)
	if where != "" {
		text += " (" + where + ")"
	}
	b.Add(cite.WithMarker(text+".", n))
	ans := b.Answer()
	ans.Citations[0].Quote = "By " + art.Author
	return ans, true
}
