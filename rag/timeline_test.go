package rag_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"citebot/rag"
)

// TestTimelineSeed checks the contacts between Biden and Xi that the seed
// corpus reports, in order, with their citations.
func TestTimelineSeed(t *testing.T) {
	ix := shippedIndex(t)
	tl, err := ix.Timeline(context.Background(), rag.TimelineQuery{Topic: "Biden Xi calls and meetings"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		date, action string
		planned      bool
		inSummary    string
		articles     []string
	}{
		{"10 February 2021", "call", false, "February 10", []string{"000_8a5e0f719dd434d8"}},
		{"9 September 2021", "call", false, "September 9", []string{"000_8a5e0f719dd434d8", "002_27f825d296f944c6"}},
		{"November 2021", "call", true, "video conference between Biden and Xi", []string{"002_27f825d296f944c6"}},
		{"July 2022", "call", false, "their fifth", []string{"003_e8560d62097cf880"}},
		{"November 2022", "meeting", false, "Bali", []string{"003_e8560d62097cf880"}},
		{"November 2023", "meeting", false, "Woodside", []string{"001_48f8343459885b5d", "004_bf2e7a1252b3b5c1"}},
		{"April 2024", "call", false, "April this year", []string{"004_bf2e7a1252b3b5c1"}},
		{"the weeks after 28 August 2024", "call", true, "call between President Biden and Chinese President Xi Jinping", []string{"001_48f8343459885b5d"}},
	}
	if len(tl.Events) != len(want) {
		t.Fatalf("got %d events, want %d:\n%s", len(tl.Events), len(want), tl)
	}
	for i, w := range want {
		e := tl.Events[i]
		var got []string
		for _, r := range e.Refs {
			got = append(got, tl.Citations[r-1].ArticleID)
		}
		if e.Date != w.date || e.Action != w.action || e.Planned != w.planned || !strings.Contains(e.Summary, w.inSummary) ||
			strings.Join(got, " ") != strings.Join(w.articles, " ") {
			t.Errorf("event %d: got %s %s planned=%v %q citing %v, want %s %s planned=%v with %q citing %v",
				i+1, e.Date, e.Action, e.Planned, e.Summary, got, w.date, w.action, w.planned, w.inSummary, w.articles)
		}
	}
	for i, c := range tl.Citations {
		if c.Ref != i+1 || c.Title == "" || c.Quote == "" {
			t.Errorf("citation %d: got %+v, want ref %d with a title and a quote", i, c, i+1)
		}
	}
	text := tl.String()
	for _, line := range []string{
		"Timeline: Biden Xi calls and meetings (8 events, oldest first)",
		"November 2021 — planned: ",
		"9 September 2021 — ",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("text lacks %q:\n%s", line, text)
		}
	}
}

func TestTimelineOptions(t *testing.T) {
	ix := shippedIndex(t)
	ctx := context.Background()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, tc := range []struct {
		name      string
		q         rag.TimelineQuery
		wantDates []string
	}{
		{"as of", rag.TimelineQuery{Topic: "Biden Xi calls and meetings", AsOf: day("2022-01-01")},
			[]string{"10 February 2021", "9 September 2021", "November 2021"}},
		{"source", rag.TimelineQuery{Topic: "Biden Xi calls and meetings", Filter: rag.Filter{Source: "reuters"}},
			[]string{"9 September 2021", "November 2021"}},
		{"since until", rag.TimelineQuery{Topic: "Biden Xi calls and meetings", Filter: rag.Filter{Since: period(t, "2023"), Until: period(t, "2023")}},
			[]string{"July 2022", "November 2022"}},
		{"only meetings", rag.TimelineQuery{Topic: "Biden Xi meetings"},
			[]string{"November 2022", "November 2023"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := ix.Timeline(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range tl.Events {
				got = append(got, e.Date)
			}
			if strings.Join(got, "; ") != strings.Join(tc.wantDates, "; ") {
				t.Errorf("got %q, want %q", got, tc.wantDates)
			}
		})
	}
	if _, err := ix.Timeline(ctx, rag.TimelineQuery{Topic: "  "}); !errors.Is(err, rag.ErrEmptyQuestion) {
		t.Errorf("empty topic: got %v, want ErrEmptyQuestion", err)
	}
	_, err := ix.Timeline(ctx, rag.TimelineQuery{Topic: "Biden", Filter: rag.Filter{Source: "Reuters", Until: period(t, "2020")}})
	if !errors.Is(err, rag.ErrNoArticles) || err.Error() != "no articles from Reuters before 2021" {
		t.Errorf("filter without articles: got %v, want no articles from Reuters before 2021", err)
	}
	tl, err := ix.Timeline(ctx, rag.TimelineQuery{Topic: "Mars exploration rover landing"})
	if err != nil || len(tl.Events) != 0 || tl.Events == nil || !strings.Contains(tl.String(), "No dated events") {
		t.Errorf("unknown topic: got %v, %+v, want an empty timeline", err, tl)
	}
}
