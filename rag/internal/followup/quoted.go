package followup

import (
	"regexp"
	"slices"
	"strings"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/cite"
	"citebot/rag/internal/qa"
	"citebot/rag/internal/question"
)

// "Who else did they quote?" after an answer asks for the other people
// its article quotes: the names a sentence of the article introduces as
// speaking ("said Susan Thornton, a former …", "according to Nicholas
// Burns"), other than those the answer already named.

// quoteOthersRE matches a follow-up asking whom else the article quotes:
// "who else did they quote", "who else was quoted", "anyone else they
// talked to?".
var quoteOthersRE = regexp.MustCompile(`(?i)^\W*(?:and\s+)?(?:who|whom|any(?:one|body))\s+else\s+(?:did|do|does|was|were|is|are|have|has)?\s*(?:(?:they|he|she|it|the\s+(?:article|piece|story|report|reporters?))\s+)?(?:quote|quoted|cite|cited|talk(?:ed)?\s+to|interview(?:ed)?|spoke\s+(?:to|with)|speak\s+(?:to|with))\b`)

// speechRE finds a sentence that reports what someone said.
var speechRE = regexp.MustCompile(`\b(?:said|says|told|added|wrote|according to|argued|noted|warned)\b`)

// maxQuoted bounds the people a quoted-others answer lists.
const maxQuoted = 4

// quotedOthers answers "who else did they quote?" from the article of
// the antecedent's first citation: the people its sentences quote that
// the antecedent's answer does not name, each with the sentence quoting
// them. It reports false when the article quotes no one else.
func (e Conversation) quotedOthers(q qa.Query, fu followUp, ante qa.Turn) (qa.Answer, bool) {
	if len(fu.articles) == 0 {
		return qa.Answer{}, false
	}
	art, ok := e.Ix.Article(fu.articles[0])
	if !ok {
		return qa.Answer{}, false
	}
	type quoted struct {
		name       string
		start, end int
	}
	var found []quoted
	for _, sp := range analysis.SplitSentences(art.Text) {
		s := art.Text[sp.Start:sp.End]
		if !speechRE.MatchString(s) {
			continue
		}
		for _, n := range speakers(s) {
			if strings.Contains(ante.Answer.Text, n) || strings.Contains(art.Source, n) ||
				slices.ContainsFunc(found, func(f quoted) bool { return f.name == n || strings.Contains(f.name, n) }) {
				continue
			}
			found = append(found, quoted{n, sp.Start, sp.End})
		}
		if len(found) >= maxQuoted {
			break
		}
	}
	if len(found) == 0 {
		return qa.Answer{}, false
	}
	b := fu.builder(q)
	var names []string
	for _, f := range found {
		names = append(names, answerspan.Emphasis+f.name+answerspan.Emphasis)
	}
	n := b.Ref(art)
	b.Add("The article also quotes " + cite.ListJoin(names) + " " + cite.Markers(n) + ":")
	for _, f := range found {
		b.Sentence(art, f.start, f.end, nil)
	}
	return b.Answer(), true
}

// speakers returns the people sentence s introduces as speaking: a name
// after "said", "told" or "according to", or one followed by ", a/an/the
// …" or "said".
func speakers(s string) []string {
	var out []string
	for _, loc := range question.CapitalRunRE.FindAllStringIndex(s, -1) {
		a, b := answerspan.Trim(s, loc[0], loc[1])
		if b <= a || len(strings.Fields(s[a:b])) < 2 || !answerspan.PersonLike(s, a, b) {
			continue // a person is named with at least two words: "Susan Thornton"
		}
		if first := strings.Fields(s[a:b])[0]; a == 0 && question.SentenceWord(first) {
			continue
		}
		out = append(out, s[a:b])
	}
	return out
}
