package timex_test

import (
	"strings"
	"testing"
	"time"

	"citebot/rag/timex"
)

func day(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// describe lists the mentions as "text=date" for comparison.
func describe(ms []timex.Mention) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, m.Text+"="+m.Date.String())
	}
	return strings.Join(parts, "; ")
}

func TestFind(t *testing.T) {
	tests := []struct {
		name, text, ref, want string
	}{
		{"day month year", "They met on 15 November 2023 in Woodside.", "2024-10-01", "15 November 2023=15 November 2023"},
		{"month day year", "Biden greets Xi in Woodside, Calif., on Nov, 15, 2023.", "", "Nov, 15, 2023=15 November 2023"},
		{"abbreviated month", "It was signed on Sept. 9, 2021.", "", "Sept. 9, 2021=9 September 2021"},
		{"iso", "date 2021-10-22 By Trevor Hunnicutt", "", "2021-10-22=22 October 2021"},
		{"month year", "Their last meeting was in November 2023 in Woodside.", "", "November 2023=November 2023"},
		{"year", "The code was signed in 2014 during the Obama administration.", "", "2014=2014"},
		{"quantity is not a year", "About 2000 people and 1800 miles, $2021 and 2,021.", "", ""},
		{"season", "A report from fall 2024 and one from early 2023.", "", "fall 2024=fall 2024; early 2023=early 2023"},
		{"decade", "Since the 1990s relations have changed.", "", "the 1990s=the 1990s"},
		{"month this year", "The last call took place in April this year.", "2024-10-01", "April this year=April 2024"},
		{"weekday in the past", "Biden used a call with Xi Jinping Thursday night to test it.", "2021-09-10", "Thursday night=9 September 2021"},
		{"same-day weekday", "The congress concluded Monday.", "2023-03-13", "Monday=13 March 2023"},
		{"last weekday", "They met in New York last Friday.", "2024-10-01", "last Friday=27 September 2024"},
		{"future weekday", "Sullivan is expected to host a press conference Thursday.", "2024-08-28", "Thursday=29 August 2024"},
		{"from a weekday", "Fares rise from Tuesday, the operator announced.", "2024-03-04", "Tuesday=5 March 2024"},
		{"from a weekday in the past", "The line had been closed from Tuesday until it reopened.", "2024-03-07", "Tuesday=5 March 2024"},
		{"on a weekday", "Burns on Wednesday called China a competitor.", "2021-10-22", "Wednesday=20 October 2021"},
		{"bare month in the past", "Their fifth call took place in July.", "2023-03-13", "July=July 2022"},
		{"bare month this year", "The balloon was found in February.", "2023-03-13", "February=February 2023"},
		{"bare month ahead", "Washington was targeting a video conference in November.", "2021-10-22", "November=November 2021"},
		{"past, though due to", "The balloon found over military sites in February led them to cancel a trip hours before he was due to leave.", "2023-03-13", "February=February 2023"},
		{"month day without year", "after a September 9 phone call between Biden and Xi", "2021-10-22", "September 9=9 September 2021"},
		{"month day earlier in the year", "they had only spoken once before, February 10.", "2021-09-10", "February 10=10 February 2021"},
		{"last week", "Kerry visited China last week.", "2021-09-10", "last week=the week of 30 August 2021"},
		{"next week", "at next week’s Group of 20 summit in Rome", "2021-10-22", "next week=the week of 25 October 2021"},
		{"last month", "Tensions flared after last month's discovery.", "2023-03-13", "last month=February 2023"},
		{"this month", "The two sides agreed in talks in Switzerland this month.", "2021-10-22", "this month=October 2021"},
		{"ago", "The deal was struck two months ago.", "2024-10-01", "two months ago=around August 2024"},
		{"yesterday", "The minister resigned yesterday.", "2022-07-07", "yesterday=6 July 2022"},
		{"may the verb", "It may happen soon.", "2024-10-01", ""},
		{"no reference date", "They spoke last week, on Monday.", "", ""},
		{"coming weeks", "They agreed to plan a call in the coming weeks.", "2024-08-28", "in the coming weeks=the weeks after 28 August 2024"},
		{"end of the year", "They agreed to hold the meeting by the end of the year.", "2021-10-22", "by the end of the year=by the end of 2021"},
		{"capitalised words only", "the march to the sea in august company", "2024-10-01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(timex.Find(tt.text, day(tt.ref))); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFindCasual(t *testing.T) {
	tests := []struct {
		name, text, ref, want string
	}{
		{"abbreviation and year", "wher was biden sitting durng his call w xi back in sept 2021", "2026-11-23", "sept 2021=September 2021"},
		{"bare abbreviation", "did they talk again after their feb call?", "2021-10-25", "feb=February 2021"},
		{"season", "how many calls had they done by fall 2024?", "2026-11-23", "fall 2024=fall 2024"},
		{"year", "did biden and xi meet face to face in 2022", "2026-11-23", "2022=2022"},
		{"this week", "which automaker recalled 2.9 million vehicles this week?", "2022-06-16", "this week=the week of 13 June 2022"},
		{"lower-case weekday", "what nfl star announced his retirement on tuesday?", "2022-06-23", "tuesday=21 June 2022"},
		{"may the verb", "may i ask when they may meet", "2026-11-23", ""},
		{"march with a year", "what happened in march 2023", "2026-11-23", "march 2023=March 2023"},
		{"month day", "what happened on nov 15", "2026-11-23", "nov 15=15 November 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := timex.FindWith(tt.text, timex.Options{Ref: day(tt.ref), Casual: true})
			if d := describe(got); d != tt.want {
				t.Errorf("got  %q\nwant %q", d, tt.want)
			}
		})
	}
}

func TestPrep(t *testing.T) {
	ms := timex.FindWith("how many calls by fall 2024 and since 2021, after their feb call", timex.Options{Ref: day("2021-10-25"), Casual: true})
	var got []string
	for _, m := range ms {
		got = append(got, m.Prep)
	}
	if strings.Join(got, ",") != "by,since,after" {
		t.Errorf("got %v, want [by since after]", got)
	}
}

func TestAnnotate(t *testing.T) {
	tests := []struct {
		name, text, ref, want string
	}{
		{"relative", "The last call took place in April this year.", "2024-10-01", "The last call took place in April this year (April 2024)."},
		{"possessive", "including at next week’s Group of 20 summit", "2021-10-22", "including at next week’s (the week of 25 October 2021) Group of 20 summit"},
		{"absolute untouched", "They met in November 2023 and on July 4, 2022.", "2024-10-01", "They met in November 2023 and on July 4, 2022."},
		{"two mentions", "Kerry visited last week and left Thursday.", "2021-09-10", "Kerry visited last week (the week of 30 August 2021) and left Thursday (9 September 2021)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := timex.Annotate(tt.text, timex.Find(tt.text, day(tt.ref))); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestBetween(t *testing.T) {
	feb10, sep9 := timex.OnDay(day("2021-02-10")), timex.OnDay(day("2021-09-09"))
	tests := []struct {
		name     string
		from, to timex.Date
		want     string
	}{
		{"days", feb10, timex.OnDay(day("2021-02-13")), "three days"},
		{"weeks", feb10, timex.OnDay(day("2021-03-10")), "four weeks"},
		{"months", feb10, sep9, "about seven months"},
		{"month precision", timex.InMonth(2022, time.November), timex.InMonth(2023, time.February), "about three months"},
		{"a year", timex.InMonth(2022, time.November), timex.InMonth(2023, time.November), "about a year"},
		{"years", timex.InMonth(2021, time.February), timex.InMonth(2024, time.April), "about three years"},
		{"backwards", sep9, feb10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := timex.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAge(t *testing.T) {
	tests := []struct{ t, asOf, want string }{
		{"2026-11-20", "2026-11-23", "3 days"},
		{"2026-10-01", "2026-11-23", "7 weeks"},
		{"2026-01-01", "2026-11-23", "11 months"},
		{"2024-10-01", "2026-11-23", "more than 2 years"},
		{"2026-12-01", "2026-11-23", ""},
	}
	for _, tt := range tests {
		if got := timex.Age(day(tt.t), day(tt.asOf)); got != tt.want {
			t.Errorf("Age(%s, %s) = %q, want %q", tt.t, tt.asOf, got, tt.want)
		}
	}
}

func TestDateString(t *testing.T) {
	tests := []struct {
		d    timex.Date
		want string
	}{
		{timex.OnDay(day("2021-09-09")), "9 September 2021"},
		{timex.WeekOf(day("2021-09-02")), "the week of 30 August 2021"},
		{timex.InMonth(2024, time.April), "April 2024"},
		{timex.InYear(2022), "2022"},
		{timex.Date{}, ""},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
