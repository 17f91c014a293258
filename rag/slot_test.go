package rag_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/rag"
)

// TestWhichQuestionsPreferTheSentenceThatSaysWhich checks two signals for
// which-questions: a sentence that fills the question's slot ("the sale of
// which team" → "the sale of the Harbor Kites") beats one that repeats
// the question's words around an empty slot, and the sentence naming what
// a headline restating the question names beats one that shares more of
// the question's words.
func TestWhichQuestionsPreferTheSentenceThatSaysWhich(t *testing.T) {
	pub := time.Date(2022, 8, 10, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "sale", Title: "", Source: "example.com", Published: pub, Text: "League owners unanimously approved the sale of the Harbor Kites on Tuesday from the founder's trust to a family of investors.\n\nThe new owners plan to keep the team in its city."},
		{ID: "staff", Title: "", Source: "example.com", Published: pub, Text: "Coaches and staff of the team gathered at headquarters one day after league owners unanimously approved the sale on Tuesday.\n\nThe meeting lasted an hour."},
		{ID: "player", Title: "Dara Venn becomes highest paid player in league history - Example News", Source: "example.com", Published: pub,
			Text: "The new deal takes the 37-year-old to 500 million dollars in career earnings, making him the best paid player, ahead of Tomas Reyes of the Mariners.\n\nVeteran forward Dara Venn has agreed to a two-year extension with his club on Wednesday, making him the league's top earner."},
	}
	ix := newIndex(t, arts)
	e := rag.NewExtractive(ix)
	tests := []struct {
		name, q, want string
	}{
		{"slot after a word", "League owners unanimously approved the sale of which team this week?", "Harbor Kites"},
		{"headline restating the question", "After agreeing to a two-year extension this week, which player became the highest paid player in league history?", "Dara Venn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, err := e.Answer(context.Background(), rag.Query{Question: tt.q, AsOf: day("2022-08-12")})
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			if got := strings.ReplaceAll(ans.Text, "**", ""); !strings.Contains(got, tt.want) {
				t.Errorf("answer lacks %q: got %q", tt.want, got)
			}
		})
	}
}

// TestRecencyShare checks the recency prior's scale: articles a day apart
// in a week's news are near-equals, while over years the span of the
// candidates sets the scale.
func TestRecencyShare(t *testing.T) {
	d := func(s string) time.Time { return day(s) }
	tests := []struct {
		name                string
		pub, oldest, newest time.Time
		want                float64
	}{
		{"newest", d("2022-08-17"), d("2022-08-16"), d("2022-08-17"), 1},
		{"a day older in a week's news", d("2022-08-16"), d("2022-08-16"), d("2022-08-17"), 6.0 / 7},
		{"oldest of a year", d("2021-08-17"), d("2021-08-17"), d("2022-08-17"), 0},
		{"half a year older", d("2022-02-15"), d("2021-08-17"), d("2022-08-17"), 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rag.RecencyShare(tt.pub, tt.oldest, tt.newest); math.Abs(got-tt.want) > 0.01 {
				t.Errorf("got %.3f, want %.3f", got, tt.want)
			}
		})
	}
}

// TestHowManyIsNotAnsweredByOneOf checks that "one of these" is no count:
// the sentence with the number answers "how many … were recalled?".
func TestHowManyIsNotAnsweredByOneOf(t *testing.T) {
	arts := []corpus.Article{{ID: "recall", Source: "example.com", Published: day("2022-08-15"),
		Text: "If you own one of these baby swings and rockers that were recalled this week over infant injuries, stop using it.\n\nThe recall covers 2 million swings."}}
	e := rag.NewExtractive(newIndex(t, arts))
	ans, err := e.Answer(context.Background(), rag.Query{Question: "Approximately how many baby swings and rockers were recalled this week over infant injuries?", AsOf: day("2022-08-19")})
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if !strings.Contains(ans.Text, "2 million") {
		t.Errorf("answer lacks the count: %s", ans.Text)
	}
}

