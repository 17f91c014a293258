// Package answerspan finds the span of a sentence that answers a question
// (a date, a quantity, a name, a place …, see Find), trims spans to their
// words, and marks the span in Markdown bold for the extractive answerer
// (Emphasize, Emphasis).
package answerspan

import (
	"regexp"
	"slices"
	"strings"

	"citebot/rag/internal/analysis"
	"citebot/rag/internal/question"
)

// Emphasis marks the likely answer span inside an extractive answer, in
// Markdown bold, e.g. "The call lasted around **90 minutes** …".
const Emphasis = "**"

// numberWords spells the numbers up to ninety-nine, a hundred and a
// thousand: "twenty-five" is one number, not "five".
const numberWords = `(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|` +
	`ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|` +
	`one|two|three|four|five|six|seven|eight|nine|hundred|thousand`

var (
	// A full or partial date: "15 November 2023", "Nov. 15, 2023",
	// "April 2024", "July 4", "1892", "the 10th and 11th centuries".
	dateSpanRE = regexp.MustCompile(`\b(?:\d{1,2} (?:` + question.MonthAlt + `),? \d{4}|(?:` + question.MonthAlt + `) \d{1,2},? \d{4}|(?:` + question.MonthAlt + `),? \d{4}|(?:` + question.MonthAlt + `) \d{1,2}|(?:early |mid-|late )?(?:1[0-9]|20)\d\d(?:s)?|(?:the )?\d{1,2}(?:st|nd|rd|th)(?: and \d{1,2}(?:st|nd|rd|th))? centur(?:y|ies)|(?:` + question.WeekdayAlt + `)|(?:` + question.MonthAlt + `))\b`)
	// A quantity with its unit, or a bare number.
	quantitySpanRE = regexp.MustCompile(`(?i)\b(?:about |around |some |nearly |almost |more than |over |at least )?(?:\d[\d,.]*|` + numberWords + `|a few|several|dozens of|hundreds of|thousands of)(?:[- ](?:million|billion|thousand|hundred))?(?: ?%|\b(?: percent\b)?)|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|twice|once)\b`)
)

// Emphasize wraps the part of sentence s that most likely answers q in
// emphasis (see Find), or leaves s alone.
func Emphasize(q question.Question, s string) string {
	a, b, ok := Find(q, s)
	if !ok {
		return s
	}
	return s[:a] + Emphasis + s[a:b] + Emphasis + s[b:]
}

// Find finds the part of sentence s that most likely answers q: a
// date for "when", a duration for "how long", a number for "how many", a
// name for "who", a place for "where". It only takes text the question
// does not already contain, picks the match nearest to the question's
// words in s, and finds nothing when nothing fits or the question type
// has no typical span (what, why).
func Find(q question.Question, s string) (int, int, bool) {
	if question.DefinitionRE.MatchString(q.Text) && len(q.Terms) <= 3 {
		return 0, 0, false
	}
	spans, ok := spansOfKind(q, s)
	if !ok {
		return 0, 0, false
	}
	if q.Kind == question.KindWho {
		spans = joinNames(s, spans)
		// A name that holds a word of the question is the question's own,
		// not part of the answer ("John" of "John Kerry").
		own := spans[:0]
		for _, sp := range spans {
			a, b := TrimQuestionWords(q, s, sp[0], sp[1])
			if b > a && question.NovelName(q, s[a:b]) && (!question.NameOfRE.MatchString(q.Text) || nameNearFocus(q, s, a, b)) {
				own = append(own, []int{a, b})
			}
		}
		spans = own
	}
	anchors := questionWordPositions(q, s)
	best, bestDist, bestSpecific := []int(nil), 1<<30, false
	for _, sp := range spans {
		a, b := Trim(s, sp[0], sp[1])
		if q.Kind == question.KindWho || q.Kind == question.KindWhere {
			a, b = TrimQuestionWords(q, s, a, b)
		}
		counts := q.Kind == question.KindHowMany && quantifiesCounted(q, s[b:])
		if b <= a || !question.NovelSpan(q, s[a:b]) && !counts || strings.Contains(s[a:b], "[") || inBrackets(s, a) {
			continue // "two" is a stop word, but "two independent mechanisms" counts them
		}
		// A date with its year beats a bare month or weekday; a person
		// named as one ("said Evan Medeiros, a former …") beats another
		// name; a number of the things counted ("two independent
		// mechanisms") beats another number.
		specific := (q.Kind == question.KindWhen && question.YearRE.MatchString(s[a:b])) || (q.Kind == question.KindWho && PersonLike(s, a, b)) || counts
		d := distance(anchors, a, b)
		if (specific && !bestSpecific) || (specific == bestSpecific && d < bestDist) {
			best, bestDist, bestSpecific = []int{a, b}, d, specific
		}
	}
	if best == nil {
		return 0, 0, false
	}
	if q.Kind == question.KindWhere && bareNoun(s[best[0]:best[1]]) {
		return 0, 0, false // "in a country" says no more than the question
	}
	return best[0], best[1], true
}

