package rag_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
	"citebot/rag/timex"
)

func period(t *testing.T, s string) timex.Date {
	t.Helper()
	d, err := rag.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParsePeriod(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		in       string
		from, to time.Time
		prec     timex.Precision
	}{
		{"2023", day(2023, 1, 1), day(2023, 12, 31), timex.Year},
		{" 2023-03 ", day(2023, 3, 1), day(2023, 3, 31), timex.Month},
		{"2024-02", day(2024, 2, 1), day(2024, 2, 29), timex.Month},
		{"2023-03-15", day(2023, 3, 15), day(2023, 3, 15), timex.Day},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := rag.ParsePeriod(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !d.From.Equal(tc.from) || !d.To.Equal(tc.to) || d.Prec != tc.prec {
				t.Errorf("got %v–%v (%v), want %v–%v (%v)", d.From, d.To, d.Prec, tc.from, tc.to, tc.prec)
			}
		})
	}
	for _, bad := range []string{"", "23", "2023-13", "2023-02-30", "March 2023", "2023/03", "20230", "2023-3"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := rag.ParsePeriod(bad)
			if err == nil || !strings.Contains(err.Error(), "2023-03-15") {
				t.Errorf("got %v, want an error naming the accepted forms", err)
			}
		})
	}
}

