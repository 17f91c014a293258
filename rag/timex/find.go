package timex

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Mention is a date expression found in a text.
type Mention struct {
	// Start and End are byte offsets of the expression in the text.
	Start, End int
	// Text is the expression as written ("Thursday night", "April 2024").
	Text string
	// Date is the period it names.
	Date Date
	// Relative reports that the date was resolved against the reference
	// date: the text alone does not name it.
	Relative bool
	// Prep is the lower-case word just before the expression ("in", "by",
	// "since", "before", "after"), or "".
	Prep string
	// Vague reports an expression that only says roughly when: "in the
	// coming weeks", "in the near future". Its Date spans the time it
	// allows.
	Vague bool
}

// Options tunes [FindWith].
type Options struct {
	// Ref is the date the text was written: an article's publication date,
	// the day a question is asked. Zero: only absolute dates are found.
	Ref time.Time
	// Casual accepts month names and weekdays in lower case, and bare
	// abbreviations ("sept 2021", "the feb call"), as people type
	// questions. "may" and "march" still need a day or a year beside them.
	// A casual text whose tense is unclear is taken to ask about the past.
	Casual bool
}

// Find returns the date mentions of s, an edited text (month names
// capitalised) written on ref, in order. A zero ref finds absolute dates
// only.
func Find(s string, ref time.Time) []Mention { return FindWith(s, Options{Ref: ref}) }

// FindWith returns the date mentions of s, in order.
func FindWith(s string, o Options) []Mention {
	have := features(s)
	if have == 0 {
		return nil
	}
	set := strictRules
	if o.Casual {
		set = casualRules
	}
	f := finder{s: s, o: o}
	if !o.Ref.IsZero() {
		f.ref = DayOf(o.Ref)
	}
	for _, r := range set {
		if (r.relative && f.ref.IsZero()) || have&r.needs != r.needs {
			continue
		}
		for _, m := range r.re.FindAllStringSubmatchIndex(s, -1) {
			a, b := m[0], m[1]
			if f.taken(a, b) {
				continue
			}
			d, start, ok := r.resolve(&f, m)
			if !ok || d.IsZero() {
				continue
			}
			if start >= 0 {
				a = start
			}
			f.out = append(f.out, Mention{Start: a, End: b, Text: s[a:b], Date: d, Relative: r.relative, Prep: wordBefore(s, a), Vague: r.vague})
		}
	}
	slices.SortFunc(f.out, func(x, y Mention) int { return x.Start - y.Start })
	return f.out
}

// feature is a kind of word a date expression is built of.
type feature uint16

const (
	fDigit feature = 1 << iota
	fMonth
	fWeekday
	fSeason
	fPart     // early, mid, late
	fRelative // this, last, next, past, coming, earlier, later, end, near, following
	fAgo
	fDayWord // yesterday, today, tonight, tomorrow
)

// featureWords maps the lower-case words of date expressions to their
// feature.
var featureWords = map[string]feature{}

func init() {
	add := func(f feature, words string) {
		for _, w := range strings.Fields(words) {
			featureWords[w] |= f
		}
	}
	add(fMonth, `january february march april may june july august september october november december
		jan feb mar apr jun jul aug sep sept oct nov dec`)
	add(fWeekday, `monday tuesday wednesday thursday friday saturday sunday`)
	add(fSeason, `spring summer fall autumn winter`)
	add(fPart, `early mid late`)
	add(fRelative, `this last next past coming earlier later end near following`)
	add(fAgo, `ago`)
	add(fDayWord, `yesterday today tonight tomorrow`)
}

// features returns the features of the words of s: one pass that spares
// most sentences most of the expressions.
func features(s string) feature {
	var f feature
	start := -1
	for i := 0; i <= len(s); i++ {
		var c byte
		if i < len(s) {
			c = s[i]
		}
		if c >= '0' && c <= '9' {
			f |= fDigit
		}
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			if n := i - start; n >= 3 && n <= 9 {
				f |= featureWords[strings.ToLower(s[start:i])]
			}
			start = -1
		}
	}
	return f
}

type finder struct {
	s          string
	o          Options
	ref        time.Time
	tense      int  // of the whole text: +1 future, -1 past, 0 unclear
	tenseKnown bool // tense is worked out on first use
	out        []Mention
}

