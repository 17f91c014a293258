package rag_test

import (
	"testing"

	"citebot/corpus"
	"citebot/rag"
)

func TestAntecedent(t *testing.T) {
	art := func(title, text string) corpus.Article {
		return corpus.Article{ID: "a", Title: title, Source: "www.example.com", Text: text}
	}
	tests := []struct {
		name, q  string
		art      corpus.Article
		sentence string
		want     string
	}{
		{"headline names the show",
			"Which wildly popular show was recently renewed?",
			art("'Harbor Lights': Streamly renews drama for season 2 - Example News", "Streamly said Sunday that the wildly popular Korean show is renewed for a second season."),
			"Streamly said Sunday that the wildly popular Korean show is renewed for a second season.",
			"Harbor Lights"},
		{"sentence before names the singer",
			"Which popular singer will start a residency later this year?",
			art("", "Mara Quill is heading back to the stage. After postponing her shows in January, the singer announced Monday that she has rescheduled them."),
			"After postponing her shows in January, the singer announced Monday that she has rescheduled them.",
			"Mara Quill"},
		{"a sentence that names no one leans on the headline",
			"One of the biggest strikes in years is brewing at which major company?",
			art("Parcelco: One of the biggest strikes in years is brewing - Example News", "If the union does go on strike, it would be the largest strike against a single business."),
			"If the union does go on strike, it would be the largest strike against a single business.",
			"Parcelco"},
		{"outlet and dateline are no answer",
			"Which team did he call games for?",
			art("", "Example News —\n\nThe broadcaster died at 94, the team announced Tuesday."),
			"The broadcaster died at 94, the team announced Tuesday.",
			""},
		{"a dateline taken for a title is no headline",
			"Which highly anticipated show drew ten million viewers?",
			art("New York Example Business —", "The highly anticipated show drew ten million viewers."),
			"The highly anticipated show drew ten million viewers.",
			""},
		{"a topic title is no headline",
			"Which river was the town built by?",
			art("Norman conquest law (paragraph 4)", "The town stood at the banks of the river."),
			"The town stood at the banks of the river.",
			""},
		{"a question headline asserts nothing",
			"Which leader resigned this week?",
			art("What happens when a British Prime Minister resigns?", "The leader resigned on Thursday."),
			"The leader resigned on Thursday.",
			""},
		{"a digest's headline names other stories",
			"A storm this week forced thousands of people to leave homes near which lake?",
			art("4 things to know for May 3: Storms, Elections, Markets, Rail strike - Example News", "A storm forced thousands of people to leave their homes near the lake."),
			"A storm forced thousands of people to leave their homes near the lake.",
			""},
		{"what-question read as who",
			"What show was renewed?",
			art("'Harbor Lights': Streamly renews drama for season 2", "The show is renewed."),
			"The show is renewed.",
			"Harbor Lights"},
		{"not a which-question",
			"Why was the show renewed?",
			art("'Harbor Lights': Streamly renews drama for season 2", "The show is renewed."),
			"The show is renewed.",
			""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rag.Antecedent(tc.q, tc.art, tc.sentence); got != tc.want {
				t.Errorf("Antecedent(%q) = %q, want %q", tc.q, got, tc.want)
			}
		})
	}
}
