package extract

import (
	"regexp"
	"strings"
	"unicode"

	"citebot/rag/events"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/cite"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
	"citebot/rag/timex"
)

// Yes/no questions ("did Biden and Xi meet in 2022?", "is Xi coming to
// the G20?") are answered "Yes" or "No" with the sentence that says so, or
// not at all: a question about what happened is not answered from a
// sentence about what might.

// denialRE finds the words that deny or refuse what a sentence is about.
var denialRE = regexp.MustCompile(`(?i)\b(?:not|never|no|none|nor|neither|nothing|nobody|without|cannot|refus(?:e|ed|es|ing)|reject(?:ed|s|ing)?|declin(?:e|ed|es|ing)|den(?:y|ied|ies)|cancel(?:l?ed|s)?|called off|postponed|scrapped|failed to|unable to|instead of|rather than|(?:a mistake|wrong|premature|too early) to (?:see|call|say|think|describe|view|expect|speak of))\b|n['’]t\b`)

// speculativeRE finds a sentence that tells of a prospect, not a fact:
// "a visit … was in the offing", "it could happen as soon as next week".
var speculativeRE = regexp.MustCompile(`(?i)\b(?:could|might|may|would|will|likely|possibly|perhaps|expected to|in the offing|plans? to|planning|considering|weighing|hopes? to|set to|is to|are to|aims? to|seeking|seeks to|proposed)\b`)

// pastQuestionRE finds a question about what happened: "did he end up …",
// "was the trip cancelled?".
var pastQuestionRE = regexp.MustCompile(`(?i)^(?:did|didn['’]t|was|wasn['’]t|were|weren['’]t|had|hadn['’]t)\b`)

// prospectsRE finds a sentence that speaks of the prospects or chances
// of something, which says neither yes nor no to it.
var prospectsRE = regexp.MustCompile(`(?i)\b(?:prospects?|chances?|odds|possibility|likelihood)\s+(?:for|of)\b`)

// prospectNote opens the answer to a question about what happened that
// the articles only report as a prospect.
const prospectNote = "The articles don't say whether it happened: they only report it as a prospect. "

// outcomeQuestionRE finds a question about how an event went or what was
// said at it: "how did the video meeting end up going?", "what did he
// say at it?".
var outcomeQuestionRE = regexp.MustCompile(`(?i)^how (?:did|was|were)\b.*\b(?:go|went|going|turn(?:ed)? out|play(?:ed)? out|pan(?:ned)? out)\b|^what (?:did|was|were)\b.*\b(?:say|said|announce[ds]?|agree[ds]?|decide[ds]?|discuss(?:ed)?)\s+(?:at|during)\b`)

// aheadOfItsArticle reports whether c's sentence tells of something
// still to come when its article was published: it names a time from
// the publication on that ends after it, and speaks of a prospect ("agreed … to hold the
// virtual conference by the end of the year").
func aheadOfItsArticle(c *candidate) bool {
	pub := c.art.Published
	if pub.IsZero() || !(speculativeRE.MatchString(c.text) || arrangedRE.MatchString(c.text)) {
		return false
	}
	for _, m := range timex.Find(c.text, pub) {
		if !m.Date.From.Before(pub) && m.Date.To.After(pub) {
			return true
		}
	}
	return false
}

// arrangedRE finds an event arranged for later: "agreed to hold", "to
// host a press conference".
var arrangedRE = regexp.MustCompile(`(?i)\b(?:agreed|arranged|scheduled|due|slated) to\b|\bto (?:hold|host|convene|stage)\b`)

// didQuestionRE finds a question about whether something was done: "did
// he go …", "didn't they meet …".
var didQuestionRE = regexp.MustCompile(`(?i)^(?:did|didn['’]t)\b`)

