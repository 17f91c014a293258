package rag_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
)

func TestReadQuestion(t *testing.T) {
	ix := newIndex(t, shipped(t))
	tests := []struct {
		name, in, want, corrected string
	}{
		{"typos and chat words", "wher was biden sitting durng his call w xi back in sept 2021",
			"where was biden sitting during his call with xi back in sept 2021", "wher → where; durng → during"},
		{"a misspelt name", "wat did sulivan n wang yi agre on in beijing??",
			"what did sullivan and wang yi agreed on in beijing??", "sulivan → sullivan; agre → agreed"},
		{"fillers and a mention", "@citebot hey when was the last time biden and xi actually talked?",
			"when was the last time biden and xi talked?", ""},
		{"an acronym in lower case", "is the us trying to talk to china?", "is the US trying to talk to china?", ""},
		{"english words are never changed", "What did Biden and Xi agree about Mars exploration?",
			"What did Biden and Xi agree about Mars exploration?", ""},
		{"capitalised names are never changed", "Who is Denny Rooy?", "Who is Denny Rooy?", ""},
		{"a letter as a symbol", "what are the functions of n and T(n) here", "what are the functions of n and T(n) here", ""},
		{"a question of fillers only", "hey", "hey", ""},
		{"the point of is a purpose", "what was the point of the talks", "what was the purpose of the talks", ""},
		{"a point of view stays", "what was the point of view of the talks", "what was the point of view of the talks", ""},
		{"such a big deal is importance", "why is that such a big deal", "why is that so important", ""},
		{"a big deal signed stays", "who signed a big deal with china", "who signed a big deal with china", ""},
		{"fighting over is a dispute", "what are they fighting over", "what are they disputing over", ""},
		{"fighting alone stays", "when did the fighting stop", "when did the fighting stop", ""},
		{"call off is cancel", "why did blinken call off his trip", "why did blinken cancel his trip", ""},
		{"a vibe is a tone", "what was the vibe on the call", "what was the tone on the call", ""},
		{"back on at the end is rescheduled", "is the trip back on?", "is the trip rescheduled?", ""},
		{"back on with more after it stays", "when did he come back on stage", "when did he come back on stage", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, corr := rag.ReadQuestion(ix, tt.in)
			if got != tt.want || strings.Join(corr, "; ") != tt.corrected {
				t.Errorf("got  %q (corrected %q)\nwant %q (corrected %q)", got, strings.Join(corr, "; "), tt.want, tt.corrected)
			}
		})
	}
}

func TestForeignQuestionsGetANote(t *testing.T) {
	e := rag.NewExtractive(newIndex(t, shipped(t)))
	tests := []struct {
		q       string
		foreign bool
	}{
		{"习近平和拜登什么时候通话?", true},
		{"¿Cuándo hablaron Biden y Xi por última vez por teléfono?", true},
		{"Wann haben Biden und Xi zuletzt miteinander telefoniert?", true},
		{"when did Biden and Xi last speak?", false},
		{"wher was biden sitting durng his call w xi", false},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			ans, err := e.Answer(ctx(), rag.Query{Question: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(ans.Note, "English only"); got != tt.foreign {
				t.Errorf("note %q: English-only note %v, want %v", ans.Note, got, tt.foreign)
			}
		})
	}
}

func TestWarm(t *testing.T) {
	cold := newIndex(t, shipped(t))
	warm := newIndex(t, shipped(t))
	if err := warm.Warm(ctx(), 0); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	q := rag.Query{Question: "when did biden and xi last talk?", AsOf: day("2026-11-23")}
	a, err := rag.NewExtractive(cold).Answer(ctx(), q)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rag.NewExtractive(warm).Answer(ctx(), q)
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != b.Text {
		t.Errorf("a warmed index answers differently:\n cold: %s\n warm: %s", a.Text, b.Text)
	}
	cancelled, cancel := context.WithCancel(ctx())
	cancel()
	if err := newIndex(t, shipped(t)).Warm(cancelled, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Warm with a cancelled context: got %v, want context.Canceled", err)
	}
}

func TestReadOrdinalsAndShortAcronyms(t *testing.T) {
	e := rag.NewExtractive(newIndex(t, shipped(t)))
	for _, tc := range []struct{ q, want string }{
		{"when was biden and xi's 5th call", "fifth"},
		{"what does the us want china's help with on ai", "artificial intelligence"},
	} {
		ans, err := e.Answer(context.Background(), rag.Query{Question: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ToLower(ans.Text), tc.want) {
			t.Errorf("%q: got %q, want it to hold %q", tc.q, ans.Text, tc.want)
		}
	}
}

// TestStopWordsInCapitalsAreNoNames checks that a stop word a corpus
// shouts in a headline ("FOR") is not taken for a name, which would read
// "2-for-1" in a question as "2-FOR-1".
func TestStopWordsInCapitalsAreNoNames(t *testing.T) {
	arts := append(shipped(t), corpus.Article{ID: "shout", Title: "Shouted", Published: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Text: "DEALS FOR EVERYONE TODAY.\n\nAcme Stores offered shoppers a 2-for-1 deal on bread for a week, and shoppers came for it."})
	ix := newIndex(t, arts)
	for _, tc := range []struct {
		term string
		want bool
	}{{"for", false}} {
		if got := rag.ProperTerm(ix, tc.term); got != tc.want {
			t.Errorf("ProperTerm(%q) = %v, want %v", tc.term, got, tc.want)
		}
	}
}

// TestWhereOverEvents checks that where-questions about the last, first,
// or an earlier event are answered from the dated events, place first.
func TestWhereOverEvents(t *testing.T) {
	e := rag.NewExtractive(newIndex(t, shipped(t)))
	for _, tc := range []struct{ q, want, not string }{
		{"where did biden and xi see each other in person before November 2023", "Bali", "Woodside"},
		{"where did biden and xi meet before their Woodside summit", "Bali", "Woodside"},
		{"where did biden and xi last meet in person", "Woodside", "Bali"},
	} {
		t.Run(tc.q, func(t *testing.T) {
			ans, err := e.Answer(context.Background(), rag.Query{Question: tc.q, AsOf: time.Date(2024, 10, 2, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(ans.Text, tc.want) || strings.Contains(ans.Text, tc.not) {
				t.Errorf("got %q, want %q and not %q", ans.Text, tc.want, tc.not)
			}
		})
	}
}
