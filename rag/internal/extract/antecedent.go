package extract

import (
	"regexp"
	"strings"

	"citebot/corpus"
	"citebot/rag/internal/analysis"
	"citebot/rag/internal/answerspan"
	"citebot/rag/internal/english"
	"citebot/rag/internal/index"
	"citebot/rag/internal/question"
)

// antecedentReach is how many sentences before an answer's sentence are
// searched for the name it refers to.
const antecedentReach = 2

// Antecedent returns the name that sentence s (at start in art's text)
// refers to by description when q asks which one: "the wildly popular
// South Korean show" in an article headed "'Squid Game': Netflix green
// lights season 2" is Squid Game. It applies to which-, who- and
// where-questions, when s speaks of q's focus
// by description (see definiteFocus), or, for a who-question, names no
// one new. The name is the first one in the headline, else the nearest
// in the sentences just before, that the question does not hold and s
// does not name itself, other than the outlet's; the headline of a digest
// ("5 things to know: Wildfires, Ukraine, …") lists other stories and is
// passed over. It returns "" when there is none.
func Antecedent(q question.Question, art corpus.Article, start int, s string) string {
	switch {
	case !whichRE.MatchString(q.Text) && q.Kind != question.KindWho && q.Kind != question.KindWhere:
		return ""
	case (q.Kind == question.KindWhat || q.Kind == question.KindWho) && definiteFocus(q.Focus, s):
	case (q.Kind == question.KindWho || q.Kind == question.KindWhere || q.Kind == question.KindWhat && q.Focus != "") && !question.AnyNovelName(q, s):
	default:
		return ""
	}
	title, outlet := analysis.Headline(art.Title)
	own := outletWords(art, outlet)
	for _, n := range namesIn(q, s, false) {
		own[strings.ToLower(n)] = true
	}
	pick := func(text string, headline bool) string {
		ns := namesIn(q, text, headline)
		for _, n := range ns {
			if !ownName(own, n) {
				return n
			}
		}
		return ""
	}
	if title != "" && !index.IsDigest(art.Title) { // a digest's headline names other stories
		if n := pick(title, true); n != "" {
			return n
		}
	}
	if question.AnyNovelName(q, s) || !definiteFocus(q.Focus, s) {
		// A sentence that names others ("Netflix announced … the show")
		// leans on the headline only; so does one that does not describe
		// what is asked for ("the singer"), as the sentences before name
		// many things for other reasons.
		return ""
	}
	at := start
	for range antecedentReach {
		a, b := sentenceBefore(art.Text, at)
		if a < 0 || len(strings.Fields(art.Text[a:b])) < minSentenceWords {
			break // none, or a dateline ("London CNN —")
		}
		if n := pick(art.Text[a:b], false); n != "" {
			return n
		}
		at = a
	}
	return ""
}

// whichRE matches a question that asks which one of a kind: "which
// show", "which of the following".
var whichRE = regexp.MustCompile(`(?i)\bwhich\b`)

// outletWords returns the lower-case words of the article's source and of
// the outlet its headline ends with ("www.cnn.com", "CNN Business"): a
// name made only of them is the publisher's, never an answer.
func outletWords(art corpus.Article, outlet string) map[string]bool {
	own := map[string]bool{}
	for _, n := range []string{art.Source, outlet} {
		for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '.' }) {
			own[strings.ToLower(w)] = true
		}
	}
	return own
}

// ownName reports whether name n is one of own or made of words of own
// (the outlet: "CNN", "CNN Business").
func ownName(own map[string]bool, n string) bool {
	if own[strings.ToLower(n)] {
		return true
	}
	for _, w := range strings.Fields(n) {
		if !own[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

// minSentenceWords is the fewest words of a sentence searched for a name;
// a shorter line is a dateline or a label.
const minSentenceWords = 4

// namesIn returns the names in text that could answer q: runs of
// capitalised words without an ordinary first word of a sentence (or,
// outside a headline, whose first word is its subject, a lone English word
// starting one: "Trained"), a
// possessive ending or the question's own words, that are no date.
func namesIn(q question.Question, text string, headline bool) []string {
	var out []string
	for _, loc := range question.CapitalRunRE.FindAllStringIndex(text, -1) {
		a, b := loc[0], loc[1]
		fields := strings.Fields(text[a:b])
		if first := fields[0]; analysis.SentenceInitial(text, a) && (question.SentenceWord(first) || !headline && len(fields) == 1 && english.IsWord(strings.ToLower(first))) {
			if a += len(first); a >= b {
				continue
			}
		}
		b = a + len(TrimPossessive(text[a:b]))
		a, b = answerspan.Trim(text, a, b)
		a, b = answerspan.TrimQuestionWords(q, text, a, b)
		if b <= a {
			continue
		}
		n := text[a:b]
		if question.DateMentionRE.MatchString(n) && len(question.DateMentionRE.FindString(n)) == len(n) {
			continue
		}
		if question.NovelName(q, n) && len([]rune(n)) > 1 {
			out = append(out, n)
		}
	}
	return out
}

// TrimPossessive drops a possessive ending: "Pelosi’s" → "Pelosi".
func TrimPossessive(w string) string {
	for _, suf := range []string{"'s", "’s", "'", "’"} {
		if strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}