// spansOfKind returns the spans of sentence s of the kind of answer q asks
// for: dates, durations, quantities (not counts of time or dates), names
// (not possessives, the outlet's mark or dates), places. ok is false for a
// kind that has no typical span (what, why).
func spansOfKind(q question.Question, s string) (spans [][]int, ok bool) {
	switch q.Kind {
	case question.KindWhen:
		spans = dateSpanRE.FindAllStringIndex(s, -1)
	case question.KindHowLong:
		spans = question.DurationRE.FindAllStringIndex(s, -1)
	case question.KindHowMany:
		dates := dateSpanRE.FindAllStringIndex(s, -1)
		for _, sp := range quantitySpanRE.FindAllStringIndex(s, -1) {
			if firstTime(s, sp) && !q.Words["time"] && !q.Words["times"] {
				continue // "for the first time" counts nothing unless times are asked for
			}
			if !countsTime(q, s[sp[1]:]) && !inside(sp, dates) && !ordersOther(q, s, sp) {
				spans = append(spans, sp)
			}
		}
	case question.KindWho:
		for _, sp := range question.CapitalRunRE.FindAllStringIndex(s, -1) {
			if sp[0] == 0 && opensWithLabel(s) {
				continue // "Score line: …" opens with a label, not a name
			}
			if first := strings.Fields(s[sp[0]:sp[1]])[0]; sp[0] == 0 && question.SentenceWord(first) {
				if sp[0] += len(first); sp[0] >= sp[1] {
					continue
				}
			}
			run := s[sp[0]:sp[1]]
			if strings.HasSuffix(run, "’s") || strings.HasSuffix(run, "'s") {
				continue // a possessive modifies the answer, is not it: "China’s top official"
			}
			if sp[0] > 0 && s[sp[0]-1] == '(' && sp[1] < len(s) && s[sp[1]] == ')' {
				continue // "(CNN)": the outlet's mark, not a name in the text
			}
			if !question.DateMentionRE.MatchString(run) {
				spans = append(spans, sp)
			}
		}
	case question.KindWhere:
		for _, m := range question.PlaceRE.FindAllStringSubmatchIndex(s, -1) {
			if !question.DateMentionRE.MatchString(s[m[2]:m[3]]) {
				spans = append(spans, []int{m[2], m[3]})
			}
		}
		if len(spans) == 0 {
			spans = question.PossessivePlaces(q, s)
		}
		if len(spans) == 0 {
			spans = question.PlaceNounRE.FindAllStringIndex(s, -1)
			for i, sp := range spans { // "in the treaty room": without the preposition
				if j := strings.IndexByte(s[sp[0]:sp[1]], ' '); j > 0 {
					spans[i] = []int{sp[0] + j + 1, sp[1]}
				}
			}
		}
	default:
		return nil, false
	}
	return spans, true
}

// bareNoun reports whether span is one lower-case word: "country", "city".
func bareNoun(span string) bool {
	return !strings.ContainsAny(span, " -") && strings.ToLower(span) == span
}

// inside reports whether span sp lies within one of spans.
func inside(sp []int, spans [][]int) bool {
	for _, o := range spans {
		if sp[0] >= o[0] && sp[1] <= o[1] {
			return true
		}
	}
	return false
}

