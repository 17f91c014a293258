// Package timex finds the dates that English news text mentions and
// resolves them to calendar periods: absolute dates ("15 November 2023",
// "Nov. 15, 2023", "April 2024", "fall 2024", "2014") and, given the date
// the text was written, relative ones ("Thursday night", "last week",
// "in April this year", "in July", "two months ago"). Tense decides whether
// a weekday or a bare month lies before or after that date: "took place in
// July" looks back, "is expected to host a press conference Thursday" and
// "fares rise from Tuesday" look forward.
//
// It also does the arithmetic answers need: the time between two dates in
// words ("about seven months") and how long ago a date was.
//
// Only the standard library is used; everything is safe for concurrent use.
package timex

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Precision is how exactly a [Date] is known.
type Precision uint8

// Precisions, finest first.
const (
	Day Precision = iota + 1
	Week
	Month
	Season // a season or a part of a year: "fall 2024", "early 2023"
	Year
	Decade
)

// Date is a calendar period: a day, a week (Monday to Sunday), a month, a
// season, a year or a decade.
type Date struct {
	// From and To are the first and the last day, at UTC midnight.
	From, To time.Time
	// Prec is the precision the text gave.
	Prec Precision
	// Approx reports an approximate date: "about two months ago".
	Approx bool
	// label names a season or part of a year ("fall 2024").
	label string
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.From.IsZero() }

// DayOf returns the day t falls on, at UTC midnight.
func DayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// OnDay returns the Date of one day.
func OnDay(t time.Time) Date { t = DayOf(t); return Date{From: t, To: t, Prec: Day} }

// InMonth returns the Date of the month of year y.
func InMonth(y int, m time.Month) Date {
	from := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return Date{From: from, To: from.AddDate(0, 1, -1), Prec: Month}
}

// InYear returns the Date of year y.
func InYear(y int) Date {
	return Date{From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC), Prec: Year}
}

// WeekOf returns the Date of the week (Monday to Sunday) that holds t.
func WeekOf(t time.Time) Date {
	monday := DayOf(t).AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	return Date{From: monday, To: monday.AddDate(0, 0, 6), Prec: Week}
}

// Mid returns the middle day of d, the point durations are measured from
// when d is longer than a day.
func (d Date) Mid() time.Time {
	return d.From.Add(d.To.Sub(d.From) / 2)
}

// Contains reports whether day t lies within d.
func (d Date) Contains(t time.Time) bool {
	t = DayOf(t)
	return !d.IsZero() && !t.Before(d.From) && !t.After(d.To)
}

// Overlaps reports whether d and o share a day.
func (d Date) Overlaps(o Date) bool {
	return !d.IsZero() && !o.IsZero() && !d.To.Before(o.From) && !o.To.Before(d.From)
}

// Before reports whether d ends before o begins.
func (d Date) Before(o Date) bool { return d.To.Before(o.From) }

// Compare orders dates by their middle day, then by precision (finer
// first), so that sorting puts "November 2023" and "15 November 2023" side
// by side.
func (d Date) Compare(o Date) int {
	switch a, b := d.Mid(), o.Mid(); {
	case a.Before(b):
		return -1
	case a.After(b):
		return 1
	}
	return int(d.Prec) - int(o.Prec)
}

// String writes d as a person would: "9 September 2021", "the week of
// 30 August 2021", "April 2024", "fall 2024", "2022", "the 1990s".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	s := ""
	switch d.Prec {
	case Day:
		s = FormatDay(d.From)
	case Week:
		s = "the week of " + FormatDay(d.From)
	case Month:
		s = FormatMonth(d.From)
	case Season:
		s = d.label
		if s == "" {
			s = FormatMonth(d.From) + " to " + FormatMonth(d.To)
		}
	case Year:
		s = strconv.Itoa(d.From.Year())
	case Decade:
		s = fmt.Sprintf("the %ds", d.From.Year())
	}
	if d.Approx {
		return "around " + s
	}
	return s
}

