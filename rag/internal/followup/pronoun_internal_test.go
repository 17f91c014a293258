package followup

import (
	"slices"
	"testing"
)

// TestPronounAfter checks which pronoun the text after a mention uses for
// it: the first one, unless another name comes before it.
func TestPronounAfter(t *testing.T) {
	for _, tc := range []struct {
		text string
		want gender
	}{
		{" said on Tuesday that she would travel.", genderFemale},
		{", the senator, said his office had no comment.", genderMale},
		{" met Zhao Lijian, and he said nothing.", genderUnknown}, // another name first
		{" arrived in the capital. The talks began at once.", genderUnknown},
		{" said. “It is not a result,” she added.", genderFemale},
	} {
		if got := pronounAfter(tc.text); got != tc.want {
			t.Errorf("pronounAfter(%q): got %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestAnswerPeople checks that the people an answer names in full are
// found by last name, and that places and institutions are not.
func TestAnswerPeople(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"The call took place amid a furor over then-House Speaker Nancy Pelosi’s planned trip to Taiwan [1].", []string{"Pelosi"}},
		{"Susan Thornton, a former official, met the White House team in New York.", []string{"Thornton"}},
		{"Biden and Xi spoke in April.", nil},
	} {
		if got := answerPeople(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("answerPeople(%q): got %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestEseDemonym checks the one demonym a prefix match misses.
func TestEseDemonym(t *testing.T) {
	for _, tc := range []struct {
		place, adj string
		want       bool
	}{
		{"china", "chines", true},
		{"malta", "maltes", true},
		{"japan", "japanes", false}, // a prefix match already
		{"news", "newses", false},
	} {
		if got := eseDemonym(tc.place, tc.adj); got != tc.want {
			t.Errorf("eseDemonym(%q, %q): got %v, want %v", tc.place, tc.adj, got, tc.want)
		}
	}
}
