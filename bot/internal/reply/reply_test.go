package reply_test

import (
	"testing"

	"citebot/bot/internal/reply"
)

func TestHoldsQuestion(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"thanks, that helped!", false},
		{"Thank you so much!!", false},
		{"ok", false},
		{"👍", false},
		{"<:pepeok:123456789012345678>", false},
		{"", false},
		{"great answer, very clear", false},
		{"cool, makes sense", false},
		{"lol thanks bot", false},
		{"perfect 🙏", false},
		{"what did Xi say?", true},
		{"and what about Taiwan", true},
		{"why", true},
		{"is that still true", true},
		{"tell me more about the balloon", true},
		{"thanks! when is the next summit?", true},
		{"the 2023 summit in San Francisco", true},
		{"Biden Xi call", true},
		{"merci beaucoup", false},
	}
	for _, c := range cases {
		if got := reply.HoldsQuestion(c.text); got != c.want {
			t.Errorf("HoldsQuestion(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