// TestOtherFocus checks which sentences speak of the kind a which-question
// asks for only as others of it.
func TestOtherFocus(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Other beverages that use green bottles will also be replaced.", true},
		{"Fizzo is the beverage retiring its green bottles; other beverages follow.", false},
		{"Fizzo is retiring its green bottles.", false},
		{"The other beverage brands are unaffected.", true},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := rag.OtherFocus("beverage", tt.s); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHeadlinePossessor checks which part of a headline's name with a
// possessive an answer is looked for by.
func TestHeadlinePossessor(t *testing.T) {
	tests := []struct{ q, name, want string }{
		{"Which country declared victory against the flu this week?", "North Korea's Kim Jong Un", "North Korea"},
		{"Starbucks brought back a drink this week. Which one?", "Starbucks’ Pumpkin Spice Latte", "Pumpkin Spice Latte"},
		{"Which team was sold?", "Denver Broncos", "Denver Broncos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rag.Possessor(tt.q, tt.name); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLedeOfARestatingHeadline checks that the first passage of an article
// whose headline restates the question joins the passages an answer is
// chosen from when the search found only later ones.
func TestLedeOfARestatingHeadline(t *testing.T) {
	var body strings.Builder
	body.WriteString("Harborlandic leader Mara Quill declared victory in the battle against the novel virus, state media said on Thursday.\n\n")
	for i := range 30 {
		fmt.Fprintf(&body, "Paragraph %d describes the port, the markets, the weather and the trains of the island in some detail, as reports often do.\n\n", i)
	}
	body.WriteString("Analysts said that although the authoritarian government has used the pandemic to tighten controls, its victory declaration could be a prelude to restoring trade.")
	arts := []corpus.Article{{ID: "flu", Title: "Harborland's Mara Quill declares victory against the virus - Example News", Source: "example.com", Published: day("2022-08-10"), Text: body.String()}}
	for i, topic := range []string{"a bakery opened on the main street", "the river rose after the rain", "a new bridge links two towns", "the school choir won a prize", "farmers sold apples at the fair", "the museum showed old maps"} {
		arts = append(arts, corpus.Article{ID: fmt.Sprint("other", i), Title: "Local news: " + topic, Source: "example.com", Published: day("2022-08-09"), Text: "This week " + topic + ", residents said."})
	}
	ix := newIndex(t, arts)
	for _, tt := range []struct {
		q    string
		want bool
	}{
		{"Which country declared victory against the virus this week?", true},
		{"Which bakery opened this week?", false},
	} {
		t.Run(tt.q, func(t *testing.T) {
			if got := rag.LedeAdded(ix, tt.q, "flu"); got != tt.want {
				t.Errorf("lede of the article added: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestStatesSuperlative checks that a superlative ranked by an ordinal is
// not the superlative a question asks by.
func TestStatesSuperlative(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Harborland remains the seat most likely to flip.", true},
		{"The paper ranked the seat as the fifth most likely to flip.", false},
		{"It is the 2nd most visited city, and the most visited in the south.", true},
		{"It is the 2nd most visited city.", false},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := rag.StatesSuperlative(tt.s, "most"); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLongQuestionsNeedLessOfTheirWords checks that a long question, whose
// many words set the scene, is answered from a passage holding fewer than
// half of them.
func TestLongQuestionsNeedLessOfTheirWords(t *testing.T) {
	arts := []corpus.Article{{ID: "bust", Source: "example.com", Published: day("2022-08-30"),
		Text: "A shipment of baby wipes at the river crossing turned out to be something quite different: $11.8 million worth of cocaine.\n\nAuthorities said officers seized the truck after a second inspection."}}
	for i, topic := range []string{"a bakery opened on the main street", "the river rose after the rain", "a new bridge links two towns", "the school choir won a prize"} {
		arts = append(arts, corpus.Article{ID: fmt.Sprint("other", i), Source: "example.com", Published: day("2022-08-29"), Text: "This week " + topic + ", residents said."})
	}
	e := rag.NewExtractive(newIndex(t, arts))
	ans, err := e.Answer(context.Background(), rag.Query{Question: "In a recent major drug bust near the river crossing, authorities seized more than $11 million worth of cocaine disguised as which household product?", AsOf: day("2022-09-02")})
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if !strings.Contains(ans.Text, "baby wipes") {
		t.Errorf("answer lacks the product: %s", ans.Text)
	}
}

// TestAskingClause checks which clause of a question asks, so that a
// superlative describing its subject ("the world's most wanted terrorist")
// is not one the answer must state.
func TestAskingClause(t *testing.T) {
	tests := []struct{ q, want string }{
		{"A drone strike killed the world's most wanted terrorist, who was associated with which group?", " who was associated with which group?"},
		{"Which state has the highest average price for gas?", "Which state has the highest average price for gas?"},
		{"The Emmys were presented on Monday. Which show won the most awards?", " Which show won the most awards?"},
		{"tell me the biggest recall this week", "tell me the biggest recall this week"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if got := rag.AskingClause(tt.q); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDigest checks which headlines mark a digest of several stories.
func TestDigest(t *testing.T) {
	tests := []struct {
		title string
		want  bool
	}{
		{"5 things to know for July 25: Wildfires, Ukraine, Monkeypox - Example News", true},
		{"Space telescope, Emmys, Uvalde. It's Tuesday's news", true},
		{"US, China senior officials agree to a call in coming weeks", false},
		{"Ford recalls 2.9M vehicles for inability to shift - Example News", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			if got := rag.IsDigest(tt.title); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
