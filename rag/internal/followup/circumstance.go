package followup

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/cite"
	"citebot/rag/internal/extract"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/reading"
	"citebot/rag/timex"
)

// Follow-ups answered from the last answer's own sentences and their
// neighbours in its article, before any search: who else the article
// quotes (quoted.go), what was going on at the time, where or when the
// reported words were spoken, and why that mattered.

// AnswerFromLastAnswer answers a follow-up of one of those kinds, or
// reports false for any other follow-up and when the article does not
// tell.
func (e Conversation) AnswerFromLastAnswer(q qa.Query, fu followUp) (qa.Answer, bool) {
	switch {
	case fu.quotes:
		return e.quotedOthers(q, fu, fu.ante)
	case fu.circumstance:
		return e.circumstance(q, fu, fu.ante)
	case fu.saidAt != nil:
		return e.saidAt(q, fu, fu.ante, fu.saidAt)
	case fu.why:
		return e.whyThat(q, fu, fu.ante)
	}
	return qa.Answer{}, false
}

// "What was going on at the time?" after an answer asks for the
// circumstances of the event it reported. News writing states them in
// the sentence that reports the event, in a clause of its own: "their
// fifth call took place in July, amid a furor over …". Such a follow-up
// is answered with that sentence of the antecedent's answer, the clause
// marked; when the answer's sentences hold no such clause the follow-up
// is answered as any other.

// circumstanceRE matches a follow-up asking what was going on around the
// antecedent's event: "what was going on at the time", "what else was
// happening then", "what was the backdrop?".
var circumstanceRE = regexp.MustCompile(`(?i)^\W*(?:(?:and|so|but|ok(?:ay)?|hm+)\W+)*what(?:'s|’s|\s+(?:was|is|were|are))?\s+(?:else\s+)?(?:(?:was|is)\s+)?(?:going on|happening|the (?:context|background|backdrop|situation|mood))(?:\s+(?:at the time|at that time|back then|around then|then|there|in the world|at that point|when (?:that|this|it) happened))?\W*$`)

// circumstanceClauseRE finds the clause of a sentence that sets an event
// in its circumstances; it runs to the end of the sentence.
var circumstanceClauseRE = regexp.MustCompile(`(?i)\b(?:amid|amidst|in the midst of|against (?:the|a) backdrop of|at a time (?:of|when))\b[^.;!?]*`)

// circumstance answers a follow-up matched by circumstanceRE with the
// first sentence of the antecedent's cited articles whose circumstance
// clause its answer holds. It reports false when there is none. The
// answer's text is what is looked in, not its citations' quotes: a
// conversation kept between turns may drop them.
func (e Conversation) circumstance(q qa.Query, fu followUp, ante qa.Turn) (qa.Answer, bool) {
	said := PlainAnswer(ante.Answer.Text)
	for _, id := range citedArticles(ante) {
		art, ok := e.Ix.Article(id)
		if !ok {
			continue
		}
		for _, sp := range analysis.SplitSentences(art.Text) {
			clause := strings.TrimRight(circumstanceClauseRE.FindString(art.Text[sp.Start:sp.End]), " ,")
			if len(strings.Fields(clause)) < 3 || !strings.Contains(said, clause) {
				continue
			}
			b := fu.builder(q)
			b.Add("At the time:")
			b.Sentence(art, sp.Start, sp.End, emphasizeCircumstance)
			return fu.WithResolved(b.Answer()), true
		}
	}
	return qa.Answer{}, false
}

// PlainAnswer returns an answer's text without emphasis and citation
// markers, as its sentences were written.
func PlainAnswer(text string) string {
	return qa.MarkerRE.ReplaceAllString(strings.ReplaceAll(text, answerspan.Emphasis, ""), "")
}

// emphasizeCircumstance marks the circumstance clause of sentence s.
func emphasizeCircumstance(s string) string {
	loc := circumstanceClauseRE.FindStringIndex(s)
	if loc == nil {
		return s
	}
	clause := strings.TrimRight(s[loc[0]:loc[1]], " ,")
	end := loc[0] + len(clause)
	return s[:loc[0]] + answerspan.Emphasis + clause + answerspan.Emphasis + s[end:]
}