func TestFilterString(t *testing.T) {
	for _, tc := range []struct {
		f    func() rag.Filter
		want string
	}{
		{func() rag.Filter { return rag.Filter{} }, ""},
		{func() rag.Filter { return rag.Filter{Source: "Reuters", Until: period(t, "2021")} }, "from Reuters before 2022"},
		{func() rag.Filter { return rag.Filter{Until: period(t, "2023-03")} }, "before April 2023"},
		{func() rag.Filter { return rag.Filter{Until: period(t, "2023-12-31")} }, "before 1 January 2024"},
		{func() rag.Filter { return rag.Filter{Since: period(t, "2023-03")} }, "since March 2023"},
		{func() rag.Filter {
			return rag.Filter{Source: "AP", Since: period(t, "2021"), Until: period(t, "2023-03")}
		}, "from AP between 2021 and March 2023"},
	} {
		if got := tc.f().String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	f := rag.Filter{Since: period(t, "2024"), Until: period(t, "2023")}
	if err := f.Validate(); err == nil || !strings.Contains(err.Error(), "since") {
		t.Errorf("Validate of since after until: got %v, want an error naming since", err)
	}
	if err := (rag.Filter{Since: period(t, "2023"), Until: period(t, "2023")}).Validate(); err != nil {
		t.Errorf("Validate of one year: %v", err)
	}
}

// outletArticles returns n sample articles whose outlets cycle through
// "Alpha", "beta", "Gamma" except one "Rare" article; every tenth is
// undated.
func outletArticles(n int) []corpus.Article {
	arts := rag.SampleArticles(n, 7)
	for i := range arts {
		arts[i].Source = []string{"Alpha", "beta", "Gamma"}[i%3]
		if i%10 == 9 {
			arts[i].Published = time.Time{}
		}
	}
	arts[n/2].Source = "Rare"
	return arts
}

func TestSearchFilter(t *testing.T) {
	arts := outletArticles(300)
	ix := indexOf(t, arts, nil)
	byID := map[string]corpus.Article{}
	for _, a := range arts {
		byID[a.ID] = a
	}
	queries := []string{"Biden Xi call", "virtual meeting", "spy balloon", "Sullivan Beijing visit"}
	for _, tc := range []struct {
		name  string
		f     rag.Filter
		admit func(a corpus.Article) bool
	}{
		{"source", rag.Filter{Source: "ALPHA"}, func(a corpus.Article) bool { return a.Source == "Alpha" }},
		{"source lower", rag.Filter{Source: " Beta "}, func(a corpus.Article) bool { return a.Source == "beta" }},
		{"since", rag.Filter{Since: period(t, "2023-03")}, func(a corpus.Article) bool {
			return !a.Published.IsZero() && !a.Published.Before(time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"until", rag.Filter{Until: period(t, "2021")}, func(a corpus.Article) bool {
			return !a.Published.IsZero() && a.Published.Year() <= 2021
		}},
		{"all three", rag.Filter{Source: "gamma", Since: period(t, "2021-06-01"), Until: period(t, "2022-06")}, func(a corpus.Article) bool {
			p := a.Published
			return a.Source == "Gamma" && !p.IsZero() && !p.Before(time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)) && p.Before(time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"rare", rag.Filter{Source: "rare"}, func(a corpus.Article) bool { return a.Source == "Rare" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, q := range queries {
				ps, err := ix.Search(context.Background(), q, rag.SearchOptions{K: 8, Filter: tc.f})
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) == 0 {
					t.Errorf("%q: got no passages, want some", q)
				}
				for _, p := range ps {
					if a := byID[p.ArticleID]; !tc.admit(a) {
						t.Errorf("%q: got %s (%s, %s), which the filter does not admit", q, a.ID, a.Source, a.PublishedString())
					}
				}
			}
		})
	}
}

func TestSearchFilterNoMatch(t *testing.T) {
	ix := shippedIndex(t)
	for _, tc := range []struct {
		f    rag.Filter
		want string
	}{
		{rag.Filter{Source: "reuters", Until: period(t, "2020")}, "no articles from Reuters before 2021"},
		{rag.Filter{Since: period(t, "2025")}, "no articles since 2025"},
		{rag.Filter{Source: "Reuterz"}, "no articles from Reuterz (the corpus has articles from Reuters)"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, err := ix.Search(context.Background(), "Biden Xi call", rag.SearchOptions{Filter: tc.f})
			if !errors.Is(err, rag.ErrNoArticles) {
				t.Fatalf("got %v, want ErrNoArticles", err)
			}
			if err.Error() != tc.want {
				t.Errorf("got %q, want %q", err, tc.want)
			}
			if got := ix.Check(tc.f); got == nil || got.Error() != tc.want {
				t.Errorf("Check: got %v, want %q", got, tc.want)
			}
		})
	}
	if err := ix.Check(rag.Filter{Source: "REUTERS", Since: period(t, "2021-10")}); err != nil {
		t.Errorf("Check of a filter that admits an article: %v", err)
	}
	if got, want := fmt.Sprint(ix.Outlets()), "[Reuters]"; got != want {
		t.Errorf("Outlets: got %s, want %s", got, want)
	}
}

func TestAnswerFilter(t *testing.T) {
	ix := shippedIndex(t)
	ex := rag.NewExtractive(ix)
	ans, err := ex.Answer(context.Background(), rag.Query{Question: "when will Biden and Xi meet?", Filter: rag.Filter{Source: "reuters"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) == 0 {
		t.Fatalf("got no citations (%q), want the Reuters article's", ans.Text)
	}
	for _, c := range ans.Citations {
		if c.Source != "Reuters" {
			t.Errorf("got a citation of %s (%q), want Reuters only", c.ArticleID, c.Source)
		}
	}
	_, err = ex.Answer(context.Background(), rag.Query{Question: "when will Biden and Xi meet?", Filter: rag.Filter{Source: "Reuters", Until: period(t, "2021-09")}})
	var nm *rag.NoMatchError
	if !errors.As(err, &nm) || nm.Error() != "no articles from Reuters before October 2021" {
		t.Errorf("got %v, want a NoMatchError saying no articles from Reuters before October 2021", err)
	}
}

func TestFilterAfterUpdate(t *testing.T) {
	arts := outletArticles(30)
	ix := indexOf(t, arts, nil)
	f := rag.Filter{Source: "Newcomer"}
	if err := ix.Check(f); !errors.Is(err, rag.ErrNoArticles) {
		t.Fatalf("before: got %v, want ErrNoArticles", err)
	}
	arts[3].Source = "Newcomer"
	if _, err := ix.Update(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	ps, err := ix.Search(context.Background(), "Biden", rag.SearchOptions{Filter: f})
	if err != nil {
		t.Fatalf("after: %v", err)
	}
	for _, p := range ps {
		if p.ArticleID != arts[3].ID {
			t.Errorf("got %s, want only %s", p.ArticleID, arts[3].ID)
		}
	}
}
