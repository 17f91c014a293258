package bot_test

import (
	"testing"

	"citebot/bot"
)

func TestStripMention(t *testing.T) {
	cases := map[string]string{
		"<@42> when did they speak?": "when did they speak?",
		"<@!42>   when?":             "when?",
		"hey <@42>, when?":           "hey , when?",
		"<@43> is someone else":      "<@43> is someone else",
		"<@42>":                      "",
	}
	for in, want := range cases {
		if got := bot.StripMention(in, "42"); got != want {
			t.Errorf("StripMention(%q) = %q, want %q", in, got, want)
		}
	}
}
