package rag

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"citebot/rag/textutil"
	"citebot/rag/timex"
)

// Date expressions, for telling whether a sentence names a time (see
// typeFit and emphasizeAnswer); package timex resolves them. Month names
// must be capitalised ("May" the month, not "may" the verb).
const monthAlt = `January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.`
const weekdayAlt = `Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday`

// dateMentionRE finds absolute or relative dates anywhere in a sentence:
// years from 1000 (and after a preposition from 100: "in 911"), months,
// weekdays, "last week", "centuries".
var dateMentionRE = regexp.MustCompile(`\b(?:` + monthAlt + `)|\b(?:1\d\d\d|20\d\d)s?\b|\b(?:in|since|by|around|circa|until|from|after|before) \d{3}\b|\b\d{1,4} ?(?:AD|BC|BCE|CE)\b|\b(?:` + weekdayAlt + `)\b|(?i:\b(?:yesterday|today|tonight|tomorrow|(?:last|this|next|past|coming) (?:week|month|year|weekend|spring|summer|autumn|fall|winter)|\d+ (?:days?|weeks?|months?|years?) ago|earlier this (?:week|month|year)|centur(?:y|ies)|decades?)\b)`)

// formatDay formats a date as "9 September 2021".
func formatDay(t time.Time) string { return timex.FormatDay(t) }

// formatMonth formats a date as "April 2024".
func formatMonth(t time.Time) string { return timex.FormatMonth(t) }

// plural writes n and unit: "1 article", "5 articles".
func plural(n int, unit string) string { return textutil.Plural(n, unit) }

// annotateDates resolves the relative dates in sentence s of an article
// published on pub and writes each after its expression: "in April this
// year" → "in April this year (April 2024)". Nothing is resolved when pub
// is zero.
func annotateDates(s string, pub time.Time) string { return timex.Annotate(s, timex.Find(s, pub)) }

// period is a span of time a question is about, e.g. "September 2021".
type period struct{ from, to time.Time }

var (
	questionMonthYearRE = regexp.MustCompile(`(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?,?\s+(1[6-9]\d\d|20\d\d)\b`)
	questionYearRE      = regexp.MustCompile(`(?i)\b(?:(early|mid|late)[- ])?(1[6-9]\d\d|20\d\d)\b`)
)

// questionPeriod finds the month or year a question is about.
func questionPeriod(q string) (period, bool) {
	if m := questionMonthYearRE.FindStringSubmatch(q); m != nil {
		mon, ok := timex.ParseMonth(m[1])
		y, _ := strconv.Atoi(m[2])
		if ok {
			from := time.Date(y, mon, 1, 0, 0, 0, 0, time.UTC)
			return period{from, from.AddDate(0, 1, -1)}, true
		}
	}
	if m := questionYearRE.FindStringSubmatch(q); m != nil {
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
		return period{from, to}, true
	}
	return period{}, false
}

// humanAge describes how long before asOf the date t was: "3 weeks",
// "5 months", "more than 2 years".
func humanAge(t, asOf time.Time) string { return timex.Age(t, asOf) }