// nameNearFocus reports whether the name at s[a:b] names the thing a
// "what is the name of the …" question asks about: the question's noun
// stands right beside it ("his nephew Tancred", "the Quasiturbine is a
// uniflow rotary steam engine").
func nameNearFocus(q question.Question, s string, a, b int) bool {
	if q.Focus == "" {
		return true
	}
	before, after := analysis.Tokenize(s[:a]), analysis.Tokenize(s[b:])
	for i := max(0, len(before)-2); i < len(before); i++ {
		if before[i].Term == q.Focus {
			return true
		}
	}
	limit := 2
	if len(after) > 1 && (after[0].Lower == "is" || after[0].Lower == "was" || after[0].Lower == "are" || after[0].Lower == "were") {
		limit = 7 // "X is a … engine"
	}
	for i := 0; i < len(after) && i < limit; i++ {
		if after[i].Term == q.Focus {
			return true
		}
	}
	return false
}

// joinNames merges names joined by "and" into one span: "Secretary of
// State Antony Blinken and National Security Advisor Jake Sullivan".
func joinNames(s string, spans [][]int) [][]int {
	var out [][]int
	for _, sp := range spans {
		if n := len(out); n > 0 && strings.TrimSpace(s[out[n-1][1]:sp[0]]) == "and" {
			out[n-1] = []int{out[n-1][0], sp[1]}
			continue
		}
		out = append(out, sp)
	}
	return out
}

var (
	// personAfterRE and personBeforeRE find the words around a name that
	// make it a person's: "said Evan Medeiros", "Susan Thornton, a former".
	personAfterRE  = regexp.MustCompile(`^,? (?:a|an|the|who|whose)\b|^ (?:said|says|told|added|wrote)\b`)
	personBeforeRE = regexp.MustCompile(`(?i)(?:said|says|told|according to|by|adviser|advisor|secretary|minister|official|president|professor|researcher|ambassador|envoy|spokesman|spokeswoman|spokesperson|director|chief|leader|senator|governor|candidate|diplomat|analyst|aide|general)\s*$`)
)

// PersonLike reports whether the name at s[a:b] is introduced as a person.
func PersonLike(s string, a, b int) bool {
	return personAfterRE.MatchString(s[b:]) || personBeforeRE.MatchString(s[:a])
}

// timeUnitRE finds a unit of time at the start of a text.
var timeUnitRE = regexp.MustCompile(`(?i)^[\s-]*(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b`)

// countsTime reports whether a number followed by rest counts time ("seven
// months") when the question does not ask about time.
func countsTime(q question.Question, rest string) bool {
	m := timeUnitRE.FindString(rest)
	return m != "" && !q.Words[strings.ToLower(strings.TrimSpace(strings.TrimLeft(m, " -")))]
}

// firstTime reports whether the quantity at s[sp[0]:sp[1]] is "first" or
// an ordinal of a time ("for the second time"): an order, not a count. A
// fraction ("a fifth of the population") or a place in a series ("their
// fifth call") is kept.
func firstTime(s string, sp []int) bool {
	w := strings.ToLower(s[sp[0]:sp[1]])
	if !ordinalWordRE.MatchString(w) {
		return false
	}
	return w == "first" || strings.HasPrefix(s[sp[1]:], " time")
}

// labelRE matches a label that opens a sentence: a capitalised word and
// one to three lower-case ones before a colon ("Score line:", "Driving
// the news:"); speechRE, a verb of speech among them ("Sullivan said:"),
// which makes it a speaker instead.
var (
	labelRE  = regexp.MustCompile(`^\p{Lu}[\p{L}'’]*((?: [\p{Ll}'’]+){1,3}):\s`)
	speechRE = regexp.MustCompile(`\b(?:said|says|say|told|tells|added|adds|wrote|writes|asked|asks|noted|notes|explained|explains|replied|replies|tweeted|posted|continued|concluded|warned|argued)\b`)
)

// opensWithLabel reports whether s opens with a label rather than a
// name: "Score line: (8) Jane Doe defeated …".
func opensWithLabel(s string) bool {
	m := labelRE.FindStringSubmatch(s)
	return m != nil && !speechRE.MatchString(m[1])
}

// countedWords is how many words after a number may come before the thing
// it counts ("two independent mechanisms").
const countedWords = 3

