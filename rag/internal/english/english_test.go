package english_test

import (
	"testing"

	"citebot/rag/internal/english"
)

func TestIsWord(t *testing.T) {
	for w, want := range map[string]bool{
		"exploration": true, "Exploration": true, "during": true, "harassed": true, "mars": true,
		"durng": false, "harrased": false, "wher": false, "": false,
	} {
		if got := english.IsWord(w); got != want {
			t.Errorf("IsWord(%q) = %v, want %v", w, got, want)
		}
	}
	if n := english.Len(); n < 70000 {
		t.Errorf("Len() = %d, want the full list (about 75,000 words)", n)
	}
}
