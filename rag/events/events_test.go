package events_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag/events"
)

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// article joins sentences into one text and returns their spans.
func article(id, published string, sentences ...string) (corpus.Article, []events.Span) {
	var b strings.Builder
	var spans []events.Span
	for _, s := range sentences {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		spans = append(spans, events.Span{Start: b.Len(), End: b.Len() + len(s)})
		b.WriteString(s)
	}
	a := corpus.Article{ID: id, Text: b.String()}
	if published != "" {
		a.Published = day(published)
	}
	return a, spans
}

func describe(e events.Event) string {
	planned := ""
	if e.Planned {
		planned = " planned"
	}
	return fmt.Sprintf("%s %s%s [%s]", e.Date, e.Action, planned, strings.Join(e.Actors, ", "))
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name      string
		published string
		sentences []string
		want      []string
	}{
		{"call in a past month", "2023-03-13",
			[]string{"Biden and Xi’s last phone call — their fifth — took place in July, amid a furor.", "The leaders last met face-to-face in Bali in November, which appeared to have lowered tensions."},
			[]string{"July 2022 call [Biden, Xi]", "November 2022 meeting [Bali, Biden, Xi]"}},
		{"weekday and pronoun", "2021-09-10",
			[]string{"President Biden used a call with Xi Jinping Thursday night to test diplomacy.", "Since Biden’s election, they had only spoken once before, February 10."},
			[]string{"9 September 2021 call [President Biden, Xi Jinping]", "10 February 2021 call [Biden, President Biden, Xi Jinping]"}},
		{"planned", "2024-08-28",
			[]string{"Sullivan is expected to host a press conference Thursday.", "Officials agreed to plan for a call between Biden and Xi in the coming weeks."},
			[]string{"29 August 2024 other planned [Sullivan]", "the weeks after 28 August 2024 call planned [Officials, Biden, Xi]"}},
		{"a group named before", "2024-10-01",
			[]string{"The last call between Joe Biden and Xi Jinping took place in April this year.", "Their last in-person meeting was back in November 2023 in Woodside, California.", "Following a meeting between Antony Blinken and Wang Yi last Friday, both sides emphasized keeping channels open."},
			[]string{"April 2024 call [Joe Biden, Xi Jinping]", "November 2023 meeting [Woodside, California, Joe Biden, Xi Jinping]", "27 September 2024 meeting [Antony Blinken, Wang Yi]"}},
		{"virtual meeting is a call", "2021-10-22",
			[]string{"Washington was targeting a virtual meeting between Biden and Xi in November."},
			[]string{"November 2021 call planned [Washington, Biden, Xi]"}},
		{"named, not phoned", "2021-10-22",
			[]string{"Burns on Wednesday called China “the most dangerous competitor”."},
			[]string{"20 October 2021 other [Burns, China]"}},
		{"absolute date without publication date", "",
			[]string{"The code was signed in 2014, and nobody met last week."},
			[]string{"2014 agreement []"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, spans := article("a", tt.published, tt.sentences...)
			var got []string
			for _, e := range events.Extract(a, spans) {
				got = append(got, describe(e))
				if e.Article != "a" || a.Text[e.WhenStart:e.WhenEnd] != e.When || e.Start > e.WhenStart || e.End < e.WhenEnd {
					t.Errorf("event %+v: offsets or article id wrong", e)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestNewestOldest(t *testing.T) {
	a, spans := article("a", "2024-10-01",
		"The last call between Biden and Xi took place in April this year.",
		"Their last in-person meeting was back in November 2023 in Woodside.",
		"They spoke on 2 April 2024 for an hour.")
	evs := events.Extract(a, spans)
	newest, ok := events.Newest(evs)
	if !ok || newest.Date.String() != "2 April 2024" {
		t.Errorf("Newest: got %v, want 2 April 2024 (the finer of two overlapping dates)", newest.Date)
	}
	oldest, _ := events.Oldest(evs)
	if oldest.Date.String() != "November 2023" {
		t.Errorf("Oldest: got %v, want November 2023", oldest.Date)
	}
	if !newest.HasActor("biden") || newest.HasActor("bid") {
		t.Errorf("HasActor: %v", newest.Actors)
	}
}

func TestSame(t *testing.T) {
	a, sa := article("a", "2024-08-28", "The call would follow agreements between Biden and Xi reached at a summit in Woodside in November 2023.")
	b, sb := article("b", "2024-10-01", "Their last in-person meeting with Biden was back in November 2023 in Woodside.")
	ea, eb := events.Extract(a, sa), events.Extract(b, sb)
	if len(ea) != 1 || len(eb) != 1 {
		t.Fatalf("got %d and %d events, want 1 each", len(ea), len(eb))
	}
	if !events.Same(ea[0], eb[0]) {
		t.Errorf("Same: %s and %s should be one event", describe(ea[0]), describe(eb[0]))
	}
}