// yesNo answers a yes/no question: from a matching event when it asks
// whether something happened in a period ("did they meet in 2022?"),
// else from the best grounded sentence, "No" when that sentence denies
// what the question asks about. It reports false to leave the question to
// the general answer.
func (e *Extractor) yesNo(q question.Question, r Retrieval, cands []*candidate) (qa.Answer, bool) {
	if a, ok := e.yesFromEvents(q, r); ok {
		return a, true
	}
	if len(cands) == 0 || !grounded(q, cands[0]) {
		return qa.Answer{}, false
	}
	best := cands[0]
	if pastQuestionRE.MatchString(q.Text) && speculativeRE.MatchString(best.text) && !denialRE.MatchString(best.text) {
		// A prospect does not answer whether it came about.
		ans := e.notFound(r)
		ans.Text = prospectNote + ans.Text
		return ans, true
	}
	chosen := []*candidate{best}
	if subj := e.subjectID(q); subj >= 0 && !best.terms[uint32(subj)] {
		// The best sentence does not name the question's subject ("is Xi
		// coming to the G20?" and "… at next week's Group of 20 summit in
		// Rome"); one of the two after it that does says yes or no: "Biden
		// will participate in both forums. Xi … is not expected to
		// travel."
		for _, c := range following(best, cands, 2) {
			if c.terms[uint32(subj)] {
				chosen = []*candidate{c, best}
				break
			}
		}
	} else if next := nextSentence(best, cands); next != nil && sharesKey(q, next) {
		// The sentence after often finishes the thought.
		chosen = append(chosen, next)
	}
	near := chosen[0].near
	if len(chosen) > 1 {
		near = union(near, chosen[1].near)
	}
	if !e.namesKeys(q, near) {
		// A yes or no must rest on sentences that name all the question
		// is about, not just on their article. Whether something was done
		// ("did Xi go to Moscow?") is then not answered; a question about
		// a state or a view ("is it a thaw?", "were people pushing for a
		// boycott?") gets the closest sentence, without a yes or no.
		if didQuestionRE.MatchString(q.Text) {
			return e.notFound(r), true
		}
		return qa.Answer{}, false
	}
	if prospectsRE.MatchString(chosen[0].text) {
		// "Asked about prospects for a rescheduled trip, …" neither says
		// the trip is rescheduled nor that it is not: the sentence, no
		// yes or no.
		return qa.Answer{}, false
	}
	no := denies(q, chosen[0].text) || (len(chosen) > 1 && chosen[1].start > chosen[0].start && denies(q, chosen[1].text))
	lead := "**Yes**: "
	if no {
		lead = "**No**: "
	}
	b := NewBuilder(r)
	for i, c := range chosen {
		edit := func(s string) string { return s }
		if i == 0 {
			edit = func(s string) string { return lead + lowerFirstWord(s) }
		}
		b.Sentence(c.art, c.start, c.end, edit)
	}
	return b.Answer(), true
}

// yesFromEvents answers "did X and Y meet in 2022?" with the event that
// shows they did. It never answers no: the articles may not report every
// event.
func (e *Extractor) yesFromEvents(q question.Question, r Retrieval) (qa.Answer, bool) {
	sp := e.spec(r.Read.Text, q, r.AsOf)
	if len(sp.actions) == 0 || len(sp.keys) == 0 || (sp.date.IsZero() && sp.after.IsZero() && sp.before.IsZero()) {
		return qa.Answer{}, false
	}
	var found []dated
	for _, d := range e.match(e.articleEvents(append(r.Passages, r.timeline...)), sp) {
		if !d.ev.Planned && !d.ev.Date.From.After(r.AsOf) && d.nearest {
			found = append(found, d)
		}
	}
	best, ok := newest(found)
	if !ok {
		return qa.Answer{}, false
	}
	b := NewBuilder(r)
	n := b.Ref(best.art)
	b.Add("**Yes**: the articles report " + articleFor(best.ev.Action) + " " + boldDate(best.ev.Date) + " " + cite.Markers(n) + ".")
	b.Sentence(best.art, best.ev.Start, best.ev.End, nil)
	return b.Answer(), true
}

// articleFor writes an action noun with its article: "a call", "an
// in-person meeting".
func articleFor(a events.Action) string {
	n := actionNoun(a)
	if strings.ContainsRune("aeiou", rune(n[0])) {
		return "an " + n
	}
	return "a " + n
}