// "Where was he when he said that?" or "when did they say that?" after
// an answer that reports someone's words asks where or when they were
// spoken. News writing says so in the sentence that reports them or in
// one of the two after it ("…,” he told reporters aboard Air Force One";
// "the official said in the call with reporters last week"): the first
// of those that tells it answers, the place or the date leading.

// saidWhereRE matches a follow-up asking where someone was when they said
// what the last answer reported.
var saidWhereRE = regexp.MustCompile(`(?i)^\W*(?:(?:and|so|ok(?:ay)?)\W+)*where\s+(?:was|were|is)\s+[\p{L}'’. ]+?\s+when\s+(?:he|she|they|it|[\p{L}'’.]+)\s+(?:said|told|made|wrote|gave)\s+(?:that|this|it|those|these|them)\b`)

// saidWhenRE matches a follow-up asking when someone said what the last
// answer reported: "when did they say that", "when was that said".
var saidWhenRE = regexp.MustCompile(`(?i)^\W*(?:(?:and|so|ok(?:ay)?)\W+)*when\s+(?:did\s+[\p{L}'’. ]+?\s+(?:say|tell|write|make)\s+(?:that|this|it|those|these|them)|(?:was|were)\s+(?:that|this|it|those|these)\s+(?:said|written|told))\b`)

// spokenAtRE finds a place words were spoken at, right after the verb
// that reports them: "he told reporters aboard Air Force One", "said in
// Beijing", "speaking at the White House". Group 1 is the place.
var spokenAtRE = regexp.MustCompile(`\b(?:said|says|told|speaking|spoke|added|remarked)\s+(?:(?:reporters|journalists|the\s+press|lawmakers|an?\s+audience)\s+)?(?:aboard|in|at|from)\s+(?:the\s+)?(\p{Lu}[\p{L}.’'-]*(?:\s+\p{Lu}[\p{L}.’'-]*)*)`)

// speechReach is how many sentences after the reported words are searched
// for where or when they were spoken.
const speechReach = 2

// spokenWhere returns the place sentence s says words were spoken at, or "".
func spokenWhere(s string, _ time.Time) string {
	if m := spokenAtRE.FindStringSubmatch(s); m != nil {
		return strings.TrimRight(m[1], " ,.")
	}
	return ""
}

// spokenWhen returns the date a sentence reporting speech gives, as
// resolved against its article's date pub ("the week of 19 August
// 2024" for "last week"), or "".
func spokenWhen(s string, pub time.Time) string {
	if !speechRE.MatchString(s) && !briefingRE.MatchString(s) {
		return ""
	}
	for _, m := range timex.Find(s, pub) {
		if !m.Vague && !m.Date.IsZero() {
			return m.Date.String()
		}
	}
	return ""
}

// briefingRE finds words reported at a briefing: "briefing reporters".
var briefingRE = regexp.MustCompile(`(?i)\b(?:briefing|briefed|told|interview|press conference|call with reporters)\b`)

// saidAt answers a follow-up asking where or when the antecedent's
// reported words were spoken, with find (spokenWhere or spokenWhen):
// from the sentence of the antecedent's cited articles that its answer
// holds and the speechReach after it. It reports false when none tells.
func (e Conversation) saidAt(q qa.Query, fu followUp, ante qa.Turn, find func(string, time.Time) string) (qa.Answer, bool) {
	for _, a := range e.answeredArticles(ante) {
		for _, i := range a.held {
			for _, next := range a.sents[i:min(len(a.sents), i+1+speechReach)] {
				if lead := find(a.art.Text[next.Start:next.End], a.art.Published); lead != "" {
					return fu.answerWith(q, a.art, next, func(s string) string { return answerspan.Emphasis + lead + answerspan.Emphasis + ": " + s }), true
				}
			}
		}
	}
	return qa.Answer{}, false
}

// answeredArticle is an article the antecedent cited, its sentences, and
// the indexes of those the antecedent's answer holds.
type answeredArticle struct {
	art   corpus.Article
	sents []analysis.Span
	held  []int
}

