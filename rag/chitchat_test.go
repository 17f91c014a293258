package rag_test

import (
	"testing"

	"citebot/rag"
)

func TestChitchat(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"thanks!", true},
		{"thanks, that helped!", true},
		{"ok", true},
		{"👍", true},
		{"", true},
		{"ty", true},
		{"and where was that?", false},
		{"where did they meet", false},
		{"ok but when?", false},
		{"thanks what about Xi", false},
		{"ah ok np, thanks anyway", true},
		{"ok cool ty", true},
		{"thanks 👍", true},
		{"i see, makes sense", true},
		{"i see, and taiwan", false},
		{"thank u", true},
		{"thx a ton", true},
		{"nice one 👍", true},
		{"you rock", true},
		{"that's wrong", true},
		{"no thats not right", true},
		{"nvm", true},
		{"is that right?", false},
		{"that's not what i asked, when did they meet", false},
		{"wrong person, who is the ambassador", false},
		{"one more question: where was the summit", false},
	} {
		if got := rag.Chitchat(tc.text); got != tc.want {
			t.Errorf("Chitchat(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