// clause returns the clause of the text around s[a:b], between commas,
// colons, semicolons, dashes or brackets.
func (f *finder) clause(a, b int) (int, string) {
	from := strings.LastIndexAny(f.s[:a], ",;:()—–") + 1
	to := strings.IndexAny(f.s[b:], ",;:()—–")
	if to < 0 {
		return from, f.s[from:]
	}
	return from, f.s[from : b+to]
}

// tenseAt is the tense of the clause around s[a:b], or of the whole text
// when the clause has no marker: "Fares rise from Tuesday, the operator
// announced" looks forward. Casual text of unclear tense asks about the
// past.
func (f *finder) tenseAt(a, b int) int {
	from, clause := f.clause(a, b)
	t, marked := tenseNear(clause, a-from)
	if !marked {
		if !f.tenseKnown {
			f.tense, f.tenseKnown = tenseOf(f.s, -1), true
		}
		t = f.tense
	}
	if t == 0 && f.o.Casual {
		t = -1
	}
	return t
}

func (f *finder) taken(a, b int) bool {
	for _, m := range f.out {
		if a < m.End && b > m.Start {
			return true
		}
	}
	return false
}

func (f *finder) group(m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return f.s[m[2*i]:m[2*i+1]]
}

// rule is one kind of date expression. resolve returns the date, the start
// of the mention when it differs from the match's, or -1, and whether the
// match is a date at all.
type rule struct {
	// needs are the features (all of them) a text must have for the
	// expression to match it (see features).
	needs    feature
	re       *regexp.Regexp
	relative bool
	vague    bool
	resolve  func(f *finder, m []int) (Date, int, bool)
}

const (
	monthFull  = `January|February|March|April|May|June|July|August|September|October|November|December`
	monthAbbr  = `Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec`
	weekdayAlt = `Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday`
	seasonAlt  = `spring|summer|fall|autumn|winter`
	ordinalDay = `(\d{1,2})(?:st|nd|rd|th)?`
	partOfYear = `(early|mid|late)[- ]`
	agoNumbers = `\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|a couple of|several`
)

var strictRules, casualRules = rules(false), rules(true)