// answeredArticles returns the articles the antecedent's answer cited,
// with the sentences of each it holds (see answeredSentences).
func (e Conversation) answeredArticles(ante qa.Turn) []answeredArticle {
	said := PlainAnswer(ante.Answer.Text)
	var out []answeredArticle
	for _, id := range citedArticles(ante) {
		art, ok := e.Ix.Article(id)
		if !ok {
			continue
		}
		sents := analysis.SplitSentences(art.Text)
		out = append(out, answeredArticle{art, sents, answeredSentences(art, sents, said)})
	}
	return out
}

// answerWith answers follow-up fu with sentence sp of art, edited by edit
// (nil: as written).
func (fu followUp) answerWith(q qa.Query, art corpus.Article, sp analysis.Span, edit func(string) string) qa.Answer {
	b := fu.builder(q)
	b.Sentence(art, sp.Start, sp.End, edit)
	return fu.WithResolved(b.Answer())
}

// builder starts an answer to follow-up fu, asked as q, that is made from
// the last answer's article rather than from a search.
func (fu followUp) builder(q qa.Query) *cite.Builder {
	return extract.NewBuilder(extract.Retrieval{Question: fu.Question, Read: reading.Reading{Text: fu.Question}, AsOf: q.AsOf})
}

// answeredSentences returns the indexes of the sentences sents of art
// that answer text said holds: their openings, dates annotated as
// answers annotate them, in any case ("**Yes**: yet with …").
func answeredSentences(art corpus.Article, sents []analysis.Span, said string) []int {
	said = strings.ToLower(said)
	var out []int
	for i, sp := range sents {
		if strings.Contains(said, strings.ToLower(opening(timex.Resolve(art.Text[sp.Start:sp.End], art.Published)))) {
			out = append(out, i)
		}
	}
	return out
}

// openingLen is how much of a sentence's start identifies it in an
// answer's text: enough to be unique, short enough to come before the
// dates an answer annotates.
const openingLen = 40

// opening returns the start of sentence s, at most openingLen bytes cut
// at a word.
func opening(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= openingLen {
		return s
	}
	if i := strings.LastIndexByte(s[:openingLen], ' '); i > 0 {
		return s[:i]
	}
	return s[:openingLen]
}

// "Why would that matter for …?" after an answer asks what the event it
// told of does to something else. News writing puts that in the
// paragraph around the event: "Other factors could complicate a call's
// timing. … a visit by Xi to Moscow was in the offing. … it could happen
// as soon as next week." The answer is the nearest sentence within
// whyReach of the last answer's sentence that speaks of an effect or a
// cause and holds one of the follow-up's own words.

// whyThatRE matches a follow-up asking why the last answer's event
// matters: "why would that matter for …", "why does it matter", "why is
// that important".
var whyThatRE = regexp.MustCompile(`(?i)^\W*(?:(?:and|so|but|ok(?:ay)?)\W+)*why\s+(?:would|does|did|is|was|will|could|might|should|do)\s+(?:that|this|it)\b`)

// effectRE finds a sentence that speaks of an effect or a cause.
var effectRE = regexp.MustCompile(`(?i)\b(?:complicat\w*|derail\w*|affect\w*|threaten\w*|undermin\w*|jeopardi[sz]\w*|delay\w*|disrupt\w*|hurt\w*|harm\w*|damag\w*|endanger\w*|because|as a result|so that|could mean|would mean|means that|raises? (?:the )?(?:question|risk|stakes))\b`)

// whyReach is how many sentences before and after the last answer's
// sentence are read for why it matters.
const whyReach = 2

// whyThat answers a follow-up matched by whyThatRE, or reports false.
func (e Conversation) whyThat(q qa.Query, fu followUp, ante qa.Turn) (qa.Answer, bool) {
	for _, a := range e.answeredArticles(ante) {
		for _, i := range a.held {
			for d := 1; d <= whyReach; d++ {
				for _, j := range []int{i - d, i + d} {
					if j < 0 || j >= len(a.sents) || slices.Contains(a.held, j) {
						continue
					}
					if s := a.art.Text[a.sents[j].Start:a.sents[j].End]; effectRE.MatchString(s) && answersOwnWords(fu.own, s) {
						return fu.answerWith(q, a.art, a.sents[j], nil), true
					}
				}
			}
		}
	}
	return qa.Answer{}, false
}