// subjectID returns the term id of the name a yes/no question opens
// with, after its verb ("xi" in "is xi coming to the g20?"), or -1.
func (e *Extractor) subjectID(q question.Question) int {
	keys := map[string]bool{}
	for _, k := range q.Keys {
		keys[k] = true
	}
	for i, t := range analysis.Tokenize(q.Text) {
		if i > 3 {
			break // "was there any ask about tariffs on biden's call": no subject
		}
		if i == 0 || !keys[t.Term] {
			continue
		}
		if id, ok := e.Ix.TermID(t.Term); ok {
			return int(id)
		}
		return -1
	}
	return -1
}

// following returns up to n candidates that follow c in its article, each
// within a sentence of the one before, in order.
func following(c *candidate, cands []*candidate, n int) []*candidate {
	var out []*candidate
	for end := c.end; len(out) < n; {
		var next *candidate
		for _, o := range cands {
			if o.art.ID == c.art.ID && o.start >= end && (next == nil || o.start < next.start) {
				next = o
			}
		}
		if next == nil || len(analysis.SplitSentences(c.art.Text[end:next.start])) > 1 {
			break
		}
		out = append(out, next)
		end = next.end
	}
	return out
}

// nextSentence returns the candidate that directly follows c in its
// article, or nil.
func nextSentence(c *candidate, cands []*candidate) *candidate {
	for _, o := range cands {
		if o.art.ID == c.art.ID && o.start > c.end && strings.TrimSpace(c.art.Text[c.end:o.start]) == "" {
			return o
		}
	}
	return nil
}

// sharesKey reports whether the candidate names one of the question's
// entities.
func sharesKey(q question.Question, c *candidate) bool {
	words := TermSet(c.text)
	for _, k := range q.Keys {
		if words[k] {
			return true
		}
	}
	return false
}

// affirmingRE finds idioms that hold a word of denial but affirm: "had
// no problem meeting", "not only … but", "no doubt", "nothing but".
var affirmingRE = regexp.MustCompile(`(?i)\bno (?:problem|problems|trouble|difficulty|hesitation|qualms|doubt)\b|\bnot (?:only|just|merely)\b|\bnothing but\b`)

// denies reports whether sentence s denies what question q asks: a
// short sentence by any word of denial, a long one by a denial in a
// clause that holds one of the question's words ("Biden had requested the
// call with Xi, “not seeking specific outcomes” …" does not deny the
// request). An idiom that affirms ("had no problem meeting") denies
// nothing.
func denies(q question.Question, s string) bool {
	s = affirmingRE.ReplaceAllString(s, " ")
	if len(strings.Fields(s)) <= 25 {
		return denialRE.MatchString(s)
	}
	qt := map[string]bool{}
	for _, t := range q.Terms {
		qt[t] = true
	}
	for _, clause := range splitClauses(s) {
		if !denialRE.MatchString(clause) {
			continue
		}
		for _, t := range analysis.Terms(clause) {
			if qt[t] {
				return true
			}
		}
	}
	return false
}

// splitClauses splits a sentence at commas, semicolons, dashes and
// quotation marks.
func splitClauses(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",;:—–“”\"()", r) })
}

// lowerFirstWord lower-cases the first letter of s unless its first word
// is a name or an acronym ("The call" → "the call", "Biden" stays).
func lowerFirstWord(s string) string {
	first, _, _ := strings.Cut(s, " ")
	switch first {
	case "The", "Their", "His", "Her", "Its", "This", "That", "These", "Those", "A", "An", "In", "On", "At",
		"Since", "After", "Before", "When", "While", "During", "There", "They", "It", "He", "She", "We", "Worse", "But", "And", "So", "Yet":
		for i, r := range s {
			return string(unicode.ToLower(r)) + s[i+len(string(r)):]
		}
	}
	return s
}

// namesKeys reports whether set holds all the question's key terms but
// its dates (which the articles may give relative to their own).
func (e *Extractor) namesKeys(q question.Question, set idSet) bool {
	for _, k := range q.Keys {
		if q.DateTerms[k] {
			continue
		}
		if id, ok := e.Ix.TermID(k); !ok || !set[id] {
			return false
		}
	}
	return true
}