// rules builds the rule list, in priority order: a span claimed by an
// earlier rule is not matched again.
func rules(casual bool) []rule {
	// Edited text capitalises months ("May" the month, "may" the verb);
	// abbreviations need their period or a number after them.
	month := `(?:(?:` + monthFull + `)\b|(?:` + monthAbbr + `)\.)`
	monthNum := `(?:(?:` + monthFull + `)\b|(?:` + monthAbbr + `)\b\.?)`
	ci := ""
	if casual {
		ci = `(?i)`
		month = `(?:(?:` + monthFull + `|` + monthAbbr + `)\b\.?)`
		monthNum = month
	}
	re := func(p string) *regexp.Regexp { return regexp.MustCompile(ci + p) }
	return []rule{
		{needs: fDigit, re: re(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`), resolve: isoDay},
		{needs: fDigit | fMonth, re: re(`\b` + ordinalDay + `\s+(?:of\s+)?(` + monthNum + `),?\s+(\d{4})\b`), resolve: dayMonthYear},
		{needs: fDigit | fMonth, re: re(`\b(` + monthNum + `),?\s+` + ordinalDay + `,?\s+(\d{4})\b`), resolve: monthDayYear},
		{needs: fDigit | fMonth, re: re(`\b(?:` + partOfYear + `)?(` + monthNum + `),?\s+(?:of\s+)?(\d{4})\b`), resolve: monthYear},
		{needs: fDigit | fSeason, re: regexp.MustCompile(`(?i)\b(?:` + partOfYear + `)?(` + seasonAlt + `)(?:\s+of)?,?\s+(\d{4})\b`), resolve: seasonYear},
		{needs: fDigit | fPart, re: regexp.MustCompile(`(?i)\b` + partOfYear + `(\d{4})\b`), resolve: partYear},
		{needs: fDigit, re: regexp.MustCompile(`(?i)\b(?:the\s+)?(?:` + partOfYear + `)?((?:1[6-9]|20)\d)0s\b`), resolve: decade},
		{needs: fMonth | fRelative, re: re(`\b(` + month + `)\s+(this|last|next)\s+year\b`), relative: true, resolve: monthRelYear},
		{needs: fRelative, re: regexp.MustCompile(`(?i)\b(?:in|over|within|during)\s+the\s+(?:coming|next(?: few)?|following)\s+(days|weeks|months)\b|\bin the near future\b`), relative: true, vague: true, resolve: comingPeriod},
		{needs: fRelative, re: regexp.MustCompile(`(?i)\bby the end of (?:the|this) (year|month)\b`), relative: true, resolve: endOfPeriod},
		{needs: fRelative, re: regexp.MustCompile(`(?i)\b(this|last|next|earlier this|later this|past)\s+(week|month|year|weekend)\b`), relative: true, resolve: relPeriod},
		{needs: fRelative | fSeason, re: regexp.MustCompile(`(?i)\b(this|last|next)\s+(` + seasonAlt + `)\b`), relative: true, resolve: relSeason},
		{needs: fAgo, re: regexp.MustCompile(`(?i)\b(` + agoNumbers + `)\s+(day|week|month|year)s?\s+ago\b`), relative: true, resolve: ago},
		{needs: fDayWord, re: regexp.MustCompile(`(?i)\b(yesterday|today|tonight|tomorrow)\b`), relative: true, resolve: dayWord},
		{needs: fWeekday, re: regexp.MustCompile(`(?i:\b(last|this|next|on|from|starting|beginning|since|until|till|by|before|after)\s+)?\b(` + ciAlt(casual, weekdayAlt) + `)(?i:\s+(night|morning|afternoon|evening))?\b`), relative: true, resolve: weekdayDate},
		{needs: fDigit | fMonth, re: re(`\b(` + monthNum + `)\s+` + ordinalDay + `\b`), relative: true, resolve: monthDay},
		{needs: fDigit | fMonth, re: re(`\b` + ordinalDay + `\s+(?:of\s+)?(` + month + `)`), relative: true, resolve: dayMonth},
		{needs: fMonth, re: re(`\b(?i:(last|this|next)\s+)?(` + month + `)`), relative: true, resolve: bareMonth},
		{needs: fDigit, re: regexp.MustCompile(`\b(1[6-9]\d\d|20\d\d)\b`), resolve: year},
	}
}

// ciAlt makes an alternation case-insensitive in casual mode.
func ciAlt(casual bool, alt string) string {
	if casual {
		return `(?i:` + alt + `)`
	}
	return alt
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// day returns the Date of y-m-d, or false when it is not a calendar day.
func day(y int, m time.Month, d int) (Date, bool) {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d || y < 1000 || y > 2999 {
		return Date{}, false
	}
	return OnDay(t), true
}

func isoDay(f *finder, m []int) (Date, int, bool) {
	mon := atoi(f.group(m, 2))
	if mon < 1 || mon > 12 {
		return Date{}, -1, false
	}
	d, ok := day(atoi(f.group(m, 1)), time.Month(mon), atoi(f.group(m, 3)))
	return d, -1, ok
}

func dayMonthYear(f *finder, m []int) (Date, int, bool) {
	mon, _ := ParseMonth(f.group(m, 2))
	d, ok := day(atoi(f.group(m, 3)), mon, atoi(f.group(m, 1)))
	return d, -1, ok
}

func monthDayYear(f *finder, m []int) (Date, int, bool) {
	mon, _ := ParseMonth(f.group(m, 1))
	d, ok := day(atoi(f.group(m, 3)), mon, atoi(f.group(m, 2)))
	return d, -1, ok
}

func monthYear(f *finder, m []int) (Date, int, bool) {
	mon, _ := ParseMonth(f.group(m, 2))
	y := atoi(f.group(m, 3))
	if y < 1000 {
		return Date{}, -1, false
	}
	return InMonth(y, mon), -1, true
}

// seasons maps a season to its first month and length in months; winter
// Y runs from December Y-1 to February Y.
var seasons = map[string]time.Month{"spring": time.March, "summer": time.June, "fall": time.September, "autumn": time.September, "winter": time.December}

func seasonDate(name string, y int) Date {
	name = strings.ToLower(name)
	first := seasons[name]
	from := time.Date(y, first, 1, 0, 0, 0, 0, time.UTC)
	if name == "winter" {
		from = from.AddDate(-1, 0, 0)
	}
	return Date{From: from, To: from.AddDate(0, 3, -1), Prec: Season, label: name + " " + strconv.Itoa(y)}
}

func seasonYear(f *finder, m []int) (Date, int, bool) {
	y := atoi(f.group(m, 3))
	d := seasonDate(f.group(m, 2), y)
	if part := strings.ToLower(f.group(m, 1)); part != "" {
		d.label = part + " " + d.label
	}
	return d, -1, y >= 1000
}

func partYear(f *finder, m []int) (Date, int, bool) {
	y := atoi(f.group(m, 2))
	if y < 1000 {
		return Date{}, -1, false
	}
	part := strings.ToLower(f.group(m, 1))
	first := map[string]time.Month{"early": time.January, "mid": time.May, "late": time.September}[part]
	from := time.Date(y, first, 1, 0, 0, 0, 0, time.UTC)
	return Date{From: from, To: from.AddDate(0, 4, -1), Prec: Season, label: part + " " + strconv.Itoa(y)}, -1, true
}

func decade(f *finder, m []int) (Date, int, bool) {
	y := atoi(f.group(m, 2)) * 10
	from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return Date{From: from, To: time.Date(y+9, 12, 31, 0, 0, 0, 0, time.UTC), Prec: Decade}, -1, true
}

var relOffset = map[string]int{"this": 0, "earlier this": 0, "later this": 0, "last": -1, "next": 1}

func monthRelYear(f *finder, m []int) (Date, int, bool) {
	mon, _ := ParseMonth(f.group(m, 1))
	return InMonth(f.ref.Year()+relOffset[strings.ToLower(f.group(m, 2))], mon), -1, true
}

func relPeriod(f *finder, m []int) (Date, int, bool) {
	rel, unit := strings.ToLower(f.group(m, 1)), strings.ToLower(f.group(m, 2))
	if rel == "past" {
		if unit != "week" {
			return Date{}, -1, false
		}
		return Date{From: f.ref.AddDate(0, 0, -6), To: f.ref, Prec: Week}, -1, true
	}
	off := relOffset[rel]
	switch unit {
	case "year":
		return InYear(f.ref.Year() + off), -1, true
	case "month":
		t := time.Date(f.ref.Year(), f.ref.Month()+time.Month(off), 1, 0, 0, 0, 0, time.UTC)
		return InMonth(t.Year(), t.Month()), -1, true
	case "week":
		return WeekOf(f.ref.AddDate(0, 0, 7*off)), -1, true
	default: // weekend: the Saturday and Sunday of that week
		w := WeekOf(f.ref.AddDate(0, 0, 7*off))
		return Date{From: w.From.AddDate(0, 0, 5), To: w.To, Prec: Week}, -1, true
	}
}

// comingPeriod is the time "in the coming weeks" allows: up to ten days,
// six weeks or six months after the reference date, a month for "in the
// near future".
func comingPeriod(f *finder, m []int) (Date, int, bool) {
	to, label := f.ref.AddDate(0, 1, 0), "soon after "
	switch unit := strings.ToLower(f.group(m, 1)); unit {
	case "days":
		to, label = f.ref.AddDate(0, 0, 10), "the days after "
	case "weeks":
		to, label = f.ref.AddDate(0, 0, 42), "the weeks after "
	case "months":
		to, label = f.ref.AddDate(0, 6, 0), "the months after "
	}
	return Date{From: f.ref, To: to, Prec: Season, label: label + FormatDay(f.ref)}, -1, true
}

// endOfPeriod is "by the end of the year": from the reference date to the
// end of its year or month.
func endOfPeriod(f *finder, m []int) (Date, int, bool) {
	end := time.Date(f.ref.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
	label := "by the end of " + strconv.Itoa(f.ref.Year())
	if strings.EqualFold(f.group(m, 1), "month") {
		end = time.Date(f.ref.Year(), f.ref.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		label = "by the end of " + FormatMonth(f.ref)
	}
	return Date{From: f.ref, To: end, Prec: Season, label: label}, -1, true
}

func relSeason(f *finder, m []int) (Date, int, bool) {
	name := strings.ToLower(f.group(m, 2))
	y := f.ref.Year()
	d := seasonDate(name, y)
	if name == "winter" && f.ref.Month() == time.December {
		d = seasonDate(name, y+1) // this winter, said in December
	}
	switch strings.ToLower(f.group(m, 1)) {
	case "last":
		for !d.To.Before(f.ref) {
			y--
			d = seasonDate(name, y)
		}
	case "next":
		for !d.From.After(f.ref) {
			y++
			d = seasonDate(name, y)
		}
	}
	return d, -1, true
}

var smallNumbers = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a few": 3, "a couple of": 2, "several": 3}

func ago(f *finder, m []int) (Date, int, bool) {
	w := strings.ToLower(f.group(m, 1))
	n, err := strconv.Atoi(w)
	if err != nil {
		n = smallNumbers[w]
	}
	if n <= 0 || n > 1000 {
		return Date{}, -1, false
	}
	var d Date
	switch strings.ToLower(f.group(m, 2)) {
	case "day":
		d = OnDay(f.ref.AddDate(0, 0, -n))
	case "week":
		d = WeekOf(f.ref.AddDate(0, 0, -7*n))
	case "month":
		t := f.ref.AddDate(0, -n, 0)
		d = InMonth(t.Year(), t.Month())
	case "year":
		d = InYear(f.ref.Year() - n)
	}
	d.Approx = true
	return d, -1, true
}

func dayWord(f *finder, m []int) (Date, int, bool) {
	off := map[string]int{"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[strings.ToLower(f.group(m, 1))]
	return OnDay(f.ref.AddDate(0, 0, off)), -1, true
}

func weekdayOf(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d
		}
	}
	return time.Sunday
}

func weekdayDate(f *finder, m []int) (Date, int, bool) {
	rel := strings.ToLower(f.group(m, 1))
	wd := weekdayOf(f.group(m, 2))
	ref := f.ref
	tense := f.tenseAt(m[0], m[1])
	ahead := (int(wd) - int(ref.Weekday()) + 7) % 7 // days forward to that weekday
	back := (int(ref.Weekday()) - int(wd) + 7) % 7  // days back to it
	var t time.Time
	switch {
	case rel == "last":
		if back == 0 {
			back = 7
		}
		t = ref.AddDate(0, 0, -back)
	case rel == "next":
		if ahead == 0 {
			ahead = 7
		}
		t = ref.AddDate(0, 0, ahead)
	case rel == "this" || rel == "from" || rel == "starting" || rel == "beginning" || rel == "until" || rel == "till" || rel == "by":
		// "fares rise from Tuesday": a date the text looks forward to,
		// unless its own clause speaks of the past ("had stayed open until
		// Friday").
		if from, c := f.clause(m[0], m[1]); tenseOf(c, m[0]-from) < 0 && rel != "this" {
			t = ref.AddDate(0, 0, -back)
		} else {
			t = ref.AddDate(0, 0, ahead)
		}
	case rel == "since":
		t = ref.AddDate(0, 0, -back)
	case tense > 0:
		t = ref.AddDate(0, 0, ahead)
	default: // reported news: on or before the day of writing
		t = ref.AddDate(0, 0, -back)
	}
	start := -1
	if rel != "" && rel != "last" && rel != "this" && rel != "next" {
		start = m[4] // "on Wednesday": the date is "Wednesday"
	}
	return OnDay(t), start, true
}

// nearestYear picks the year of a month (and day) given without a year:
// the next occurrence for a text about the future, the last for one about
// the past, else the nearest to the reference date.
func (f *finder) nearestYear(mon time.Month, d int, tense int) (Date, bool) {
	var cands []Date
	for y := f.ref.Year() - 1; y <= f.ref.Year()+1; y++ {
		if d == 0 {
			cands = append(cands, InMonth(y, mon))
			continue
		}
		c, ok := day(y, mon, d)
		if !ok {
			return Date{}, false
		}
		cands = append(cands, c)
	}
	ref := f.ref
	best, bestDist := Date{}, time.Duration(1<<62)
	for _, c := range cands {
		var dist time.Duration
		switch {
		case c.Contains(ref):
			dist = 0
		case c.To.Before(ref):
			if tense > 0 {
				continue
			}
			dist = ref.Sub(c.To)
		default:
			if tense < 0 {
				continue
			}
			dist = c.From.Sub(ref) + 1 // a tie goes to the past
		}
		if dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best, !best.IsZero()
}

func monthDay(f *finder, m []int) (Date, int, bool) {
	mon, _ := ParseMonth(f.group(m, 1))
	d := atoi(f.group(m, 2))
	if d < 1 || d > 31 || followedByNumber(f.s, m[1]) {
		return Date{}, -1, false
	}
	date, ok := f.nearestYear(mon, d, f.tenseAt(m[0], m[1]))
	return date, -1, ok
}

func dayMonth(f *finder, m []int) (Date, int, bool) {
	mon, _ := ParseMonth(f.group(m, 2))
	d := atoi(f.group(m, 1))
	if d < 1 || d > 31 {
		return Date{}, -1, false
	}
	date, ok := f.nearestYear(mon, d, f.tenseAt(m[0], m[1]))
	return date, -1, ok
}

func bareMonth(f *finder, m []int) (Date, int, bool) {
	rel := strings.ToLower(f.group(m, 1))
	name := f.group(m, 2)
	mon, _ := ParseMonth(name)
	if f.o.Casual {
		// "may" and "march" are verbs more often than months.
		if low := strings.ToLower(strings.TrimSuffix(name, ".")); (low == "may" || low == "march") && !isCapitalised(name) {
			return Date{}, -1, false
		}
	}
	switch rel {
	case "last":
		y := f.ref.Year()
		if mon >= f.ref.Month() {
			y--
		}
		return InMonth(y, mon), -1, true
	case "next":
		y := f.ref.Year()
		if mon <= f.ref.Month() {
			y++
		}
		return InMonth(y, mon), -1, true
	case "this":
		return InMonth(f.ref.Year(), mon), -1, true
	}
	if !datePreposition(f.s, m[4], m[5], f.o.Casual) {
		return Date{}, -1, false
	}
	date, ok := f.nearestYear(mon, 0, f.tenseAt(m[0], m[1]))
	return date, m[4], ok
}

func isCapitalised(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// datePreposition reports whether the month name at s[a:b] stands without
// a day or year after a word that makes it a date ("in July", "since
// March", "early June"). Casual text also accepts a month before a noun
// ("the feb call") or at the end.
func datePreposition(s string, a, b int, casual bool) bool {
	if followedByNumber(s, b) {
		return false
	}
	before := strings.TrimRight(s[:a], " -")
	if before != "" && before[len(before)-1] >= '0' && before[len(before)-1] <= '9' {
		return false
	}
	switch strings.ToLower(lastWord(before)) {
	case "in", "since", "by", "until", "from", "during", "early", "late", "mid", "of", "through", "before", "after", "till", "between", "and", "or", "to":
		return true
	case "the", "their", "his", "her", "its", "that", "this":
		return casual
	}
	return false
}

func followedByNumber(s string, b int) bool {
	rest := strings.TrimLeft(s[b:], " ,")
	return rest != "" && rest[0] >= '0' && rest[0] <= '9'
}

func lastWord(s string) string {
	i := strings.LastIndexAny(s, " (\n\t")
	return strings.Trim(s[i+1:], ",;:")
}

func wordBefore(s string, a int) string {
	// Up to two determiners may stand between: "after their feb call",
	// "since the end of".
	for i := 0; i < 3; i++ {
		before := strings.TrimRight(s[:a], " ")
		w := strings.ToLower(lastWord(before))
		switch w {
		case "the", "their", "his", "her", "its", "a", "an", "that", "this", "our", "your", "my":
			a = len(before) - len(w)
			continue
		}
		return w
	}
	return ""
}

// notYearNext are words after a number that make it a quantity, not a
// year: "2000 people", "1800 miles".
var notYearNext = map[string]bool{
	"people": true, "persons": true, "troops": true, "soldiers": true, "workers": true, "dollars": true,
	"euros": true, "pounds": true, "yuan": true, "yen": true, "miles": true, "kilometers": true, "kilometres": true,
	"km": true, "feet": true, "ft": true, "meters": true, "metres": true, "tons": true, "tonnes": true, "units": true,
	"cases": true, "deaths": true, "votes": true, "jobs": true, "students": true, "members": true, "employees": true,
	"acres": true, "barrels": true, "vehicles": true, "cars": true, "homes": true, "points": true, "times": true,
	"percent": true, "calories": true, "pages": true, "words": true, "hours": true, "minutes": true, "seconds": true,
	"days": true, "weeks": true, "months": true, "years": true, "children": true, "residents": true, "patients": true,
}

func year(f *finder, m []int) (Date, int, bool) {
	a, b := m[0], m[1]
	if a > 0 && strings.ContainsRune("$£€#", rune(f.s[a-1])) {
		return Date{}, -1, false
	}
	if a > 1 && (f.s[a-1] == ',' || f.s[a-1] == '.') && f.s[a-2] >= '0' && f.s[a-2] <= '9' {
		return Date{}, -1, false // 1,2000 or 3.2014
	}
	rest := f.s[b:]
	if rest != "" && (rest[0] == '%' || (len(rest) > 1 && (rest[0] == ',' || rest[0] == '.') && rest[1] >= '0' && rest[1] <= '9')) {
		return Date{}, -1, false
	}
	next := strings.ToLower(strings.TrimLeft(rest, " "))
	if i := strings.IndexFunc(next, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		next = next[:i]
	}
	if notYearNext[next] {
		return Date{}, -1, false
	}
	return InYear(atoi(f.s[a:b])), -1, true
}

var (
	// Markers of a text about the future, for weekdays and months without
	// a year.
	futureRE = regexp.MustCompile(`(?i)\b(?:will|won[’']t|shall|(?:is|are) expected|expects? to|(?:is|are) set to|set for|plans? to|planning|upcoming|next|(?:is|are) due|(?:is|are) to|aims? to|aiming|targeting|intends?|hopes? to|(?:is|are) going to|coming|preparing|prepares?|later this|would)\b|[’']ll\b`)
	// Markers of a text about the past. "Was due to" and "were expected
	// to" look ahead from a past moment, and so are past.
	pastRE = regexp.MustCompile(`(?i)\b(?:was|were|had|did|took place|ago|earlier|met|spoke|said|told|held|came|went|began|ended|led|left|saw|made|gave|took|sent|wrote|won|lost|fell|rose|last)\b|\b[a-zA-Z]{3,}ed\b`)
)

// notPast are words ending in -ed that speak of plans, not of the past.
var notPast = map[string]bool{"expected": true, "scheduled": true, "planned": true, "proposed": true, "intended": true, "supposed": true, "slated": true, "anticipated": true}

// tenseOf is +1 for a text about the future, -1 for one about the past, 0
// when it is unclear (no marker, or an outlook from the past): the marker
// nearest to s[at] decides ("the balloon
// found over military sites in February led to the trip being cancelled
// hours before he was due to leave" is about the past, at February).
// at < 0 decides by the first marker.
func tenseOf(s string, at int) int {
	t, _ := tenseNear(s, at)
	return t
}

// tenseNear is tenseOf, and whether s has a marker at all.
func tenseNear(s string, at int) (int, bool) {
	best, dist := 0, 1<<30
	consider := func(locs [][]int, tense int) {
		for _, l := range locs {
			w := strings.ToLower(s[l[0]:l[1]])
			if tense < 0 && notPast[w] {
				continue
			}
			d := l[0]
			if at >= 0 {
				d = abs(l[0] - at)
				if l[1] <= at {
					d = at - l[1]
				}
			}
			if d < dist {
				best, dist = tense, d
			}
		}
	}
	// "was expected to", "was targeting": an outlook from a past moment,
	// which may lie on either side of the date of writing.
	var fut, outlook [][]int
	for _, l := range futureRE.FindAllStringIndex(s, -1) {
		if low := strings.ToLower(s[:l[0]]); strings.HasSuffix(low, "was ") || strings.HasSuffix(low, "were ") {
			outlook = append(outlook, l)
		} else {
			fut = append(fut, l)
		}
	}
	consider(fut, 1)
	consider(outlook, 0)
	consider(pastRE.FindAllStringIndex(s, -1), -1)
	return best, dist < 1<<30
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Resolve returns s, a sentence of an article published on pub, with the
// date of each relative mention written after it, as [Annotate] writes
// them: "in April this year" → "in April this year (April 2024)". Nothing
// is resolved when pub is zero.
func Resolve(s string, pub time.Time) string { return Annotate(s, Find(s, pub)) }

// Annotate returns s with the date of each relative mention written after
// it in parentheses: "in April this year" → "in April this year (April
// 2024)". A possessive stays with its word: "next week’s (the week of 25
// October 2021) summit". Mentions must come from s, in order.
func Annotate(s string, ms []Mention) string {
	var b strings.Builder
	last := 0
	for _, m := range ms {
		if !m.Relative || m.Vague || m.Start < last {
			continue
		}
		text := m.Date.String()
		if strings.EqualFold(strings.TrimSpace(m.Text), text) || strings.EqualFold(strings.TrimSpace(m.Text), strings.TrimPrefix(text, "around ")) {
			continue
		}
		end := m.End
		for _, poss := range []string{"’s", "'s"} {
			if strings.HasPrefix(s[end:], poss) {
				end += len(poss)
				break
			}
		}
		b.WriteString(s[last:end])
		b.WriteString(" (" + text + ")")
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}
