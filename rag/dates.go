package rag

import (
	"time"

	"citebot/rag/textutil"
	"citebot/rag/timex"
)

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

// humanAge describes how long before asOf the date t was: "3 weeks",
// "5 months", "more than 2 years".
func humanAge(t, asOf time.Time) string { return timex.Age(t, asOf) }