// quantifiesCounted reports whether rest, the text after a number, names
// what q counts within its first countedWords terms.
func quantifiesCounted(q question.Question, rest string) bool {
	if len(q.Counted) == 0 {
		return false
	}
	after := analysis.Terms(rest)
	after = after[:min(len(after), countedWords)]
	for _, t := range q.Counted {
		if slices.Contains(after, t) {
			return true
		}
	}
	return false
}

// ordinalReach is how far, in bytes, from an ordinal the thing it places
// in a series is looked for.
const ordinalReach = 40

// ordersOther reports whether the quantity at s[sp[0]:sp[1]] is an
// ordinal that places something other than what q counts in a series: "a
// second voyage" when q asks how many settlers there were. An ordinal
// with a counted word within ordinalReach bytes ("their last phone call —
// their fifth") counts it.
func ordersOther(q question.Question, s string, sp []int) bool {
	if !ordinalWordRE.MatchString(strings.ToLower(s[sp[0]:sp[1]])) {
		return false
	}
	if len(q.Counted) == 0 {
		return false
	}
	near := analysis.Terms(s[max(0, sp[0]-ordinalReach):min(len(s), sp[1]+ordinalReach)])
	for _, t := range q.Counted {
		if slices.Contains(near, t) {
			return false
		}
	}
	return true
}

// LaterOrdinals are the ordinals after "first" written as words, up to
// the tenth.
const LaterOrdinals = `second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth`

// ordinalWordRE matches an ordinal written as a word.
var ordinalWordRE = regexp.MustCompile(`^(?:first|` + LaterOrdinals + `)$`)

// inBrackets reports whether offset a of s lies inside square brackets,
// where a footnote or a citation stands ("bodies,[Note 3] and"), never an
// answer.
func inBrackets(s string, a int) bool {
	open := strings.LastIndexByte(s[:a], '[')
	return open >= 0 && !strings.Contains(s[open:a], "]") && strings.Contains(s[a:], "]")
}

// Trim drops surrounding spaces and punctuation (but not the period of
// an abbreviation such as "Calif.") from s[a:b].
func Trim(s string, a, b int) (int, int) {
	for a < b && strings.ContainsRune(" ,.;:()“”\"'", rune(s[a])) {
		a++
	}
	for b > a && (strings.ContainsRune(" ,;:()“”\"'", rune(s[b-1])) || (s[b-1] == '.' && !analysis.IsAbbreviation(s[a:b-1]))) {
		b--
	}
	return a, b
}

// TrimQuestionWords drops leading and trailing words of s[a:b] that the
// question already has, and leading stop words: "to China Nicholas Burns" →
// "Nicholas Burns", "An Asian diplomat" → "Asian".
func TrimQuestionWords(q question.Question, s string, a, b int) (int, int) {
	toks := analysis.Tokenize(s[a:b])
	i, j := 0, len(toks)
	for i < j && (q.Words[toks[i].Lower] || toks[i].Term == "") {
		i++
	}
	for j > i && (q.Words[toks[j-1].Lower] || toks[j-1].Term == "" && !toks[j-1].Capital) {
		j-- // and a stop word left at the end: "President Joe Biden and"
	}
	if i == j {
		return a, a
	}
	end := a + toks[j-1].End
	if j == len(toks) {
		end = b // keep the span's own end: "Calif."
	}
	return a + toks[i].Start, end
}

// questionWordPositions returns the byte offsets in s of the question's
// content words.
func questionWordPositions(q question.Question, s string) []int {
	want := map[string]bool{}
	for _, t := range q.Terms {
		want[t] = true
	}
	var pos []int
	for _, t := range analysis.Tokenize(s) {
		if t.Term != "" && want[t.Term] {
			pos = append(pos, t.Start)
		}
	}
	return pos
}

// distance is the smallest gap between the span [a, b) and any anchor; 0
// without anchors, so the first match wins.
func distance(anchors []int, a, b int) int {
	if len(anchors) == 0 {
		return 0
	}
	best := 1 << 30
	for _, p := range anchors {
		d := 0
		switch {
		case p < a:
			d = a - p
		case p >= b:
			d = p - b
		}
		best = min(best, d)
	}
	return best
}