// FormatDay formats a day as "9 September 2021".
func FormatDay(t time.Time) string { return t.Format("2 January 2006") }

// FormatMonth formats a month as "April 2024".
func FormatMonth(t time.Time) string { return t.Format("January 2006") }

// Between says how much time lies between two dates, in words: "about
// seven months", "9 days", "about a year". Day-exact dates less than two
// weeks apart are counted in days; coarser dates are compared by month and
// the result is "about". It returns "" when to is before from.
func Between(from, to Date) string {
	if from.IsZero() || to.IsZero() {
		return ""
	}
	exact := from.Prec == Day && to.Prec == Day && !from.Approx && !to.Approx
	if from.Prec <= Week && to.Prec <= Week {
		days := int(to.Mid().Sub(from.Mid()).Hours()/24 + 0.5)
		switch {
		case days < 0:
			return ""
		case days < 14:
			return approx(!exact, count(days, "day"))
		case days < 60:
			return approx(!exact || days%7 != 0, count((days+3)/7, "week"))
		}
	}
	months := monthsBetween(from, to)
	if months < 0 {
		return ""
	}
	if months == 0 {
		return "less than a month"
	}
	return "about " + monthsInWords(months)
}

// monthsBetween counts whole months from the middle of from to the middle
// of to, rounding to the nearest month.
func monthsBetween(from, to Date) int {
	a, b := from.Mid(), to.Mid()
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if d := b.Day() - a.Day(); d >= 15 {
		m++
	} else if d <= -15 {
		m--
	}
	return m
}

// monthsInWords writes a number of months as people say it: "seven
// months", "a year", "a year and a half", "three years".
func monthsInWords(m int) string {
	switch {
	case m < 12:
		return count(m, "month")
	case m < 18:
		if m == 12 {
			return "a year"
		}
		return fmt.Sprintf("a year and %s", count(m-12, "month"))
	case m < 24:
		return "a year and a half"
	}
	y, r := m/12, m%12
	if r >= 6 {
		return count(y, "year") + " and a half"
	}
	return count(y, "year")
}

func approx(about bool, s string) string {
	if about {
		return "about " + s
	}
	return s
}

var numberWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

// Count writes n units, spelling out zero to ten: "seven months", "one
// day", "12 weeks".
func Count(n int, unit string) string { return count(n, unit) }

// count writes n units, spelling out one to ten: "seven months", "1 day"
// is "one day", 12 weeks is "12 weeks".
func count(n int, unit string) string {
	w := strconv.Itoa(n)
	if n >= 0 && n < len(numberWords) {
		w = numberWords[n]
	}
	if n == 1 {
		return w + " " + unit
	}
	return w + " " + unit + "s"
}

// Plural writes n and unit, with an s when n is not 1: "1 article", "5
// articles".
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// Age describes how long before asOf the day t was: "3 days", "3 weeks",
// "5 months", "2 years", "more than 2 years". It returns "" when t is
// after asOf.
func Age(t, asOf time.Time) string {
	days := int(DayOf(asOf).Sub(DayOf(t)).Hours() / 24)
	switch {
	case days < 0:
		return ""
	case days < 14:
		return Plural(days, "day")
	case days < 61:
		return Plural(days/7, "week")
	case days < 730:
		return Plural(int(float64(days)/30.44+0.5), "month")
	case days%365 < 30:
		return Plural(days/365, "year")
	default:
		return "more than " + Plural(days/365, "year")
	}
}

var monthNames = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		monthNames[strings.ToLower(m.String())] = m
		monthNames[strings.ToLower(m.String()[:3])] = m
	}
	monthNames["sept"] = time.September
}

// ParseMonth parses a month name or its abbreviation ("Sept.", "nov"),
// in any case.
func ParseMonth(s string) (time.Month, bool) {
	m, ok := monthNames[strings.ToLower(strings.TrimSuffix(s, "."))]
	return m, ok
}
