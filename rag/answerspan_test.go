package rag_test

import (
	"testing"

	"citebot/rag"
)

func TestEmphasizeAnswer(t *testing.T) {
	tests := []struct{ q, s, want string }{
		{"How long did the call last?", "The call lasted around 90 minutes and they spoke late.", "The call lasted around **90 minutes** and they spoke late."},
		{"When did they last speak?", "The last call took place in April this year (April 2024).", "The last call took place in April this year (**April 2024**)."},
		{"When were the Normans in Normandy?", "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.", "The Normans were the people who in **the 10th and 11th centuries** gave their name to Normandy."},
		{"Who did Jake Sullivan meet in Beijing?", "It came during a meeting in Beijing between Jake Sullivan and China’s top official Wang Yi.", "It came during a meeting in Beijing between Jake Sullivan and China’s top official **Wang Yi**."},
		{"Who called China the most dangerous competitor?", "The candidate for ambassador to China Nicholas Burns called China “the most dangerous competitor”.", "The candidate for ambassador to China **Nicholas Burns** called China “the most dangerous competitor”."},
		{"Where did they hold their summit?", "They met at a summit in Woodside, Calif., in November 2023.", "They met at a summit in **Woodside, Calif.**, in November 2023."},
		{"How many calls had they held?", "Their last phone call — their fifth — took place in July.", "Their last phone call — their **fifth** — took place in July."},
		{"Who is Denny Roy?", "Denny Roy, a senior researcher at the East-West Center, said so.", "Denny Roy, a senior researcher at the East-West Center, said so."},
		{"Why did they cancel the trip?", "They cancelled it after the balloon was found in February 2023.", "They cancelled it after the balloon was found in February 2023."},
		{"When did it happen?", "Nobody knows.", "Nobody knows."},
		{"How many minutes did the violence go on?", "For the first time, the committee said the violence went on for 187 minutes.", "For the first time, the committee said the violence went on for **187** minutes."},
		{"How much of the city's population spoke French?", "By 1700 a fifth of the city's population spoke French.", "By 1700 a **fifth** of the city's population spoke French."},
		{"Who tested positive this week?", "(CNN) President Joe Biden tested positive on Thursday.", "(CNN) **President Joe Biden** tested positive on Thursday."},
		{"Who will be at the summit?", "You’ll find Mara Quill at the summit.", "You’ll find **Mara Quill** at the summit."},
		{"Who met Xi in Bali?", "President Joe Biden and Xi met in Bali.", "**President Joe Biden** and Xi met in Bali."},
		{"Scientists say the doomsday glacier could raise sea level. Where is the glacier located?", "Antarctica’s so-called doomsday glacier could retreat fast.", "**Antarctica**’s so-called doomsday glacier could retreat fast."},
		{"Scientists say the doomsday glacier could raise sea level. Where is the glacier located?", "Scientists’ models show the glacier could retreat fast.", "Scientists’ models show the glacier could retreat fast."},
		{"What percentage of adults disapprove?", "In a new survey, 60% of adults disapprove of the ruling.", "In a new survey, **60%** of adults disapprove of the ruling."},
		{"What share of adults disapprove?", "In a new survey, 60 percent of adults disapprove of the ruling.", "In a new survey, **60 percent** of adults disapprove of the ruling."},
		{"How many widows settled in the town?", "Records name twenty-five widows who settled in the town.", "Records name **twenty-five** widows who settled in the town."},
		{"How many mechanisms keep the pressure down?", "Engines have two independent mechanisms for it; one may be set by the user, the second is a fail-safe.", "Engines have **two** independent mechanisms for it; one may be set by the user, the second is a fail-safe."},
		{"How many settlers were there in the fort?", "In 1564 the lieutenant launched a second voyage and built the fort.", "In 1564 the lieutenant launched a second voyage and built the fort."},
		{"Who did Mara Quill defeat in the semifinal?", "Score line: (8) Mara Quill defeated (2) Lena Holt 6-4, 6-3 in the semifinal.", "Score line: (8) Mara Quill defeated (2) **Lena Holt** 6-4, 6-3 in the semifinal."},
		{"Who called the talks candid?", "Sullivan said: the talks were candid.", "**Sullivan** said: the talks were candid."},
		{"Who wrote the rule down?", "The rule was written down,[Note 3] the records say.", "The rule was written down,[Note 3] the records say."},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if got := rag.EmphasizeAnswer(tt.q, tt.s); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEmphasizeAnswerAboard(t *testing.T) {
	got := rag.EmphasizeAnswer("Where was Sullivan when he said it?", "He told reporters aboard Air Force One that no date was set.")
	if want := "He told reporters aboard **Air Force One** that no date was set."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
