package rag

import (
	"regexp"
	"strings"
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
		for _, sp := range splitSentences(art.Text) {
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
