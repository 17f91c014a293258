package rag_test

import (
	"strings"
	"testing"

	"citebot/rag"
)

// TestListingFollowsItsSentence checks that an answer sentence naming
// something ("fundamental strategic disagreements") keeps the sentence
// after it that lists what it named ("These include …").
func TestListingFollowsItsSentence(t *testing.T) {
	e := rag.NewExtractive(shippedIndex(t))
	ans := answerAsOf(t, e, "according to denny roy, what do washington and beijing fundamentally disagree about?", "2024-10-01")
	for _, want := range []string{"fundamental strategic disagreements", "These include", "North Korea"} {
		if !strings.Contains(ans.Text, want) {
			t.Errorf("answer lacks %q: %s", want, ans.Text)
		}
	}
}
