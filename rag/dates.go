package rag

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date expressions. Month names must be capitalised ("May" the month, not
// "may" the verb).
const monthAlt = `January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.`
const weekdayAlt = `Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday`

var (
	// Absolute or relative dates anywhere in a sentence.
	dateMentionRE = regexp.MustCompile(`\b(?:` + monthAlt + `)|\b(?:1[6-9]\d\d|20\d\d)s?\b|\b(?:` + weekdayAlt + `)\b|(?i:\b(?:yesterday|today|tonight|tomorrow|(?:last|this|next|past|coming) (?:week|month|year|weekend|spring|summer|autumn|fall|winter)|\d+ (?:days?|weeks?|months?|years?) ago|earlier this (?:week|month|year)|centur(?:y|ies)|decades?)\b)`)
	// "<Month> this year", "<Month> last year".
	monthRelYearRE = regexp.MustCompile(`\b(` + monthAlt + `)\s+(this|last|next)\s+year\b`)
	// "this year", "last month", "next week".
	relPeriodRE = regexp.MustCompile(`(?i)\b(this|last|next|earlier this)\s+(year|month|week)\b`)
	// "last Friday", "on Thursday night", "Monday".
	weekdayRE = regexp.MustCompile(`\b(?:(last|this|next|on)\s+)?(` + weekdayAlt + `)(?:\s+(?:night|morning|afternoon|evening))?\b`)
	// A month on its own: "in July". Checked for a following day or year.
	bareMonthRE = regexp.MustCompile(`\b(` + monthAlt + `)`)
	dayWordRE   = regexp.MustCompile(`(?i)\b(yesterday|today|tomorrow)\b`)
	agoRE       = regexp.MustCompile(`(?i)\b(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+(day|week|month|year)s?\s+ago\b`)
	// Markers of a sentence about the future, for weekdays and bare months.
	futureRE = regexp.MustCompile(`(?i)\b(?:will|is expected to|are expected to|is set to|are set to|plans? to|planning to|scheduled|is to|are to|upcoming|next)\b`)
)

// resolution is a relative date expression in a sentence and what it means.
type resolution struct {
	start, end int
	text       string // "April 2024", "9 September 2021"
}

var monthNames = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		monthNames[strings.ToLower(m.String())] = m
		monthNames[strings.ToLower(m.String()[:3])] = m
	}
	monthNames["sept"] = time.September
}

func parseMonth(s string) (time.Month, bool) {
	m, ok := monthNames[strings.ToLower(strings.TrimSuffix(s, "."))]
	return m, ok
}

// formatDay formats a date as "9 September 2021".
func formatDay(t time.Time) string { return t.Format("2 January 2006") }

// formatMonth formats a date as "April 2024".
func formatMonth(t time.Time) string { return t.Format("January 2006") }

