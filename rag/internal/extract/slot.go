package extract

import (
	"strings"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/question"
)

// A which-question leaves a slot where its answer goes: "NFL owners
// approved the sale of which team?" has it after "sale". A sentence that
// fills that slot with a name the question does not hold ("approved the
// sale of the Denver Broncos") answers it, where one that only repeats the
// question's words ("a day after owners approved the sale Tuesday") does
// not. Only the slot after a word is used: the one before a verb ("which
// team won") is filled as often by the subject of another event ("the
// Blues won in 2019"), which measured worse (scripts/quality-notes.md).

// slotReach is how many words may stand between the question's word next
// to the slot and the name that fills it in a sentence ("sale of the
// Denver Broncos": two).
const slotReach = 3

// slotWeight is the score a sentence gains by filling the slot of a
// which-question with a name: the sentence says which one, in the
// question's own order of words.
const slotWeight = 0.1

// questionSlot returns the term of the content word just before "which" or
// "what" in q's clause ("the sale of which team" → "sale"), or "" when
// there is none: the which-phrase opens the question or its clause ("By
// the late 19th century, which country …").
func questionSlot(q question.Question) string {
	if !whichRE.MatchString(q.Text) {
		return ""
	}
	toks := analysis.Tokenize(q.Text)
	for w, t := range toks {
		if t.Lower != "which" && t.Lower != "what" {
			continue
		}
		for i := w - 1; i >= max(0, w-slotReach); i-- {
			if strings.ContainsAny(q.Text[toks[i].End:toks[w].Start], ".?!;:,") {
				return "" // the word before is in another sentence or clause
			}
			if toks[i].Term != "" {
				return toks[i].Term
			}
		}
		return ""
	}
	return ""
}

// fillsSlot reports whether sentence s names something the question does
// not within slotReach words after a word of term after, with only
// words that carry no meaning between ("sale of the Denver Broncos").
func fillsSlot(q question.Question, after, s string) bool {
	if after == "" {
		return false
	}
	toks := analysis.Tokenize(s)
	for i, t := range toks {
		if t.Term != after {
			continue
		}
		for _, u := range toks[i+1 : min(len(toks), i+1+slotReach)] {
			if u.Capital && u.Term != "" && !q.HasWordLike(u.Lower) && !question.DateMentionRE.MatchString(s[u.Start:u.End]) {
				return true
			}
			if u.Term != "" {
				break
			}
		}
	}
	return false
}

// OtherFocus reports whether s speaks of the thing a which-question asks
// for only as others of its kind: "Other beverages that use green bottles
// … will also be replaced" sets them apart from the one asked about.
func OtherFocus(focus, s string) bool {
	if focus == "" {
		return false
	}
	toks := analysis.Tokenize(s)
	seen := false
	for i, t := range toks {
		if t.Term != focus {
			continue
		}
		seen = true
		if i == 0 || toks[i-1].Lower != "other" {
			return false
		}
	}
	return seen
}
