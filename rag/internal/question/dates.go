package question

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"citebot/rag/internal/analysis"
	"citebot/rag/timex"
)

// Date expressions, for telling whether a sentence names a time (see
// TypeFit and answerspan.Emphasize); package timex resolves them. Month names
// must be capitalised ("May" the month, not "may" the verb).
const MonthAlt = `January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.`
const WeekdayAlt = `Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday`

// DateMentionRE finds absolute or relative dates anywhere in a sentence:
// years from 1000 (and after a preposition from 100: "in 911"), months,
// weekdays, "last week", "centuries".
var DateMentionRE = regexp.MustCompile(`\b(?:` + MonthAlt + `)|\b(?:1\d\d\d|20\d\d)s?\b|\b(?:in|since|by|around|circa|until|from|after|before) \d{3}\b|\b\d{1,4} ?(?:AD|BC|BCE|CE)\b|\b(?:` + WeekdayAlt + `)\b|(?i:\b(?:yesterday|today|tonight|tomorrow|(?:last|this|next|past|coming) (?:week|month|year|weekend|spring|summer|autumn|fall|winter)|\d+ (?:days?|weeks?|months?|years?) ago|earlier this (?:week|month|year)|centur(?:y|ies)|decades?)\b)`)

// Period is a span of time a question is about, e.g. "September 2021".
type Period struct{ From, To time.Time }

// QuestionMonthYearRE finds a month and year ("September 2021") and
// QuestionYearRE a year ("early 2022") in a question.
var (
	QuestionMonthYearRE = regexp.MustCompile(`(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?,?\s+(1[6-9]\d\d|20\d\d)\b`)
	QuestionYearRE      = regexp.MustCompile(`(?i)\b(?:(early|mid|late)[- ])?(1[6-9]\d\d|20\d\d)\b`)
)

// QuestionPeriod finds the month or year a question is about.
func QuestionPeriod(q string) (Period, bool) {
	if m := QuestionMonthYearRE.FindStringSubmatch(q); m != nil {
		mon, ok := timex.ParseMonth(m[1])
		y, _ := strconv.Atoi(m[2])
		if ok {
			from := time.Date(y, mon, 1, 0, 0, 0, 0, time.UTC)
			return Period{from, from.AddDate(0, 1, -1)}, true
		}
	}
	if m := QuestionYearRE.FindStringSubmatch(q); m != nil {
		y, _ := strconv.Atoi(m[2])
		from, to := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
		switch strings.ToLower(m[1]) {
		case "early":
			to = time.Date(y, 4, 30, 0, 0, 0, 0, time.UTC)
		case "mid":
			from, to = time.Date(y, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 8, 31, 0, 0, 0, 0, time.UTC)
		case "late":
			from = time.Date(y, 9, 1, 0, 0, 0, 0, time.UTC)
		}
		return Period{from, to}, true
	}
	return Period{}, false
}

// YearRE matches a year from 1000 to 2099.
var YearRE = regexp.MustCompile(`\b(?:1[0-9]|20)\d\d\b`)

// NovelSpan reports whether span has a word the question lacks.
func NovelSpan(q Question, span string) bool {
	for _, t := range analysis.Tokenize(span) {
		if !q.Words[t.Lower] && t.Term != "" || analysis.IsDigitString(t.Lower) && !q.Words[t.Lower] {
			return true
		}
	}
	return false
}
