// Package filter holds what restricts a search or an answer to some of
// the corpus's articles: the [Filter] value (an outlet, a period of
// publication, or both), its description and validation, [ParsePeriod]
// for since and until options, and [NoMatchError] for a filter that admits
// nothing. Package index applies filters to its searches.
package filter

import (
	"citebot/rag/timex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ErrNoArticles is what a search or an answer returns, wrapped in a
// [*NoMatchError], when its [Filter] admits no article of the corpus.
var ErrNoArticles = errors.New("no articles match the filter")

// Filter restricts a search or an answer to some of the corpus's
// articles. The zero Filter admits every article.
type Filter struct {
	// Source is an outlet ("Reuters"), matched case-insensitively against
	// the articles' Source. Empty: any outlet.
	Source string
	// Since admits articles published on or after its first day; Until
	// those published on or before its last day. A zero Date sets no bound.
	// With either bound set, undated articles are left out.
	Since, Until timex.Date
}

// IsZero reports whether f admits every article.
func (f Filter) IsZero() bool {
	return strings.TrimSpace(f.Source) == "" && f.Since.IsZero() && f.Until.IsZero()
}

// Validate reports a filter whose period is empty: Since after Until.
func (f Filter) Validate() error {
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Since.From.After(f.Until.To) {
		return fmt.Errorf("since (%s) is after until (%s)", f.Since, f.Until)
	}
	return nil
}

// String describes what f admits, as the end of "no articles …": "from
// Reuters before 2022", "since March 2023", "between 2021 and March 2023".
// It is "" for the zero Filter.
func (f Filter) String() string {
	var parts []string
	if s := strings.TrimSpace(f.Source); s != "" {
		parts = append(parts, "from "+s)
	}
	switch {
	case !f.Since.IsZero() && !f.Until.IsZero():
		parts = append(parts, fmt.Sprintf("between %s and %s", f.Since, f.Until))
	case !f.Since.IsZero():
		parts = append(parts, "since "+f.Since.String())
	case !f.Until.IsZero():
		parts = append(parts, "before "+after(f.Until).String())
	}
	return strings.Join(parts, " ")
}

// after returns the period of d's precision that follows d: 2022 after
// 2021, April 2023 after March 2023, the next day after a day.
func after(d timex.Date) timex.Date {
	switch d.Prec {
	case timex.Year:
		return timex.InYear(d.From.Year() + 1)
	case timex.Month:
		n := d.From.AddDate(0, 1, 0)
		return timex.InMonth(n.Year(), n.Month())
	}
	return timex.OnDay(d.To.AddDate(0, 0, 1))
}

var periodRE = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$`)

// ParsePeriod parses the date of a since or until option: a year
// ("2023"), a month ("2023-03") or a day ("2023-03-15"). The error says
// which forms are accepted; callers prefix the option's name.
func ParsePeriod(s string) (timex.Date, error) {
	s = strings.TrimSpace(s)
	m := periodRE.FindStringSubmatch(s)
	bad := fmt.Errorf("%q is not a date: use a year (2023), a month (2023-03) or a day (2023-03-15)", s)
	if m == nil {
		return timex.Date{}, bad
	}
	switch {
	case m[2] == "":
		var y int
		fmt.Sscan(m[1], &y)
		return timex.InYear(y), nil
	case m[3] == "":
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return timex.Date{}, bad
		}
		return timex.InMonth(t.Year(), t.Month()), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return timex.Date{}, bad
	}
	return timex.OnDay(t), nil
}

// NoMatchError is the error of a lookup whose [Filter] admits no article.
// It matches [ErrNoArticles] with errors.Is.
type NoMatchError struct {
	// Filter is the filter that admits nothing.
	Filter Filter
	// Outlets lists the corpus's outlets when Filter.Source names none of
	// them (at most MaxOutletsNamed), for the message.
	Outlets []string
}

// MaxOutletsNamed bounds the outlets a [NoMatchError] lists.
const MaxOutletsNamed = 10

// Error says what matched nothing: "no articles from Reuters before
// 2022".
func (e *NoMatchError) Error() string {
	s := "no articles " + e.Filter.String()
	if len(e.Outlets) > 0 {
		s += " (the corpus has articles from " + strings.Join(e.Outlets, ", ") + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrNoArticles) hold.
func (e *NoMatchError) Is(target error) bool { return target == ErrNoArticles }
