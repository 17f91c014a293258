package render_test

import (
	"regexp"
	"strings"
	"testing"

	"citebot/bot/internal/render"
)

func TestEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text, 2024.", "plain text, 2024."},
		{"**bold** _it_ ~~s~~ ||sp|| `c`", `\*\*bold\*\* \_it\_ \~\~s\~\~ \|\|sp\|\| \` + "`c\\`"},
		{"[click](https://evil.example)", `\[click\]\(https://evil.example\)`},
		{"see https://example.com/a_b*c and more", "see https://example.com/a_b*c and more"},
		{"@everyone and @here and @Everyone", "@\u200beveryone and @\u200bhere and @\u200bEveryone"},
		{"<@123> <@!123> <@&456> <#789> <t:1700000000>", `\<@123\> \<@!123\> \<@&456\> \<\#789\> \<t:1700000000\>`},
		{"# Heading\n> quote\n- item\n  + item\n12. item\n-# subtext", "\\# Heading\n\\> quote\n\\- item\n  \\+ item\n12\\. item\n\\-\\# subtext"},
		{`back\slash`, `back\\slash`},
		{"mid-line - dash and 3. number", "mid-line - dash and 3. number"},
		// A link cannot form where its backslashes would be swallowed.
		{"http://` x `", "http\\://\\` x \\`"},
		{"https://a.example`code` ||x||", "https\\://a.example\\`code\\` \\|\\|x\\|\\|"},
	}
	for _, tc := range cases {
		if got := render.Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestPlainAndLinkURL(t *testing.T) {
	if got, want := render.Plain("a\n\tb  @here\x00c"), "a b @\u200bhere c"; got != want {
		t.Errorf("Plain = %q, want %q", got, want)
	}
	for u, ok := range map[string]bool{
		"https://example.com/a":                           true,
		"http://example.com":                              true,
		"javascript:alert(1)":                             false,
		"ftp://example.com/f":                             false,
		"https://":                                        false,
		"https://user:pw@example.com/":                    false,
		"https://example.com/" + strings.Repeat("a", 600): false,
		"": false,
	} {
		if got := render.LinkURL(u) != ""; got != ok {
			t.Errorf("LinkURL(%.40q) accepted = %v, want %v", u, got, ok)
		}
	}
}

var marker = regexp.MustCompile(`\[\d+(?:\s*,\s*\d+)*\]`)

func TestSplit(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "One sentence [1].", 100, []string{"One sentence [1]."}},
		{"markers stay with their sentence", "First claim here [1]. Second claim there [2].", 30,
			[]string{"First claim here [1].", "Second claim there [2]."}},
		{"marker after a closing quote", "He warned of “tensions.” [1]. Later they met [2].", 40,
			[]string{"He warned of “tensions.” [1].", "Later they met [2]."}},
		{"abbreviations do not end sentences", "The U.S. President spoke [1]. Xi replied [1].", 40,
			[]string{"The U.S. President spoke [1].", "Xi replied [1]."}},
		{"a long sentence is cut between words, not before a marker", "aaaa bbbb cccc dddd [12].", 12,
			[]string{"aaaa bbbb", "cccc", "dddd [12]."}},
		{"paragraphs", "Para one [1]\n\nPara two [2]", 16, []string{"Para one [1]", "Para two [2]"}},
		{"empty", "  ", 10, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := render.Split(tc.text, tc.limit)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("Split(%q, %d)\n got %q\nwant %q", tc.text, tc.limit, got, tc.want)
			}
		})
	}
	t.Run("invariants", func(t *testing.T) {
		text := strings.Repeat("The talks “went well.” [1]. Officials (from the U.S. side) said *more* [2, 3]. ", 80)
		for _, limit := range []int{60, 200, 1000, 4096} {
			parts := render.Split(text, limit)
			if got, want := strings.Join(strings.Fields(strings.Join(parts, " ")), " "), strings.Join(strings.Fields(text), " "); got != want {
				t.Fatalf("limit %d: parts do not add up to the text", limit)
			}
			want := len(marker.FindAllString(text, -1))
			n := 0
			for _, p := range parts {
				if l := render.DiscordLen(render.Escape(p)); l > limit {
					t.Errorf("limit %d: part of escaped length %d", limit, l)
				}
				n += len(marker.FindAllString(p, -1))
				if strings.HasPrefix(p, "[") {
					t.Errorf("limit %d: a part starts with a citation marker: %.30q", limit, p)
				}
			}
			if n != want {
				t.Errorf("limit %d: %d whole markers after splitting, want %d (one was cut)", limit, n, want)
			}
		}
	})
}

func TestEscapeAnswerKeepsTheAnswerSpanBold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"took place in April this year (**April 2024**) [1].", `took place in April this year \(**April 2024**\) \[1\].`},
		{"the **fifth** call, a *star* and **@everyone**", "the **fifth** call, a \\*star\\* and **@\u200beveryone**"},
		{"no emphasis here [1].", `no emphasis here \[1\].`},
		{"**[link](https://evil.example)**", `**\[link\]\(https://evil.example\)**`},
	}
	for _, tt := range tests {
		if got := render.EscapeAnswer(tt.in); got != tt.want {
			t.Errorf("EscapeAnswer(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
