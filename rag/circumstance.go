package rag

import (
	"regexp"
	"strings"
	"time"

	"citebot/rag/internal/analysis"
	"citebot/rag/timex"
)

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
func (e *Extractive) circumstance(q Query, fu followUp, ante Turn) (Answer, bool) {
	said := plainAnswer(ante.Answer.Text)
	for _, id := range citedArticles(ante) {
		art, ok := e.ix.Article(id)
		if !ok {
			continue
		}
		for _, sp := range analysis.SplitSentences(art.Text) {
			clause := strings.TrimRight(circumstanceClauseRE.FindString(art.Text[sp.Start:sp.End]), " ,")
			if len(strings.Fields(clause)) < 3 || !strings.Contains(said, clause) {
				continue
			}
			b := newBuilder(retrieval{question: fu.question, read: reading{text: fu.question}, asOf: q.AsOf})
			b.add("At the time:")
			b.sentence(art, sp.Start, sp.End, emphasizeCircumstance)
			return fu.withResolved(b.answer()), true
		}
	}
	return Answer{}, false
}

// plainAnswer returns an answer's text without emphasis and citation
// markers, as its sentences were written.
func plainAnswer(text string) string {
	return markerRE.ReplaceAllString(strings.ReplaceAll(text, emphasis, ""), "")
}

// emphasizeCircumstance marks the circumstance clause of sentence s.
func emphasizeCircumstance(s string) string {
	loc := circumstanceClauseRE.FindStringIndex(s)
	if loc == nil {
		return s
	}
	clause := strings.TrimRight(s[loc[0]:loc[1]], " ,")
	end := loc[0] + len(clause)
	return s[:loc[0]] + emphasis + clause + emphasis + s[end:]
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
func (e *Extractive) saidAt(q Query, fu followUp, ante Turn, find func(string, time.Time) string) (Answer, bool) {
	said := plainAnswer(ante.Answer.Text)
	for _, id := range citedArticles(ante) {
		art, ok := e.ix.Article(id)
		if !ok {
			continue
		}
		sents := analysis.SplitSentences(art.Text)
		for i, sp := range sents {
			if !strings.Contains(said, opening(art.Text[sp.Start:sp.End])) {
				continue
			}
			for _, next := range sents[i:min(len(sents), i+1+speechReach)] {
				lead := find(art.Text[next.Start:next.End], art.Published)
				if lead == "" {
					continue
				}
				b := newBuilder(retrieval{question: fu.question, read: reading{text: fu.question}, asOf: q.AsOf})
				b.sentence(art, next.Start, next.End, func(s string) string { return emphasis + lead + emphasis + ": " + s })
				return fu.withResolved(b.answer()), true
			}
		}
	}
	return Answer{}, false
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
