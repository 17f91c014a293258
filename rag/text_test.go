package rag_test

import (
	"strings"
	"testing"
	"time"

	"citebot/rag"
)

func TestResolveRelative(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	tests := []struct {
		name, sentence, pub, want string
	}{
		{"month this year", "The last call took place in April this year.", "2024-10-01", "The last call took place in April this year (April 2024)."},
		{"weekday in the past", "Biden used a call with Xi Jinping Thursday night to test it.", "2021-09-10", "Biden used a call with Xi Jinping Thursday night (9 September 2021) to test it."},
		{"same-day weekday", "The congress concluded Monday.", "2023-03-13", "The congress concluded Monday (13 March 2023)."},
		{"last weekday", "They met in New York last Friday.", "2024-10-01", "They met in New York last Friday (27 September 2024)."},
		{"future weekday", "Sullivan is expected to host a press conference Thursday.", "2024-08-28", "Sullivan is expected to host a press conference Thursday (29 August 2024)."},
		{"bare month in the past", "Their fifth call took place in July.", "2023-03-13", "Their fifth call took place in July (July 2022)."},
		{"bare month this year", "The balloon was found in February.", "2023-03-13", "The balloon was found in February (February 2023)."},
		{"last week", "Kerry visited China last week.", "2021-09-10", "Kerry visited China last week (the week of 30 August 2021)."},
		{"last month", "Tensions flared after last month's discovery.", "2023-03-13", "Tensions flared after last month's (February 2023) discovery."},
		{"absolute dates untouched", "They met in November 2023 and on July 4, 2022.", "2024-10-01", "They met in November 2023 and on July 4, 2022."},
		{"may the verb", "It may happen soon.", "2024-10-01", "It may happen soon."},
		{"no publication date", "They spoke last week.", "", "They spoke last week."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pub time.Time
			if tt.pub != "" {
				pub = day(tt.pub)
			}
			if got := rag.ResolveRelative(tt.sentence, pub); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeQuestion(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"trims and collapses", "  when did\tthey\n\nspeak?  ", "when did they speak?", nil},
		{"control characters", "what\x01\x1b[31m about\u200b it", "what [31m about it", nil},
		{"quotes", `"who is denny roy?"`, "who is denny roy?", nil},
		{"empty", "   ", "", rag.ErrEmptyQuestion},
		{"only punctuation", "?!?", "", rag.ErrEmptyQuestion},
		{"too long", strings.Repeat("a", rag.MaxQuestionRunes+1), "", rag.ErrQuestionTooLong},
		{"other script", "习近平和拜登什么时候通话?", "习近平和拜登什么时候通话?", nil},
		{"invalid utf-8", "who\xff is it", "who\uFFFD is it", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rag.NormalizeQuestion(tt.in)
			if tt.err != nil {
				if err == nil || !strings.Contains(err.Error(), tt.err.Error()) {
					t.Errorf("got err %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestAnalyzeQuestion(t *testing.T) {
	tests := []struct {
		q       string
		kind    string
		recency bool
		keys    string
	}{
		{"When did Biden and Xi last speak?", "when", true, "biden xi"},
		{"How long did the September 2021 call between Biden and Xi last?", "how long", false, "septemb 2021 biden xi"},
		{"Who is Denny Roy?", "who", false, "denni roy"},
		{"Why did China sever military-to-military communication?", "why", false, "china"},
		{"How many phone calls had they held by March 2023?", "how many", false, "march 2023"},
		{"What is the latest on tariffs?", "what", true, ""},
		{"Where did Biden and Xi hold their summit in November 2023?", "where", false, "biden xi novemb 2023"},
		{"approximately how many trams does the city own?", "how many", false, ""},
		{"roughly how much did the bridge cost?", "how many", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := rag.AnalyzeQuestion(tt.q)
			if got.Kind != tt.kind || got.Recency != tt.recency || strings.Join(got.Keys, " ") != tt.keys {
				t.Errorf("got kind %q recency %v keys %q; want %q %v %q", got.Kind, got.Recency, strings.Join(got.Keys, " "), tt.kind, tt.recency, tt.keys)
			}
		})
	}
}