// resolveRelative finds relative date expressions in sentence s of an
// article published on pub and resolves them: "in April this year" →
// April 2024, "Thursday night" → the Thursday before publication, "last
// week" → the week of that Monday. A sentence about the future resolves
// weekdays and bare months forwards. Nothing is resolved when pub is zero.
func resolveRelative(s string, pub time.Time) []resolution {
	if pub.IsZero() {
		return nil
	}
	future := futureRE.MatchString(s)
	var out []resolution
	taken := func(a, b int) bool {
		for _, r := range out {
			if a < r.end && b > r.start {
				return true
			}
		}
		return false
	}
	add := func(a, b int, text string) {
		if !taken(a, b) {
			out = append(out, resolution{a, b, text})
		}
	}
	for _, m := range monthRelYearRE.FindAllStringSubmatchIndex(s, -1) {
		mon, _ := parseMonth(s[m[2]:m[3]])
		y := pub.Year() + map[string]int{"this": 0, "last": -1, "next": 1}[s[m[4]:m[5]]]
		add(m[0], m[1], fmt.Sprintf("%s %d", mon, y))
	}
	for _, m := range relPeriodRE.FindAllStringSubmatchIndex(s, -1) {
		rel, unit := strings.ToLower(s[m[2]:m[3]]), strings.ToLower(s[m[4]:m[5]])
		off := map[string]int{"this": 0, "earlier this": 0, "last": -1, "next": 1}[rel]
		var text string
		switch unit {
		case "year":
			text = strconv.Itoa(pub.Year() + off)
		case "month":
			text = formatMonth(time.Date(pub.Year(), pub.Month()+time.Month(off), 1, 0, 0, 0, 0, time.UTC))
		case "week":
			monday := pub.AddDate(0, 0, -((int(pub.Weekday())+6)%7)+7*off)
			text = "the week of " + formatDay(monday)
		}
		add(m[0], m[1], text)
	}
	for _, m := range weekdayRE.FindAllStringSubmatchIndex(s, -1) {
		rel := ""
		if m[2] >= 0 {
			rel = s[m[2]:m[3]]
		}
		day := weekdayOf(s[m[4]:m[5]])
		diff := (int(day) - int(pub.Weekday()) + 7) % 7 // days forward to that weekday
		var d time.Time
		switch {
		case rel == "last":
			back := (int(pub.Weekday()) - int(day) + 7) % 7
			if back == 0 {
				back = 7
			}
			d = pub.AddDate(0, 0, -back)
		case rel == "next":
			if diff == 0 {
				diff = 7
			}
			d = pub.AddDate(0, 0, diff)
		case rel == "this" || future:
			d = pub.AddDate(0, 0, diff)
		default: // past tense: on or before publication
			d = pub.AddDate(0, 0, -((int(pub.Weekday()) - int(day) + 7) % 7))
		}
		start := m[0]
		if rel == "on" {
			start = m[4]
		}
		add(start, m[1], formatDay(d))
	}
	for _, m := range dayWordRE.FindAllStringSubmatchIndex(s, -1) {
		off := map[string]int{"yesterday": -1, "today": 0, "tomorrow": 1}[strings.ToLower(s[m[2]:m[3]])]
		add(m[0], m[1], formatDay(pub.AddDate(0, 0, off)))
	}
	for _, m := range agoRE.FindAllStringSubmatchIndex(s, -1) {
		n, err := strconv.Atoi(s[m[2]:m[3]])
		if err != nil {
			n = map[string]int{"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}[strings.ToLower(s[m[2]:m[3]])]
		}
		var t time.Time
		switch strings.ToLower(s[m[4]:m[5]]) {
		case "day":
			add(m[0], m[1], formatDay(pub.AddDate(0, 0, -n)))
			continue
		case "week":
			add(m[0], m[1], "around "+formatDay(pub.AddDate(0, 0, -7*n)))
			continue
		case "month":
			t = pub.AddDate(0, -n, 0)
			add(m[0], m[1], "around "+formatMonth(t))
		case "year":
			add(m[0], m[1], "around "+strconv.Itoa(pub.Year()-n))
		}
	}
	for _, m := range bareMonthRE.FindAllStringSubmatchIndex(s, -1) {
		if taken(m[0], m[1]) || !bareMonth(s, m[0], m[1]) {
			continue
		}
		mon, _ := parseMonth(s[m[2]:m[3]])
		y := pub.Year()
		if future {
			if mon < pub.Month() {
				y++
			}
		} else if mon > pub.Month() {
			y--
		}
		add(m[0], m[1], fmt.Sprintf("%s %d", mon, y))
	}
	return out
}

// bareMonth reports whether the month name at s[a:b] stands without a day or
// year ("in July", not "July 2022", "July 4" or "4 July 2022"), after a
// preposition that makes it a date ("in", "since", "by", "until", "from",
// "during", "early", "late", "mid", "of").
func bareMonth(s string, a, b int) bool {
	rest := strings.TrimLeft(s[b:], " ,")
	if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		return false
	}
	before := strings.TrimRight(s[:a], " -")
	if before != "" && before[len(before)-1] >= '0' && before[len(before)-1] <= '9' {
		return false
	}
	i := strings.LastIndexAny(before, " (")
	word := strings.ToLower(before[i+1:])
	switch word {
	case "in", "since", "by", "until", "from", "during", "early", "late", "mid", "of", "through", "before", "after":
		return true
	}
	return false
}

func weekdayOf(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if d.String() == s {
			return d
		}
	}
	return time.Sunday
}

// applyResolutions inserts each resolution in parentheses after its
// expression: "in April this year" → "in April this year (April 2024)".
func applyResolutions(s string, rs []resolution) string {
	if len(rs) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	sorted := append([]resolution(nil), rs...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].start < sorted[j-1].start; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	for _, r := range sorted {
		b.WriteString(s[last:r.end])
		// Skip a resolution that only repeats the expression.
		if !strings.EqualFold(strings.TrimSpace(s[r.start:r.end]), r.text) {
			b.WriteString(" (" + r.text + ")")
		}
		last = r.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// period is a span of time a question is about, e.g. "September 2021".
type period struct{ from, to time.Time }

var (
	questionMonthYearRE = regexp.MustCompile(`(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?,?\s+(1[6-9]\d\d|20\d\d)\b`)
	questionYearRE      = regexp.MustCompile(`(?i)\b(?:(early|mid|late)[- ])?(1[6-9]\d\d|20\d\d)\b`)
)

// questionPeriod finds the month or year a question is about.
func questionPeriod(q string) (period, bool) {
	if m := questionMonthYearRE.FindStringSubmatch(q); m != nil {
		mon, ok := parseMonth(m[1])
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
// "5 months", "2 years".
func humanAge(t, asOf time.Time) string {
	days := int(asOf.Sub(t).Hours() / 24)
	switch {
	case days < 0:
		return ""
	case days < 14:
		return plural(days, "day")
	case days < 61:
		return plural(days/7, "week")
	case days < 730:
		return plural(int(float64(days)/30.44+0.5), "month")
	case days%365 < 30:
		return plural(days/365, "year")
	default:
		return "more than " + plural(days/365, "year")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
